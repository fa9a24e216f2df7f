/* The graph:// source: Microsoft 365 mail folders, calendars and drives over
 * Microsoft Graph (lethe-graph(7)).
 *
 *   graph://MAILBOX/mail/FOLDER/PATH     messages; clocks received (default),
 *                                        sent, created, modified
 *   graph://MAILBOX/calendar/NAME        events, clock end (default), created,
 *                                        modified; with items = calendar the
 *                                        calendar itself as one item, clock end
 *                                        (its last event's end)
 *   graph://drive/USER-OR-SITE/PATH      files; clocks modified (default),
 *                                        created, name; select, except and
 *                                        subject as for files
 *
 * Rule settings (lethe.ini(5)): credentials (required: the credentials file,
 * graph_creds.h), cloud, graph-endpoint, login-endpoint, ca-file,
 * hold-category (default "Lethe Hold": a message or event carrying that
 * Outlook category is held) and, for calendars, items (events or calendar).
 * A drive item whose retention label does not allow deletion is held.
 *
 * Scanning only GETs. Identities are "id=ID changekey=CK" for Outlook items
 * (immutable ids) and "drive=D id=ID etag=E" for drive items (graph_ident.h);
 * an item's URI is the source's with its id (messages, events) or its path
 * (drive items) appended, and a whole calendar's is the source itself. */
#ifndef LETHE_SOURCE_GRAPH_H
#define LETHE_SOURCE_GRAPH_H

#include "source.h"

extern const struct source_ops source_graph_ops;

#endif
