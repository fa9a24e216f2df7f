/* Disposing of the old archive's data: the purge engine keeps it under a
 * temporary name once the purged archive is in place, and this hook
 * shreds it exactly as the shred plugin shreds a file, with the same honest
 * level (clear only where overwriting reaches the old blocks). */
#include "ap.h"

#include <stdio.h>
#include <string.h>

/* The identity the file has now, if it is still the one the engine meant
 * (dev and ino: linking and renaming it have moved its ctime). */
static lethe_rc identity_now(int dirfd, const char *name, const struct arc_id *expect,
                             struct lethe_identity *id, struct arc_err *err)
{
  memset(id, 0, sizeof(*id));
  id->struct_size = sizeof(*id);
  id->store = LETHE_STORE_FILE;
  if(fileops_stat(dirfd, name, &id->file, NULL, NULL))
    return arc_err_sys(err, LETHE_E_IO, "%s", name);
  if(id->file.dev != expect->dev || id->file.ino != expect->ino)
    return arc_err_set(err, LETHE_E_CHANGED, "%s is no longer the old archive", name);
  return LETHE_OK;
}

static lethe_rc dispose(void *ctx, int dirfd, const char *name, const struct arc_id *expect,
                        char *level, size_t levellen, char *method, size_t methodlen,
                        struct arc_err *err)
{
  struct ap_state *st = ctx;
  struct lethe_identity id;
  struct lethe_outcome out = { .struct_size = sizeof(out) };
  char tmpname[PURGE_TMPNAME_MAX + 4];
  struct lethe_item item = { .store = LETHE_STORE_FILE, .kind = LETHE_ITEM_FILE,
                             .dirfd = dirfd, .name = name, .path = name, .uri = name,
                             .struct_size = sizeof(item), .identity = &id,
                             .tmpname = tmpname };
  lethe_rc rc = identity_now(dirfd, name, expect, &id, err);
  if(rc)
    return rc;
  snprintf(tmpname, sizeof(tmpname), "%s.x", name);
  item.size = id.file.size;
  shred_item(&item, &st->shred, &out, NULL);
  if(out.result != LETHE_RESULT_DELETED)
    return arc_err_set(err, LETHE_E_IO, "the old archive's data: %s", out.error);
  snprintf(level, levellen, "%s", out.level);
  snprintf(method, methodlen, "%s (%s)", st->shred_method, out.level_reason);
  return LETHE_OK;
}

struct purge_dispose_hook ap_dispose_hook(struct ap_state *st)
{
  return (struct purge_dispose_hook){ .dispose = dispose, .ctx = st };
}
