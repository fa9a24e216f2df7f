/* Step b: read .partial back and compare it with what was copied.
 *
 * The new archive must be in the format and behind the filters written, its
 * bytes must hash to what was written, it must hold the kept entries in the
 * order copied with the same record (name, type, size, mode, times, owner,
 * link targets, extended attributes, ACLs, flags, sparse map and the SHA-256
 * of the data: purge_record.c), and none of the purged ones. A difference in
 * a field whose loss is only reported (sub-second times, atime, ctime) is
 * reported; any other difference fails the purge and names the entry and
 * the field. */
#include "purge_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_format.h"

struct verify {
  struct purge_job *job;
  struct arc_reader r;
  unsigned keeps;
  struct purge_buf want;
  struct purge_buf got;
};

static lethe_rc check_entry(struct verify *v, struct archive_entry *e, uint64_t n,
                            struct arc_err *err)
{
  struct arc_entry_info in;
  unsigned char sha[ARC_SHA256_LEN];
  char q[ARC_QUOTE_MAX], what[64];
  int64_t size;
  int d;
  lethe_rc rc;
  arc_entry_info_get(e, &in);
  arc_quote(in.path, in.path_len, q);
  if(!arc_warning_is_benign(v->r.warning))
    return arc_err_set(err, LETHE_E_PARSE, "%s: entry %" PRIu64 " '%s': %s", v->job->partial,
                       n, q, v->r.warning);
  if(purge_set_match(&v->job->set, in.path, in.path_len))
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: purged entry '%s' is in the new archive",
                       v->job->partial, q);
  rc = purge_data_copy(&v->r, NULL, sha, &size, err);
  if(rc)
    return rc;
  rc = purge_record_make(&v->got, e, v->keeps, sha);
  if(rc)
    return arc_err_set(err, rc, "out of memory");
  rc = purge_record_unspill(v->job->spill, &v->want, err);
  if(rc == LETHE_E_NOTFOUND)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: entry %" PRIu64 " '%s' was not copied",
                       v->job->partial, n, q);
  if(rc)
    return rc;
  d = purge_record_diff(&v->want, &v->got, what, sizeof(what));
  if(d < 0)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: refused: entry %" PRIu64 " '%s': the %s "
                       "written back differs from the original's", v->job->name, n, q,
                       what);
  if(d > 0 && purge_report_lost(&v->job->report, (unsigned)d, in.path, in.path_len))
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  return LETHE_OK;
}

static lethe_rc check_container(struct verify *v, struct arc_err *err)
{
  struct purge_job *job = v->job;
  int codes[8];
  size_t n = arc_reader_filters(&v->r, codes, 8);
  int fmt = arc_reader_format(&v->r);
  if((fmt & ARCHIVE_FORMAT_BASE_MASK) != (job->write_format & ARCHIVE_FORMAT_BASE_MASK))
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: read back as another format (%s)",
                       job->partial, archive_format_name(v->r.a));
  if(n != job->n_filters || memcmp(codes, job->filters, n * sizeof(codes[0])))
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: read back through other filters",
                       job->partial);
  return LETHE_OK;
}

static lethe_rc check_all(struct verify *v, struct arc_err *err)
{
  struct purge_job *job = v->job;
  struct archive_entry *e;
  unsigned char sha[ARC_SHA256_LEN];
  char hex[ARC_SHA256_HEX];
  uint64_t n = 0;
  lethe_rc rc;
  for(;;) {
    rc = arc_reader_next(&v->r, &e, err);
    if(rc)
      return rc;
    if(!e)
      break;
    if(++n == 1) {
      rc = check_container(v, err);
      if(rc)
        return rc;
    }
    rc = check_entry(v, e, n, err);
    if(rc)
      return rc;
    if(n % PURGE_FAULT_EVERY == 0)
      purge_fault_point("verify");
  }
  if(n != job->report.kept || purge_record_unspill(job->spill, &v->want, err) != LETHE_E_NOTFOUND)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: holds %" PRIu64 " entries, %" PRIu64
                       " were copied", job->partial, n, job->report.kept);
  rc = arc_reader_sha256(&v->r, sha, err);
  if(rc)
    return rc;
  arc_sha256_hex(sha, hex);
  if(strcmp(hex, job->report.new_sha256))
    return arc_err_set(err, LETHE_E_IO, "%s: the file on disk is not what was written",
                       job->partial);
  return LETHE_OK;
}

lethe_rc purge_verify(struct purge_job *job, struct arc_err *err)
{
  struct verify v;
  const struct arc_format *f = arc_format_find(job->write_format);
  lethe_rc rc;
  if(job->state != PURGE_ST_WRITTEN || !job->spill || !f)
    return arc_err_set(err, LETHE_E_USAGE, "purge_verify: nothing written to verify");
  memset(&v, 0, sizeof(v));
  v.job = job;
  v.keeps = f->keeps;
  purge_fault_point("verify start");
  if(fflush(job->spill) != 0 || fseeko(job->spill, 0, SEEK_SET) != 0)
    return arc_err_sys(err, LETHE_E_IO, "rewinding the verification records");
  rc = arc_reader_open(&v.r, job->dirfd, job->partial, true, err);
  if(!rc && (v.r.id.dev != job->written.dev || v.r.id.ino != job->written.ino ||
             v.r.id.size != job->written.size))
    rc = arc_err_set(err, LETHE_E_CHANGED, "%s: not the file written", job->partial);
  if(!rc)
    rc = check_all(&v, err);
  arc_reader_close(&v.r);
  purge_buf_release(&v.want);
  purge_buf_release(&v.got);
  if(rc) {
    purge_drop_partial(job);
    return arc_err_prefix(err, "verification failed");
  }
  fclose(job->spill);
  job->spill = NULL;
  purge_set_state(job, PURGE_ST_VERIFIED);
  purge_fault_point("verified");
  return LETHE_OK;
}
