/* Step e: finish or undo a purge that a crash interrupted.
 *
 * What is left tells how far it went (N the archive's name, P .partial,
 * O .old; "same" means same dev and ino):
 *
 *   no O, no P          nothing to do                       -> clean
 *   no O, P             crashed before the swap began: the
 *                       original was never touched; P goes  -> rolled back
 *   O, P same as O      exchanged, P not yet unlinked: P
 *                       goes, then O is disposed of         -> done
 *   O, P, N same as O   linked, not exchanged: O and P go   -> rolled back
 *   O, no P, N not O    swapped: O is disposed of           -> done
 *   O, no P, N same O   linked, P lost: O goes              -> rolled back
 *   O, N missing        the original is linked back to N    -> rolled back
 *
 * Anything else (N holds a file that is neither) is left alone and
 * reported. */
#include "purge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct found {
  bool n, p, o;
  struct arc_id nid, pid, oid;
};

static lethe_rc look(int dirfd, const char *name, bool *there, struct arc_id *id,
                     struct arc_err *err)
{
  lethe_rc rc = arc_id_of_name(dirfd, name, id, err);
  *there = rc == LETHE_OK;
  if(rc == LETHE_E_NOTFOUND) {
    arc_err_clear(err);
    return LETHE_OK;
  }
  return rc;
}

static lethe_rc remove_name(int dirfd, const char *name, struct arc_err *err)
{
  if(unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
    return arc_err_sys(err, LETHE_E_IO, "unlink %s", name);
  return LETHE_OK;
}

/* The original is kept: remove the purge's leftovers. */
static lethe_rc roll_back(int dirfd, const char *name, const char *partial, const char *old,
                          const struct found *f, enum purge_state *state, struct arc_err *err)
{
  lethe_rc rc = LETHE_OK;
  if(f->o && !f->n) {
    if(linkat(dirfd, old, dirfd, name, 0) != 0)
      return arc_err_sys(err, LETHE_E_IO, "link %s back to %s", old, name);
  }
  if(f->p)
    rc = remove_name(dirfd, partial, err);
  if(!rc && f->o)
    rc = remove_name(dirfd, old, err);
  if(!rc)
    rc = purge_fsync_dir(dirfd, err);
  if(!rc)
    *state = PURGE_ST_ROLLED_BACK;
  return rc;
}

lethe_rc purge_recover(int dirfd, const char *name, const char *run, const char *seq,
                       const struct purge_dispose_hook *hook, enum purge_state *state,
                       char *level, size_t levellen, struct arc_err *err)
{
  char partial[PURGE_TMPNAME_MAX], old[PURGE_TMPNAME_MAX], method[256], lv[64];
  struct found f;
  lethe_rc rc;
  *state = PURGE_ST_CLEAN;
  rc = purge_tmpnames(run, seq, partial, old, err);
  if(!rc)
    rc = look(dirfd, name, &f.n, &f.nid, err);
  if(!rc)
    rc = look(dirfd, partial, &f.p, &f.pid, err);
  if(!rc)
    rc = look(dirfd, old, &f.o, &f.oid, err);
  if(rc)
    return rc;
  if(!f.o && !f.p)
    return LETHE_OK;
  if(!f.o || !f.n || arc_id_same_inode(&f.nid, &f.oid))
    return roll_back(dirfd, name, partial, old, &f, state, err);
  if(f.p && !arc_id_same_inode(&f.pid, &f.oid))
    return arc_err_set(err, LETHE_E_CHANGED, "%s: holds a file that is neither the original "
                       "nor the purged archive; %s and %s left for inspection", name, partial,
                       old);
  /* Swapped: the name holds the verified archive. */
  if(f.p) {
    rc = remove_name(dirfd, partial, err);
    if(rc)
      return rc;
  }
  rc = purge_dispose_old(dirfd, old, &f.oid, hook, lv, sizeof(lv), method, sizeof(method), err);
  if(rc)
    return rc;
  if(level)
    snprintf(level, levellen, "%s", lv);
  *state = PURGE_ST_DONE;
  return LETHE_OK;
}
