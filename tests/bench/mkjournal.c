/* mkjournal: a finished run's journal of N items, for the certificate
 * benchmark, written by the journal code lethe apply itself uses
 * (journal_begin, journal_append, journal_commit, journal_end) with records
 * filled the way apply_batch.c fills them for the shred plugin on a file
 * share: batches of LETHE_BATCH_MAX intents, made durable, then their
 * outcomes. Made up are only the names, sizes, times and identities.
 *
 *   mkjournal STATE N
 *
 * STATE is the configuration's state directory (STATE/journal/RUN.jsonl is
 * created). Items go under one rule "bench" over file:///srv/shares/Clients,
 * 100 to a folder, in client folders of 1,000 (the subject); one in 500 is
 * held (a skip record) and one in 1,000 fails. Prints the journal's path. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isotime.h"
#include "journal.h"

#define ROOT "/srv/shares/Clients"
#define METHOD "overwrite (passes of ChaCha20 keystream as the rule sets, default 1), truncate, " \
               "rename, unlink; symlinks and multiply-linked files only unlinked"
#define DETAIL "{\"method\":\"overwrite (1 pass of ChaCha20 keystream), truncate, rename, " \
               "unlink\"}"

struct names {
  char rel[256], uri[512], subject[64], identity[256], tmpname[64], clock[ISOTIME_LEN];
};

static void name_item(uint64_t i, int64_t now, const char *run, struct names *n)
{
  uint64_t client = i / 1000, folder = i / 100;
  snprintf(n->subject, sizeof(n->subject), "Client%%20%05" PRIu64, client);
  snprintf(n->rel, sizeof(n->rel), "%s/Projects/%06" PRIu64 "/report-%08" PRIu64 ".pdf",
           n->subject, folder, i);
  snprintf(n->uri, sizeof(n->uri), "file://" ROOT "/%s", n->rel);
  snprintf(n->identity, sizeof(n->identity), "dev=2049 ino=%" PRIu64 " size=%" PRIu64
           " mtime_ns=%" PRId64 "000000000 ctime_ns=%" PRId64 "000000000 nlink=1",
           1000000 + i, 4096 + i % 50000, now - 400 * 86400, now - 400 * 86400);
  snprintf(n->tmpname, sizeof(n->tmpname), ".lethe-%.8s-%" PRIu64, run, i + 1);
  isotime_format(now - 400 * 86400 - (int64_t)(i % 86400), n->clock);
}

static void item_record(const struct names *n, uint64_t i, struct journal_item *it)
{
  memset(it, 0, sizeof(*it));
  it->action = "shred";
  it->rule = "bench";
  it->has_clock = true;
  it->clock_name = "mtime";
  it->clock_value = n->clock;
  it->identity = n->identity;
  it->kind = ITEM_FILE;
  it->store = LETHE_STORE_FILE;
  it->size = 4096 + i % 50000;
  it->subject = n->subject;
  it->root = ROOT;
  it->path = n->rel;
  it->uri = n->uri;
}

static lethe_rc rule(struct journal *j)
{
  struct journal_record rec = { .type = JOURNAL_RULE };
  rec.rule = (struct journal_rule){
    .name = "bench", .description = "Client files 12 months after the last invoice",
    .basis = "Retention policy 4.2", .source = "file://" ROOT, .action = "shred",
    .clock = "mtime", .retain = "12 months", .plugin_method = METHOD, .plugin_version = "2.0",
  };
  return journal_append(j, &rec);
}

/* Items [first, first + n): the held ones' skips (written as the batch
 * fills), then the intents, committed, then the outcomes, committed:
 * apply_batch.c's order. */
static lethe_rc batch(struct journal *j, uint64_t first, uint64_t n, uint64_t *seq,
                      int64_t now, struct lethe_err *err)
{
  struct journal_record rec;
  struct names nm;
  char at[ISOTIME_LEN];
  uint64_t seq0 = *seq;
  lethe_rc rc = LETHE_OK;
  for(int pass = 0; pass < 2; pass++) {
    for(uint64_t i = first; i < first + n && !rc; i++) {
      bool held = i % 500 == 499;
      if(held != (pass == 0))
        continue;
      name_item(i, now, j->run_id, &nm);
      rec = (struct journal_record){ .type = held ? JOURNAL_SKIP : JOURNAL_INTENT };
      item_record(&nm, i, &rec.item);
      if(held) {
        rec.item.result = "held";
        rec.item.reason = "held by hold litigation-2026 (Pending claim)";
      }
      else {
        rec.item.seq = (*seq)++;
        rec.item.tmpname = nm.tmpname;
      }
      rc = journal_append(j, &rec);
    }
  }
  if(!rc)
    rc = journal_commit(j, err);
  isotime_format(time(NULL), at);
  for(uint64_t s = seq0; s < *seq && !rc; s++) {
    bool failed = s % 1000 == 0;
    rec = (struct journal_record){ .type = JOURNAL_OUTCOME };
    rec.outcome = (struct journal_outcome){
      .seq = s, .result = failed ? "failed" : "deleted", .at = at, .method = METHOD,
      .level = failed ? "none" : "logical-delete",
      .level_reason = failed ? NULL : "vda is a virtual disk (virtio): the host decides "
                                      "where its data goes",
      .error = failed ? "Permission denied" : NULL, .detail = failed ? NULL : DETAIL,
    };
    rc = journal_append(j, &rec);
  }
  return rc ? rc : journal_commit(j, err);
}

int main(int argc, char **argv)
{
  struct journal j;
  struct lethe_err err = { 0 };
  uint64_t n, seq = 1;
  int64_t now = time(NULL);
  lethe_rc rc;
  if(argc != 3 || !(n = strtoull(argv[2], NULL, 10))) {
    fprintf(stderr, "usage: mkjournal STATE N\n");
    return 2;
  }
  rc = journal_begin(&j, argv[1], "sha256:bench", &err);
  if(!rc)
    rc = rule(&j);
  for(uint64_t i = 0; i < n && !rc; i += LETHE_BATCH_MAX)
    rc = batch(&j, i, n - i < LETHE_BATCH_MAX ? n - i : LETHE_BATCH_MAX, &seq, now, &err);
  if(!rc) {
    printf("%s/" JOURNAL_DIR "/%s.jsonl\n", argv[1], j.run_id);
    rc = journal_end(&j, "some-failed", &err);
  }
  if(rc) {
    fprintf(stderr, "mkjournal: %s\n", err.msg[0] ? err.msg : lethe_strerror(rc));
    journal_close(&j);
    return 1;
  }
  return 0;
}
