/* The Graph credentials file: who Lethe is to Microsoft Entra ID.
 *
 * A text file under DESIGN.md invariant 8: a regular file, not a symlink,
 * not readable or writable by group or others, owned by this user or root
 * (the checks of credentials.h); read once per token request and wiped.
 * Its lines are "key = value"; blank lines and lines starting with '#' or
 * ';' are ignored:
 *
 *   tenant        = contoso.onmicrosoft.com   the directory (tenant) id or a domain
 *   client-id     = 0e7c5ad2-...              the app registration's client id
 *   certificate   = graph-app.pem             the certificate credential (PEM) ...
 *   private-key   = graph-app.key             ... and its RSA key (PEM), a file under
 *                                             the same rules as this one
 *   assertion     = PS256                     PS256 (default) or RS256
 *   client-secret = ...                       instead of certificate and private-key
 *
 * A certificate (and its private key) is preferred: Lethe then signs a
 * short-lived client assertion and no shared secret ever travels. Relative
 * paths are relative to the directory of the credentials file. Error
 * messages name the file and the line, never a value. */
#ifndef LETHE_GRAPH_CREDS_H
#define LETHE_GRAPH_CREDS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define GRAPH_CREDS_PATH_MAX 4096

enum graph_assertion_alg { GRAPH_ALG_PS256, GRAPH_ALG_RS256 };

struct graph_creds {
  char tenant[256];
  char client_id[128];
  bool has_secret;
  char secret[2048];                       /* the client secret; wiped */
  char certificate[GRAPH_CREDS_PATH_MAX];  /* absolute paths, when !has_secret */
  char private_key[GRAPH_CREDS_PATH_MAX];
  enum graph_assertion_alg alg;
};

/* Read and check the credentials file at path into c. LETHE_E_UNSAFE for a
 * file others may read, LETHE_E_IO when it cannot be read, LETHE_E_CONFIG
 * for a malformed one ("PATH:LINE: ..."). c is wiped on failure. */
lethe_rc graph_creds_read(const char *path, struct graph_creds *c, struct lethe_err *err) WUR;

/* Parse the text of a credentials file (path is for messages and relative
 * paths); what graph_creds_read does once the file is read. */
lethe_rc graph_creds_parse(const char *path, const char *text, size_t len,
                           struct graph_creds *c, struct lethe_err *err) WUR;

/* Clear c from memory. */
void graph_creds_wipe(struct graph_creds *c);

#endif
