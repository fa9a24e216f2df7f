/* Outcomes of the Graph deletion engine: what the certificate says of each
 * item. */
#include "gdel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"

void gdel_outcome(struct lethe_outcome *o, enum lethe_result result, const char *fmt, ...)
{
  va_list ap;
  o->result = result;
  snprintf(o->level, sizeof(o->level), "%s", LETHE_LEVEL_NONE);
  va_start(ap, fmt);
  vsnprintf(o->error, sizeof(o->error), fmt, ap);
  va_end(ap);
  if(result == LETHE_RESULT_HELD)
    snprintf(o->level_reason, sizeof(o->level_reason), "%.250s", o->error);
}

static const char *reason(const struct gdel_session *s, enum lethe_item_kind kind)
{
  bool purge = s->cfg.method == GDEL_PERMANENT;
  if(kind == LETHE_ITEM_DRIVE_ITEM)
    return purge ? "permanentDelete: not in the recycle bin; recoverable only where the site "
                   "keeps copies (Preservation Hold library: kept if the site is on hold)"
                 : "DELETE moved it to the recycle bin: recoverable for the site's recycle-bin "
                   "retention window (93 days by default); kept if the site is on hold";
  if(kind == LETHE_ITEM_CALENDAR)
    return purge ? "permanentDelete removed the calendar and its events from the mailbox "
                   "(folders do not go to Recoverable Items); kept if the mailbox is on hold"
                 : "DELETE moved the calendar and its events to Recoverable Items: recoverable "
                   "for the mailbox's retention window; kept if the mailbox is on hold";
  return purge ? "permanentDelete (Purges, out of reach of mail clients): recoverable for the "
                 "mailbox's retention window; kept if the mailbox is on hold"
               : "DELETE moved it to Recoverable Items (the user can restore it): recoverable "
                 "for the mailbox's retention window; kept if the mailbox is on hold";
}

static void put_str(struct jsonw *w, const char *key, const char *v, size_t n)
{
  jsonw_key(w, key);
  jsonw_string_len(w, v, n);
}

void gdel_deleted(struct gdel_session *s, const struct gdel_target *t, bool gone,
                  struct lethe_outcome *o)
{
  struct dynbuf b;
  struct jsonw w;
  const char *method = s->cfg.method == GDEL_PERMANENT ? "permanentDelete" : "DELETE";
  o->result = LETHE_RESULT_DELETED;
  snprintf(o->level, sizeof(o->level), "%s", LETHE_LEVEL_LOGICAL);
  if(gone)
    snprintf(o->level_reason, sizeof(o->level_reason), "already gone when Lethe came to "
             "delete it (HTTP 404): deleted by someone or something else, or by an "
             "interrupted earlier attempt");
  else
    snprintf(o->level_reason, sizeof(o->level_reason), "%s", reason(s, t->kind));
  db_init(&b, sizeof(s->details[0]) - 1);
  jsonw_init(&w, &b);
  jsonw_object_begin(&w);
  if(t->archive) {
    put_str(&w, "archive", t->archive, strlen(t->archive));
    put_str(&w, "archive_sha256", t->archive_sha256, strlen(t->archive_sha256));
  }
  if(t->drive[0])
    put_str(&w, "drive", t->drive, strlen(t->drive));
  if(gone) {
    jsonw_key(&w, "gone_already");
    jsonw_bool(&w, true);
  }
  jsonw_key(&w, "http_status");
  jsonw_i64(&w, t->status);
  put_str(&w, "id", t->id.id, t->id.id_len);
  put_str(&w, "method", method, strlen(method));
  put_str(&w, "request_id", t->request_id, strlen(t->request_id));
  if(t->throttled_ms) {
    jsonw_key(&w, "throttled_ms");
    jsonw_i64(&w, t->throttled_ms);
  }
  jsonw_object_end(&w);
  if(!w.rc && b.len < sizeof(o->detail)) {
    memcpy(o->detail, b.mem, b.len + 1);
  }
  else if(!w.rc) {
    memcpy(s->details[t->item], b.mem, b.len + 1);
    o->detail_json = s->details[t->item];
    o->detail_len = b.len;
  }
  db_release(&b);
}

static lethe_rc add_id(char *out, size_t n, size_t *used, const char *id, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)id[i];
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 strchr("-._~", c);
    if(*used + 4 >= n)
      return LETHE_E_RANGE;
    if(plain) {
      out[(*used)++] = (char)c;
    }
    else {
      out[(*used)++] = '%';
      out[(*used)++] = hex[c >> 4];
      out[(*used)++] = hex[c & 15];
    }
  }
  out[*used] = '\0';
  return LETHE_OK;
}

lethe_rc gdel_path(const struct gdel_session *s, const struct gdel_target *t,
                   const char *suffix, char *out, size_t n)
{
  static const char *const coll[] = { [LETHE_ITEM_MESSAGE] = "/messages/",
                                      [LETHE_ITEM_EVENT] = "/events/",
                                      [LETHE_ITEM_CALENDAR] = "/calendars/" };
  size_t used = 0;
  lethe_rc rc;
  out[0] = '\0';
  if(t->kind == LETHE_ITEM_DRIVE_ITEM) {
    used = (size_t)snprintf(out, n, "/drives/");
    rc = add_id(out, n, &used, t->drive, strlen(t->drive));
    if(!rc && used + 8 < n)
      used += (size_t)snprintf(out + used, n - used, "/items/");
  }
  else {
    used = (size_t)snprintf(out, n, "/users/");
    rc = add_id(out, n, &used, s->cfg.src.mailbox, strlen(s->cfg.src.mailbox));
    if(!rc && used + 16 < n)
      used += (size_t)snprintf(out + used, n - used, "%s", coll[t->kind]);
  }
  if(!rc)
    rc = add_id(out, n, &used, t->id.id, t->id.id_len);
  if(!rc && used + strlen(suffix) + 1 >= n)
    rc = LETHE_E_RANGE;
  if(!rc)
    memcpy(out + used, suffix, strlen(suffix) + 1);
  return rc;
}

lethe_rc gdel_recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                             struct lethe_outcome *out)
{
  struct graph_ident p;
  struct dynbuf b;
  struct jsonw w;
  (void)rule;
  if(!item->identity_text || !graph_ident_parse(item->identity_text, &p))
    return LETHE_OK;
  db_init(&b, sizeof(out->detail) - 1);
  jsonw_init(&w, &b);
  jsonw_object_begin(&w);
  if(p.drive)
    put_str(&w, "drive", p.drive, p.drive_len);
  put_str(&w, "id", p.id, p.id_len);
  jsonw_object_end(&w);
  if(!w.rc)
    memcpy(out->detail, b.mem, b.len + 1);
  db_release(&b);
  return LETHE_OK;
}
