/* Step a: copy the kept entries of an archive into .partial beside it, in
 * the same format and through the same filters, and fsync it.
 *
 * Like `bsdtar -cf new @old`: each kept entry's header is given to the
 * writer as it was read, then its data, piece by piece, holes of sparse
 * entries as holes. Each kept entry's record (purge_record.c) goes to the
 * spill file for purge_verify(). A GNU or ustar archive holding something
 * its writer cannot keep (a sparse file: libarchive's GNU writer has no
 * sparse entries) is written once more as pax-restricted, which GNU tar and
 * every pax reader read, and the report says so. */
#include "purge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_format.h"
#include "arc_locale.h"

struct copy {
  struct purge_job *job;
  struct arc_reader r;
  bool r_open;
  struct archive *w;
  struct purge_out out;
  int pfd;
  const struct arc_format *fmt;
  bool forced;            /* written as fmt because the format read could not be */
  int force;              /* format to write instead of the one read, or 0 */
  int upgrade;            /* set when the writer must be changed: restart */
  struct purge_links links;
  struct purge_buf rec;
  unsigned long warnings;
};

static lethe_rc open_original(struct copy *c, struct arc_err *err)
{
  struct purge_job *job = c->job;
  char want[160], got[160];
  lethe_rc rc = arc_reader_open(&c->r, job->dirfd, job->name, true, err);
  c->r_open = true;
  if(rc)
    return rc;
  if(job->has_expect && !arc_id_equal(&job->expect, &c->r.id)) {
    arc_id_format(&job->expect, want);
    arc_id_format(&c->r.id, got);
    return arc_err_set(err, LETHE_E_CHANGED, "%s: changed since it was listed (planned %s; now "
                       "%s)", c->r.label, want, got);
  }
  if(c->r.id.nlink > 1)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: has %u names: the others would keep the "
                       "purged entries", c->r.label, c->r.id.nlink);
  job->orig = c->r.id;
  job->report.old_size = c->r.id.size;
  return LETHE_OK;
}

/* Format and filters of the writer, from what was read. */
static lethe_rc choose_writer(struct copy *c, int forced, struct arc_err *err)
{
  struct purge_job *job = c->job;
  const struct arc_format *read_fmt = arc_format_find(arc_reader_format(&c->r));
  const char *fname = archive_format_name(c->r.a);
  if(!read_fmt)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: the purge does not know the format '%s'",
                       c->r.label, fname ? fname : "?");
  snprintf(job->report.format, sizeof(job->report.format), "%s", read_fmt->name);
  c->fmt = forced ? arc_format_find(forced) : read_fmt;
  c->forced = forced != 0;
  if(!c->fmt || !c->fmt->set_writer)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: cannot purge a %s archive: %s", c->r.label,
                       read_fmt->name, read_fmt->why_not ? read_fmt->why_not : "unknown");
  job->write_format = c->fmt->code;
  job->n_filters = arc_reader_filters(&c->r, job->filters, 8);
  purge_filters_text(job->filters, job->n_filters, job->report.filters,
                     sizeof(job->report.filters));
  for(size_t i = 0; i < job->n_filters; i++) {
    const struct arc_filter *f = arc_filter_find(job->filters[i]);
    if(!f || !f->add_writer)
      return arc_err_set(err, LETHE_E_UNSAFE, "%s: cannot purge it: libarchive cannot write "
                         "the %s compression back", c->r.label, f ? f->name : "unknown");
  }
  return LETHE_OK;
}

static void set_option(struct archive *w, const char *module, const char *kv)
{
  char key[64];
  const char *eq = strchr(kv, '=');
  if(!eq || (size_t)(eq - kv) >= sizeof(key))
    return;
  memcpy(key, kv, (size_t)(eq - kv));
  key[eq - kv] = '\0';
  archive_write_set_filter_option(w, module, key, eq + 1);
}

/* "threads=1": one compression worker beside this thread, a two-stage
 * pipeline like `bsdtar | zstd`. More workers would compress faster on a
 * big machine, but each holds buffers of its own, and a purge keeps to a
 * flat 64 MiB whatever the archive's size. */
static const char *purge_threads_option(void)
{
  return "threads=1";
}

static lethe_rc open_writer(struct copy *c, struct arc_err *err)
{
  struct purge_job *job = c->job;
  c->w = archive_write_new();
  if(!c->w)
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  if(c->fmt->set_writer(c->w) != ARCHIVE_OK)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: libarchive cannot write %s: %s", c->r.label,
                       c->fmt->name, archive_error_string(c->w));
  if(c->fmt->options) {
    char key[64];
    const char *eq = strchr(c->fmt->options, '=');
    snprintf(key, sizeof(key), "%.*s", (int)(eq - c->fmt->options), c->fmt->options);
    if(archive_write_set_format_option(c->w, NULL, key, eq + 1) < ARCHIVE_WARN)
      return arc_err_set(err, LETHE_E_UNSAFE, "%s: libarchive refuses option %s: %s",
                         c->r.label, c->fmt->options, archive_error_string(c->w));
  }
  for(size_t i = 0; i < job->n_filters; i++) {
    const struct arc_filter *f = arc_filter_find(job->filters[i]);
    if(f->add_writer(c->w) != ARCHIVE_OK)
      return arc_err_set(err, LETHE_E_UNSAFE, "%s: libarchive cannot write %s by itself: %s",
                         c->r.label, f->name, archive_error_string(c->w));
    if(f->options)
      set_option(c->w, f->name, f->options);
    /* zstd compresses in a worker thread: the compressor is most of a
     * purge's work, and this thread meanwhile reads, decompresses and
     * hashes. The output is the same format, read back like any other.
     * (xz's threaded mode holds blocks of three dictionaries: not flat.) */
    if(f->code == ARCHIVE_FILTER_ZSTD)
      set_option(c->w, f->name, purge_threads_option());
  }
  /* Only an uncompressed tar is padded to whole 10240-byte records, as tar
   * writes it; padding after a compressed stream would be garbage after its
   * last frame. */
  if((c->fmt->code & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_TAR || job->n_filters)
    archive_write_set_bytes_in_last_block(c->w, 1);
  c->out.fd = c->pfd;
  if(purge_out_open(&c->out, c->w) != ARCHIVE_OK)
    return arc_err_set(err, LETHE_E_IO, "%s: %s", job->partial, archive_error_string(c->w));
  return LETHE_OK;
}

static lethe_rc create_partial(struct copy *c, struct arc_err *err)
{
  struct purge_job *job = c->job;
  c->pfd = openat(job->dirfd, job->partial,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if(c->pfd < 0 && errno == EEXIST)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s exists: a purge was interrupted; recover it "
                       "first", job->partial);
  if(c->pfd < 0)
    return arc_err_sys(err, LETHE_E_IO, "%s", job->partial);
  job->made_partial = true;
  purge_fault_point("partial created");
  return LETHE_OK;
}

static lethe_rc purged_entry(struct copy *c, struct archive_entry *e,
                             const struct arc_entry_info *in, struct purge_target *t,
                             struct arc_err *err)
{
  unsigned char sha[ARC_SHA256_LEN];
  int64_t size = 0;
  char q[ARC_QUOTE_MAX];
  bool has_data = in->type == ARC_T_FILE;
  lethe_rc rc;
  t->matched++;
  if(t->has_expect && t->len == in->path_len &&
     (t->expect.size != in->size || t->expect.mtime != in->mtime))
    return arc_err_set(err, LETHE_E_CHANGED, "%s: entry '%s' changed since it was listed",
                       c->r.label, arc_quote(in->path, in->path_len, q));
  rc = purge_data_copy(&c->r, NULL, sha, &size, err);
  if(rc)
    return rc;
  (void)e;
  rc = purge_report_removed(&c->job->report, in->path, in->path_len, in->type,
                            has_data ? size : 0, has_data ? sha : NULL);
  return rc ? arc_err_set(err, rc, "out of memory") : LETHE_OK;
}

/* What this entry has that the writer would lose: refused (or a restart
 * with a better writer), or counted in the report. */
static lethe_rc check_keeps(struct copy *c, struct archive_entry *e,
                            const struct arc_entry_info *in, struct arc_err *err)
{
  unsigned missing = arc_format_entry_needs(e) & ~c->fmt->keeps;
  char what[256], q[ARC_QUOTE_MAX];
  if(missing & ARC_KEEP_MUST) {
    arc_keep_names(missing & ARC_KEEP_MUST, what, sizeof(what));
    if(c->fmt->upgrade && !c->forced) {
      const struct arc_format *up = arc_format_find(c->fmt->upgrade);
      c->upgrade = c->fmt->upgrade;
      return arc_err_set(err, LETHE_E_UNSAFE, "written as %s: the %s writer cannot keep %s of "
                         "'%s'", up ? up->name : "?", c->fmt->name, what,
                         arc_quote(in->path, in->path_len, q));
    }
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: refused: entry '%s' has %s, which a rewritten "
                       "%s archive cannot keep", c->r.label,
                       arc_quote(in->path, in->path_len, q), what, c->fmt->name);
  }
  for(unsigned bit = 1; missing; bit <<= 1) {
    if(!(missing & bit))
      continue;
    missing &= ~bit;
    if(purge_report_lost(&c->job->report, bit, in->path, in->path_len))
      return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  return LETHE_OK;
}

static lethe_rc write_header(struct copy *c, struct archive_entry *e,
                             const struct arc_entry_info *in, struct arc_err *err)
{
  char q[ARC_QUOTE_MAX];
  void *loc;
  int ar;
  if(c->fmt->code == ARCHIVE_FORMAT_ZIP) {
    /* Stored entries stay stored; everything else is deflated (the only
     * compression libarchive's zip writer has). */
    const char *how = archive_format_name(c->r.a);
    if(how && strstr(how, "uncompressed"))
      archive_write_zip_set_compression_store(c->w);
    else
      archive_write_zip_set_compression_deflate(c->w);
  }
  if(c->fmt->code == ARCHIVE_FORMAT_ZIP && !arc_utf8_valid(in->path, in->path_len))
    loc = arc_locale_enter_c();
  else
    loc = arc_locale_enter();
  ar = archive_write_header(c->w, e);
  arc_locale_leave(loc);
  if(ar == ARCHIVE_WARN && c->warnings++ < 8 &&
     purge_report_warning(&c->job->report, "'%s': %s", arc_quote(in->path, in->path_len, q),
                          archive_error_string(c->w)))
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  if(ar < ARCHIVE_WARN)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: refused: entry '%s' cannot be written back: "
                       "%s", c->r.label, arc_quote(in->path, in->path_len, q),
                       archive_error_string(c->w));
  return LETHE_OK;
}

static lethe_rc kept_entry(struct copy *c, struct archive_entry *e,
                           const struct arc_entry_info *in, struct arc_err *err)
{
  struct arc_reader *carrier = NULL;
  unsigned char sha[ARC_SHA256_LEN];
  int64_t size;
  lethe_rc rc;
  if(in->hardlink) {
    rc = purge_links_fix(&c->links, &c->job->set, e, &carrier, err);
    if(rc)
      return rc;
    if(carrier)
      c->job->report.links_repaired++;
  }
  rc = check_keeps(c, e, in, err);
  if(!rc)
    rc = write_header(c, e, in, err);
  if(!rc && carrier) {
    /* The link now carries the purged entry's data; its own (none) is
     * skipped by the next read. */
    rc = purge_data_copy(carrier, c->w, sha, &size, err);
  } else if(!rc) {
    rc = purge_data_copy(&c->r, c->w, sha, &size, err);
  }
  if(rc)
    return rc;
  rc = purge_record_make(&c->rec, e, c->fmt->keeps, sha);
  if(rc)
    return arc_err_set(err, rc, "out of memory");
  rc = purge_record_spill(c->job->spill, &c->rec, err);
  if(rc)
    return rc;
  c->job->report.kept++;
  return LETHE_OK;
}

static lethe_rc copy_entry(struct copy *c, struct archive_entry *e, struct arc_err *err)
{
  struct arc_entry_info in;
  struct purge_target *t;
  char q[ARC_QUOTE_MAX];
  arc_entry_info_get(e, &in);
  c->job->report.entries++;
  if(!arc_warning_is_benign(c->r.warning))
    return arc_err_set(err, LETHE_E_PARSE, "%s: entry %" PRIu64 " '%s': %s; the archive is "
                       "not judged", c->r.label, c->job->report.entries,
                       arc_quote(in.path, in.path_len, q), c->r.warning);
  if(in.encrypted)
    return arc_err_set(err, LETHE_E_UNSAFE, "%s: refused: entry '%s' is encrypted: it cannot "
                       "be read, so it cannot be copied or reported", c->r.label,
                       arc_quote(in.path, in.path_len, q));
  t = purge_set_match(&c->job->set, in.path, in.path_len);
  if(t)
    return purged_entry(c, e, &in, t, err);
  return kept_entry(c, e, &in, err);
}

static lethe_rc copy_all(struct copy *c, struct arc_err *err)
{
  struct archive_entry *e;
  lethe_rc rc;
  for(uint64_t n = 1;; n++) {
    rc = arc_reader_next(&c->r, &e, err);
    if(rc || !e)
      return rc;
    if(n == 1) {
      rc = choose_writer(c, c->force, err);
      if(!rc)
        rc = create_partial(c, err);
      if(!rc)
        rc = open_writer(c, err);
      if(rc)
        return rc;
    }
    rc = copy_entry(c, e, err);
    if(rc)
      return rc;
    if(n % PURGE_FAULT_EVERY == 0)
      purge_fault_point("copy");
  }
}

static lethe_rc unmatched(struct purge_job *job, struct arc_err *err)
{
  char q[ARC_QUOTE_MAX];
  for(size_t i = 0; i < job->set.n; i++)
    if(!job->set.v[i].matched)
      return arc_err_set(err, LETHE_E_CHANGED, "%s: no entry '%s' in the archive", job->name,
                         arc_quote(job->set.v[i].path, job->set.v[i].len, q));
  return LETHE_OK;
}

/* The new file gets the original's permissions, owner and modification
 * time: the purge changes what is in an archive, not whose it is or how old
 * the retention rules find it. */
static lethe_rc finish_partial(struct copy *c, struct arc_err *err)
{
  struct purge_job *job = c->job;
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
  unsigned char sha[ARC_SHA256_LEN];
  lethe_rc rc;
  void *loc = arc_locale_enter();
  int ar = archive_write_close(c->w);
  arc_locale_leave(loc);
  if(ar != ARCHIVE_OK)
    return arc_err_set(err, LETHE_E_IO, "%s: %s", job->partial, archive_error_string(c->w));
  purge_out_finish(&c->out, job->report.new_sha256);
  job->report.new_size = c->out.bytes;
  purge_fault_point("written");
  if(fchown(c->pfd, job->orig.uid, job->orig.gid) != 0 &&
     purge_report_remark(&job->report, "the archive's owner %u:%u (%s)", job->orig.uid,
                         job->orig.gid, strerror(errno)))
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  times[1].tv_sec = job->orig.mtime_ns / 1000000000;
  times[1].tv_nsec = job->orig.mtime_ns % 1000000000;
  if(fchmod(c->pfd, job->orig.mode & 07777) != 0 || futimens(c->pfd, times) != 0)
    return arc_err_sys(err, LETHE_E_IO, "%s", job->partial);
  if(fsync(c->pfd) != 0)
    return arc_err_sys(err, LETHE_E_IO, "fsync %s", job->partial);
  rc = arc_id_of_fd(c->pfd, &job->written, err);
  if(rc)
    return rc;
  rc = arc_reader_sha256(&c->r, sha, err);
  if(rc)
    return rc;
  arc_sha256_hex(sha, job->report.old_sha256);
  purge_fault_point("fsynced");
  return LETHE_OK;
}

static void copy_release(struct copy *c)
{
  if(c->w)
    archive_write_free(c->w);
  c->w = NULL;
  purge_out_finish(&c->out, (char[ARC_SHA256_HEX]){ 0 });
  if(c->pfd >= 0)
    close(c->pfd);
  c->pfd = -1;
  if(c->r_open)
    arc_reader_close(&c->r);
  c->r_open = false;
  purge_links_release(&c->links);
  purge_buf_release(&c->rec);
}

/* One attempt; c->upgrade is set when another writer must be tried. */
static lethe_rc write_once(struct copy *c, struct arc_err *err)
{
  struct purge_job *job = c->job;
  lethe_rc rc;
  job->spill = purge_spill_open(job->dirfd, err);
  if(!job->spill)
    return err->rc;
  rc = open_original(c, err);
  if(rc)
    return rc;
  purge_links_init(&c->links, c->r.fd, job->name);
  rc = copy_all(c, err);
  if(!rc && job->report.entries == 0)
    rc = arc_err_set(err, LETHE_E_CHANGED, "%s: the archive holds no entries", c->r.label);
  if(!rc)
    rc = unmatched(job, err);
  if(!rc && c->pfd < 0)
    rc = arc_err_set(err, LETHE_E_PARSE, "%s: nothing was written", job->name);
  if(!rc)
    rc = finish_partial(c, err);
  return rc;
}

static void reset_for_retry(struct purge_job *job)
{
  struct purge_report *r = &job->report;
  if(job->spill)
    fclose(job->spill);
  job->spill = NULL;
  for(size_t i = 0; i < job->set.n; i++)
    job->set.v[i].matched = 0;
  for(size_t i = 0; i < r->n_removed; i++)
    free(r->removed[i].path);
  r->n_removed = 0;
  r->n_notes = 0;
  r->entries = r->kept = r->links_repaired = 0;
}

lethe_rc purge_write(struct purge_job *job, struct arc_err *err)
{
  struct copy c;
  int forced = 0;
  lethe_rc rc;
  char note[sizeof(err->msg)];
  if(job->state != PURGE_ST_NEW)
    return arc_err_set(err, LETHE_E_USAGE, "purge_write: the job is not new");
  for(;;) {
    memset(&c, 0, sizeof(c));
    c.job = job;
    c.pfd = -1;
    c.force = forced;
    rc = write_once(&c, err);
    copy_release(&c);
    if(!rc)
      break;
    purge_drop_partial(job);
    if(!c.upgrade || forced)
      return rc;
    forced = c.upgrade;
    snprintf(note, sizeof(note), "%s", err->msg);
    reset_for_retry(job);
    arc_err_clear(err);
  }
  if(forced) {
    const struct arc_format *up = arc_format_find(forced);
    snprintf(job->report.written_as, sizeof(job->report.written_as), "%s", up ? up->name : "?");
    if(purge_report_remark(&job->report, "%s", note))
      return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  purge_set_state(job, PURGE_ST_WRITTEN);
  return LETHE_OK;
}
