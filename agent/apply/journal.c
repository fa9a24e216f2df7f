#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <time.h>

#include "fileops.h"
#include "isotime.h"

#define PENDING_MAX (256u * 1024 * 1024)

#ifndef LETHE_FAULT_INJECTION
void journal_fault_point(void)
{
}
#else
void journal_fault_point(void)
{
  static long remaining = -1;
  if(remaining < 0) {
    const char *at = getenv("LETHE_TEST_KILL_AT");
    remaining = at && *at ? strtol(at, NULL, 10) : 0;
    if(remaining <= 0)
      remaining = 0;
  }
  if(remaining > 0 && --remaining == 0)
    raise(SIGKILL);
}
#endif

static int mkdir_at(int dirfd, const char *name)
{
  if(mkdirat(dirfd, name, 0700) && errno != EEXIST)
    return -1;
  return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int journal_open_dir(const char *state_dir, struct lethe_err *err)
{
  int state, fd;
  if(mkdir(state_dir, 0700) && errno != EEXIST) {
    err_sys(err, LETHE_E_IO, "%s: cannot create the state directory", state_dir);
    return -1;
  }
  state = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(state < 0) {
    err_sys(err, LETHE_E_IO, "%s: cannot open the state directory", state_dir);
    return -1;
  }
  fd = mkdir_at(state, JOURNAL_DIR);
  if(fd < 0)
    err_sys(err, LETHE_E_IO, "%s/%s: cannot open the journal directory", state_dir,
            JOURNAL_DIR);
  close(state);
  return fd;
}

static void journal_init(struct journal *j)
{
  memset(j, 0, sizeof(*j));
  j->fd = -1;
  j->dirfd = -1;
  j->next_seq = 1;
  db_init(&j->pending, PENDING_MAX);
}

lethe_rc journal_begin(struct journal *j, const char *state_dir, const char *plan_hash,
                       struct lethe_err *err)
{
  char name[UUID_TEXT_LEN + 8], now[ISOTIME_LEN];
  struct journal_record rec = { .type = JOURNAL_BEGIN };
  lethe_rc rc;

  journal_init(j);
  if(uuid_v4(j->run_id))
    return err_set(err, LETHE_E_IO, "cannot draw a run id");
  j->dirfd = journal_open_dir(state_dir, err);
  if(j->dirfd < 0)
    return err->rc;
  snprintf(name, sizeof(name), "%s.jsonl", j->run_id);
  j->fd = openat(j->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW |
                 O_CLOEXEC, 0600);
  if(j->fd < 0)
    return err_sys(err, LETHE_E_IO, "cannot create journal %s", name);
  /* The new file's name must survive a crash too. */
  if(fsync(j->dirfd))
    return err_sys(err, LETHE_E_IO, "cannot fsync the journal directory");
  isotime_format(time(NULL), now);
  rec.begin = (struct journal_begin){ .run = j->run_id, .plan = plan_hash, .started = now,
                                      .pid = getpid() };
  rc = journal_append(j, &rec);
  if(!rc)
    rc = journal_commit(j, err);
  return rc;
}

lethe_rc journal_reopen(struct journal *j, int dirfd, const char *name, struct lethe_err *err)
{
  journal_init(j);
  snprintf(j->run_id, sizeof(j->run_id), "%.36s", name);
  j->dirfd = dup(dirfd);
  j->fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if(j->fd < 0 || j->dirfd < 0)
    return err_sys(err, LETHE_E_IO, "cannot reopen journal %s", name);
  return LETHE_OK;
}

lethe_rc journal_append(struct journal *j, const struct journal_record *rec)
{
  return journal_record_write(rec, &j->pending);
}

lethe_rc journal_commit(struct journal *j, struct lethe_err *err)
{
  if(j->pending.len) {
    if(fileops_write_all(j->fd, j->pending.mem, j->pending.len))
      return err_sys(err, LETHE_E_IO, "cannot write the journal");
    db_reset(&j->pending);
  }
  if(fdatasync(j->fd))
    return err_sys(err, LETHE_E_IO, "cannot sync the journal");
  j->commits++;
  journal_fault_point();
  return LETHE_OK;
}

lethe_rc journal_end(struct journal *j, const char *status, struct lethe_err *err)
{
  char now[ISOTIME_LEN];
  struct journal_record rec = { .type = JOURNAL_END };
  lethe_rc rc;
  isotime_format(time(NULL), now);
  rec.end = (struct journal_end){ .finished = now, .status = status };
  rc = journal_append(j, &rec);
  if(!rc)
    rc = journal_commit(j, err);
  journal_close(j);
  return rc;
}

void journal_close(struct journal *j)
{
  if(j->fd >= 0)
    close(j->fd);
  if(j->dirfd >= 0)
    close(j->dirfd);
  j->fd = j->dirfd = -1;
  db_release(&j->pending);
}

/* One line (without its newline) as a JSON object, or NULL. tok is reused
 * from line to line: a journal has millions of them. */
static struct json_object *parse_line(struct json_tokener *tok, const char *p, size_t n)
{
  struct json_object *rec;
  if(!tok || n > INT_MAX)
    return NULL;
  json_tokener_reset(tok);
  rec = json_tokener_parse_ex(tok, p, (int)n);
  if(rec && (json_tokener_get_parse_end(tok) != n ||
             !json_object_is_type(rec, json_type_object))) {
    json_object_put(rec);
    rec = NULL;
  }
  return rec;
}

/* Hand the parsed line o, typed, to fn. */
static lethe_rc call(journal_record_fn fn, void *ctx, struct json_object *o, const char *name,
                     int line, struct lethe_err *err)
{
  struct journal_record rec;
  struct lethe_setting *settings;
  char why[128];
  lethe_rc rc = journal_record_read(o, &rec, &settings, why, sizeof(why));
  if(rc == LETHE_E_PARSE)
    rc = err_set(err, rc, "journal %s:%d: bad record: %s", name, line, why);
  else if(rc)
    rc = err_set(err, rc, "journal %s:%d: %s", name, line, lethe_strerror(rc));
  else
    rc = fn(ctx, &rec, line);
  free(settings);
  return rc;
}

/* A line that is not a record: the torn tail of a crashed run if it is the
 * last line, corruption otherwise. */
static lethe_rc bad_line(bool last, long offset, const char *name, int line, long *torn_at,
                         struct lethe_err *err)
{
  if(last) {
    if(torn_at)
      *torn_at = offset;
    return LETHE_OK;
  }
  return err_set(err, LETHE_E_PARSE, "journal %s:%d: corrupt record", name, line);
}

lethe_rc journal_parse(const char *text, size_t len, const char *name, journal_record_fn fn,
                       void *ctx, long *torn_at, struct lethe_err *err)
{
  const char *p = text, *end = text + len;
  struct json_tokener *tok = json_tokener_new();
  int line = 0;
  lethe_rc rc = LETHE_OK;
  if(torn_at)
    *torn_at = -1;
  while(!rc && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    struct json_object *rec = nl ? parse_line(tok, p, (size_t)(nl - p)) : NULL;
    line++;
    if(!rec) {
      rc = bad_line(!nl || nl + 1 == end, (long)(p - text), name, line, torn_at, err);
      break;
    }
    rc = call(fn, ctx, rec, name, line, err);
    json_object_put(rec);
    p = nl + 1;
  }
  json_tokener_free(tok);
  return rc;
}

/* Streams the file line by line: a journal can be large, and recovery must
 * not need memory in proportion to it. */
lethe_rc journal_read(int dirfd, const char *name, journal_record_fn fn, void *ctx,
                      long *torn_at, struct lethe_err *err)
{
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct json_tokener *tok;
  FILE *f;
  char *buf = NULL;
  size_t cap = 0;
  int line = 0;
  long offset = 0;
  lethe_rc rc = LETHE_OK;
  ssize_t n;

  if(torn_at)
    *torn_at = -1;
  if(fd < 0)
    return err_sys(err, LETHE_E_IO, "cannot open journal %s", name);
  f = fdopen(fd, "r");
  if(!f) {
    close(fd);
    return err_set(err, LETHE_E_NOMEM, "out of memory reading journal %s", name);
  }
  tok = json_tokener_new();
  n = getline(&buf, &cap, f);
  while(!rc && n > 0) {
    bool has_nl = buf[n - 1] == '\n';
    struct json_object *rec = has_nl ? parse_line(tok, buf, (size_t)n - 1) : NULL;
    line++;
    if(!rec) {
      int next = fgetc(f);
      rc = bad_line(next == EOF, offset, name, line, torn_at, err);
      break;
    }
    rc = call(fn, ctx, rec, name, line, err);
    json_object_put(rec);
    offset += n;
    n = getline(&buf, &cap, f);
  }
  json_tokener_free(tok);
  free(buf);
  fclose(f);
  return rc;
}

/* ---- peeking ------------------------------------------------------------- */

#define PEEK_WINDOW (64 * 1024)

static lethe_rc on_peeked(void *ctx, const struct journal_record *rec, int line)
{
  struct journal_peek *p = ctx;
  (void)line;
  if(rec->type == JOURNAL_BEGIN && rec->begin.started)
    snprintf(p->started, sizeof(p->started), "%s", rec->begin.started);
  p->ended = rec->type == JOURNAL_END;
  return LETHE_OK;
}

/* The complete line of buf[0..n) that ends last: *line, *len (0: none). */
static void last_line(const char *buf, size_t n, bool whole_file, const char **line,
                      size_t *len)
{
  const char *end = n ? memrchr(buf, '\n', n) : NULL, *start;
  *len = 0;
  if(!end)
    return;
  start = memrchr(buf, '\n', (size_t)(end - buf));
  if(!start && !whole_file)
    return; /* longer than the window: no "end" record is */
  start = start ? start + 1 : buf;
  *line = start;
  *len = (size_t)(end - start) + 1;
}

lethe_rc journal_peek(int dirfd, const char *name, struct journal_peek *out,
                      struct lethe_err *err)
{
  char *buf = malloc(PEEK_WINDOW);
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct journal_peek first = { .ended = false };
  struct stat st;
  const char *line = NULL, *nl;
  size_t len = 0;
  ssize_t n;
  lethe_rc rc = LETHE_OK;
  memset(out, 0, sizeof(*out));
  if(fd < 0 || !buf || fstat(fd, &st)) {
    rc = err_sys(err, LETHE_E_IO, "cannot open journal %s", name);
    goto done;
  }
  n = pread(fd, buf, PEEK_WINDOW, 0);
  nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;
  if(nl)
    rc = journal_parse(buf, (size_t)(nl - buf) + 1, name, on_peeked, &first, NULL, err);
  if(!rc) {
    off_t at = st.st_size > PEEK_WINDOW ? st.st_size - PEEK_WINDOW : 0;
    n = pread(fd, buf, PEEK_WINDOW, at);
    if(n < 0)
      rc = err_sys(err, LETHE_E_IO, "cannot read journal %s", name);
    else
      last_line(buf, (size_t)n, at == 0, &line, &len);
  }
  if(!rc && len)
    rc = journal_parse(line, len, name, on_peeked, out, NULL, err);
  memcpy(out->started, first.started, sizeof(out->started));
done:
  if(fd >= 0)
    close(fd);
  free(buf);
  return rc;
}
