/* Journal records: the one place that knows their keys. A record is one line
 * of the journal (canonical JSON, keys sorted); this module writes a typed
 * record as that line and reads a line back into a typed record, for apply,
 * recovery and certification alike.
 *
 * Records, by "type":
 *   begin    a run starts: run id, plan hash, started, pid
 *   rule     a rule as it stood when the run applied it
 *   intent   an item about to be deleted (seq numbers it); written and made
 *            durable before the plugin is called
 *   outcome  what happened to the intent with the same seq
 *   skip     an item not attempted (changed, held, refused), and why
 *   end      the run finished: status
 *   approval a person's signed approval of the plan the run applies
 *            (lethe-approve(1)): who, their key, when; after begin
 *
 * Strings are borrowed: from the caller when writing; from the parsed line
 * when reading (valid until the reader's callback returns), or from a
 * record's own block after journal_item_copy(). */
#ifndef LETHE_JOURNAL_RECORD_H
#define LETHE_JOURNAL_RECORD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "dynbuf.h"
#include "item.h"
#include "lethe/plugin.h"

enum journal_type {
  JOURNAL_BEGIN,
  JOURNAL_RULE,
  JOURNAL_INTENT,
  JOURNAL_OUTCOME,
  JOURNAL_SKIP,
  JOURNAL_END,
  JOURNAL_APPROVAL,
};

struct journal_begin {
  const char *run;            /* the run id (a UUID) */
  const char *plan;           /* the plan's hash */
  const char *started;        /* ISO 8601 UTC */
  int64_t pid;
};

struct journal_rule {
  const char *name, *description, *basis, *source, *action, *clock, *retain;
  const char *plugin_method, *plugin_version;
  const struct lethe_setting *settings; /* the rule's settings, never secrets */
  size_t n_settings;
};

/* An intent or a skip: the item as the run found it. */
struct journal_item {
  uint64_t seq;               /* intents: numbers the item in this run; skips: 0 */
  const char *action;         /* the plugin, or "rmdir" for an emptied directory */
  const char *rule;
  const char *clock_name;     /* NULL with clock_value for directories */
  const char *clock_value;
  bool has_clock;
  const char *identity;
  enum item_kind kind;
  uint32_t store;             /* LETHE_STORE_* */
  const char *message_id_sha256;
  const char *path;           /* percent-encoded; NULL when the plan's path was refused */
  const char *uri;            /* what is deleted; NULL with path */
  const char *plan_uri;       /* the URI the plan claimed, when path is NULL */
  const char *root;           /* local stores: the source root, decoded */
  const char *subject;        /* percent-encoded, or NULL */
  uint64_t size;
  const char *tmpname;        /* intents of files: the name a plugin may rename to */
  const char *result;         /* skips: "skipped" or "held" */
  const char *reason;         /* skips: why */
  char *block;                /* journal_item_copy: where the strings live */
};

struct journal_outcome {
  uint64_t seq;
  const char *result;         /* "deleted", "failed" or "skipped" */
  const char *at;             /* ISO 8601 UTC */
  const char *method;
  const char *level;          /* LETHE_LEVEL_* */
  const char *level_reason;   /* NULL: none */
  const char *error;          /* NULL: none */
  const char *detail;         /* a JSON object's text for the certificate, or NULL */
  bool recovered;             /* written by recovery, not by the run */
};

struct journal_end {
  const char *finished;       /* ISO 8601 UTC */
  const char *status;         /* "done", "some-failed", "recovered" */
};

struct journal_approval {
  const char *principal;      /* as the rule's approvers file names the key */
  const char *fingerprint;    /* "SHA256:..." */
  const char *approved_at;    /* ISO 8601 UTC, as signed */
  const char *message;        /* the approval as signed, and its armored */
  const char *signature;      /* SSHSIG signature: anyone can check them */
};

/* One record; only the member named by type is meaningful. */
struct journal_record {
  enum journal_type type;
  struct journal_begin begin;
  struct journal_rule rule;
  struct journal_item item;   /* intent and skip */
  struct journal_outcome outcome;
  struct journal_end end;
  struct journal_approval approval;
};

/* Append rec as one line (with its newline) to out. A detail that is not a
 * JSON object is left out. */
lethe_rc journal_record_write(const struct journal_record *rec, struct dynbuf *out) WUR;

/* Read the parsed line o into rec. Settings of a rule record are put in
 * *settings (allocated, the caller frees it after use). LETHE_E_PARSE with
 * what is wrong in why (n bytes) when the type is unknown or a key it needs
 * is missing or of the wrong type. */
lethe_rc journal_record_read(struct json_object *o, struct journal_record *rec,
                             struct lethe_setting **settings, char *why, size_t n) WUR;

/* Make dst a copy of the item src that owns its strings (one allocation). */
lethe_rc journal_item_copy(const struct journal_item *src, struct journal_item *dst) WUR;

/* Free what journal_item_copy allocated. */
void journal_item_release(struct journal_item *item);

/* A rule record that outlives its line: every string and the settings
 * copied. Release it with journal_rule_release. */
struct journal_rule_copy {
  struct journal_rule rule;
  char *block;
  struct lethe_setting *settings;
};

lethe_rc journal_rule_copy(const struct journal_rule *src, struct journal_rule_copy *dst) WUR;
void journal_rule_release(struct journal_rule_copy *c);

/* The value of setting key in a rule record, or NULL. */
const char *journal_rule_setting(const struct journal_rule *r, const char *key);

#endif
