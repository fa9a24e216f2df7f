/* The client assertion of the OAuth 2.0 client credentials flow with a
 * certificate: a JWT (RFC 7523) signed with the app's RSA private key, as
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 * describes it.
 *
 *   header  {"alg":"PS256"|"RS256","typ":"JWT","x5t#S256":B64URL(SHA-256(cert DER))}
 *   claims  {"aud":TOKEN_URL,"exp":NOW+300,"iat":NOW,"iss":CLIENT_ID,
 *            "jti":UUID,"nbf":NOW-60,"sub":CLIENT_ID}
 *
 * PS256 is RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt;
 * RS256 is RSASSA-PKCS1-v1_5 with SHA-256. The private key is read from its
 * file under the credentials checks, used and freed (OpenSSL clears the key's
 * numbers); the file's text is wiped. */
#ifndef LETHE_GRAPH_JWT_H
#define LETHE_GRAPH_JWT_H

#include <stdint.h>

#include "dynbuf.h"
#include "graph_creds.h"

#define GRAPH_JWT_LIFETIME 300

/* Append the signed assertion for c, to be posted to token_url at the
 * wall-clock instant now, to out (which the caller wipes after use).
 * LETHE_E_CONFIG for an unreadable, mismatched or non-RSA key or
 * certificate, LETHE_E_UNSAFE for a key file others may read. */
lethe_rc graph_jwt_assertion(const struct graph_creds *c, const char *token_url, int64_t now,
                             struct dynbuf *out, struct lethe_err *err) WUR;

/* Append the base64url form (no padding) of data[0..n) to out. */
lethe_rc graph_b64url(const unsigned char *data, size_t n, struct dynbuf *out) WUR;

#endif
