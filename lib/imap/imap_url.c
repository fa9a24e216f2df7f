#include "imap_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_parse.h"
#include "uri.h"

#define MAILBOX_MAX 4096

void imap_url_release(struct imap_url *u)
{
  free(u->mailbox);
  free(u->base);
  memset(u, 0, sizeof(*u));
}

static lethe_rc decode_part(const char *p, size_t n, char *out, size_t max, const char *what,
                            const char *uri, struct lethe_err *err)
{
  struct dynbuf b;
  char *copy = strndup(p, n);
  lethe_rc rc;
  if(!copy)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  db_init(&b, max);
  rc = uri_decode(copy, &b);
  free(copy);
  if(!rc && !b.len)
    rc = LETHE_E_PARSE;
  if(!rc)
    memcpy(out, b.mem, b.len + 1);
  db_release(&b);
  if(rc == LETHE_E_NOMEM)
    return err_set(err, rc, "out of memory");
  if(rc)
    return err_set(err, LETHE_E_CONFIG, "source '%s': the %s is empty, too long or badly "
                   "percent-encoded", uri, what);
  return LETHE_OK;
}

/* "user[;AUTH=...]@host[:port]" */
static lethe_rc parse_authority(const char *a, size_t n, struct imap_url *u, const char *uri,
                                struct lethe_err *err)
{
  const char *at = NULL, *host, *end = a + n, *colon;
  size_t userlen;
  lethe_rc rc;
  for(const char *p = a; p < end; p++)
    if(*p == '@')
      at = p;
  if(!at)
    return err_set(err, LETHE_E_CONFIG, "source '%s': name the mailbox user, as in "
                   "imaps://user@host/Folder", uri);
  userlen = (size_t)(at - a);
  if(memchr(a, ';', userlen)) /* ";AUTH=...": the credentials file decides */
    userlen = (size_t)((const char *)memchr(a, ';', userlen) - a);
  rc = decode_part(a, userlen, u->user, IMAP_URL_PART_MAX, "user", uri, err);
  if(rc)
    return rc;
  host = at + 1;
  colon = *host == '[' ? memchr(host, ']', (size_t)(end - host)) : host;
  if(!colon)
    return err_set(err, LETHE_E_CONFIG, "source '%s': unterminated [IPv6 address]", uri);
  colon = memchr(colon, ':', (size_t)(end - colon));
  if((colon ? (size_t)(colon - host) : (size_t)(end - host)) - 1 >= IMAP_URL_PART_MAX)
    return err_set(err, LETHE_E_CONFIG, "source '%s': no host, or a host name that is too "
                   "long", uri);
  memcpy(u->host, host, colon ? (size_t)(colon - host) : (size_t)(end - host));
  if(colon) {
    char *stop;
    unsigned long port = strtoul(colon + 1, &stop, 10);
    if(stop != end || colon + 1 == end || port < 1 || port > 65535)
      return err_set(err, LETHE_E_CONFIG, "source '%s': the port must be a number from 1 "
                     "to 65535", uri);
    u->port = (unsigned)port;
  }
  if(strpbrk(u->host, " /?#@"))
    return err_set(err, LETHE_E_CONFIG, "source '%s': the host name is malformed", uri);
  return LETHE_OK;
}

static lethe_rc parse_mailbox(const char *path, struct imap_url *u, const char *uri,
                              struct lethe_err *err)
{
  struct dynbuf b, probe;
  lethe_rc rc;
  if(!*path)
    return err_set(err, LETHE_E_CONFIG, "source '%s': name the folder, as in "
                   "imaps://user@host/INBOX", uri);
  if(strpbrk(path, ";?#"))
    return err_set(err, LETHE_E_CONFIG, "source '%s': the folder may not carry ';', '?' or "
                   "'#' parts (percent-encode such characters in a folder name)", uri);
  db_init(&b, MAILBOX_MAX);
  db_init(&probe, 4 * MAILBOX_MAX);
  rc = uri_decode(path, &b);
  if(!rc)
    rc = imap_utf7_encode(b.mem, b.len, &probe);
  db_release(&probe);
  if(rc == LETHE_E_NOMEM) {
    db_release(&b);
    return err_set(err, rc, "out of memory");
  }
  if(rc) {
    db_release(&b);
    return err_set(err, LETHE_E_CONFIG, "source '%s': the folder is badly percent-encoded, "
                   "too long, or not UTF-8", uri);
  }
  u->mailbox = b.mem; /* ownership passes to u */
  return LETHE_OK;
}

lethe_rc imap_url_parse(const char *uri, struct imap_url *u, struct lethe_err *err)
{
  const char *a, *slash;
  lethe_rc rc;
  memset(u, 0, sizeof(*u));
  if(!strncmp(uri, "imaps://", 8)) {
    u->imaps = true;
    a = uri + 8;
  }
  else if(!strncmp(uri, "imap://", 7)) {
    a = uri + 7;
  }
  else {
    return err_set(err, LETHE_E_CONFIG, "source '%s' is not an imap:// or imaps:// URL", uri);
  }
  slash = strchr(a, '/');
  if(!slash)
    slash = a + strlen(a);
  u->port = u->imaps ? 993 : 143;
  rc = parse_authority(a, (size_t)(slash - a), u, uri, err);
  if(!rc)
    rc = parse_mailbox(*slash ? slash + 1 : slash, u, uri, err);
  if(!rc) {
    u->base = strndup(uri, (size_t)(slash - uri));
    if(!u->base)
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  if(rc)
    imap_url_release(u);
  return rc;
}

static bool mailbox_char(unsigned char c)
{
  /* RFC 5092 achar and the hierarchy '/': unreserved, sub-delims-sh, & = ~ / */
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("-._~!$'()*+,&=/", c));
}

lethe_rc imap_url_encode_mailbox(const char *mailbox, size_t len, struct dynbuf *out)
{
  static const char hex[] = "0123456789ABCDEF";
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < len && !rc; i++) {
    unsigned char c = (unsigned char)mailbox[i];
    char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
    rc = mailbox_char(c) ? db_add(out, &mailbox[i], 1) : db_add(out, enc, 3);
  }
  return rc;
}

lethe_rc imap_url_message(const struct imap_url *u, uint32_t uidvalidity, uint32_t uid,
                          bool encoded, struct dynbuf *out)
{
  lethe_rc rc = db_adds(out, u->base);
  if(!rc)
    rc = db_add(out, "/", 1);
  if(!rc)
    rc = encoded ? imap_url_encode_mailbox(u->mailbox, strlen(u->mailbox), out)
                 : db_adds(out, u->mailbox);
  if(!rc)
    rc = db_addf(out, ";UIDVALIDITY=%u/;UID=%u", uidvalidity, uid);
  return rc;
}

lethe_rc imap_url_server(const struct imap_url *u, struct dynbuf *out)
{
  return db_addf(out, "%s://%s:%u/", u->imaps ? "imaps" : "imap", u->host, u->port);
}

void imap_identity_format(uint32_t uidvalidity, uint32_t uid, char *buf)
{
  snprintf(buf, IMAP_IDENTITY_LEN, "uidvalidity=%u uid=%u", uidvalidity, uid);
}

static bool read_u32(const char **p, uint32_t *out)
{
  unsigned long long v = 0;
  const char *s = *p;
  if(*s < '1' || *s > '9')
    return false;
  while(*s >= '0' && *s <= '9' && v <= UINT32_MAX)
    v = v * 10 + (unsigned)(*s++ - '0');
  if(v > UINT32_MAX)
    return false;
  *out = (uint32_t)v;
  *p = s;
  return true;
}

bool imap_identity_parse(const char *s, uint32_t *uidvalidity, uint32_t *uid)
{
  if(!s || strncmp(s, "uidvalidity=", 12))
    return false;
  s += 12;
  if(!read_u32(&s, uidvalidity) || strncmp(s, " uid=", 5))
    return false;
  s += 5;
  return read_u32(&s, uid) && !*s;
}
