/* The drive hook: each chosen file's content, asked with GET .../content
 * (answered with a 302 to a pre-authenticated URL, which is fetched without
 * the bearer token: https://learn.microsoft.com/graph/api/driveitem-get-content),
 * streamed into an unnamed temporary file in the archive directory while it
 * is hashed, four at a time; then every file goes into one tar (the rule's
 * archive format) under its path below the source (atgd_tar.c), which is
 * fsynced and read back entry by entry against the hashes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atgd_tar.h"
#include "uri.h"

enum step { STEP_START, STEP_CONTENT, STEP_REDIRECTED, STEP_DOWNLOAD, STEP_DONE, STEP_FAILED };

struct drive {
  struct atgd_state *st;
  struct gdel_session *s;
  struct atgd_file *f;
  enum step *step;
  char **location;
  size_t n;
  struct lethe_outcome *const *outs;
};

static lethe_rc sink(void *ctx, const char *data, size_t n)
{
  struct atgd_file *f = ctx;
  for(size_t off = 0; off < n;) {
    ssize_t w = write(f->fd, data + off, n - off);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      return LETHE_E_IO;
    off += (size_t)w;
  }
  f->size += n;
  return EVP_DigestUpdate(f->md, data, n) == 1 ? LETHE_OK : LETHE_E_IO;
}

static lethe_rc sink_reset(void *ctx)
{
  struct atgd_file *f = ctx;
  f->size = 0;
  if(ftruncate(f->fd, 0) || lseek(f->fd, 0, SEEK_SET) < 0)
    return LETHE_E_IO;
  return EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) == 1 ? LETHE_OK : LETHE_E_IO;
}

/* GET .../content with the token, or the download URL without it. */
static lethe_rc request(struct drive *d, size_t i, const char *url)
{
  struct atgd_file *f = &d->f[i];
  graph_req_release(&f->req);
  graph_req_init(&f->req, "GET", GRAPH_REPLY_SMALL);
  f->req.flags = GRAPH_REQ_RESEND | (url ? 0 : GRAPH_REQ_AUTH);
  f->req.sink = sink;
  f->req.sink_ctx = f;
  f->req.sink_reset = sink_reset;
  f->req.user = (void *)i;
  if(url)
    return db_adds(&f->req.url, url) ? LETHE_E_RANGE : sink_reset(f);
  if(graph_url_add(&f->req.url, "%s/v1.0/drives/%e/items/", d->s->cfg.cfg.graph, f->t->drive) ||
     graph_url_escape(&f->req.url, f->t->id.id, f->t->id.id_len) ||
     db_adds(&f->req.url, "/content"))
    return LETHE_E_RANGE;
  return sink_reset(f);
}

static void failed(struct drive *d, size_t i, const char *why)
{
  d->step[i] = STEP_FAILED;
  atgd_refuse(d->f[i].t, 1, d->outs, why);
}

static struct graph_req *next_file(void *ctx, int64_t now, int64_t *wake)
{
  struct drive *d = ctx;
  (void)now;
  *wake = -1;
  for(size_t i = 0; i < d->n; i++) {
    bool redirected = d->step[i] == STEP_REDIRECTED;
    if(d->step[i] != STEP_START && !redirected)
      continue;
    if(request(d, i, redirected ? d->location[i] : NULL)) {
      failed(d, i, "cannot set up its download");
      continue;
    }
    d->step[i] = redirected ? STEP_DOWNLOAD : STEP_CONTENT;
    return &d->f[i].req;
  }
  return NULL;
}

static lethe_rc file_done(void *ctx, struct graph_req *r, struct lethe_err *err)
{
  struct drive *d = ctx;
  size_t i = (size_t)r->user;
  struct lethe_err e = { 0 };
  const char *loc = db_str(&r->location);
  if(!r->rc && r->status == 302 && d->step[i] == STEP_CONTENT && !strncmp(loc, "https://", 8)) {
    free(d->location[i]);
    d->location[i] = strdup(loc);
    if(!d->location[i])
      return err_set(err, LETHE_E_NOMEM, "out of memory");
    d->step[i] = STEP_REDIRECTED;
    return LETHE_OK;
  }
  if(!r->rc && r->status == 200 && atgd_file_finish(&d->f[i]) == LETHE_OK) {
    d->step[i] = STEP_DONE;
    return LETHE_OK;
  }
  graph_req_error(&d->s->c, r, LETHE_E_IO, &e);
  failed(d, i, e.msg);
  return LETHE_OK;
}

static bool safe_relative(const char *p, size_t n)
{
  if(!n || p[0] == '/' || !strcmp(p, "..") || !strncmp(p, "../", 3) || strstr(p, "/../"))
    return false;
  return n < 3 || strcmp(p + n - 3, "/..");
}

/* The entry name of a file: its path below the source, as the plan gave it
 * (percent-encoded), decoded; never absolute, never with "..". */
static lethe_rc entry_name(const struct lethe_item *it, char *out, size_t n)
{
  struct dynbuf b;
  lethe_rc rc;
  db_init(&b, n - 1);
  rc = it->path ? uri_decode(it->path, &b) : LETHE_E_PARSE;
  if(!rc && !safe_relative(b.mem, b.len))
    rc = LETHE_E_UNSAFE;
  if(!rc)
    memcpy(out, b.mem, b.len + 1);
  db_release(&b);
  return rc;
}

static lethe_rc setup(struct drive *d, struct gdel_target *t, const struct lethe_item *const *items,
                      struct lethe_err *err)
{
  d->f = calloc(d->n + 1, sizeof(*d->f));
  d->step = calloc(d->n + 1, sizeof(*d->step));
  d->location = calloc(d->n + 1, sizeof(*d->location));
  if(!d->f || !d->step || !d->location)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; i < d->n; i++) {
    d->f[i].fd = -1;
    d->f[i].t = &t[i];
    d->step[i] = t[i].chosen ? STEP_START : STEP_FAILED;
    if(!t[i].chosen)
      continue;
    if(entry_name(items[t[i].item], d->f[i].name, sizeof(d->f[i].name)))
      failed(d, i, "its path below the source cannot name a file in a tar");
    else if(atgd_file_open(&d->f[i], d->st->dirfd, err))
      return err->rc;
  }
  return LETHE_OK;
}

static void release(struct drive *d)
{
  for(size_t i = 0; d->f && i < d->n; i++) {
    atgd_file_close(&d->f[i]);
    graph_req_release(&d->f[i].req);
  }
  for(size_t i = 0; d->location && i < d->n; i++)
    free(d->location[i]);
  free(d->f);
  free(d->step);
  free(d->location);
}

lethe_rc atgd_drive(void *ctx, struct gdel_session *s, struct gdel_target *t, size_t n,
                    const struct lethe_item *const *items, struct lethe_outcome *const *outs,
                    struct lethe_err *err)
{
  static const struct graph_producer p = { next_file, file_done };
  struct drive d = { .st = ctx, .s = s, .n = n, .outs = outs };
  struct lethe_err werr = { 0 };
  char hex[2 * MBOX_SHA256_LEN + 1];
  size_t ready = 0;
  lethe_rc rc;
  atgd_batch(d.st, t, n, items);
  rc = setup(&d, t, items, err);
  if(!rc)
    rc = graph_drive(&s->c, &p, &d, GRAPH_INFLIGHT_MAX, err);
  for(size_t i = 0; !rc && i < n; i++) {
    if(d.step[i] == STEP_DONE)
      ready++;
    else if(t[i].chosen)
      failed(&d, i, "its content could not be fetched");
  }
  if(!rc && ready && atgd_tar_write(d.st, d.f, n, hex, &werr))
    atgd_refuse(t, n, outs, werr.msg);
  else if(!rc && ready)
    atgd_archived(d.st, t, n, hex);
  release(&d);
  return rc;
}
