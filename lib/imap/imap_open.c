/* Opening a session: connect (imap_conn.c), log in (imap_auth.c), and check
 * that the server speaks IMAP4rev1. Kept apart from both so that neither
 * needs the other. */
#include "imap_auth.h"
#include "imap_conn.h"

#include <curl/curl.h>

lethe_rc imap_conn_open(struct imap_conn *c, const struct imap_url *u,
                        const struct imap_opts *o, struct lethe_err *err)
{
  lethe_rc rc;
  imap_conn_init(c);
  if(o->tls_none && !u->imaps && !imap_host_is_loopback(u->host))
    return err_set(err, LETHE_E_CONFIG, "tls = none is only allowed for a loopback server "
                   "(127.0.0.1, ::1, localhost), not %s", u->host);
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return err_set(err, LETHE_E_IO, "cannot initialise libcurl");
  rc = imap_conn_connect(c, u, o, err);
  if(!rc)
    rc = imap_command(c, NULL, NULL, NULL, err, "CAPABILITY");
  if(!rc)
    rc = imap_auth_login(c, u->user, o->credentials, err);
  if(!rc)
    rc = imap_command(c, NULL, NULL, NULL, err, "CAPABILITY");
  if(!rc && !imap_conn_has_cap(c, "IMAP4rev1") && !imap_conn_has_cap(c, "IMAP4rev2"))
    rc = err_set(err, LETHE_E_PROTOCOL, "the server at %s does not speak IMAP4rev1", u->host);
  if(rc) {
    c->broken = true; /* no LOGOUT on a session that never started */
    imap_conn_close(c);
  }
  return rc;
}

