/* What a graph:// source names, found on the service (read-only GETs):
 * the mail folder by its display path, the calendar by its name, the drive
 * and the folder in it. A name that matches nothing, or several things, is
 * an error naming it: Lethe never guesses which folder a rule meant. Names
 * match exactly, else without regard to case as Exchange and SharePoint
 * compare them; hidden mail folders count
 * (https://learn.microsoft.com/graph/api/mailfolder-list-childfolders,
 * includeHiddenFolders=true). */
#ifndef LETHE_GRAPH_RESOLVE_H
#define LETHE_GRAPH_RESOLVE_H

#include <stdbool.h>

#include "graph_client.h"
#include "graph_ident.h"
#include "graph_uri.h"

/* Append "GRAPH/v1.0/users/MAILBOX" (the mailbox escaped) to out. */
lethe_rc graph_url_user(const struct graph_config *cfg, const char *mailbox,
                        struct dynbuf *out) WUR;

/* Append "/users/MAILBOX" (for a $batch request's relative URL). */
lethe_rc graph_path_user(const char *mailbox, struct dynbuf *out) WUR;

/* Whether name is a well-known mail folder name (inbox, deleteditems ...,
 * the list of https://learn.microsoft.com/graph/api/resources/mailfolder). */
bool graph_well_known_folder(const char *name);

/* The id of the folder a mail source names, into id (GRAPH_ID_MAX + 1
 * bytes); *total gets its totalItemCount (0 if not given), read with it. */
lethe_rc graph_find_folder(struct graph_client *c, const struct graph_source *s, char *id,
                           uint64_t *total, struct lethe_err *err) WUR;

/* The id of the folder the well-known name wkn is in the mailbox ("" with
 * LETHE_OK when the service does not know it), and, when total is not NULL,
 * its totalItemCount. */
lethe_rc graph_well_known_id(struct graph_client *c, const char *mailbox, const char *wkn,
                             char *id, uint64_t *total, struct lethe_err *err) WUR;

/* The ids of the mailbox's Recoverable Items folders, where deleted
 * messages go: Deletions (DELETE) and Purges (permanentDelete; not a
 * documented well-known name everywhere, so "" when unknown), asked at
 * once. */
lethe_rc graph_recoverable_ids(struct graph_client *c, const char *mailbox, char *deletions,
                               char *purges, struct lethe_err *err) WUR;

/* The calendar a calendar source names: its id and change key (each
 * GRAPH_ID_MAX + 1 bytes) and whether it is the mailbox's default. */
lethe_rc graph_find_calendar(struct graph_client *c, const struct graph_source *s, char *id,
                             char *change_key, bool *is_default, struct lethe_err *err) WUR;

/* The drive of a drive source and the id of the folder it names (the
 * drive's root when it names none), each GRAPH_ID_MAX + 1 bytes. */
lethe_rc graph_find_drive(struct graph_client *c, const struct graph_source *s, char *drive,
                          char *folder, struct lethe_err *err) WUR;

#endif
