/* Computing each obligation's standing. */
#include "standing.h"

#include <stdlib.h>
#include <string.h>

static bool same_obligation(const struct roster_row *a, const struct roster_row *b)
{
  return roster_same_email(a->email, b->email) && !strcmp(a->scope, b->scope);
}

static bool counts_for(const struct attest_found *f, const struct roster_row *row)
{
  if(!roster_same_email(f->row->email, row->email))
    return false;
  if(!strcmp(row->scope, ROSTER_SCOPE_ALL))
    return !f->s.project;
  return !f->s.project || !strcmp(f->s.project, row->scope);
}

static const struct attest_found *latest(const struct attest_set *set,
                                         const struct roster_row *row)
{
  const struct attest_found *best = NULL;
  for(size_t i = 0; i < set->n_ok; i++)
    if(counts_for(&set->ok[i], row) &&
       (!best || set->ok[i].s.attested_at > best->s.attested_at))
      best = &set->ok[i];
  return best;
}

static void judge(struct standing *s, int64_t now, const struct duration *within)
{
  const struct roster_row *row = s->row;
  int64_t warn_from;
  s->has_due = true;
  if(s->last)
    s->has_due = !duration_add(s->last->s.attested_at, &row->cadence, &s->due);
  else if(row->has_since)
    s->has_due = !duration_add(row->since, &row->cadence, &s->due);
  else
    s->has_due = false;
  if(!s->has_due || now >= s->due)
    s->state = STANDING_OVERDUE;
  else if(!duration_add(now, within, &warn_from) && warn_from >= s->due)
    s->state = STANDING_DUE_SOON;
  else
    s->state = STANDING_OK;
}

lethe_rc standing_compute(const struct roster *r, const struct attest_set *set, int64_t now,
                          const struct duration *within, struct standing **out, size_t *n)
{
  struct standing *v = calloc(r->n ? r->n : 1, sizeof(*v));
  *out = v;
  *n = 0;
  if(!v)
    return LETHE_E_NOMEM;
  for(size_t i = 0; i < r->n; i++) {
    bool dup = false;
    for(size_t j = 0; j < i && !dup; j++)
      dup = same_obligation(&r->rows[j], &r->rows[i]);
    if(dup)
      continue;
    v[*n].row = &r->rows[i];
    v[*n].last = latest(set, &r->rows[i]);
    judge(&v[*n], now, within);
    (*n)++;
  }
  return LETHE_OK;
}

const char *standing_state_name(enum standing_state s)
{
  switch(s) {
  case STANDING_OK:
    return "ok";
  case STANDING_DUE_SOON:
    return "due soon";
  default:
    return "overdue";
  }
}
