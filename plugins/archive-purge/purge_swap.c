/* Steps c and d: swap the verified archive in under the archive's name, then
 * dispose of the old data.
 *
 * The old data stays reachable under .old until it is disposed of, so that
 * whatever instant a crash strikes, the archive's name holds the original or
 * the verified purged archive, and purge_recover() can tell which from the
 * inode numbers alone. The swap is an atomic exchange (renameat2
 * RENAME_EXCHANGE) so that a file put under the name after the identity
 * check is never overwritten: what comes out under .partial must be the
 * original, else the exchange is undone. */
#include "purge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static lethe_rc changed(struct purge_job *job, const char *why, struct arc_err *err)
{
  char want[160], got[160];
  struct arc_id now;
  arc_id_format(&job->orig, want);
  if(arc_id_of_name(job->dirfd, job->name, &now, NULL) == LETHE_OK)
    arc_id_format(&now, got);
  else
    snprintf(got, sizeof(got), "gone");
  return arc_err_set(err, LETHE_E_CHANGED, "%s: %s (read as %s; now %s); left as it is",
                     job->name, why, want, got);
}

/* The name still holds the archive that was read and planned. */
static lethe_rc recheck(struct purge_job *job, struct arc_err *err)
{
  struct arc_id now;
  lethe_rc rc = arc_id_of_name(job->dirfd, job->name, &now, err);
  if(rc)
    return rc;
  if(!arc_id_equal(&now, &job->orig) || (job->has_expect && !arc_id_equal(&now, &job->expect)))
    return changed(job, "changed since it was read", err);
  return LETHE_OK;
}

static lethe_rc link_old(struct purge_job *job, struct arc_err *err)
{
  struct arc_id old;
  lethe_rc rc;
  if(linkat(job->dirfd, job->name, job->dirfd, job->old, 0) != 0) {
    if(errno == EEXIST)
      return arc_err_set(err, LETHE_E_UNSAFE, "%s exists: a purge was interrupted; recover it "
                         "first", job->old);
    return arc_err_sys(err, LETHE_E_IO, "link %s to %s", job->name, job->old);
  }
  purge_fault_point("linked");
  rc = arc_id_of_name(job->dirfd, job->old, &old, err);
  if(!rc && !arc_id_same_inode(&old, &job->orig)) {
    unlinkat(job->dirfd, job->old, 0);
    return changed(job, "replaced while it was being swapped", err);
  }
  return rc;
}

/* Exchange .partial and the name; after it .partial must be the original. */
static lethe_rc exchange(struct purge_job *job, struct arc_err *err)
{
  struct arc_id out;
  lethe_rc rc;
  if(renameat2(job->dirfd, job->partial, job->dirfd, job->name, RENAME_EXCHANGE) != 0) {
    if(errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return arc_err_sys(err, LETHE_E_IO, "exchange %s and %s", job->partial, job->name);
    /* No atomic exchange here: a plain rename, right after the check. */
    if(renameat(job->dirfd, job->partial, job->dirfd, job->name) != 0)
      return arc_err_sys(err, LETHE_E_IO, "rename %s to %s", job->partial, job->name);
    job->made_partial = false;
    purge_fault_point("renamed");
    return LETHE_OK;
  }
  purge_fault_point("exchanged");
  rc = arc_id_of_name(job->dirfd, job->partial, &out, err);
  if(rc)
    return rc;
  if(!arc_id_same_inode(&out, &job->orig)) {
    /* Someone put another file under the name: give it back. */
    if(renameat2(job->dirfd, job->partial, job->dirfd, job->name, RENAME_EXCHANGE) != 0)
      return arc_err_sys(err, LETHE_E_IO, "exchange back %s and %s", job->partial, job->name);
    unlinkat(job->dirfd, job->old, 0);
    return changed(job, "replaced while it was being swapped", err);
  }
  job->made_partial = false;   /* .partial now holds the original */
  if(unlinkat(job->dirfd, job->partial, 0) != 0)
    return arc_err_sys(err, LETHE_E_IO, "unlink %s", job->partial);
  purge_fault_point("partial unlinked");
  return LETHE_OK;
}

/* Undo what a failed swap did before the exchange: .old (only if it is
 * still a second name of the original under its name) and .partial. */
static void undo(struct purge_job *job)
{
  struct arc_id name, old;
  int saved = errno;
  if(arc_id_of_name(job->dirfd, job->old, &old, NULL) == LETHE_OK &&
     arc_id_same_inode(&old, &job->orig) &&
     arc_id_of_name(job->dirfd, job->name, &name, NULL) == LETHE_OK &&
     arc_id_same_inode(&name, &job->orig))
    unlinkat(job->dirfd, job->old, 0);
  purge_drop_partial(job);
  errno = saved;
}

lethe_rc purge_swap(struct purge_job *job, struct arc_err *err)
{
  lethe_rc rc;
  if(job->state != PURGE_ST_VERIFIED)
    return arc_err_set(err, LETHE_E_USAGE, "purge_swap: the new archive is not verified");
  rc = recheck(job, err);
  if(!rc) {
    purge_fault_point("rechecked");
    rc = link_old(job, err);
  }
  if(!rc)
    rc = exchange(job, err);
  if(rc) {
    if(rc != LETHE_E_UNSAFE)
      undo(job);
    return rc;
  }
  rc = purge_fsync_dir(job->dirfd, err);
  if(rc)
    return rc;
  purge_set_state(job, PURGE_ST_SWAPPED);
  purge_fault_point("swapped");
  return LETHE_OK;
}

static lethe_rc unlink_old(void *ctx, int dirfd, const char *name, const struct arc_id *expect,
                           char *level, size_t levellen, char *method, size_t methodlen,
                           struct arc_err *err)
{
  struct arc_id now;
  lethe_rc rc = arc_id_of_name(dirfd, name, &now, err);
  (void)ctx;
  if(rc)
    return rc;
  if(!arc_id_same_inode(&now, expect))
    return arc_err_set(err, LETHE_E_CHANGED, "%s: not the old archive", name);
  if(unlinkat(dirfd, name, 0) != 0)
    return arc_err_sys(err, LETHE_E_IO, "unlink %s", name);
  snprintf(level, levellen, "logical-delete");
  snprintf(method, methodlen, "unlink (not overwritten)");
  return LETHE_OK;
}

const struct purge_dispose_hook purge_dispose_unlink = { unlink_old, NULL };

lethe_rc purge_dispose_old(int dirfd, const char *old, const struct arc_id *expect,
                           const struct purge_dispose_hook *hook, char *level,
                           size_t levellen, char *method, size_t methodlen,
                           struct arc_err *err)
{
  lethe_rc rc;
  if(!hook || !hook->dispose)
    hook = &purge_dispose_unlink;
  purge_fault_point("dispose");
  rc = hook->dispose(hook->ctx, dirfd, old, expect, level, levellen, method, methodlen, err);
  if(rc)
    return rc;
  purge_fault_point("disposed");
  return purge_fsync_dir(dirfd, err);
}

lethe_rc purge_dispose(struct purge_job *job, const struct purge_dispose_hook *hook,
                       struct arc_err *err)
{
  lethe_rc rc;
  if(job->state != PURGE_ST_SWAPPED)
    return arc_err_set(err, LETHE_E_USAGE, "purge_dispose: nothing swapped to dispose of");
  rc = purge_dispose_old(job->dirfd, job->old, &job->orig, hook, job->report.level,
                         sizeof(job->report.level), job->report.method,
                         sizeof(job->report.method), err);
  if(rc)
    return rc;
  purge_set_state(job, PURGE_ST_DONE);
  return LETHE_OK;
}
