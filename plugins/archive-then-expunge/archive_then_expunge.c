/* archive-then-expunge: before planned messages are expunged (exactly as
 * the expunge plugin does, see ../common/mailbox.h), their full text is
 * fetched (BODY.PEEK: no flag changes), staged as an mbox, written as a
 * compressed archive, fsynced, read back and compared; only messages in a
 * verified archive are expunged. Each deleted message's certificate detail
 * names the archive and its SHA-256. An archive is written as ".partial-"
 * NAME and renamed once verified; after a crash, recovery names the archive
 * that holds each message the stopped run expunged and removes the partial
 * ones it left (../common/archive_recover.h).
 *
 * Settings: archive-path (required: an absolute path to an existing
 * directory, not group- or world-writable, ours), archive-format (mbox.gz by
 * default; mbox.zst, mbox.xz, tar.gz, tar.zst, tar.xz), and the mailbox
 * settings credentials, tls, hold-keyword, allow-no-uidplus. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mbox_archive.h"
#include "archive_dir.h"
#include "archive_recover.h"
#include "lethe/plugin.h"
#include "mailbox.h"

#define STAGE_MAX ((size_t)256 << 20)   /* one archive's mbox, in memory */
#define MESSAGE_MAX ((size_t)128 << 20) /* one message */
#define PATH_MAX_ 400                  /* keeps the detail JSON within 1024 bytes */

static const char *const own_settings[] = { "archive-path", "archive-format", NULL };
static const char *const settings[] = { "credentials", "tls", "hold-keyword", "allow-no-uidplus",
                                        "archive-path", "archive-format", NULL };

struct ate_state {
  struct mbx_session s;
  char *dir;
  int dirfd;
  const struct mbox_format *fmt;
  char rule[65];
  char folder[65];
  char run_id[64];            /* the host's run id: names archives for recovery */
};

/* One chunk's archive. */
struct stage {
  struct ate_state *st;
  struct dynbuf mbox;
  struct mbx_target **t;      /* staged targets, in mbox order */
  unsigned char (*sha)[MBOX_SHA256_LEN];
  bool *added;
  size_t n, cap;
  struct lethe_outcome *const *outs;
  const struct lethe_item *const *items;
  char name[256];
  char partial[270];          /* ".partial-" + name, until verified */
};

static lethe_rc read_own(struct ate_state *st, const struct lethe_rule_info *rule,
                         struct lethe_err *err)
{
  const char *path = NULL;
  st->fmt = mbox_format_find("mbox.gz");
  for(size_t i = 0; i < rule->n_settings; i++) {
    const struct lethe_setting *s = &rule->settings[i];
    if(!strcmp(s->key, "archive-path"))
      path = s->value;
    else if(!strcmp(s->key, "archive-format") && !(st->fmt = mbox_format_find(s->value)))
      return err_set(err, LETHE_E_CONFIG, "setting 'archive-format': expected mbox.gz, "
                     "mbox.zst, mbox.xz, tar.gz, tar.zst or tar.xz, got '%s'", s->value);
  }
  if(!path)
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-path' is required");
  if(LETHE_HAS_MEMBER(rule, run_id) && rule->run_id)
    snprintf(st->run_id, sizeof(st->run_id), "%s", rule->run_id);
  if(archive_dir_open(path, PATH_MAX_, &st->dirfd, &st->dir, err))
    return err->rc;
  return mbox_format_check(st->fmt, err);
}

/* ---- staging and writing a chunk's archive ---------------------------------------- */

static lethe_rc on_body(void *ctx, struct mbx_target *t, const char *body, size_t len,
                        int64_t internaldate, struct lethe_err *err)
{
  struct stage *g = ctx;
  unsigned int n = 0;
  lethe_rc rc;
  (void)err;
  if(g->n == g->cap)
    return err_set(err, LETHE_E_PROTOCOL, "the server returned a message twice");
  rc = mbox_append(&g->mbox, body, len, internaldate, &g->added[g->n]);
  if(rc == LETHE_E_RANGE) {
    t->chosen = false;
    mbx_outcome(g->outs[t->item], LETHE_RESULT_FAILED, "not archived: this run's archive is "
                "full (%zu MiB); the next run takes it", STAGE_MAX >> 20);
    return LETHE_OK;
  }
  if(rc)
    return err_set(err, rc, "%s", lethe_strerror(rc));
  EVP_Digest(body, len, g->sha[g->n], &n, EVP_sha256(), NULL);
  g->t[g->n++] = t;
  return LETHE_OK;
}

/* "RUN8-FIRST-LAST" of the staged messages' journal numbers, for recovery
 * (archive_recover.h); random hex digits when the host gave none. */
static lethe_rc batch_tag(const struct stage *g, char *tag, size_t n, struct lethe_err *err)
{
  uint64_t first = UINT64_MAX, last = 0;
  unsigned char rnd[3];
  for(size_t i = 0; g->items && i < g->n; i++) {
    const struct lethe_item *it = g->items[g->t[i]->item];
    uint64_t seq = LETHE_HAS_MEMBER(it, seq) ? it->seq : 0;
    first = seq < first ? seq : first;
    last = seq > last ? seq : last;
  }
  if(archive_batch_tag(tag, n, g->st->run_id, first == UINT64_MAX ? 0 : first, last))
    return LETHE_OK;
  if(RAND_bytes(rnd, sizeof(rnd)) != 1)
    return err_set(err, LETHE_E_IO, "cannot name the archive");
  snprintf(tag, n, "%02x%02x%02x", rnd[0], rnd[1], rnd[2]);
  return LETHE_OK;
}

/* <rule>-<folder>-<UTC stamp>-<tag>.<ext>, created as ".partial-" + that
 * name: under its own name an archive is always complete. */
static lethe_rc create_file(struct stage *g, int *fd, struct lethe_err *err)
{
  char stamp[32], tag[48];
  time_t now = time(NULL);
  struct tm tm;
  for(int attempt = 0; attempt < 8; attempt++) {
    if(!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
      return err_set(err, LETHE_E_IO, "cannot name the archive");
    if(batch_tag(g, tag, sizeof(tag), err))
      return err->rc;
    snprintf(g->name, sizeof(g->name), "%s-%s-%s-%s.%s", g->st->rule, g->st->folder, stamp,
             tag, g->st->fmt->name);
    snprintf(g->partial, sizeof(g->partial), ".partial-%s", g->name);
    *fd = openat(g->st->dirfd, g->partial, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0600);
    if(*fd >= 0 || errno != EEXIST)
      break;
    now++; /* the same batch's tag again: another second's name */
  }
  return *fd < 0 ? err_sys(err, LETHE_E_IO, "cannot create an archive in '%s'", g->st->dir)
                 : LETHE_OK;
}

/* Write, fsync and verify the staged mbox; on failure remove the file. */
static lethe_rc write_archive(struct stage *g, unsigned char whole[MBOX_SHA256_LEN],
                              struct lethe_err *err)
{
  unsigned char sha[MBOX_SHA256_LEN];
  unsigned int n = 0;
  char entry[96];
  int fd = -1;
  lethe_rc rc = mbox_verify(g->mbox.mem, g->mbox.len, g->sha[0], g->added, g->n, err);
  if(!rc)
    rc = create_file(g, &fd, err);
  if(rc)
    return rc;
  snprintf(entry, sizeof(entry), "%s.mbox", g->st->folder);
  EVP_Digest(g->mbox.mem, g->mbox.len, sha, &n, EVP_sha256(), NULL);
  rc = mbox_archive_write(fd, g->st->fmt, entry, g->mbox.mem, g->mbox.len, err);
  if(!rc)
    rc = mbox_archive_verify(fd, g->st->fmt, g->mbox.len, sha, whole, err);
  close(fd);
  if(!rc && renameat2(g->st->dirfd, g->partial, g->st->dirfd, g->name, RENAME_NOREPLACE))
    rc = err_sys(err, LETHE_E_IO, "cannot name the verified archive '%s'", g->name);
  if(!rc && fsync(g->st->dirfd))
    rc = err_sys(err, LETHE_E_IO, "cannot fsync '%s'", g->st->dir);
  if(rc) {
    (void)unlinkat(g->st->dirfd, g->partial, 0);
    (void)fsync(g->st->dirfd);
  }
  return rc;
}

static void json_detail(struct stage *g, const struct mbx_target *t, const char *hex,
                        struct lethe_outcome *o)
{
  snprintf(o->detail, sizeof(o->detail), "{\"archive\":\"%s/%s\",\"message_id_sha256\":%s%s%s,"
           "\"sha256\":\"%s\"}", g->st->dir, g->name, t->msgid_sha256[0] ? "\"" : "",
           t->msgid_sha256[0] ? t->msgid_sha256 : "null", t->msgid_sha256[0] ? "\"" : "", hex);
}

static void unchoose(struct stage *g, struct mbx_target *t, size_t n, const char *why)
{
  for(size_t i = 0; i < n; i++) {
    if(!t[i].chosen)
      continue;
    t[i].chosen = false;
    mbx_outcome(g->outs[t[i].item], LETHE_RESULT_FAILED, "not archived, so not deleted: %s",
                why);
  }
}

static lethe_rc stage_init(struct stage *g, size_t n)
{
  db_init(&g->mbox, STAGE_MAX);
  g->cap = n;
  g->t = calloc(n ? n : 1, sizeof(*g->t));
  g->sha = calloc(n ? n : 1, sizeof(*g->sha));
  g->added = calloc(n ? n : 1, sizeof(*g->added));
  return g->t && g->sha && g->added ? LETHE_OK : LETHE_E_NOMEM;
}

static void stage_release(struct stage *g)
{
  if(g->mbox.mem)
    explicit_bzero(g->mbox.mem, g->mbox.cap); /* mail text: do not leave it in freed memory */
  db_release(&g->mbox);
  free(g->t);
  free(g->sha);
  free(g->added);
}

static lethe_rc archive_chunk(void *ctx, struct mbx_session *s, struct mbx_target *t, size_t n,
                              const struct lethe_item *const *items, struct lethe_outcome *const *outs,
                              struct lethe_err *err)
{
  struct stage g = { .st = ctx, .outs = outs, .items = items };
  unsigned char whole[MBOX_SHA256_LEN];
  char hex[2 * MBOX_SHA256_LEN + 1];
  lethe_rc rc;
  for(size_t i = 0; i < n; i++) {
    if(t[i].chosen && t[i].size > MESSAGE_MAX) {
      t[i].chosen = false;
      mbx_outcome(outs[t[i].item], LETHE_RESULT_FAILED, "not archived: %llu bytes, more "
                  "than the %zu MiB one message may have here", (unsigned long long)t[i].size,
                  MESSAGE_MAX >> 20);
    }
  }
  if(stage_init(&g, n)) {
    stage_release(&g);
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  rc = mbx_fetch_bodies(s, MESSAGE_MAX, on_body, &g, err);
  if(rc) {
    unchoose(&g, t, n, err->msg);
    stage_release(&g);
    return rc;
  }
  for(size_t i = 0; i < n; i++)  /* present now marks the staged ones */
    if(t[i].chosen)
      t[i].present = false;
  for(size_t i = 0; i < g.n; i++)
    g.t[i]->present = true;
  for(size_t i = 0; i < n; i++)
    if(t[i].chosen && !t[i].present)
      unchoose(&g, &t[i], 1, "the server did not return its text");
  if(g.n) {
    struct lethe_err werr = { 0 };
    if(write_archive(&g, whole, &werr)) {
      unchoose(&g, t, n, werr.msg);
    }
    else {
      mbox_hex(whole, hex);
      for(size_t i = 0; i < g.n; i++)
        json_detail(&g, g.t[i], hex, outs[g.t[i]->item]);
    }
  }
  stage_release(&g);
  return LETHE_OK;
}

/* ---- the plugin ---------------------------------------------------------------------- */

static void state_free(struct ate_state *st)
{
  mbx_session_release(&st->s);
  if(st->dirfd >= 0)
    close(st->dirfd);
  free(st->dir);
  free(st);
}

/* The settings, judged without connecting; archive-path is only looked at. */
static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct ate_state *st = calloc(1, sizeof(*st));
  struct lethe_err err = { 0 };
  lethe_rc rc;
  (void)setting;
  if(!st)
    return LETHE_E_NOMEM;
  st->dirfd = -1;
  db_init(&st->s.set, MBX_SET_MAX + 64);
  rc = mbx_config_read(&st->s.cfg, rule, false, own_settings, &err);
  if(!rc)
    rc = read_own(st, rule, &err);
  if(rc)
    snprintf(errbuf, errlen, "%s", err.msg);
  state_free(st);
  return rc ? LETHE_E_CONFIG : LETHE_OK;
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct ate_state *st = calloc(1, sizeof(*st));
  struct lethe_err err = { 0 };
  lethe_rc rc;
  if(!st) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  st->dirfd = -1;
  db_init(&st->s.set, MBX_SET_MAX + 64);
  rc = mbx_config_read(&st->s.cfg, rule, false, own_settings, &err);
  if(!rc)
    rc = read_own(st, rule, &err);
  if(!rc)
    rc = mbx_open(&st->s, &err);
  if(rc) {
    snprintf(errbuf, errlen, "%s", err.msg);
    state_free(st);
    return rc;
  }
  archive_name_part(st->rule, rule->name ? rule->name : "rule", 64);
  archive_name_part(st->folder, st->s.cfg.url.mailbox, 64);
  st->s.archive = archive_chunk;
  st->s.archive_ctx = st;
  *state = st;
  return LETHE_OK;
}

static lethe_rc delete_batch(void *state, const struct lethe_item *const *items, size_t n,
                             struct lethe_outcome *const *outs)
{
  struct ate_state *st = state;
  return mbx_delete_batch(&st->s, items, n, outs) ? LETHE_E_PLUGIN : LETHE_OK;
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  return delete_batch(state, &item, 1, &out);
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  if(state)
    state_free(state);
  return LETHE_OK;
}

/* After a crash: the verified archive that holds a message the interrupted
 * run expunged, for its certificate; the unverified ones it left go. */
static lethe_rc recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                               struct lethe_outcome *out)
{
  return archive_recover_detail(rule, "archive-path", "sha256", item, out);
}

static lethe_rc recover_clean(const struct lethe_rule_info *rule)
{
  return archive_recover_clean(rule, "archive-path");
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "archive-then-expunge",
  .version = "2.0",
  .stores = LETHE_STORE_IMAP,
  .method = "each message archived (BODY.PEEK[]) into a compressed mbox, fsynced and read back, "
            "then UID STORE +FLAGS.SILENT (\\Deleted) and UID EXPUNGE of exactly those UIDs",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .delete_batch = delete_batch,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
  .recover_detail = recover_detail,
  .recover_clean = recover_clean,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}
