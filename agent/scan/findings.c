/* Findings: counts per detector and one redacted sample each. */
#include "scan_internal.h"

#include <string.h>

void findings_add(struct scan_findings *f, enum scan_detector d, const unsigned char *p,
                  size_t n)
{
  struct scan_hit *h = &f->hits[d];
  if(!h->count++)
    redact(d, p, n, h->sample, sizeof(h->sample));
}

void findings_add_rows(struct scan_findings *f, uint64_t n, const char *columns)
{
  struct scan_hit *h = &f->hits[SCAN_PERSON_COLUMN];
  if(!n)
    return;
  if(!h->count) {
    size_t len = strlen(columns);
    if(len >= sizeof(h->sample))
      len = sizeof(h->sample) - 1;
    memcpy(h->sample, columns, len);
    h->sample[len] = '\0';
  }
  h->count += n;
}

void scan_findings_release(struct scan_findings *f)
{
  explicit_bzero(f, sizeof(*f));
}

uint64_t scan_findings_total(const struct scan_findings *f)
{
  uint64_t n = 0;
  int d;
  for(d = 0; d < SCAN_DETECTOR__COUNT; d++)
    n += f->hits[d].count;
  return n;
}
