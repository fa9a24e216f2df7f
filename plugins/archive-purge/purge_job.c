/* A purge job: its names, its state, and the steps run in turn. */
#include "purge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>

#include "arc_format.h"

static bool tag_ok(const char *s)
{
  size_t n = strlen(s);
  if(n == 0 || n > PURGE_TAG_MAX)
    return false;
  for(size_t i = 0; i < n; i++) {
    char c = s[i];
    if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_'))
      return false;
  }
  return true;
}

lethe_rc purge_tmpnames(const char *run, const char *seq, char partial[PURGE_TMPNAME_MAX],
                        char old[PURGE_TMPNAME_MAX], struct arc_err *err)
{
  if(!tag_ok(run) || !tag_ok(seq))
    return arc_err_set(err, LETHE_E_USAGE, "run and sequence tags must be 1 to %d characters "
                       "of A-Z, a-z, 0-9, '-' and '_'", PURGE_TAG_MAX);
  snprintf(partial, PURGE_TMPNAME_MAX, ".lethe-purge-%s-%s.partial", run, seq);
  snprintf(old, PURGE_TMPNAME_MAX, ".lethe-purge-%s-%s.old", run, seq);
  return LETHE_OK;
}

lethe_rc purge_job_init(struct purge_job *job, int dirfd, const char *name, const char *run,
                        const char *seq, const struct arc_id *expect, struct arc_err *err)
{
  lethe_rc rc;
  memset(job, 0, sizeof(*job));
  job->dirfd = dirfd;
  purge_set_init(&job->set);
  purge_report_init(&job->report, name);
  if(!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
     strlen(name) >= sizeof(job->name))
    return arc_err_set(err, LETHE_E_USAGE, "an archive is named by one file name in its "
                       "directory");
  strcpy(job->name, name);
  rc = purge_tmpnames(run, seq, job->partial, job->old, err);
  if(rc)
    return rc;
  if(expect) {
    job->expect = *expect;
    job->has_expect = true;
  }
  job->state = PURGE_ST_NEW;
  return LETHE_OK;
}

lethe_rc purge_job_add(struct purge_job *job, const char *path, size_t len,
                       const struct purge_expect *expect, struct arc_err *err)
{
  return purge_set_add(&job->set, path, len, expect, false, err);
}

lethe_rc purge_job_add_exact(struct purge_job *job, const char *path, size_t len,
                             const struct purge_expect *expect, struct arc_err *err)
{
  return purge_set_add(&job->set, path, len, expect, true, err);
}

void purge_job_release(struct purge_job *job)
{
  if(job->spill)
    fclose(job->spill);
  job->spill = NULL;
  purge_set_release(&job->set);
  purge_report_release(&job->report);
}

void purge_set_state(struct purge_job *job, enum purge_state s)
{
  job->state = s;
  snprintf(job->report.state, sizeof(job->report.state), "%s", purge_state_name(s));
}

const char *purge_state_name(enum purge_state s)
{
  static const char *const names[] = { "new", "written", "verified", "swapped", "done",
                                       "rolled-back", "clean" };
  return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

void purge_drop_partial(struct purge_job *job)
{
  int saved = errno;
  if(job->made_partial)
    unlinkat(job->dirfd, job->partial, 0);
  job->made_partial = false;
  errno = saved;
}

void purge_filters_text(const int *codes, size_t n, char *out, size_t outlen)
{
  size_t o = 0;
  out[0] = '\0';
  /* Outermost first, as in a file name: "uuencode+gzip" is gzip, then uu. */
  for(size_t i = n; i-- > 0;) {
    const struct arc_filter *f = arc_filter_find(codes[i]);
    int k = snprintf(out + o, outlen - o, "%s%s", o ? "+" : "", f ? f->name : "unknown");
    if(k < 0 || (size_t)k >= outlen - o)
      return;
    o += (size_t)k;
  }
}

lethe_rc purge_fsync_dir(int dirfd, struct arc_err *err)
{
  if(fsync(dirfd) != 0)
    return arc_err_sys(err, LETHE_E_IO, "fsync of the archive's directory");
  return LETHE_OK;
}

lethe_rc purge_run(struct purge_job *job, const struct purge_dispose_hook *hook,
                   struct arc_err *err)
{
  lethe_rc rc = purge_write(job, err);
  if(rc)
    return rc;
  rc = purge_verify(job, err);
  if(rc)
    return rc;
  rc = purge_swap(job, err);
  if(rc)
    return rc;
  return purge_dispose(job, hook, err);
}
