/* Access tokens from the Microsoft identity platform, by the OAuth 2.0
 * client credentials grant
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow):
 * POST LOGIN/TENANT/oauth2/v2.0/token with grant_type=client_credentials,
 * client_id, scope=GRAPH/.default and either client_secret or a signed
 * client_assertion (graph_jwt.h). The credentials file is read for each
 * request and wiped right after; the form that carries the secret is wiped
 * once sent. (libcurl may keep its own copy of a small body in a send buffer
 * it frees without clearing: that much is out of Lethe's hands.) */
#ifndef LETHE_GRAPH_TOKEN_H
#define LETHE_GRAPH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "graph_config.h"

#define GRAPH_TOKEN_MAX 16384

struct graph_token {
  char value[GRAPH_TOKEN_MAX + 1];  /* opaque; never printed; wiped */
  size_t len;
  int64_t expires_in;               /* seconds, as the endpoint said */
};

/* Get a token for cfg (whose credentials must be set) with the easy handle
 * easy. Errors name the endpoint's error code and AADSTS text, never a
 * secret: LETHE_E_CONFIG for refused credentials, LETHE_E_IO when the
 * endpoint cannot be reached, LETHE_E_PROTOCOL for a malformed answer. */
lethe_rc graph_token_fetch(void *easy, const struct graph_config *cfg, struct graph_token *t,
                           struct lethe_err *err) WUR;

/* The token endpoint of cfg for tenant into out (n bytes). */
void graph_token_url(const struct graph_config *cfg, const char *tenant, char *out, size_t n);

/* Parse a token endpoint reply body (status is its HTTP status) into t;
 * what graph_token_fetch does with the answer. The body is not changed; the
 * caller wipes it. */
lethe_rc graph_token_parse(long status, const char *body, size_t len, struct graph_token *t,
                           struct lethe_err *err) WUR;

void graph_token_wipe(struct graph_token *t);

#endif
