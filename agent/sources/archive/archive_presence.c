/* Recovery's question to the archive store: is each planned entry still in
 * its archive? The archive is found by its path (a purge gives it a new
 * inode) and read whole, once for all the entries asked of it; an archive
 * gone is every entry gone, one that cannot be read is asked again next
 * run. */
#include "source_archive.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arc_reader.h"
#include "fileops.h"
#include "walk.h"

/* The entry paths of one archive, sorted for lookup. */
struct names {
  char **v;
  size_t n, cap;
  bool gone;                /* the archive itself is gone */
};

static void names_release(struct names *s)
{
  for(size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  memset(s, 0, sizeof(*s));
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static lethe_rc names_add(struct names *s, const char *path, size_t len)
{
  while(len > 1 && path[len - 1] == '/')
    len--;
  if(s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256;
    char **v = realloc(s->v, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n] = strndup(path, len);
  return s->v[s->n++] ? LETHE_OK : LETHE_E_NOMEM;
}

/* Read the archive at rel (below rootfd) into s. */
static lethe_rc read_names(int rootfd, const char *rel, struct names *s, struct lethe_err *err)
{
  char *copy = strdup(rel), *slash, *name;
  struct arc_reader rd;
  struct archive_entry *e;
  struct arc_err aerr = { 0 };
  lethe_rc rc = copy ? LETHE_OK : LETHE_E_NOMEM;
  int dirfd = -1;
  if(rc)
    return err_set(err, rc, "out of memory");
  slash = strrchr(copy, '/');
  name = slash ? slash + 1 : copy;
  if(slash)
    *slash = '\0';
  dirfd = fileops_open_dir(rootfd, slash ? copy : "", NULL, err);
  if(dirfd < 0) {
    free(copy);
    s->gone = err->rc == LETHE_E_NOTFOUND;
    return s->gone ? LETHE_OK : err->rc;
  }
  rc = arc_reader_open(&rd, dirfd, name, false, &aerr);
  s->gone = rc == LETHE_E_NOTFOUND;
  while(!rc) {
    struct arc_entry_info info;
    rc = arc_reader_next(&rd, &e, &aerr);
    if(rc || !e)
      break;
    arc_entry_info_get(e, &info);
    rc = names_add(s, info.path, info.path_len);
  }
  arc_reader_close(&rd);
  close(dirfd);
  free(copy);
  if(s->gone)
    return LETHE_OK;
  if(rc)
    return err_set(err, rc, "%s: %s", rel, aerr.msg[0] ? aerr.msg : lethe_strerror(rc));
  qsort(s->v, s->n, sizeof(*s->v), by_name);
  return LETHE_OK;
}

static enum source_presence lookup(const struct names *s, const char *entry)
{
  const char *key = entry;
  if(s->gone)
    return SOURCE_GONE;
  return bsearch(&key, s->v, s->n, sizeof(*s->v), by_name) ? SOURCE_PRESENT : SOURCE_GONE;
}

lethe_rc source_archive_presence(const struct rule *r, const char *const *identities,
                                 const char *const *paths, size_t n,
                                 enum source_presence *out, struct lethe_err *err)
{
  struct dynbuf archive, entry, last;
  struct names names = { 0 };
  lethe_rc rc = LETHE_OK;
  int rootfd = walk_open_root(r->root, err);
  (void)identities;
  if(rootfd < 0)
    return err->rc;
  db_init(&archive, 4 * 1024 * 1024);
  db_init(&entry, 4 * 1024 * 1024);
  db_init(&last, 4 * 1024 * 1024);
  for(size_t i = 0; i < n && !rc; i++) {
    out[i] = SOURCE_MALFORMED;
    if(!paths[i] || source_archive_split(paths[i], &archive, &entry))
      continue;
    if(!last.len || strcmp(db_str(&last), db_str(&archive))) {
      names_release(&names);
      db_reset(&last);
      rc = db_add(&last, archive.mem, archive.len);
      if(!rc)
        rc = read_names(rootfd, db_str(&archive), &names, err);
    }
    if(!rc)
      out[i] = lookup(&names, db_str(&entry));
  }
  names_release(&names);
  db_release(&archive);
  db_release(&entry);
  db_release(&last);
  close(rootfd);
  return rc;
}
