/* The text scanner's buffer: pieces in, rounds of detection, overlap kept. */
#include "text.h"
#include "clients.h"
#include "detect.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* Room for the carried context, a block and its Latin-1 expansion. */
#define TEXT_CAP (SCAN_BEHIND + SCAN_AHEAD + 16 + 2 * TEXT_BLOCK)

lethe_rc text_scan_init(struct text_scan *t, const struct scan_rules *r,
                        struct scan_findings *out)
{
  lethe_rc rc;
  memset(t, 0, sizeof(*t));
  t->rules = r;
  t->out = out;
  t->triggers = (r->detectors & ~(SCAN_BIT(SCAN_CLIENT_NAME) | SCAN_BIT(SCAN_PERSON_COLUMN))) != 0;
  t->cap = TEXT_CAP;
  t->buf = malloc(t->cap);
  t->scratch = malloc(TEXT_BLOCK + 8);
  if(!t->buf || !t->scratch) {
    text_scan_release(t);
    return LETHE_E_NOMEM;
  }
  if(r->clients && scan_wants(r, SCAN_CLIENT_NAME)) {
    rc = clients_match_new(r->clients, &t->cm);
    if(rc) {
      text_scan_release(t);
      return rc;
    }
  }
  return LETHE_OK;
}

void text_scan_release(struct text_scan *t)
{
  if(t->buf)
    explicit_bzero(t->buf, t->cap);
  if(t->scratch)
    explicit_bzero(t->scratch, TEXT_BLOCK + 8);
  free(t->buf);
  free(t->scratch);
  clients_match_free(t->cm);
  t->buf = t->scratch = NULL;
  t->cm = NULL;
}

static size_t max_sz(size_t a, size_t b)
{
  return a > b ? a : b;
}

static size_t from_offset(const struct text_scan *t, uint64_t resume)
{
  return resume > t->base ? max_sz(t->keep, (size_t)(resume - t->base)) : t->keep;
}

static void client_names(struct text_scan *t, size_t limit)
{
  size_t from = from_offset(t, t->resume_cn), ms, me;
  while(clients_find(t->rules->clients, t->cm, t->buf, t->valid, from, &ms, &me) && ms < limit) {
    findings_add(t->out, SCAN_CLIENT_NAME, t->buf + ms, me - ms);
    from = me;
    t->resume_cn = t->base + me;
  }
}

/* Examine the triggers before limit, then drop all but the context the
 * next round needs. */
static void round_(struct text_scan *t, bool final)
{
  struct view v = { t->buf, t->valid };
  size_t limit = final ? t->valid : (t->valid > SCAN_AHEAD ? t->valid - SCAN_AHEAD : 0);
  size_t drop;

  if(limit > t->keep) {
    if(t->triggers)
      t->resume = t->base + text_triggers(t->rules, t->out, &v, from_offset(t, t->resume), limit);
    if(t->cm)
      client_names(t, limit);
  }
  if(final || limit <= SCAN_BEHIND)
    return;
  drop = limit - SCAN_BEHIND;
  memmove(t->buf, t->buf + drop, t->len - drop);
  t->base += drop;
  t->len -= drop;
  t->valid -= drop;
  t->keep = limit - drop;
}

unsigned char *text_scan_space(struct text_scan *t, size_t *room)
{
  if(t->len + 2 * TEXT_BLOCK + 8 > t->cap)
    round_(t, false);
  *room = TEXT_BLOCK;
  return t->buf + t->len;
}

/* Bytes from valid on are not (yet) UTF-8: read them as Latin-1, except an
 * unfinished sequence at the end when more may come. */
static void convert(struct text_scan *t, bool more)
{
  size_t n = t->len - t->valid, used, out;
  memcpy(t->scratch, t->buf + t->valid, n);
  out = utf8_from_mixed(t->scratch, n, more, t->buf + t->valid, &used);
  memcpy(t->buf + t->valid + out, t->scratch + used, n - used);
  t->valid += out;
  t->len = t->valid + (n - used);
  explicit_bzero(t->scratch, n);
}

lethe_rc text_scan_commit(struct text_scan *t, size_t n)
{
  size_t ok;
  if(n > TEXT_BLOCK || t->len + n > t->cap)
    return LETHE_E_RANGE;
  t->len += n;
  ok = utf8_valid(t->buf + t->valid, t->len - t->valid);
  t->valid += ok;
  if(t->valid < t->len && utf8_seq(t->buf + t->valid, t->len - t->valid) >= 0)
    convert(t, true);
  if(t->valid >= TEXT_BLOCK + SCAN_BEHIND + SCAN_AHEAD)
    round_(t, false);
  return LETHE_OK;
}

lethe_rc text_scan_feed(struct text_scan *t, const void *p, size_t n)
{
  const unsigned char *s = p;
  while(n) {
    size_t room, k;
    unsigned char *dst = text_scan_space(t, &room);
    lethe_rc rc;
    k = n < room ? n : room;
    memcpy(dst, s, k);
    rc = text_scan_commit(t, k);
    if(rc)
      return rc;
    s += k;
    n -= k;
  }
  return LETHE_OK;
}

lethe_rc text_scan_finish(struct text_scan *t)
{
  if(t->valid < t->len)
    convert(t, false);
  round_(t, true);
  t->out->bytes += t->base + t->len;
  return LETHE_OK;
}
