/* purge_tool: a small driver of the archive-purge engine for the tests.
 *
 *   purge_tool list ARCHIVE
 *   purge_tool id ARCHIVE
 *   purge_tool purge [--run R] [--seq S] [--expect ID] [--stop-after STEP] ARCHIVE PATH...
 *   purge_tool recover [--run R] [--seq S] ARCHIVE
 *
 * list prints one line per entry: type, size, mode (octal), mtime, the name
 * percent-encoded as in the report, and for links " -> TARGET". id prints the
 * archive's identity as --expect takes it. purge runs the steps (up to STEP:
 * write, verify or swap) and prints the report as JSON. recover prints the
 * state it found. Exit status: 0 done, 1 failed, 2 usage, 3 refused (the
 * archive is corrupt, changed, or cannot be purged without loss). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive_entry.h>

#include "purge.h"

static void pct(FILE *out, const char *s, size_t len)
{
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c <= 0x20 || c >= 0x7f || c == '%')
      fprintf(out, "%%%02X", c);
    else
      fputc(c, out);
  }
}

static int exit_code(lethe_rc rc)
{
  if(rc == LETHE_OK)
    return 0;
  if(rc == LETHE_E_USAGE)
    return 2;
  if(rc == LETHE_E_PARSE || rc == LETHE_E_UNSAFE || rc == LETHE_E_CHANGED)
    return 3;
  return 1;
}

static int fail(const struct arc_err *err)
{
  fprintf(stderr, "purge_tool: %s\n", err->msg);
  return exit_code(err->rc);
}

/* Open the directory of path; name points into path at its last part. */
static int open_parent(char *path, const char **name)
{
  char *slash = strrchr(path, '/');
  int fd;
  if(!slash) {
    *name = path;
    return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  *slash = '\0';
  *name = slash + 1;
  fd = open(*path ? path : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd;
}

static int cmd_list(int dirfd, const char *name)
{
  struct arc_reader r;
  struct arc_err err = { 0 };
  struct archive_entry *e;
  lethe_rc rc = arc_reader_open(&r, dirfd, name, false, &err);
  while(!rc) {
    struct arc_entry_info in;
    rc = arc_reader_next(&r, &e, &err);
    if(rc || !e)
      break;
    arc_entry_info_get(e, &in);
    printf("%s %" PRId64 " %o %" PRId64 "%s%s ", arc_type_name(in.type), in.size,
           in.mode & 07777, in.mtime, in.encrypted ? " encrypted" : "",
           in.sparse ? " sparse" : "");
    pct(stdout, in.path, in.path_len);
    if(in.symlink || in.hardlink) {
      const char *t = in.symlink ? in.symlink : in.hardlink;
      fputs(" -> ", stdout);
      pct(stdout, t, strlen(t));
    }
    fputc('\n', stdout);
  }
  arc_reader_close(&r);
  if(rc)
    return fail(&err);
  return 0;
}

static int cmd_id(int dirfd, const char *name)
{
  struct arc_err err = { 0 };
  struct arc_id id;
  char text[160];
  lethe_rc rc = arc_id_of_name(dirfd, name, &id, &err);
  if(rc)
    return fail(&err);
  arc_id_format(&id, text);
  printf("%s\n", text);
  return 0;
}

static bool parse_id(const char *s, struct arc_id *id)
{
  memset(id, 0, sizeof(*id));
  return sscanf(s, "dev=%" SCNu64 " ino=%" SCNu64 " size=%" SCNu64 " mtime_ns=%" SCNd64
                " ctime_ns=%" SCNd64, &id->dev, &id->ino, &id->size, &id->mtime_ns,
                &id->ctime_ns) == 5;
}

struct opts {
  const char *run;
  const char *seq;
  const char *expect;
  const char *stop;
};

static lethe_rc run_steps(struct purge_job *job, const char *stop, struct arc_err *err)
{
  lethe_rc rc = purge_write(job, err);
  if(rc || (stop && !strcmp(stop, "write")))
    return rc;
  rc = purge_verify(job, err);
  if(rc || (stop && !strcmp(stop, "verify")))
    return rc;
  rc = purge_swap(job, err);
  if(rc || (stop && !strcmp(stop, "swap")))
    return rc;
  return purge_dispose(job, NULL, err);
}

static int cmd_purge(int dirfd, const char *name, const struct opts *o, char **paths, int n)
{
  struct purge_job job;
  struct arc_err err = { 0 };
  struct arc_id id;
  lethe_rc rc;
  if(o->expect && !parse_id(o->expect, &id)) {
    fprintf(stderr, "purge_tool: --expect: not an identity: %s\n", o->expect);
    return 2;
  }
  rc = purge_job_init(&job, dirfd, name, o->run, o->seq, o->expect ? &id : NULL, &err);
  for(int i = 0; !rc && i < n; i++)
    rc = purge_job_add(&job, paths[i], strlen(paths[i]), NULL, &err);
  if(!rc)
    rc = run_steps(&job, o->stop, &err);
  if(!rc && purge_report_json(&job.report, stdout))
    rc = arc_err_set(&err, LETHE_E_IO, "writing the report");
  purge_job_release(&job);
  return rc ? fail(&err) : 0;
}

static int cmd_recover(int dirfd, const char *name, const struct opts *o)
{
  struct arc_err err = { 0 };
  enum purge_state st;
  char level[64] = "";
  lethe_rc rc = purge_recover(dirfd, name, o->run, o->seq, NULL, &st, level, sizeof(level),
                              &err);
  if(rc)
    return fail(&err);
  printf("%s%s%s\n", purge_state_name(st), level[0] ? " " : "", level);
  return 0;
}

static int usage(void)
{
  fputs("usage: purge_tool list|id ARCHIVE\n"
        "       purge_tool purge [--run R] [--seq S] [--expect ID] [--stop-after STEP] "
        "ARCHIVE PATH...\n"
        "       purge_tool recover [--run R] [--seq S] ARCHIVE\n", stderr);
  return 2;
}

int main(int argc, char **argv)
{
  struct opts o = { "test", "1", NULL, NULL };
  const char *cmd, *name;
  int i = 2, dirfd, rc;
  if(argc < 3)
    return usage();
  cmd = argv[1];
  for(; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
    if(!strcmp(argv[i], "--run"))
      o.run = argv[i + 1];
    else if(!strcmp(argv[i], "--seq"))
      o.seq = argv[i + 1];
    else if(!strcmp(argv[i], "--expect"))
      o.expect = argv[i + 1];
    else if(!strcmp(argv[i], "--stop-after"))
      o.stop = argv[i + 1];
    else
      return usage();
  }
  if(i >= argc)
    return usage();
  dirfd = open_parent(argv[i], &name);
  if(dirfd < 0) {
    fprintf(stderr, "purge_tool: %s: %s\n", argv[i], strerror(errno));
    return 1;
  }
  if(!strcmp(cmd, "list"))
    rc = cmd_list(dirfd, name);
  else if(!strcmp(cmd, "id"))
    rc = cmd_id(dirfd, name);
  else if(!strcmp(cmd, "purge") && i + 1 < argc)
    rc = cmd_purge(dirfd, name, &o, argv + i + 1, argc - i - 1);
  else if(!strcmp(cmd, "recover"))
    rc = cmd_recover(dirfd, name, &o);
  else
    rc = usage();
  close(dirfd);
  return rc;
}
