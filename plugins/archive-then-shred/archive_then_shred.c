/* archive-then-shred: write a batch of files into a new archive, read the
 * archive back and check every entry, and only then shred the originals.
 * If writing or verification fails nothing is deleted and the partial
 * archive is removed.
 *
 * Settings: archive-dir (required: an absolute path to an existing
 * directory, not group- or world-writable), archive-format (tar.zst, tar.gz,
 * tar.xz or zip; default tar.zst), and the shred plugin's passes, zero-pass
 * and verify. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "ats_config.h"
#include "archive_recover.h"

#define SUBJECT_PART_MAX 100
#define NAME_ATTEMPTS 8

/* Where each item of a batch stands. */
enum item_state {
  ITEM_PENDING = 0,          /* not looked at yet */
  ITEM_REFUSED,              /* changed or unsafe: outcome written, never touched */
  ITEM_ARCHIVED,             /* written into the archive */
};

struct batch {
  struct ats_config *st;
  const struct lethe_item *const *items;
  size_t n;
  struct lethe_outcome *const *outs;
  enum item_state *state;
  struct ats_entry *ents;    /* entries written, in order */
  size_t n_ents;
  struct ats_writer w;
  int afd;                   /* the archive being written, or -1 */
  struct stat ast;           /* its dev and ino, to remove only our own file */
  char name[320];            /* its name in archive-dir, once verified */
  char partial[330];         /* its name while written: ".partial-" + name */
  bool sealed;               /* renamed to name */
  char detail[1024];         /* for files overwritten */
  char unlink_detail[1024];  /* for symlinks and multiply-linked files */
};

/* snprintf that may truncate on purpose (outcome fields are fixed-size). */
static void put(char *dst, size_t cap, const char *fmt, ...) PRINTF(3, 4);

static void put(char *dst, size_t cap, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, cap, fmt, ap);
  va_end(ap);
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct lethe_err err = { 0 };
  struct ats_config *st = malloc(sizeof(*st));
  size_t bad;
  *state = NULL;
  if(!st) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  if(ats_config_init(st, rule, &bad, &err)) {
    snprintf(errbuf, errlen, "%s", err.msg);
    ats_config_release(st);
    free(st);
    return err.rc;
  }
  *state = st;
  return LETHE_OK;
}

/* The settings as open would take them; opening archive-dir to look at it
 * touches nothing. */
static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct lethe_err err = { 0 };
  struct ats_config st;
  lethe_rc rc = ats_config_init(&st, rule, setting, &err);
  ats_config_release(&st);
  if(rc)
    snprintf(errbuf, errlen, "%s", err.msg);
  return rc ? LETHE_E_CONFIG : LETHE_OK;
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  if(state)
    ats_config_release(state);
  free(state);
  return LETHE_OK;
}

static const char *rule_method(void *state)
{
  return ((struct ats_config *)state)->method;
}

/* ---- the archive file --------------------------------------------------- */

/* The batch's tag: "RUN8-FIRST-LAST" (archive_recover.h), so that recovery
 * after a crash can tell which archive holds which journalled items; 6
 * random hex digits when the host gave no run id. */
static lethe_rc batch_tag(struct batch *b, char *tag, size_t n, struct lethe_err *err)
{
  unsigned char rnd[3];
  if(b->n && archive_batch_tag(tag, n, b->st->run_id, b->items[0]->seq, b->items[b->n - 1]->seq))
    return LETHE_OK;
  if(RAND_bytes(rnd, sizeof(rnd)) != 1)
    return err_set(err, LETHE_E_IO, "RAND_bytes failed");
  snprintf(tag, n, "%02x%02x%02x", rnd[0], rnd[1], rnd[2]);
  return LETHE_OK;
}

/* <rule>-<subject or "items">-<UTC YYYYmmddTHHMMSSZ>-<RUN8>-<SEQ>.<ext>; it is
 * written as ".partial-" + that name and renamed only once verified, so an
 * archive under its final name is always complete. */
static lethe_rc make_name(struct batch *b, struct lethe_err *err)
{
  char subject[SUBJECT_PART_MAX + 1], stamp[32], tag[40];
  time_t now = time(NULL);
  struct tm tm;
  const char *subj = b->n ? b->items[0]->subject : NULL;

  ats_sanitise(subject, subj && *subj ? subj : "items", SUBJECT_PART_MAX);
  if(!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
    return err_set(err, LETHE_E_IO, "cannot format the time");
  if(batch_tag(b, tag, sizeof(tag), err))
    return err->rc;
  snprintf(b->name, sizeof(b->name), "%s-%s-%s-%s.%s", b->st->rule, subject, stamp, tag,
           b->st->fmt->name);
  snprintf(b->partial, sizeof(b->partial), ".partial-%s", b->name);
  return LETHE_OK;
}

/* Create the archive file (a new name, never an existing file) and start
 * writing it. */
static lethe_rc start_archive(struct batch *b, struct lethe_err *err)
{
  for(int attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
    if(make_name(b, err))
      return err->rc;
    b->afd = openat(b->st->dirfd, b->partial,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if(b->afd >= 0 || errno != EEXIST)
      break;
  }
  if(b->afd < 0)
    return err_sys(err, LETHE_E_IO, "cannot create an archive in '%s'", b->st->dir);
  if(fstat(b->afd, &b->ast))
    return err_sys(err, LETHE_E_IO, "cannot stat the new archive '%s'", b->name);
  return ats_writer_open(&b->w, b->afd, b->st->fmt, err);
}

/* Remove the archive we created, and only that. */
static void remove_archive(struct batch *b)
{
  struct stat sb;
  ats_writer_abort(&b->w);
  if(b->afd < 0)
    return;
  close(b->afd);
  b->afd = -1;
  const char *name = b->sealed ? b->name : b->partial;
  if(!fstatat(b->st->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) && sb.st_dev == b->ast.st_dev &&
     sb.st_ino == b->ast.st_ino) {
    (void)unlinkat(b->st->dirfd, name, 0);
    (void)fsync(b->st->dirfd);
  }
}

/* ---- the batch ---------------------------------------------------------- */

static lethe_rc read_target(const struct lethe_item *item, const struct shred_file *sf,
                            struct ats_entry *e, struct lethe_err *err)
{
  size_t cap = (size_t)sf->id.size + 1;
  ssize_t r;
  e->target = malloc(cap);
  if(!e->target)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  r = readlinkat(item->dirfd, item->name, e->target, cap);
  if(r < 0)
    return err_sys(err, LETHE_E_IO, "cannot read symlink '%s'", item->path);
  if((size_t)r != cap - 1)
    return err_set(err, LETHE_E_CHANGED, "symlink '%s' changed while archived", item->path);
  e->target[r] = '\0';
  return LETHE_OK;
}

/* Add one opened item to the archive. */
static lethe_rc add_item(struct batch *b, size_t i, struct shred_file *sf,
                         struct lethe_err *err)
{
  const struct lethe_item *item = b->items[i];
  struct ats_entry *e = &b->ents[b->n_ents];
  lethe_rc rc;
  if(b->afd < 0 && start_archive(b, err))
    return err->rc;
  e->path = item->path && *item->path ? item->path : item->name;
  e->item = i;
  e->symlink = sf->symlink;
  e->size = sf->id.size;
  b->n_ents++;
  if(sf->symlink) {
    rc = read_target(item, sf, e, err);
    if(!rc)
      rc = ats_writer_add_symlink(&b->w, e, sf->mode, sf->id.mtime_ns, err);
  }
  else {
    rc = ats_writer_add_file(&b->w, e, sf->fd, sf->mode, sf->id.mtime_ns, err);
  }
  return rc;
}

/* Look at every item first, so that one changed since planning is reported
 * SKIPPED whatever becomes of the archive. */
static void refuse_changed(struct batch *b)
{
  for(size_t i = 0; i < b->n; i++) {
    struct shred_file sf;
    struct lethe_err ierr = { 0 };
    lethe_rc rc = shred_open(b->items[i], &sf, &ierr);
    shred_file_release(&sf);
    if(rc) {
      shred_refusal(rc, &ierr, b->outs[i]);
      b->state[i] = ITEM_REFUSED;
    }
  }
}

/* Open every item like shred does and write those still as planned. */
static lethe_rc write_items(struct batch *b, struct lethe_err *err)
{
  refuse_changed(b);
  for(size_t i = 0; i < b->n; i++) {
    struct shred_file sf;
    struct lethe_err ierr = { 0 };
    lethe_rc rc;
    if(b->state[i] == ITEM_REFUSED)
      continue;
    rc = shred_open(b->items[i], &sf, &ierr);
    if(rc) {
      shred_refusal(rc, &ierr, b->outs[i]);
      b->state[i] = ITEM_REFUSED;
      continue;
    }
    rc = add_item(b, i, &sf, err);
    shred_file_release(&sf);
    if(rc)
      return rc;
    b->state[i] = ITEM_ARCHIVED;
  }
  return LETHE_OK;
}

/* Finish, fsync the archive and its directory, then read it back. */
static lethe_rc seal_and_verify(struct batch *b, unsigned char whole[ATS_SHA256_LEN],
                                struct lethe_err *err)
{
  struct stat sb;
  int rfd;
  lethe_rc rc = ats_writer_close(&b->w, err);
  if(rc)
    return rc;
  if(fsync(b->afd))
    return err_sys(err, LETHE_E_IO, "cannot fsync the archive '%s'", b->name);
  if(fsync(b->st->dirfd))
    return err_sys(err, LETHE_E_IO, "cannot fsync the archive directory '%s'", b->st->dir);
  rfd = openat(b->st->dirfd, b->partial, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if(rfd < 0)
    return err_sys(err, LETHE_E_IO, "cannot reopen the archive '%s'", b->partial);
  if(fstat(rfd, &sb) || sb.st_dev != b->ast.st_dev || sb.st_ino != b->ast.st_ino)
    rc = err_set(err, LETHE_E_UNSAFE, "the archive '%s' was replaced", b->partial);
  else
    rc = ats_verify(rfd, b->st->fmt, b->ents, b->n_ents, whole, err);
  close(rfd);
  if(rc)
    return rc;
  /* Verified: only now does it get its name, before any original goes. */
  if(renameat2(b->st->dirfd, b->partial, b->st->dirfd, b->name, RENAME_NOREPLACE))
    return err_sys(err, LETHE_E_IO, "cannot name the verified archive '%s'", b->name);
  b->sealed = true;
  if(fsync(b->st->dirfd))
    return err_sys(err, LETHE_E_IO, "cannot fsync the archive directory '%s'", b->st->dir);
  return LETHE_OK;
}

/* JSON string body of s (quotes and backslashes escaped, control bytes as
 * \u00XX) into out; false when it does not fit. */
static bool json_escape(const char *s, char *out, size_t cap)
{
  size_t n = 0;
  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char tmp[8];
    size_t k;
    if(c == '"' || c == '\\')
      k = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
    else if(c < 0x20 || c == 0x7f)
      k = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", c);
    else
      k = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
    if(n + k >= cap)
      return false;
    memcpy(out + n, tmp, k);
    n += k;
  }
  out[n] = '\0';
  return true;
}

static void make_detail(struct batch *b, const unsigned char whole[ATS_SHA256_LEN])
{
  char path[ATS_DIR_MAX + 340], esc[sizeof(path)], hex[2 * ATS_SHA256_LEN + 1];
  snprintf(path, sizeof(path), "%s/%s", b->st->dir, b->name);
  ats_hex(whole, hex);
  if(!json_escape(path, esc, sizeof(esc)))
    snprintf(esc, sizeof(esc), "(path too long)");
  put(b->detail, sizeof(b->detail), "{\"archive\":\"%s\",\"sha256\":\"%s\","
      "\"method\":\"%s\"}", esc, hex, b->st->method);
  put(b->unlink_detail, sizeof(b->unlink_detail), "{\"archive\":\"%s\",\"sha256\":\"%s\","
      "\"method\":\"%s\"}", esc, hex, b->st->unlink_method);
}

/* The archive is good: shred each original, re-checking it first. */
static void shred_archived(struct batch *b)
{
  for(size_t i = 0; i < b->n; i++) {
    struct lethe_outcome *out = b->outs[i];
    bool overwritten;
    size_t len;
    if(b->state[i] != ITEM_ARCHIVED)
      continue;
    shred_item(b->items[i], &b->st->shred, out, &overwritten);
    if(out->result != LETHE_RESULT_DELETED) {
      size_t n = strlen(out->error);
      snprintf(out->error + n, sizeof(out->error) - n, " (after archiving to %s)", b->name);
      continue;
    }
    snprintf(out->detail, sizeof(out->detail), "%s",
             overwritten ? b->detail : b->unlink_detail);
    len = strlen(out->level_reason);
    snprintf(out->level_reason + len, sizeof(out->level_reason) - len,
             "%sa verified copy is kept in the archive", len ? "; " : "");
  }
}

/* Writing or verification failed: delete nothing. */
static void fail_all(struct batch *b, const struct lethe_err *err)
{
  remove_archive(b);
  for(size_t i = 0; i < b->n; i++) {
    struct lethe_outcome *out = b->outs[i];
    if(b->state && b->state[i] == ITEM_REFUSED)
      continue;
    out->result = LETHE_RESULT_FAILED;
    snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_NONE);
    out->level_reason[0] = '\0';
    put(out->error, sizeof(out->error), "not deleted: archiving failed (the batch's archive could "
        "not be made): %s", err->msg);
  }
}

static void batch_release(struct batch *b)
{
  ats_writer_abort(&b->w);
  if(b->afd >= 0)
    close(b->afd);
  for(size_t i = 0; i < b->n_ents; i++)
    free(b->ents[i].target);
  free(b->ents);
  free(b->state);
}

static lethe_rc delete_batch(void *state, const struct lethe_item *const *items, size_t n,
                             struct lethe_outcome *const *outs)
{
  struct batch b = { .st = state, .items = items, .n = n, .outs = outs, .afd = -1 };
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  lethe_rc rc;

  b.state = calloc(n ? n : 1, sizeof(*b.state));
  b.ents = calloc(n ? n : 1, sizeof(*b.ents));
  if(!b.state || !b.ents) {
    err_set(&err, LETHE_E_NOMEM, "out of memory");
    fail_all(&b, &err);
    batch_release(&b);
    return LETHE_OK;
  }
  rc = write_items(&b, &err);
  if(!rc && b.n_ents)
    rc = seal_and_verify(&b, whole, &err);
  if(rc) {
    fail_all(&b, &err);
  }
  else if(b.n_ents) {
    make_detail(&b, whole);
    shred_archived(&b);
  }
  batch_release(&b);
  return LETHE_OK;
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  return delete_batch(state, &item, 1, &out);
}

static const char *const settings[] = { "archive-dir", "archive-format", "passes",
                                        "zero-pass", "verify", "in-place-device", NULL };

static lethe_rc recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                               struct lethe_outcome *out)
{
  return archive_recover_detail(rule, "archive-dir", "sha256", item, out);
}

static lethe_rc recover_clean(const struct lethe_rule_info *rule)
{
  return archive_recover_clean(rule, "archive-dir");
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "archive-then-shred",
  .version = "2.0",
  .stores = LETHE_STORE_FILE,
  .method = "archived to the rule's archive-format (tar.zst by default), verified, then "
            "shredded",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .delete_batch = delete_batch,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
  .rule_method = rule_method,
  .recover_detail = recover_detail,
  .recover_clean = recover_clean,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}
