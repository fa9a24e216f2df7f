/* archive-then-graph-delete: before planned Microsoft 365 items are deleted
 * (exactly as graph-delete does, ../common/gdel.h), messages are archived as
 * MIME (GET .../$value) into a compressed mbox, and drive items as files
 * into a tar; each archive is fsynced and read back, and only items in a
 * verified archive are deleted. Each deleted item's certificate detail
 * names the archive and its SHA-256. An archive is written as ".partial-"
 * NAME and renamed once verified; after a crash, recovery names the archive
 * that holds each item the stopped run deleted and removes the partial ones
 * it left (../common/archive_recover.h). Calendar sources are not taken.
 *
 * Settings: archive-path (required: an absolute path to an existing
 * directory, not group- or world-writable, ours), archive-format (mail:
 * mbox.gz by default, mbox.zst, mbox.xz, tar.gz, tar.zst, tar.xz; drive
 * items: tar.gz by default, tar.zst, tar.xz), and graph-delete's: method
 * and the source settings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "atgd.h"
#include "archive_dir.h"
#include "archive_recover.h"
#include "lethe/plugin.h"

static const char *const own[] = { "archive-path", "archive-format", NULL };
static const char *const settings[] = { "credentials", "cloud", "graph-endpoint",
                                        "login-endpoint", "ca-file", "hold-category", "items",
                                        "method", "archive-path", "archive-format", NULL };

static lethe_rc read_own(struct atgd_state *st, const struct lethe_rule_info *rule,
                         struct lethe_err *err)
{
  bool drive = st->s.cfg.src.kind == GRAPH_DRIVE;
  const char *path = NULL;
  if(st->s.cfg.src.kind == GRAPH_CALENDAR)
    return err_set(err, LETHE_E_CONFIG, "archive-then-graph-delete archives messages and drive "
                   "items; a calendar source takes graph-delete");
  st->fmt = mbox_format_find(drive ? "tar.gz" : "mbox.gz");
  for(size_t i = 0; i < rule->n_settings; i++) {
    const struct lethe_setting *s = &rule->settings[i];
    if(!strcmp(s->key, "archive-path"))
      path = s->value;
    else if(!strcmp(s->key, "archive-format") &&
            (!(st->fmt = mbox_format_find(s->value)) || (drive && !st->fmt->tar)))
      return err_set(err, LETHE_E_CONFIG, "setting 'archive-format': expected %s, got '%.40s'",
                     drive ? "tar.gz, tar.zst or tar.xz" : "mbox.gz, mbox.zst, mbox.xz, tar.gz, "
                     "tar.zst or tar.xz", s->value);
  }
  if(!path)
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-path' is required");
  if(LETHE_HAS_MEMBER(rule, run_id) && rule->run_id)
    snprintf(st->run_id, sizeof(st->run_id), "%s", rule->run_id);
  if(archive_dir_open(path, ATGD_PATH_MAX, &st->dirfd, &st->dir, err))
    return err->rc;
  return mbox_format_check(st->fmt, err);
}

/* ---- shared by the hooks --------------------------------------------------------- */

void atgd_batch(struct atgd_state *st, const struct gdel_target *t, size_t n,
                const struct lethe_item *const *items)
{
  st->first = UINT64_MAX;
  st->last = 0;
  for(size_t i = 0; items && i < n; i++) {
    const struct lethe_item *it = items[t[i].item];
    uint64_t seq = LETHE_HAS_MEMBER(it, seq) ? it->seq : 0;
    if(!t[i].chosen)
      continue;
    st->first = seq < st->first ? seq : st->first;
    st->last = seq > st->last ? seq : st->last;
  }
  if(st->first == UINT64_MAX)
    st->first = 0;
}

lethe_rc atgd_create(struct atgd_state *st, int *fd, struct lethe_err *err)
{
  char stamp[32], tag[48];
  unsigned char rnd[3];
  time_t now = time(NULL);
  struct tm tm;
  *fd = -1;
  for(int attempt = 0; attempt < 8; attempt++, now++) {
    if(!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
      return err_set(err, LETHE_E_IO, "cannot name the archive");
    if(!archive_batch_tag(tag, sizeof(tag), st->run_id, st->first, st->last)) {
      if(RAND_bytes(rnd, sizeof(rnd)) != 1)
        return err_set(err, LETHE_E_IO, "cannot name the archive");
      snprintf(tag, sizeof(tag), "%02x%02x%02x", rnd[0], rnd[1], rnd[2]);
    }
    snprintf(st->name, sizeof(st->name), "%s-%s-%s-%s.%s", st->rule, st->where, stamp, tag,
             st->fmt->name);
    snprintf(st->partial, sizeof(st->partial), ".partial-%s", st->name);
    *fd = openat(st->dirfd, st->partial, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0600);
    if(*fd >= 0 || errno != EEXIST)
      break;
  }
  if(*fd < 0)
    return err_sys(err, LETHE_E_IO, "cannot create an archive in '%s'", st->dir);
  snprintf(st->path, sizeof(st->path), "%s/%s", st->dir, st->name);
  return LETHE_OK;
}

lethe_rc atgd_commit(struct atgd_state *st, struct lethe_err *err)
{
  if(renameat2(st->dirfd, st->partial, st->dirfd, st->name, RENAME_NOREPLACE))
    return err_sys(err, LETHE_E_IO, "cannot name the verified archive '%s'", st->name);
  if(fsync(st->dirfd))
    return err_sys(err, LETHE_E_IO, "cannot fsync '%s'", st->dir);
  return LETHE_OK;
}

void atgd_discard(struct atgd_state *st)
{
  (void)unlinkat(st->dirfd, st->partial, 0);
  (void)fsync(st->dirfd);
}

void atgd_refuse(struct gdel_target *t, size_t n, struct lethe_outcome *const *outs,
                 const char *why)
{
  for(size_t i = 0; i < n; i++) {
    if(!t[i].chosen)
      continue;
    t[i].chosen = false;
    gdel_outcome(outs[t[i].item], LETHE_RESULT_FAILED, "not archived, so not deleted: %.900s",
                 why);
  }
}

void atgd_archived(struct atgd_state *st, struct gdel_target *t, size_t n, const char *hex)
{
  for(size_t i = 0; i < n; i++) {
    if(!t[i].chosen)
      continue;
    t[i].archive = st->path;
    snprintf(t[i].archive_sha256, sizeof(t[i].archive_sha256), "%s", hex);
  }
}

/* ---- the plugin -------------------------------------------------------------------- */

static void state_free(struct atgd_state *st)
{
  gdel_close(&st->s);
  if(st->dirfd >= 0)
    close(st->dirfd);
  free(st->dir);
  free(st);
}

static lethe_rc configure(struct atgd_state *st, const struct lethe_rule_info *rule,
                          size_t *bad, struct lethe_err *err)
{
  lethe_rc rc = gdel_config_read(&st->s.cfg, rule, own, bad, err);
  return rc ? rc : read_own(st, rule, err);
}

static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct atgd_state *st = calloc(1, sizeof(*st));
  struct lethe_err err = { 0 };
  lethe_rc rc;
  if(!st)
    return LETHE_E_NOMEM;
  st->dirfd = -1;
  rc = configure(st, rule, setting, &err);
  if(rc)
    snprintf(errbuf, errlen, "%s", err.msg);
  state_free(st);
  return rc ? LETHE_E_CONFIG : LETHE_OK;
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct atgd_state *st = calloc(1, sizeof(*st));
  struct lethe_err err = { 0 };
  lethe_rc rc;
  if(!st) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  st->dirfd = -1;
  rc = configure(st, rule, NULL, &err);
  if(!rc)
    rc = gdel_open(&st->s, &err);
  if(rc) {
    snprintf(errbuf, errlen, "%s", err.msg);
    state_free(st);
    return rc;
  }
  archive_name_part(st->rule, rule->name ? rule->name : "rule", 64);
  archive_name_part(st->where, st->s.cfg.src.n_parts ? st->s.cfg.src.parts[st->s.cfg.src.n_parts - 1]
                                            : "drive", 64);
  st->s.archive = st->s.cfg.src.kind == GRAPH_DRIVE ? atgd_drive : atgd_mail;
  snprintf(st->method, sizeof(st->method), "each %s archived into %s archives in %s, fsynced "
           "and read back, then %s", st->s.cfg.src.kind == GRAPH_DRIVE ? "file (its content)"
           : "message (its MIME text, GET .../$value)", st->fmt->name, st->dir,
           gdel_method_text(&st->s));
  st->s.archive_ctx = st;
  *state = st;
  return LETHE_OK;
}

static lethe_rc delete_batch(void *state, const struct lethe_item *const *items, size_t n,
                             struct lethe_outcome *const *outs)
{
  struct atgd_state *st = state;
  return gdel_delete_batch(&st->s, items, n, outs);
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  return delete_batch(state, &item, 1, &out);
}

static const char *rule_method(void *state)
{
  struct atgd_state *st = state;
  return st->method;
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  if(state)
    state_free(state);
  return LETHE_OK;
}

/* After a crash: the item's Graph id, and the verified archive that holds
 * it when the stopped run deleted it; the unverified archives it left go. */
static lethe_rc recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                               struct lethe_outcome *out)
{
  lethe_rc rc = gdel_recover_detail(rule, item, out);
  return rc ? rc : archive_recover_detail(rule, "archive-path", "archive_sha256", item, out);
}

static lethe_rc recover_clean(const struct lethe_rule_info *rule)
{
  return archive_recover_clean(rule, "archive-path");
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "archive-then-graph-delete",
  .version = "1.0",
  .stores = LETHE_STORE_GRAPH,
  .method = "each message archived (MIME, GET .../$value) into a compressed mbox, each drive "
            "item (its content) into a tar, fsynced and read back, then deleted as graph-delete "
            "does",
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
