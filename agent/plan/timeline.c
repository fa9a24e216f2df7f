/* The coming months of a plan (see timeline.h). */
#include "timeline.h"

#include <stdio.h>

#include "isotime.h"

void timeline_init(struct timeline *t, int64_t now)
{
  struct civil c;
  isotime_to_civil(now, &c);
  for(int k = 0; k <= TIMELINE_MONTHS; k++) {
    struct civil first = { .year = c.year, .month = c.month, .day = 1 };
    int months = c.month - 1 + k;
    first.year += months / 12;
    first.month = months % 12 + 1;
    t->start[k] = isotime_from_civil(&first);
  }
}

void timeline_add(const struct timeline *t, struct timeline_counts *c, int64_t due,
                  uint64_t size)
{
  /* at most twelve comparisons, and most items of a large share fall
   * outside the year: no calendar arithmetic per item */
  if(due < t->start[0] || due >= t->start[TIMELINE_MONTHS])
    return;
  for(int k = 0; k < TIMELINE_MONTHS; k++) {
    if(due < t->start[k + 1]) {
      c->count[k]++;
      c->bytes[k] += size;
      return;
    }
  }
}

void timeline_label(const struct timeline *t, int k, char *buf)
{
  struct civil c;
  isotime_to_civil(t->start[k], &c);
  snprintf(buf, TIMELINE_LABEL_LEN, "%04u-%02u", (unsigned)c.year % 10000u, (unsigned)c.month % 100u);
}
