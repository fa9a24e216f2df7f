/* Plain text and CSV files, read in blocks straight into the scanner. */
#include "formats.h"
#include "csv.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read the next block of the file into the scanner; *n = 0 at the end. */
static lethe_rc read_block(struct text_scan *t, const struct scan_input *in, uint64_t *off,
                           struct csv *csv, size_t *n, char *err, size_t errlen)
{
  size_t room;
  unsigned char *dst = text_scan_space(t, &room);
  ssize_t got;

  if(in->fd >= 0) {
    do
      got = read(in->fd, dst, room);
    while(got < 0 && errno == EINTR);
    if(got < 0)
      return scan_err(err, errlen, LETHE_E_IO, "read at offset %llu: %s",
                      (unsigned long long)*off, strerror(errno));
  } else {
    got = (ssize_t)(in->size - *off < room ? in->size - *off : room);
    memcpy(dst, in->mem + *off, (size_t)got);
  }
  *n = (size_t)got;
  *off += *n;
  if(csv)
    csv_feed(csv, dst, *n);
  return text_scan_commit(t, *n);
}

lethe_rc scan_text(const struct scan_rules *r, const struct scan_input *in, bool csv, bool tsv,
                   struct scan_findings *out, char *err, size_t errlen)
{
  struct text_scan t;
  struct csv *c = NULL;
  uint64_t off = 0;
  size_t n = 1;
  lethe_rc rc;

  out->format = csv ? SCAN_FMT_CSV : SCAN_FMT_TEXT;
  if(csv && scan_wants(r, SCAN_PERSON_COLUMN)) {
    c = malloc(sizeof(*c));
    if(!c)
      return LETHE_E_NOMEM;
    csv_init(c, tsv);
  }
  rc = text_scan_init(&t, r, out);
  while(!rc && n)
    rc = read_block(&t, in, &off, c, &n, err, errlen);
  if(!rc)
    rc = text_scan_finish(&t);
  if(c) {
    if(!rc)
      csv_finish(c, out);
    explicit_bzero(c, sizeof(*c));
    free(c);
  }
  text_scan_release(&t);
  return rc;
}
