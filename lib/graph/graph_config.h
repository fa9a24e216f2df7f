/* The settings a Graph rule shares between its source and its plugins:
 * which cloud (and so which login and Graph hosts), endpoint overrides, a
 * private CA, the credentials file and the hold category. Read from a rule's
 * "key = value" settings, checked without touching the network or a file.
 *
 *   cloud           global (default), usgov, usgov-dod or china: the hosts of
 *                   https://learn.microsoft.com/graph/deployments
 *   graph-endpoint  https://HOST[:PORT] instead of the cloud's Graph host
 *   login-endpoint  https://HOST[:PORT] instead of its Entra ID host
 *   ca-file         PEM file of the CAs to trust instead of the system's
 *   credentials     the credentials file (graph_creds.h)
 *   hold-category   the Outlook category that holds a message or event
 *                   (default "Lethe Hold")
 *
 * TLS is always verified; an endpoint must be https. The token's scope is
 * always the cloud's own Graph resource ("https://graph.microsoft.com/.default"),
 * whatever host the requests go to. */
#ifndef LETHE_GRAPH_CONFIG_H
#define LETHE_GRAPH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "lethe/plugin.h"

#define GRAPH_DEFAULT_HOLD_CATEGORY "Lethe Hold"
#define GRAPH_ENDPOINT_MAX 400

enum graph_cloud {
  GRAPH_CLOUD_GLOBAL,
  GRAPH_CLOUD_USGOV,
  GRAPH_CLOUD_USGOV_DOD,
  GRAPH_CLOUD_CHINA,
};

/* What permanentDelete applies to, for graph_cloud_purges. */
enum graph_purge_kind {
  GRAPH_PURGE_MESSAGE,
  GRAPH_PURGE_EVENT,      /* events and whole calendars */
  GRAPH_PURGE_DRIVE_ITEM,
};

struct graph_config {
  enum graph_cloud cloud;
  char graph[GRAPH_ENDPOINT_MAX + 1];  /* service root, no trailing '/': requests go to
                                          graph + "/v1.0/..." */
  char login[GRAPH_ENDPOINT_MAX + 1];  /* token host: login + "/TENANT/oauth2/v2.0/token" */
  char scope[GRAPH_ENDPOINT_MAX + 16]; /* "https://graph.microsoft.com/.default" */
  const char *ca_file;                 /* borrowed from the settings; NULL: the system's */
  const char *credentials;             /* borrowed; NULL when not given */
  const char *hold_category;           /* borrowed, or the default */
};

/* Fill cfg from settings[0..n): the keys above are read and checked, all
 * others left alone (they belong to someone else). On a bad value return
 * LETHE_E_CONFIG with a message naming the setting and, when bad is not
 * NULL, its index in *bad. cfg borrows the settings' strings. */
lethe_rc graph_config_read(struct graph_config *cfg, const struct lethe_setting *settings,
                           size_t n, size_t *bad, struct lethe_err *err) WUR;

/* Whether key is one graph_config_read reads. */
bool graph_config_key(const char *key);

/* "global", "usgov", "usgov-dod" or "china". */
const char *graph_cloud_name(enum graph_cloud c);

/* Whether the cloud offers permanentDelete for kind (the availability
 * tables of the message, event, calendar and driveItem permanentDelete
 * pages: messages and drive items in the global service only, events and
 * calendars also in China). */
bool graph_cloud_purges(enum graph_cloud c, enum graph_purge_kind kind);

#endif
