/* Sending e-mail over SMTP with libcurl. */
#include "smtp.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "credentials.h"
#include "mail.h"

#define SMTP_TIMEOUT_DEFAULT 60L

/* The host of an smtp:// or smtps:// URL into buf; false when the URL is
 * not one. */
static bool url_host(const char *url, char *buf, size_t size, bool *implicit_tls)
{
  const char *h, *end;
  if(!strncasecmp(url, "smtps://", 8)) {
    *implicit_tls = true;
    h = url + 8;
  } else if(!strncasecmp(url, "smtp://", 7)) {
    *implicit_tls = false;
    h = url + 7;
  } else {
    return false;
  }
  if(strchr(h, '@'))
    return false; /* the user is a setting of its own, never part of the URL */
  if(*h == '[')
    end = strchr(h, ']') ? strchr(h, ']') + 1 : h;
  else
    end = h + strcspn(h, ":/");
  if(end == h || (size_t)(end - h) >= size)
    return false;
  memcpy(buf, h, (size_t)(end - h));
  buf[end - h] = '\0';
  return true;
}

static bool loopback(const char *host)
{
  return !strcasecmp(host, "localhost") || !strcmp(host, "[::1]") ||
         !strncmp(host, "127.", 4);
}

lethe_rc smtp_check(const struct smtp_server *s, struct lethe_err *err)
{
  char host[256];
  bool implicit_tls;
  if(!s->url || !url_host(s->url, host, sizeof(host), &implicit_tls))
    return err_set(err, LETHE_E_CONFIG, "SMTP server '%s': expected smtp://HOST[:PORT] or "
                   "smtps://HOST[:PORT] (the user goes in 'user')", s->url ? s->url : "");
  if(s->tls_none && (implicit_tls || !loopback(host)))
    return err_set(err, LETHE_E_CONFIG, "SMTP server '%s': tls = none is only for smtp:// "
                   "to this machine (127.0.0.1, ::1, localhost)", s->url);
  if(s->user && !s->credentials)
    return err_set(err, LETHE_E_CONFIG, "SMTP server '%s': 'user' needs 'credentials' (the "
                   "password file)", s->url);
  return LETHE_OK;
}

struct upload {
  const char *p;
  size_t left;
};

static size_t read_message(char *buf, size_t size, size_t nmemb, void *ctx)
{
  struct upload *u = ctx;
  size_t n = size * nmemb < u->left ? size * nmemb : u->left;
  memcpy(buf, u->p, n);
  u->p += n;
  u->left -= n;
  return n;
}

static void set_transport(CURL *h, const struct smtp_server *s, char *errbuf)
{
  curl_easy_setopt(h, CURLOPT_URL, s->url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, s->timeout_s ? s->timeout_s : SMTP_TIMEOUT_DEFAULT);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if(!s->tls_none)
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
  if(s->ca_file)
    curl_easy_setopt(h, CURLOPT_CAINFO, s->ca_file);
}

static lethe_rc perform(CURL *h, const struct smtp_server *s, const char *errbuf,
                        struct lethe_err *err)
{
  CURLcode cc = curl_easy_perform(h);
  long code = 0;
  if(cc == CURLE_OK)
    return LETHE_OK;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if(code)
    return err_set(err, LETHE_E_IO, "SMTP server %s refused the message (%ld): %s", s->url,
                   code, *errbuf ? errbuf : curl_easy_strerror(cc));
  return err_set(err, LETHE_E_IO, "cannot send through SMTP server %s%s: %s", s->url,
                 s->tls_none || !strncasecmp(s->url, "smtps:", 6) ? "" : " with STARTTLS",
                 *errbuf ? errbuf : curl_easy_strerror(cc));
}

lethe_rc smtp_send(const struct smtp_server *s, const char *from, const char *const *rcpt,
                   size_t n, const char *msg, size_t len, struct lethe_err *err)
{
  struct curl_slist *list = NULL;
  struct upload u = { msg, len };
  struct credentials *cred = NULL;
  char errbuf[CURL_ERROR_SIZE] = "";
  lethe_rc rc = smtp_check(s, err);
  CURL *h;
  if(rc)
    return rc;
  for(size_t i = 0; i < n; i++) {
    struct curl_slist *l = mail_address_ok(rcpt[i]) ? curl_slist_append(list, rcpt[i]) : NULL;
    if(!l) {
      curl_slist_free_all(list);
      return err_set(err, LETHE_E_PARSE, "cannot send to '%s': not a plain e-mail address",
                     rcpt[i]);
    }
    list = l;
  }
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    curl_slist_free_all(list);
    return err_set(err, LETHE_E_NOMEM, "cannot start libcurl");
  }
  h = curl_easy_init();
  if(!h)
    rc = err_set(err, LETHE_E_NOMEM, "cannot start libcurl");
  if(!rc && s->user) {
    cred = malloc(sizeof(*cred));
    rc = cred ? credentials_read(s->credentials, cred, err) : LETHE_E_NOMEM;
  }
  if(!rc) {
    set_transport(h, s, errbuf);
    if(cred) {
      curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
      curl_easy_setopt(h, CURLOPT_PASSWORD, cred->secret);
      credentials_wipe(cred); /* libcurl holds its own copy now */
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, list);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    rc = perform(h, s, errbuf, err);
  }
  if(cred) {
    credentials_wipe(cred);
    free(cred);
  }
  if(h)
    curl_easy_cleanup(h);
  curl_slist_free_all(list);
  curl_global_cleanup();
  return rc;
}
