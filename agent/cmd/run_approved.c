/* Applying approved plans in lethe run (see run_approved.h). */
#include "run_approved.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "approval.h"
#include "approve_store.h"
#include "approved.h"
#include "cli.h"
#include "fileops.h"
#include "log.h"
#include "runner.h"

static bool is_plan_dir(const char *name)
{
  return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

static void say_why(const struct approved_plan *a, const char *hex)
{
  for(size_t i = 0; i < a->why.n; i++)
    log_msg(LOG_WARNING, "%s", a->why.v[i]);
  log_msg(LOG_NOTICE, "approved plan %.12s not applied: nothing of it is deleted", hex);
}

/* What would refuse the whole plan before it starts, checked first: a plan
 * refused so stays, for a run after the cause is fixed. */
static bool can_start(const struct config *cfg, const struct approved_plan *a)
{
  struct lethe_err err = { 0 };
  if(apply_check_limits(&a->plan, true, &err)) {
    log_msg(LOG_ERR, "refused: %s: %s", a->dir, err.msg);
    return false;
  }
  return runner_can_certify(cfg, &a->plan, true);
}

/* A plan taken up is moved out of the way first, so that no later run
 * applies it again, whatever becomes of this one. */
static bool take_up(int dirfd, const char *hex, const char *dir)
{
  char to[128];
  if(mkdirat(dirfd, APPROVALS_APPLIED, 0700) && errno != EEXIST) {
    log_msg(LOG_ERR, "%s: cannot create %s: %s", dir, APPROVALS_APPLIED, strerror(errno));
    return false;
  }
  snprintf(to, sizeof(to), "%s/%s", APPROVALS_APPLIED, hex);
  /* dated now: it goes keep-journals after it was applied (approve_prune.h) */
  if(renameat(dirfd, hex, dirfd, to) || utimensat(dirfd, to, NULL, AT_SYMLINK_NOFOLLOW) ||
     fsync(dirfd)) {
    log_msg(LOG_ERR, "%s: cannot move it to %s: %s; it is not applied", dir, to,
            strerror(errno));
    return false;
  }
  return true;
}

static void say_approvals(const struct approved_plan *a)
{
  for(size_t i = 0; i < a->n_approvals; i++)
    log_msg(LOG_NOTICE, "plan %s: approved by %s (%s) at %s", a->plan.hash,
            a->approvals[i].principal, a->approvals[i].fingerprint,
            a->approvals[i].approved_at);
}

static int apply_one(const struct config *cfg, const struct ruleset *rs, int dirfd,
                     const char *hex, int64_t now)
{
  struct apply_opts opts = { .reviewed = true, .now = now };
  struct approved_plan a;
  char dir[4096];
  int status = EXIT_DONE;
  snprintf(dir, sizeof(dir), "%s/%s/%s", cfg->state_dir, APPROVALS_DIR, hex);
  if(approved_judge(dir, rs, now, &a)) {
    log_msg(LOG_ERR, "out of memory judging %s", dir);
    status = EXIT_SOME_FAILED;
  }
  else if(!a.ready) {
    say_why(&a, hex);
  }
  else if(!can_start(cfg, &a) || !take_up(dirfd, hex, dir)) {
    status = EXIT_REFUSED;
  }
  else {
    say_approvals(&a);
    opts.approvals = a.approvals;
    opts.n_approvals = a.n_approvals;
    status = runner_apply(cfg, rs, &a.plan, &opts);
  }
  approved_release(&a);
  return status;
}

int run_approved(const struct config *cfg, const struct ruleset *rs, int64_t now)
{
  struct lethe_err err = { 0 };
  int dirfd = approve_store_open(cfg->state_dir, false, &err), status = EXIT_DONE;
  struct dirent *e;
  DIR *d;
  if(dirfd < 0 && err.rc == LETHE_E_NOTFOUND)
    return EXIT_DONE; /* nothing was ever approved here */
  d = dirfd < 0 ? NULL : fileops_list_dir(dirfd);
  if(!d) {
    log_msg(LOG_ERR, "approvals: %s", err.msg[0] ? err.msg : strerror(errno));
    if(dirfd >= 0)
      close(dirfd);
    return EXIT_SOME_FAILED;
  }
  while((e = readdir(d)) != NULL) {
    int s;
    if(!is_plan_dir(e->d_name))
      continue;
    s = apply_one(cfg, rs, dirfd, e->d_name, now);
    status = s > status ? s : status;
  }
  closedir(d);
  close(dirfd);
  return status;
}
