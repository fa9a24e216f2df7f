#include "imap_auth.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "credentials.h"

/* user, token or password, and the SASL framing: well within this. */
#define SASL_MAX (CREDENTIALS_MAX + 2 * IMAP_URL_PART_MAX + 64)
#define B64_MAX (4 * ((SASL_MAX + 2) / 3) + 1)

struct sasl {
  size_t len;
  unsigned char msg[SASL_MAX];
  char b64[B64_MAX + 32];      /* "AUTHENTICATE MECH " + base64 */
};

static void sasl_add(struct sasl *s, const void *p, size_t n)
{
  memcpy(s->msg + s->len, p, n);
  s->len += n;
}

/* "AUTHENTICATE MECH <base64 of s->msg>" into s->b64; its length. */
static size_t sasl_command(struct sasl *s, const char *mech, bool initial_response)
{
  size_t n = (size_t)snprintf(s->b64, sizeof(s->b64), "AUTHENTICATE %s%s", mech,
                              initial_response ? " " : "");
  if(initial_response)
    n += (size_t)EVP_EncodeBlock((unsigned char *)s->b64 + n, s->msg, (int)s->len);
  return n;
}

/* Run an AUTHENTICATE exchange: the initial response inline where the
 * server takes SASL-IR, else after its "+". A second "+" (XOAUTH2's error
 * report) gets the empty response that ends the exchange. */
static lethe_rc authenticate(struct imap_conn *c, struct sasl *s, const char *mech,
                             struct lethe_err *err)
{
  bool ir = imap_conn_has_cap(c, "SASL-IR");
  size_t n = sasl_command(s, mech, ir);
  bool sent = ir;
  struct imap_resp r;
  lethe_rc rc = imap_conn_start(c, s->b64, n, err);
  explicit_bzero(s->b64, sizeof(s->b64));
  while(!rc) {
    rc = imap_conn_await(c, "AUTHENTICATE", &r, err);
    if(rc || r.kind != IMAP_CONTINUE)
      break;
    if(sent) {
      rc = imap_conn_send_line(c, "", 0, err);
      continue;
    }
    n = (size_t)EVP_EncodeBlock((unsigned char *)s->b64, s->msg, (int)s->len);
    rc = imap_conn_send_line(c, s->b64, n, err);
    explicit_bzero(s->b64, sizeof(s->b64));
    sent = true;
  }
  if(rc == LETHE_E_PROTOCOL)
    err_prefix(err, "authentication (%s) refused", mech);
  return rc;
}

static lethe_rc xoauth2(struct imap_conn *c, const char *user, const struct credentials *cr,
                        struct sasl *s, struct lethe_err *err)
{
  if(!imap_conn_has_cap(c, "AUTH=XOAUTH2"))
    return err_set(err, LETHE_E_PROTOCOL, "the credentials hold a bearer token, but the "
                   "server does not offer AUTH=XOAUTH2");
  sasl_add(s, "user=", 5);
  sasl_add(s, user, strlen(user));
  sasl_add(s, "\001auth=Bearer ", 13);
  sasl_add(s, cr->secret, cr->len);
  sasl_add(s, "\001\001", 2);
  return authenticate(c, s, "XOAUTH2", err);
}

static lethe_rc plain(struct imap_conn *c, const char *user, const struct credentials *cr,
                      struct sasl *s, struct lethe_err *err)
{
  sasl_add(s, "", 1); /* no authorisation identity: act as the user itself */
  sasl_add(s, user, strlen(user));
  sasl_add(s, "", 1);
  sasl_add(s, cr->secret, cr->len);
  return authenticate(c, s, "PLAIN", err);
}

static lethe_rc login(struct imap_conn *c, const char *user, const struct credentials *cr,
                      struct lethe_err *err)
{
  struct dynbuf line;
  lethe_rc rc;
  struct imap_resp r;
  db_init(&line, SASL_MAX * 2 + 16);
  rc = db_adds(&line, "LOGIN ");
  if(!rc)
    rc = imap_quote(user, strlen(user), &line);
  if(!rc)
    rc = db_add(&line, " ", 1);
  if(!rc)
    rc = imap_quote(cr->secret, cr->len, &line);
  if(rc == LETHE_E_PARSE)
    rc = err_set(err, LETHE_E_CONFIG, "the user name or password holds bytes LOGIN cannot "
                 "carry, and the server offers no AUTH=PLAIN");
  else if(rc)
    rc = err_set(err, rc, "%s", lethe_strerror(rc));
  if(!rc)
    rc = imap_conn_start(c, line.mem, line.len, err);
  if(line.mem)
    explicit_bzero(line.mem, line.cap);
  db_release(&line);
  if(!rc)
    rc = imap_conn_await(c, "LOGIN", &r, err);
  if(!rc && r.kind == IMAP_CONTINUE)
    rc = err_set(err, LETHE_E_PROTOCOL, "the server asked for more input after LOGIN");
  if(rc == LETHE_E_PROTOCOL)
    err_prefix(err, "login refused");
  return rc;
}

lethe_rc imap_auth_login(struct imap_conn *c, const char *user, const char *credentials,
                         struct lethe_err *err)
{
  struct credentials *cr = malloc(sizeof(*cr));
  struct sasl *s = malloc(sizeof(*s));
  lethe_rc rc;
  if(!cr || !s) {
    free(cr);
    free(s);
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  s->len = 0;
  rc = credentials_read(credentials, cr, err);
  if(!rc && cr->bearer)
    rc = xoauth2(c, user, cr, s, err);
  else if(!rc && imap_conn_has_cap(c, "AUTH=PLAIN"))
    rc = plain(c, user, cr, s, err);
  else if(!rc && !imap_conn_has_cap(c, "LOGINDISABLED"))
    rc = login(c, user, cr, err);
  else if(!rc)
    rc = err_set(err, LETHE_E_PROTOCOL, "the server offers neither AUTH=PLAIN nor LOGIN "
                 "(is TLS required?)");
  credentials_wipe(cr);
  explicit_bzero(s, sizeof(*s));
  free(cr);
  free(s);
  return rc;
}
