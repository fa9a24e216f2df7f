/* The mail hook: each chosen message's MIME text (GET .../$value,
 * https://learn.microsoft.com/graph/api/message-get, "Get MIME content"),
 * four at a time, appended to an mbox stage as it arrives; the stage is
 * checked, written as the rule's archive format, fsynced and read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "atgd.h"
#include "graph_resolve.h"

struct fetch {
  struct graph_req req;
  struct gdel_target *t;
  bool busy;
};

struct mail {
  struct atgd_state *st;
  struct gdel_session *s;
  struct gdel_target *t;
  size_t n, next;
  struct lethe_outcome *const *outs;
  struct fetch f[GRAPH_INFLIGHT_MAX];
  struct dynbuf mbox;
  unsigned char (*sha)[MBOX_SHA256_LEN];
  bool *added;
  size_t staged;
};

static struct graph_req *next_fetch(void *ctx, int64_t now, int64_t *wake)
{
  struct mail *m = ctx;
  struct fetch *f = NULL;
  (void)now;
  *wake = -1;
  for(unsigned i = 0; i < GRAPH_INFLIGHT_MAX && !f; i++)
    if(!m->f[i].busy)
      f = &m->f[i];
  while(f && m->next < m->n && !m->t[m->next].chosen)
    m->next++;
  if(!f || m->next == m->n)
    return NULL;
  f->t = &m->t[m->next++];
  graph_req_release(&f->req);
  graph_req_init(&f->req, "GET", ATGD_MESSAGE_MAX);
  f->req.flags = GRAPH_REQ_AUTH | GRAPH_REQ_RESEND | GRAPH_REQ_IMMUTABLE;
  f->req.user = f;
  if(graph_url_user(&m->s->cfg.cfg, m->s->cfg.src.mailbox, &f->req.url) ||
     db_adds(&f->req.url, "/messages/") ||
     graph_url_escape(&f->req.url, f->t->id.id, f->t->id.id_len) ||
     db_adds(&f->req.url, "/$value"))
    return NULL;
  f->busy = true;
  return &f->req;
}

static lethe_rc fetched(void *ctx, struct graph_req *r, struct lethe_err *err)
{
  struct mail *m = ctx;
  struct fetch *f = r->user;
  struct gdel_target *t = f->t;
  unsigned int n = 0;
  lethe_rc rc;
  f->busy = false;
  if(r->rc || r->status != 200) {
    struct lethe_err e = { 0 };
    graph_req_error(&m->s->c, r, LETHE_E_IO, &e);
    atgd_refuse(t, 1, m->outs, e.msg);
    return LETHE_OK;
  }
  rc = mbox_append(&m->mbox, r->reply.mem, r->reply.len, t->received, &m->added[m->staged]);
  if(rc == LETHE_E_RANGE) {
    atgd_refuse(t, 1, m->outs, "this run's archive is full; the next run takes it");
    return LETHE_OK;
  }
  if(rc)
    return err_set(err, rc, "%s", lethe_strerror(rc));
  EVP_Digest(r->reply.mem, r->reply.len, m->sha[m->staged], &n, EVP_sha256(), NULL);
  m->staged++;
  t->archive = ""; /* staged: archived once the file is verified */
  return LETHE_OK;
}

static lethe_rc write_archive(struct mail *m, char *hex, struct lethe_err *err)
{
  unsigned char sha[MBOX_SHA256_LEN], whole[MBOX_SHA256_LEN];
  unsigned int n = 0;
  char entry[96];
  int fd = -1;
  lethe_rc rc = mbox_verify(m->mbox.mem, m->mbox.len, m->sha[0], m->added, m->staged, err);
  if(!rc)
    rc = atgd_create(m->st, &fd, err);
  if(rc)
    return rc;
  snprintf(entry, sizeof(entry), "%s.mbox", m->st->where);
  EVP_Digest(m->mbox.mem, m->mbox.len, sha, &n, EVP_sha256(), NULL);
  rc = mbox_archive_write(fd, m->st->fmt, entry, m->mbox.mem, m->mbox.len, err);
  if(!rc)
    rc = mbox_archive_verify(fd, m->st->fmt, m->mbox.len, sha, whole, err);
  close(fd);
  if(!rc)
    rc = atgd_commit(m->st, err);
  if(rc)
    atgd_discard(m->st);
  else
    mbox_hex(whole, hex);
  return rc;
}

static void release(struct mail *m)
{
  for(unsigned i = 0; i < GRAPH_INFLIGHT_MAX; i++)
    graph_req_release(&m->f[i].req);
  if(m->mbox.mem)
    explicit_bzero(m->mbox.mem, m->mbox.cap); /* mail text: not left in freed memory */
  db_release(&m->mbox);
  free(m->sha);
  free(m->added);
}

lethe_rc atgd_mail(void *ctx, struct gdel_session *s, struct gdel_target *t, size_t n,
                   const struct lethe_item *const *items, struct lethe_outcome *const *outs,
                   struct lethe_err *err)
{
  static const struct graph_producer p = { next_fetch, fetched };
  struct mail m = { .st = ctx, .s = s, .t = t, .n = n, .outs = outs };
  char hex[2 * MBOX_SHA256_LEN + 1];
  struct lethe_err werr = { 0 };
  lethe_rc rc = LETHE_OK;
  atgd_batch(m.st, t, n, items);
  db_init(&m.mbox, ATGD_STAGE_MAX);
  m.sha = calloc(n + 1, sizeof(*m.sha));
  m.added = calloc(n + 1, sizeof(*m.added));
  if(!m.sha || !m.added)
    rc = err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; i < n; i++)
    t[i].archive = NULL;
  if(!rc)
    rc = graph_drive(&s->c, &p, &m, GRAPH_INFLIGHT_MAX, err);
  for(size_t i = 0; !rc && i < n; i++) /* chosen but not staged: the service said nothing */
    if(t[i].chosen && !t[i].archive)
      atgd_refuse(&t[i], 1, outs, "its MIME text could not be fetched");
  if(!rc && m.staged && write_archive(&m, hex, &werr))
    atgd_refuse(t, n, outs, werr.msg);
  else if(!rc && m.staged)
    atgd_archived(m.st, t, n, hex);
  release(&m);
  return rc;
}
