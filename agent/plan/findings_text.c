#include "findings_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The detectors with something found, in the order of their names (the
 * JSON object's keys are sorted). */
static size_t found_by_name(const struct scan_findings *f, int order[SCAN_DETECTOR__COUNT])
{
  size_t n = 0;
  for(int d = 0; d < SCAN_DETECTOR__COUNT; d++) {
    size_t at = n;
    if(!f->hits[d].count)
      continue;
    while(at > 0 && strcmp(scan_detector_name((enum scan_detector)order[at - 1]),
                           scan_detector_name((enum scan_detector)d)) > 0) {
      order[at] = order[at - 1];
      at--;
    }
    order[at] = d;
    n++;
  }
  return n;
}

void findings_describe(const struct scan_findings *f, char *buf, size_t n)
{
  size_t used = 0;
  buf[0] = '\0';
  for(int d = 0; d < SCAN_DETECTOR__COUNT && used < n; d++) {
    const struct scan_hit *h = &f->hits[d];
    int k;
    if(!h->count)
      continue;
    k = snprintf(buf + used, n - used, "%s%s %llu%s%s%s", used ? ", " : "",
                 scan_detector_name((enum scan_detector)d), (unsigned long long)h->count,
                 h->sample[0] ? " (" : "", h->sample, h->sample[0] ? ")" : "");
    if(k < 0)
      break;
    used += (size_t)k;
  }
}

void findings_write_json(const struct scan_findings *f, struct jsonw *w)
{
  int order[SCAN_DETECTOR__COUNT];
  size_t n = found_by_name(f, order);
  jsonw_object_begin(w);
  for(size_t i = 0; i < n; i++) {
    const struct scan_hit *h = &f->hits[order[i]];
    jsonw_key(w, scan_detector_name((enum scan_detector)order[i]));
    jsonw_object_begin(w);
    jsonw_key(w, "count");
    jsonw_u64(w, h->count);
    jsonw_key(w, "sample");
    jsonw_string(w, h->sample);
    jsonw_object_end(w);
  }
  jsonw_object_end(w);
}
