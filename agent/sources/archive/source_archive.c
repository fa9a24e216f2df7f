#include "source_archive.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arc_reader.h"
#include "fileops.h"
#include "glob.h"
#include "source_file.h"
#include "uri.h"
#include "walk.h"

/* Bounds: an archive's listing is held whole before any entry is yielded
 * (a corrupt archive must not be half-judged). */
#define ENTRIES_MAX (4u * 1024 * 1024)
#define LISTING_BYTES_MAX ((size_t)512 * 1024 * 1024)

struct entry {
  char *path;               /* raw bytes, no trailing '/' */
  size_t len;
  bool dir;
  int64_t size;
  int64_t mtime;
};

struct listing {
  struct entry *v;
  size_t n, cap, bytes;
};

struct arscan {
  const struct rule *r;
  item_sink sink;
  void *ctx;
  struct scan_stats *stats;
  const char *root_held;
  struct dynbuf subject;    /* an entry's path with '/' appended, to find its subject */
};

/* ---- the patterns ------------------------------------------------------------------ */

static bool is_container(const struct rule *r, const char *rel, size_t len)
{
  for(size_t i = 0; i < r->n_settings; i++)
    if(!strcmp(r->settings[i].key, "inside") && glob_match(r->settings[i].value, rel, len))
      return true;
  return false;
}

static bool may_hold_container(const struct rule *r, const char *rel, size_t len)
{
  for(size_t i = 0; i < r->n_settings; i++)
    if(!strcmp(r->settings[i].key, "inside") &&
       glob_could_match_below(r->settings[i].value, rel, len))
      return true;
  return false;
}

/* ---- reading an archive whole -------------------------------------------------------- */

static void listing_release(struct listing *l)
{
  for(size_t i = 0; i < l->n; i++)
    free(l->v[i].path);
  free(l->v);
  memset(l, 0, sizeof(*l));
}

static lethe_rc listing_add(struct listing *l, const struct arc_entry_info *info,
                            struct arc_err *err)
{
  size_t len = info->path_len;
  while(len > 1 && info->path[len - 1] == '/')
    len--;
  if(l->n == ENTRIES_MAX || l->bytes + len > LISTING_BYTES_MAX)
    return arc_err_set(err, LETHE_E_RANGE, "more than %u entries or %zu bytes of names",
                       ENTRIES_MAX, LISTING_BYTES_MAX);
  if(l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    struct entry *v = realloc(l->v, cap * sizeof(*v));
    if(!v)
      return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n].path = strndup(info->path, len);
  if(!l->v[l->n].path)
    return arc_err_set(err, LETHE_E_NOMEM, "out of memory");
  l->v[l->n].len = len;
  l->v[l->n].dir = info->type == ARC_T_DIR;
  l->v[l->n].size = info->size_known ? info->size : 0;
  l->v[l->n].mtime = info->mtime;
  l->bytes += len;
  l->n++;
  return LETHE_OK;
}

/* Every entry of the archive name in dirfd, and its identity; reading it
 * to its end is the only proof that the listing is whole. */
static lethe_rc read_listing(int dirfd, const char *name, struct listing *l, struct arc_id *id,
                             struct arc_err *err)
{
  struct arc_reader rd;
  struct archive_entry *e;
  lethe_rc rc = arc_reader_open(&rd, dirfd, name, false, err);
  while(!rc) {
    struct arc_entry_info info;
    rc = arc_reader_next(&rd, &e, err);
    if(rc || !e)
      break;
    arc_entry_info_get(e, &info);
    rc = listing_add(l, &info, err);
  }
  if(!rc)
    *id = rd.id;
  arc_reader_close(&rd);
  return rc;
}

/* ---- yielding entries ------------------------------------------------------------------- */

static void identity_text(const struct arc_id *id, const struct entry *en, char *out, size_t n)
{
  struct lethe_file_identity fid = { .dev = id->dev, .ino = id->ino, .size = id->size,
                                     .mtime_ns = id->mtime_ns, .ctime_ns = id->ctime_ns,
                                     .nlink = id->nlink };
  char file[FILE_ID_TEXT_LEN];
  int len;
  file_id_format(&fid, file);
  len = snprintf(out, n, "%.*s entry_size=%" PRId64 " entry_mtime=%" PRId64,
                 (int)(n > 64 ? n - 64 : 0), file, en->size, en->mtime);
  if(len < 0 || (size_t)len >= n)
    out[0] = '\0'; /* cannot happen with ITEM_IDENTITY_LEN; an empty identity is refused */
}

/* The entry's subject; a directory entry belongs to the subject it names. */
static bool entry_subject(struct arscan *s, const struct entry *en, size_t *sublen)
{
  db_reset(&s->subject);
  if(db_add(&s->subject, en->path, en->len) || db_add(&s->subject, "/", 1))
    return false;
  return source_path_subject(s->r, s->subject.mem, en->dir ? s->subject.len : en->len, sublen);
}

static unsigned depth_of(const struct entry *en)
{
  unsigned d = 1;
  for(size_t i = 0; i < en->len; i++)
    d += en->path[i] == '/';
  return d;
}

static lethe_rc yield_entry(struct arscan *s, const struct walk_entry *we,
                            const struct arc_id *id, const struct entry *en)
{
  struct item it = { .store = LETHE_STORE_ARCHIVE, .kind = ITEM_ARCHIVE_ENTRY,
                     .rel = en->path, .rel_len = en->len, .container = we->rel,
                     .container_len = we->rel_len, .name = we->name,
                     .size = (uint64_t)en->size, .nlink = 1 };
  struct subject_info subj = { 0 };
  size_t sublen = 0;
  scan_stats_saw(s->stats);
  if(en->dir && s->r->subject && depth_of(en) < s->r->subject_depth)
    return LETHE_OK; /* a folder above the subjects ("Clients/"): no one's */
  if(!source_path_selected(s->r, en->path, en->len))
    return LETHE_OK;
  identity_text(id, en, it.identity, sizeof(it.identity));
  it.times[TIME_MTIME] = en->mtime;
  it.has_time[TIME_MTIME] = true;
  it.hold_dir = we->hold_dir ? we->hold_dir : s->root_held;
  if(s->r->subject) {
    if(entry_subject(s, en, &sublen)) {
      it.subject = en->path;
      it.subject_len = sublen;
    }
    else {
      it.problem = "not inside a subject folder (see the rule's 'subject')";
    }
  }
  return s->sink(s->ctx, &it, s->r->subject && it.subject ? &subj : NULL);
}

/* An archive that cannot be read to its end: one item, never judged. */
static lethe_rc yield_unreadable(struct arscan *s, const struct walk_entry *we,
                                 const struct arc_err *err)
{
  char problem[1200];
  struct item it = { .store = LETHE_STORE_FILE, .kind = ITEM_OTHER, .rel = we->rel,
                     .rel_len = we->rel_len, .name = we->name, .problem = problem };
  snprintf(problem, sizeof(problem), "cannot read the archive, so none of its entries is "
           "judged: %s", err->msg);
  scan_stats_saw(s->stats);
  return s->sink(s->ctx, &it, NULL);
}

static lethe_rc visit(void *ctx, const struct walk_entry *we)
{
  struct arscan *s = ctx;
  struct listing l = { 0 };
  struct arc_err err = { 0 };
  struct arc_id id = { 0 };
  lethe_rc rc;
  if(we->type != WALK_FILE || !is_container(s->r, we->rel, we->rel_len))
    return LETHE_OK;
  rc = read_listing(we->dirfd, we->name, &l, &id, &err);
  if(rc == LETHE_E_NOMEM) {
    listing_release(&l);
    return rc;
  }
  if(rc)
    rc = yield_unreadable(s, we, &err);
  for(size_t i = 0; !rc && err.rc == LETHE_OK && i < l.n; i++)
    rc = yield_entry(s, we, &id, &l.v[i]);
  listing_release(&l);
  return rc;
}

static bool enter(void *ctx, const struct walk_entry *we)
{
  struct arscan *s = ctx;
  return may_hold_container(s->r, we->rel, we->rel_len);
}

static lethe_rc refused(void *ctx, const struct walk_entry *we, enum walk_refusal why,
                        const char *msg)
{
  struct arscan *s = ctx;
  struct item it = { .store = LETHE_STORE_FILE, .kind = ITEM_DIRECTORY, .rel = we->rel,
                     .rel_len = we->rel_len, .name = we->name, .problem = msg };
  (void)why;
  return s->sink(s->ctx, &it, NULL);
}

static lethe_rc archive_scan(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                             struct scan_stats *stats, struct lethe_err *err)
{
  static const struct walk_ops ops = { .visit = visit, .enter = enter, .refused = refused };
  struct arscan s = { .r = r, .sink = sink, .ctx = ctx, .stats = stats };
  lethe_rc rc;
  int fd;
  (void)now;
  if(walk_ancestor_held(r->root))
    s.root_held = "a directory above the source";
  fd = walk_open_root(r->root, err);
  if(fd < 0)
    return err->rc;
  db_init(&s.subject, 4 * 1024 * 1024);
  rc = walk_tree(fd, "", NULL, &ops, &s, err);
  db_release(&s.subject);
  close(fd);
  return rc;
}

/* ---- the rule, URIs, identities ------------------------------------------------------ */

static void archive_finish_rule(struct rule *r, struct diag *d)
{
  struct lethe_err err;
  source_file_root(r, d);
  for(size_t i = 0; i < r->n_settings; i++)
    if(!strcmp(r->settings[i].key, "inside") && glob_check(r->settings[i].value, &err))
      diag_error(d, r->file, r->setting_lines[i], "inside: %s", err.msg);
  if(r->clock == CLOCK_NEWEST)
    diag_error(d, r->file, r->line, "[rule %s]: clock 'newest' does not apply to entries "
               "inside archives", r->name);
}

/* file://ROOT/ARCHIVE#ENTRY: raw for hold patterns, encoded for reports. */
static lethe_rc archive_uris(const struct rule *r, const struct item *it, struct dynbuf *raw,
                             struct dynbuf *encoded, size_t *path_off)
{
  size_t n = strlen(r->root) == 1 ? 0 : strlen(r->root);
  const char *file = it->container ? it->container : it->rel;
  size_t file_len = it->container ? it->container_len : it->rel_len;
  lethe_rc rc;
  db_reset(raw);
  db_reset(encoded);
  rc = db_adds(raw, "file://");
  if(!rc)
    rc = db_add(raw, r->root, n);
  if(!rc)
    rc = db_adds(raw, "/");
  if(!rc)
    rc = db_add(raw, file, file_len);
  if(!rc && it->container)
    rc = db_adds(raw, "#");
  if(!rc && it->container)
    rc = db_add(raw, it->rel, it->rel_len);
  if(!rc)
    rc = db_adds(encoded, "file://");
  if(!rc)
    rc = uri_encode_path(r->root, n, encoded);
  if(!rc)
    rc = db_adds(encoded, "/");
  *path_off = encoded->len;
  if(!rc)
    rc = uri_encode_path(file, file_len, encoded);
  if(!rc && it->container)
    rc = db_adds(encoded, "#");
  if(!rc && it->container)
    rc = uri_encode_path(it->rel, it->rel_len, encoded);
  return rc;
}

static lethe_rc archive_identity(const char *text, struct lethe_identity *out)
{
  struct lethe_archive_identity *a = &out->archive;
  int used = 0;
  if(sscanf(text, "dev=%" SCNu64 " ino=%" SCNu64 " size=%" SCNu64 " mtime_ns=%" SCNd64
            " ctime_ns=%" SCNd64 " nlink=%" SCNu32 " entry_size=%" SCNd64 " entry_mtime=%"
            SCNd64 "%n", &a->archive.dev, &a->archive.ino, &a->archive.size,
            &a->archive.mtime_ns, &a->archive.ctime_ns, &a->archive.nlink, &a->entry_size,
            &a->entry_mtime, &used) != 8 || text[used])
    return LETHE_E_PARSE;
  return LETHE_OK;
}

lethe_rc source_archive_split(const char *path, struct dynbuf *archive, struct dynbuf *entry)
{
  const char *hash = strchr(path, '#');
  struct dynbuf enc;
  lethe_rc rc;
  if(!hash || hash == path || !hash[1])
    return LETHE_E_PARSE;
  db_init(&enc, 4 * 1024 * 1024);
  rc = db_add(&enc, path, (size_t)(hash - path));
  db_reset(archive);
  db_reset(entry);
  if(!rc)
    rc = uri_decode(db_str(&enc), archive);
  if(!rc)
    rc = uri_decode(hash + 1, entry);
  db_release(&enc);
  return rc;
}

static const char *const archive_schemes[] = { "file://", NULL };
static const char *const archive_keys[] = { "inside", NULL };

const struct source_ops source_archive_ops = {
  .name = "archive",
  .schemes = archive_schemes,
  .claim_key = "inside",
  .store = LETHE_STORE_ARCHIVE,
  .clocks = SOURCE_CLOCK(CLOCK_MTIME) | SOURCE_CLOCK(CLOCK_NAME) | SOURCE_CLOCK(CLOCK_DELETED),
  .default_clock = CLOCK_MTIME,
  .keys = archive_keys,
  .local = true,
  .finish_rule = archive_finish_rule,
  .check = source_file_check,
  .scan = archive_scan,
  .uris = archive_uris,
  .identity = archive_identity,
  .presence = source_archive_presence,
};
