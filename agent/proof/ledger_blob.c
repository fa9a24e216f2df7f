/* A ledger's files as streams: certificates are written into the object
 * database and read back in pieces, never whole. */
#include "ledger.h"

#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (64 * 1024)

lethe_rc ledger_blob_write(struct ledger *l, const struct iovec *v, size_t n, git_oid *out,
                           struct lethe_err *err)
{
  git_writestream *ws = NULL;
  if(git_blob_create_from_stream(&ws, l->repo, NULL))
    return err_set(err, LETHE_E_IO, "ledger: cannot write a blob: %s", ledger_git_error());
  for(size_t i = 0; i < n; i++) {
    if(v[i].iov_len && ws->write(ws, v[i].iov_base, v[i].iov_len)) {
      ws->free(ws);
      return err_set(err, LETHE_E_IO, "ledger: cannot write a blob: %s", ledger_git_error());
    }
  }
  if(git_blob_create_from_stream_commit(out, ws))
    return err_set(err, LETHE_E_IO, "ledger: cannot write a blob: %s", ledger_git_error());
  return LETHE_OK;
}

/* A loose object streams; a packed one (libgit2 cannot stream those) is
 * read whole, once. */
static lethe_rc read_whole(struct ledger *l, const git_oid *id, ledger_bytes_fn fn, void *ctx,
                           struct lethe_err *err)
{
  git_blob *blob = NULL;
  lethe_rc rc;
  if(git_blob_lookup(&blob, l->repo, id))
    return err_set(err, LETHE_E_IO, "ledger: cannot read a file: %s", ledger_git_error());
  rc = fn(ctx, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
  git_blob_free(blob);
  return rc;
}

lethe_rc ledger_blob_stream(struct ledger *l, const git_oid *id, ledger_bytes_fn fn, void *ctx,
                            struct lethe_err *err)
{
  git_odb *odb = NULL;
  git_odb_stream *s = NULL;
  git_object_t type = GIT_OBJECT_INVALID;
  size_t len = 0;
  char *buf;
  lethe_rc rc = LETHE_OK;
  int n;
  if(git_repository_odb(&odb, l->repo))
    return err_set(err, LETHE_E_IO, "ledger: cannot open its objects: %s", ledger_git_error());
  if(git_odb_open_rstream(&s, &len, &type, odb, id) || type != GIT_OBJECT_BLOB) {
    if(s)
      git_odb_stream_free(s);
    git_odb_free(odb);
    git_error_clear();
    return read_whole(l, id, fn, ctx, err);
  }
  buf = malloc(READ_CHUNK);
  if(!buf)
    rc = LETHE_E_NOMEM;
  while(!rc && len) {
    n = git_odb_stream_read(s, buf, len < READ_CHUNK ? len : READ_CHUNK);
    if(n <= 0) {
      rc = err_set(err, LETHE_E_IO, "ledger: cannot read a file: %s", ledger_git_error());
      break;
    }
    rc = fn(ctx, buf, (size_t)n);
    len -= (size_t)n;
  }
  free(buf);
  git_odb_stream_free(s);
  git_odb_free(odb);
  return rc;
}
