/* Hard links whose first entry is purged.
 *
 * In tar the first name of a multiply-linked file carries the data and the
 * later names are links to it. When the first name is purged but a later
 * link is kept, the kept link becomes a regular entry carrying the data, and
 * links after it point at it. The data lies earlier in the original than
 * the link that needs it: a second reader on the same file descriptor
 * (arc_reader_open_fd reads with pread, so its position is its own) walks
 * forward to it. Memory stays flat: one more reader, and one alias per
 * repaired link. */
#include "purge_internal.h"

#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_locale.h"

/* Links to links are followed at most this deep. */
#define LINK_DEPTH 8

void purge_links_init(struct purge_links *l, int fd, const char *label)
{
  memset(l, 0, sizeof(*l));
  l->fd = fd;
  l->label = label;
}

void purge_links_release(struct purge_links *l)
{
  if(l->side_open)
    arc_reader_close(&l->side);
  for(size_t i = 0; i < l->n; i++) {
    free(l->v[i].from);
    free(l->v[i].to);
  }
  free(l->v);
  memset(l, 0, sizeof(*l));
}

static lethe_rc add_alias(struct purge_links *l, const char *from, const char *to)
{
  struct purge_alias *a;
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    struct purge_alias *v = realloc(l->v, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    l->v = v;
    l->cap = cap;
  }
  a = &l->v[l->n];
  a->from = strdup(from);
  a->to = strdup(to);
  if(!a->from || !a->to) {
    free(a->from);
    free(a->to);
    return LETHE_E_NOMEM;
  }
  l->n++;
  return LETHE_OK;
}

static const char *alias_of(struct purge_links *l, const char *name)
{
  for(size_t i = 0; i < l->n; i++)
    if(!strcmp(l->v[i].from, name))
      return l->v[i].to;
  return NULL;
}

static lethe_rc side_restart(struct purge_links *l, struct arc_err *err)
{
  if(l->side_open)
    arc_reader_close(&l->side);
  l->side_open = false;
  if(arc_reader_open_fd(&l->side, l->fd, l->label, false, err))
    return err->rc;
  l->side_open = true;
  return LETHE_OK;
}

/* Move the side reader to the entry called name (from where it is, then
 * once more from the start). */
static lethe_rc side_find(struct purge_links *l, const char *name, struct archive_entry **out,
                          struct arc_err *err)
{
  char q[ARC_QUOTE_MAX];
  lethe_rc rc;
  for(int pass = 0; pass < 2; pass++) {
    struct archive_entry *e;
    if(!l->side_open || pass == 1) {
      rc = side_restart(l, err);
      if(rc)
        return rc;
    }
    for(;;) {
      rc = arc_reader_next(&l->side, &e, err);
      if(rc)
        return rc;
      if(!e)
        break;
      if(!strcmp(archive_entry_pathname(e), name)) {
        *out = e;
        return LETHE_OK;
      }
    }
  }
  return arc_err_set(err, LETHE_E_PARSE, "%s: hard link target '%s' is not in the archive",
                     l->label, arc_quote(name, strlen(name), q));
}

/* Turn e into a regular entry with the size and sparse map of the entry that
 * carries the data. */
static void take_over(struct archive_entry *e, struct archive_entry *data)
{
  la_int64_t off, len;
  archive_entry_set_hardlink(e, NULL);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_size(e, archive_entry_size(data));
  archive_entry_sparse_clear(e);
  if(archive_entry_sparse_reset(data) > 0)
    while(archive_entry_sparse_next(data, &off, &len) == ARCHIVE_OK)
      archive_entry_sparse_add_entry(e, off, len);
}

lethe_rc purge_links_fix(struct purge_links *l, struct purge_set *set,
                         struct archive_entry *e, struct arc_reader **carrier,
                         struct arc_err *err)
{
  char name[4096];
  const char *target = archive_entry_hardlink(e);
  const char *to;
  struct archive_entry *data = NULL;
  lethe_rc rc;
  *carrier = NULL;
  if(!target)
    return LETHE_OK;
  to = alias_of(l, target);
  if(to) {
    archive_entry_copy_hardlink(e, to);
    return LETHE_OK;
  }
  if(!purge_set_match(set, target, strlen(target)))
    return LETHE_OK;
  if(strlen(target) >= sizeof(name))
    return arc_err_set(err, LETHE_E_RANGE, "%s: hard link target too long", l->label);
  strcpy(name, target);
  for(int depth = 0;; depth++) {
    const char *next;
    char q[ARC_QUOTE_MAX];
    void *loc = arc_locale_enter();
    rc = side_find(l, name, &data, err);
    arc_locale_leave(loc);
    if(rc)
      return rc;
    next = archive_entry_hardlink(data);
    if(!next)
      break;
    if(depth == LINK_DEPTH || strlen(next) >= sizeof(name))
      return arc_err_set(err, LETHE_E_PARSE, "%s: hard links to '%s' go too deep", l->label,
                         arc_quote(name, strlen(name), q));
    memmove(name, next, strlen(next) + 1);
  }
  rc = add_alias(l, target, archive_entry_pathname(e));
  if(!rc && strcmp(name, target))
    rc = add_alias(l, name, archive_entry_pathname(e));
  if(rc)
    return arc_err_set(err, rc, "out of memory");
  take_over(e, data);
  *carrier = &l->side;
  return LETHE_OK;
}
