/* graph:// source URIs, shared by the source (agent/sources/graph) and the
 * plugins, which both need to know what a rule names:
 *
 *   graph://MAILBOX/mail/FOLDER[/FOLDER]...     a mail folder, by display names from
 *                                               the top of the mailbox, or a well-known
 *                                               name first ("inbox/Clients")
 *   graph://MAILBOX/calendar/NAME               a calendar, by name
 *   graph://drive/USER[/PATH]                   a folder of USER's OneDrive
 *   graph://drive/HOST/sites/SITE/LIBRARY[/PATH] a folder of a SharePoint document
 *                                               library (also .../teams/SITE/...)
 *
 * MAILBOX and USER are a user principal name (cs@example.org) or a user id.
 * Each component may be percent-encoded (a '/' inside a folder name is %2F,
 * a '%' is %25) or written as it is, spaces and all. */
#ifndef LETHE_GRAPH_URI_H
#define LETHE_GRAPH_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "err.h"

#define GRAPH_URI_PARTS_MAX 64

enum graph_kind {
  GRAPH_MAIL,
  GRAPH_CALENDAR,
  GRAPH_DRIVE,
};

struct graph_source {
  enum graph_kind kind;
  char *mailbox;              /* mail, calendar: decoded */
  char *user;                 /* drive: the OneDrive's owner, or NULL for a site */
  char *host, *site;          /* drive of a site: "example.sharepoint.com", "/sites/Clients" */
  char *library;              /* drive of a site: the document library's name */
  char *parts[GRAPH_URI_PARTS_MAX]; /* mail: the folder path; calendar: its name;
                                       drive: the folder path below the drive's root */
  size_t n_parts;
  char *base;                 /* the URI in canonical percent-encoded form: item URIs
                                 are base + "/" + their path */
  char *base_raw;             /* the same, decoded (what [hold] patterns see) */
};

/* Parse uri into s. LETHE_E_PARSE with a message saying what is wrong (an
 * unknown kind, an empty component, a calendar path of several names ...). */
lethe_rc graph_source_parse(const char *uri, struct graph_source *s, struct lethe_err *err) WUR;

void graph_source_release(struct graph_source *s);

/* Append s[0..n) percent-encoded as one URI path component ('/' too). */
lethe_rc graph_uri_component(struct dynbuf *out, const char *s, size_t n) WUR;

/* The folder path of a mail source as people read it: "Inbox/Clients". */
lethe_rc graph_source_path(const struct graph_source *s, struct dynbuf *out) WUR;

#endif
