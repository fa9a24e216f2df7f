/* What a plan's rules will make due in the coming months: the items not
 * yet due (or in grace), counted by the calendar month (UTC) in which they
 * may be deleted, so that the reviewer of a dry run sees what is coming as
 * well as what goes now. */
#ifndef LETHE_TIMELINE_H
#define LETHE_TIMELINE_H

#include <stdint.h>

/* The month of now and the eleven after it. */
#define TIMELINE_MONTHS 12

/* The months' bounds: month k holds the instants [start[k], start[k + 1]);
 * start[0] is the first instant of now's month. */
struct timeline {
  int64_t start[TIMELINE_MONTHS + 1];
};

/* What falls in each month, for one rule. */
struct timeline_counts {
  uint64_t count[TIMELINE_MONTHS];
  uint64_t bytes[TIMELINE_MONTHS];
};

/* The twelve months from now's. */
void timeline_init(struct timeline *t, int64_t now);

/* Count an item of size bytes that may be deleted from due; one outside the
 * twelve months is not counted. */
void timeline_add(const struct timeline *t, struct timeline_counts *c, int64_t due,
                  uint64_t size);

/* "2027-01": month k's name, into buf (at least TIMELINE_LABEL_LEN bytes). */
#define TIMELINE_LABEL_LEN 8
void timeline_label(const struct timeline *t, int k, char *buf);

#endif
