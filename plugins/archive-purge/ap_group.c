/* One archive's purge, and an outcome for each of its entries: the detail
 * names the archive before and after (SHA-256 and size), the entry's own
 * SHA-256, and what the format could not keep. */
#include "ap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void ap_run_tag(const struct lethe_rule_info *rule, char run[PURGE_TAG_MAX + 1])
{
  size_t n = 0;
  const char *id = LETHE_HAS_MEMBER(rule, run_id) ? rule->run_id : NULL;
  for(; id && id[n] && n < 8 && (strchr("-_", id[n]) || (id[n] >= '0' && id[n] <= '9') ||
                                 (id[n] >= 'a' && id[n] <= 'z') ||
                                 (id[n] >= 'A' && id[n] <= 'Z')); n++)
    run[n] = id[n];
  run[n] = '\0';
  if(!n)
    snprintf(run, PURGE_TAG_MAX + 1, "run");
}

void ap_seq_tag(const struct lethe_item *const *items, size_t n, char seq[PURGE_TAG_MAX + 1])
{
  uint64_t first = LETHE_HAS_MEMBER(items[0], seq) ? items[0]->seq : 0;
  uint64_t last = LETHE_HAS_MEMBER(items[n - 1], seq) ? items[n - 1]->seq : 0;
  snprintf(seq, PURGE_TAG_MAX + 1, "%" PRIu64 "-%" PRIu64, first, last);
}

/* Outcome fields are fixed arrays: longer text is cut. */
static void set(char *field, size_t cap, const char *text)
{
  size_t n = strlen(text);
  if(n >= cap)
    n = cap - 1;
  memcpy(field, text, n);
  field[n] = '\0';
}

/* The planned archive and entries, as the engine wants them. */
static lethe_rc make_job(struct ap_state *st, struct purge_job *job,
                         const struct lethe_item *const *items, size_t n, struct arc_err *err)
{
  const struct lethe_identity *id = items[0]->identity;
  struct arc_id expect = { 0 };
  char seq[PURGE_TAG_MAX + 1];
  lethe_rc rc;
  if(!id || id->store != LETHE_STORE_ARCHIVE)
    return arc_err_set(err, LETHE_E_PARSE, "no archive identity was planned");
  expect = (struct arc_id){ .dev = id->archive.archive.dev, .ino = id->archive.archive.ino,
                            .size = id->archive.archive.size,
                            .mtime_ns = id->archive.archive.mtime_ns,
                            .ctime_ns = id->archive.archive.ctime_ns };
  ap_seq_tag(items, n, seq);
  rc = purge_job_init(job, items[0]->dirfd, items[0]->name, st->run, seq, &expect, err);
  for(size_t i = 0; !rc && i < n; i++) {
    const struct lethe_identity *e = items[i]->identity;
    struct purge_expect want = { .size = e ? e->archive.entry_size : 0,
                                 .mtime = e ? e->archive.entry_mtime : 0 };
    rc = purge_job_add_exact(job, items[i]->path, strlen(items[i]->path), &want, err);
  }
  return rc;
}

static const struct purge_removed *removed_entry(const struct purge_report *r, const char *path)
{
  for(size_t i = 0; i < r->n_removed; i++)
    if(!strcmp(r->removed[i].path, path))
      return &r->removed[i];
  return NULL;
}

/* The entry's detail, as JSON text the plugin keeps until its next call. */
static char *detail(const struct lethe_item *item, const struct purge_report *r)
{
  const struct purge_removed *gone = removed_entry(r, item->path);
  const char *hash = strchr(item->uri, '#');
  struct dynbuf b;
  struct jsonw w;
  char *text = NULL;
  db_init(&b, 1024 * 1024);
  jsonw_init(&w, &b);
  jsonw_object_begin(&w);
  jsonw_key(&w, "archive");
  jsonw_string_len(&w, item->uri, hash ? (size_t)(hash - item->uri) : strlen(item->uri));
  jsonw_key(&w, "archive_new_sha256");
  jsonw_string(&w, r->new_sha256);
  jsonw_key(&w, "archive_new_size");
  jsonw_u64(&w, r->new_size);
  jsonw_key(&w, "archive_old_sha256");
  jsonw_string(&w, r->old_sha256);
  jsonw_key(&w, "archive_old_size");
  jsonw_u64(&w, r->old_size);
  jsonw_key(&w, "entry_sha256");
  jsonw_string(&w, gone && gone->sha256[0] ? gone->sha256 : NULL);
  jsonw_key(&w, "format");
  jsonw_string(&w, r->written_as[0] ? r->written_as : r->format);
  jsonw_key(&w, "not_kept");
  jsonw_raw(&w, "[", 1);
  for(size_t i = 0; i < r->n_notes; i++) {
    if(i)
      jsonw_raw(&w, ",", 1);
    jsonw_string(&w, r->notes[i].text);
  }
  jsonw_raw(&w, "]", 1);
  jsonw_object_end(&w);
  if(!w.rc)
    text = strdup(db_str(&b));
  db_release(&b);
  return text;
}

static void keep_detail(struct ap_state *st, char *text, struct lethe_outcome *out)
{
  char **v = realloc(st->details, (st->n_details + 1) * sizeof(*v));
  if(!v || !text) {
    free(text);
    return;
  }
  st->details = v;
  v[st->n_details++] = text;
  if(LETHE_HAS_MEMBER(out, detail_len)) {
    out->detail_json = text;
    out->detail_len = strlen(text);
  }
}

static void succeeded(struct ap_state *st, const struct purge_job *job,
                      const struct lethe_item *item, struct lethe_outcome *out)
{
  out->result = LETHE_RESULT_DELETED;
  set(out->level, sizeof(out->level), job->report.level);
  snprintf(out->level_reason, sizeof(out->level_reason), "purged from the archive; the "
           "old archive's data: %.200s", job->report.method);
  keep_detail(st, detail(item, &job->report), out);
}

/* Nothing purged: changed since planned, or refused (the archive is left
 * as it was); or purged but the old data could not be disposed of. */
static void not_done(const struct purge_job *job, const struct arc_err *err,
                     struct lethe_outcome *out)
{
  bool swapped = job->state == PURGE_ST_SWAPPED;
  out->result = err->rc == LETHE_E_CHANGED && !swapped ? LETHE_RESULT_SKIPPED
                                                       : LETHE_RESULT_FAILED;
  set(out->level, sizeof(out->level), LETHE_LEVEL_NONE);
  if(swapped)
    snprintf(out->error, sizeof(out->error), "purged from the archive, but its old data "
             "is still in %.64s: %.800s", job->old, err->msg);
  else if(err->rc == LETHE_E_CHANGED)
    snprintf(out->error, sizeof(out->error), "changed since planned, the archive was left "
             "as it was: %.900s", err->msg);
  else
    snprintf(out->error, sizeof(out->error), "not purged, the archive was left as it was: "
             "%.900s", err->msg);
}

void ap_forget_details(struct ap_state *st)
{
  for(size_t i = 0; i < st->n_details; i++)
    free(st->details[i]);
  st->n_details = 0;
}

void ap_purge_group(struct ap_state *st, const struct lethe_item *const *items, size_t n,
                    struct lethe_outcome *const *outs)
{
  struct purge_dispose_hook hook = ap_dispose_hook(st);
  struct arc_err err = { 0 };
  struct purge_job job;
  lethe_rc rc;
  memset(&job, 0, sizeof(job));
  rc = make_job(st, &job, items, n, &err);
  if(!rc)
    rc = purge_run(&job, &hook, &err);
  for(size_t i = 0; i < n; i++) {
    if(rc)
      not_done(&job, &err, outs[i]);
    else
      succeeded(st, &job, items[i], outs[i]);
  }
  purge_job_release(&job);
}
