#include "graph_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

lethe_rc graph_uri_component(struct dynbuf *out, const char *s, size_t n)
{
  static const char hex[] = "0123456789ABCDEF";
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < n && !rc; i++) {
    unsigned char c = (unsigned char)s[i];
    if((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
       (c && strchr("-._~!$&'()*+,;=:@", c))) {
      rc = db_add(out, s + i, 1);
    }
    else {
      char e[3] = { '%', hex[c >> 4], hex[c & 15] };
      rc = db_add(out, e, 3);
    }
  }
  return rc;
}

void graph_source_release(struct graph_source *s)
{
  free(s->mailbox);
  free(s->user);
  free(s->host);
  free(s->site);
  free(s->library);
  for(size_t i = 0; i < s->n_parts; i++)
    free(s->parts[i]);
  free(s->base);
  free(s->base_raw);
  memset(s, 0, sizeof(*s));
}

/* The '/'-separated components of text, each decoded, into v. */
static lethe_rc split(const char *text, char **v, size_t *n, struct lethe_err *err)
{
  struct dynbuf part, dec;
  lethe_rc rc = LETHE_OK;
  *n = 0;
  db_init(&part, 4096);
  db_init(&dec, 4096);
  while(*text && !rc) {
    size_t len = strcspn(text, "/");
    db_reset(&part);
    db_reset(&dec);
    if(!len || *n == GRAPH_URI_PARTS_MAX)
      rc = err_set(err, LETHE_E_PARSE, *n == GRAPH_URI_PARTS_MAX ? "too many path components"
                                                                  : "an empty path component");
    else if(db_add(&part, text, len) || uri_decode(db_str(&part), &dec))
      rc = err_set(err, LETHE_E_PARSE, "a component is not valid percent-encoding");
    else if(!strcmp(dec.mem, ".") || !strcmp(dec.mem, ".."))
      rc = err_set(err, LETHE_E_PARSE, "'.' and '..' are not names");
    else if(!(v[(*n)++] = strdup(dec.mem)))
      rc = err_set(err, LETHE_E_NOMEM, "out of memory");
    text += len;
    if(*text == '/' && !rc) {
      text++;
      if(!*text)
        rc = err_set(err, LETHE_E_PARSE, "an empty path component");
    }
  }
  db_release(&part);
  db_release(&dec);
  return rc;
}

static bool account_ok(const char *s)
{
  if(!*s)
    return false;
  for(; *s; s++)
    if(!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
         strchr("@._+-'", *s)))
      return false;
  return true;
}

static char *take(char **v, size_t *n)
{
  char *first = v[0];
  memmove(v, v + 1, (*n - 1) * sizeof(*v));
  v[--*n] = NULL;
  return first;
}

static lethe_rc drive_parts(struct graph_source *s, struct lethe_err *err)
{
  char *who;
  if(!s->n_parts)
    return err_set(err, LETHE_E_PARSE, "expected graph://drive/USER/PATH or "
                   "graph://drive/HOST/sites/SITE/LIBRARY/PATH");
  who = take(s->parts, &s->n_parts);
  if(strchr(who, '@') || !strchr(who, '.')) {
    s->user = who;
    return account_ok(who) ? LETHE_OK : err_set(err, LETHE_E_PARSE, "'%.100s' is not a user "
                                                "principal name or user id", who);
  }
  s->host = who;
  if(s->n_parts < 3 || (strcmp(s->parts[0], "sites") && strcmp(s->parts[0], "teams")))
    return err_set(err, LETHE_E_PARSE, "a SharePoint drive is graph://drive/%.100s/sites/SITE/"
                   "LIBRARY[/PATH]", who);
  if(asprintf(&s->site, "/%s/%s", s->parts[0], s->parts[1]) < 0) {
    s->site = NULL;
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  free(take(s->parts, &s->n_parts));
  free(take(s->parts, &s->n_parts));
  s->library = take(s->parts, &s->n_parts);
  return LETHE_OK;
}

static lethe_rc kind_parts(struct graph_source *s, const char *kind, struct lethe_err *err)
{
  if(!strcmp(kind, "mail")) {
    s->kind = GRAPH_MAIL;
    return s->n_parts ? LETHE_OK : err_set(err, LETHE_E_PARSE, "a mail source names a folder: "
                                           "graph://MAILBOX/mail/FOLDER");
  }
  if(!strcmp(kind, "calendar")) {
    s->kind = GRAPH_CALENDAR;
    return s->n_parts == 1 ? LETHE_OK : err_set(err, LETHE_E_PARSE, "a calendar source names "
                                                "one calendar: graph://MAILBOX/calendar/NAME "
                                                "(a '/' in the name is %%2F)");
  }
  return err_set(err, LETHE_E_PARSE, "unknown kind '%.40s' (expected graph://MAILBOX/mail/..., "
                 "graph://MAILBOX/calendar/... or graph://drive/...)", kind);
}

/* The pieces of the URI after "graph:/", in order; *literal: written as it
 * is (a site path, which holds a '/'). */
static size_t pieces(const struct graph_source *s, const char **v, bool *literal)
{
  size_t n = 0;
  memset(literal, 0, (GRAPH_URI_PARTS_MAX + 4) * sizeof(*literal));
  if(s->kind == GRAPH_DRIVE) {
    v[n++] = "drive";
    v[n++] = s->user ? s->user : s->host;
    if(s->site) {
      literal[n] = true;
      v[n++] = s->site + 1;
    }
    if(s->library)
      v[n++] = s->library;
  }
  else {
    v[n++] = s->mailbox;
    v[n++] = s->kind == GRAPH_MAIL ? "mail" : "calendar";
  }
  for(size_t i = 0; i < s->n_parts; i++)
    v[n++] = s->parts[i];
  return n;
}

/* base and base_raw: the canonical forms of the URI. */
static lethe_rc bases(struct graph_source *s)
{
  const char *v[GRAPH_URI_PARTS_MAX + 4];
  bool literal[GRAPH_URI_PARTS_MAX + 4];
  size_t n = pieces(s, v, literal);
  struct dynbuf enc, raw;
  lethe_rc rc;
  db_init(&enc, 65536);
  db_init(&raw, 65536);
  rc = db_adds(&enc, "graph:/");
  if(!rc)
    rc = db_adds(&raw, "graph:/");
  for(size_t i = 0; i < n && !rc; i++) {
    rc = db_add(&enc, "/", 1);
    if(!rc)
      rc = literal[i] ? db_adds(&enc, v[i]) : graph_uri_component(&enc, v[i], strlen(v[i]));
    if(!rc)
      rc = db_add(&raw, "/", 1);
    if(!rc)
      rc = db_adds(&raw, v[i]);
  }
  s->base = rc ? NULL : strdup(db_str(&enc));
  s->base_raw = rc ? NULL : strdup(db_str(&raw));
  db_release(&enc);
  db_release(&raw);
  return rc ? rc : (s->base && s->base_raw ? LETHE_OK : LETHE_E_NOMEM);
}

static lethe_rc parse(const char *uri, struct graph_source *s, struct lethe_err *err)
{
  static const char scheme[] = "graph://";
  lethe_rc rc;
  if(strncmp(uri, scheme, sizeof(scheme) - 1))
    return err_set(err, LETHE_E_PARSE, "not a graph:// URI");
  rc = split(uri + sizeof(scheme) - 1, s->parts, &s->n_parts, err);
  if(rc)
    return rc;
  if(s->n_parts && !strcmp(s->parts[0], "drive")) {
    s->kind = GRAPH_DRIVE;
    free(take(s->parts, &s->n_parts));
    rc = drive_parts(s, err);
  }
  else if(s->n_parts >= 2) {
    char *kind;
    s->mailbox = take(s->parts, &s->n_parts);
    kind = take(s->parts, &s->n_parts);
    rc = account_ok(s->mailbox) ? kind_parts(s, kind, err)
                                : err_set(err, LETHE_E_PARSE, "'%.100s' is not a mailbox (a "
                                          "user principal name or user id)", s->mailbox);
    free(kind);
  }
  else {
    rc = err_set(err, LETHE_E_PARSE, "expected graph://MAILBOX/mail/FOLDER, "
                 "graph://MAILBOX/calendar/NAME or graph://drive/USER-OR-SITE/PATH");
  }
  return rc ? rc : (bases(s) ? err_set(err, LETHE_E_NOMEM, "out of memory") : LETHE_OK);
}

lethe_rc graph_source_parse(const char *uri, struct graph_source *s, struct lethe_err *err)
{
  lethe_rc rc;
  memset(s, 0, sizeof(*s));
  rc = parse(uri, s, err);
  if(rc) {
    if(rc != LETHE_E_NOMEM)
      err_prefix(err, "source '%.200s'", uri);
    graph_source_release(s);
  }
  return rc;
}

lethe_rc graph_source_path(const struct graph_source *s, struct dynbuf *out)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < s->n_parts && !rc; i++) {
    rc = i ? db_add(out, "/", 1) : LETHE_OK;
    if(!rc)
      rc = db_adds(out, s->parts[i]);
  }
  return rc;
}
