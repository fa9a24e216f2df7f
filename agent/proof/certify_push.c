/* Pushing the ledger to [agent] remote after certification. */
#include "certify.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"

/* Whether STATE/ledger-pushed says head already went to url. */
static bool pushed_already(const char *path, const char *head, const char *url)
{
  char line[8192] = "";
  FILE *f = fopen(path, "re");
  size_t n = strlen(head);
  bool same;
  if(!f)
    return false;
  same = fgets(line, sizeof(line), f) && !strncmp(line, head, n) && line[n] == ' ' &&
         !strncmp(line + n + 1, url, strlen(url)) && line[n + 1 + strlen(url)] == '\n';
  fclose(f);
  return same;
}

static lethe_rc record_push(const char *path, const char *head, const char *url,
                            struct lethe_err *err)
{
  char tmp[4200];
  int fd;
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if(fd < 0 || dprintf(fd, "%s %s\n", head, url) < 0 || fsync(fd) || close(fd) ||
     rename(tmp, path)) {
    if(fd >= 0)
      close(fd);
    return err_sys(err, LETHE_E_IO, "pushed, but cannot record it in %s", path);
  }
  return LETHE_OK;
}

lethe_rc certify_push(const struct config *cfg, bool *pushed, struct lethe_err *err)
{
  struct ledger l;
  char marker[4096], hex[GIT_OID_HEXSZ + 1];
  git_oid head;
  bool unborn = true;
  lethe_rc rc;
  *pushed = false;
  if(!cfg->remote)
    return LETHE_OK;
  rc = ledger_open(&l, cfg->ledger_dir, false, err);
  if(rc == LETHE_E_NOTFOUND) {
    ledger_close(&l);
    err_clear(err);
    return LETHE_OK; /* nothing certified yet */
  }
  if(!rc)
    rc = ledger_head(&l, &head, &unborn, err);
  snprintf(marker, sizeof(marker), "%s/" PUSHED_FILE, cfg->state_dir);
  if(!rc && !unborn) {
    git_oid_tostr(hex, sizeof(hex), &head);
    if(!pushed_already(marker, hex, cfg->remote)) {
      rc = ledger_push(&l, cfg->remote, err);
      if(!rc)
        rc = record_push(marker, hex, cfg->remote, err);
      *pushed = !rc;
    }
  }
  ledger_close(&l);
  return rc;
}
