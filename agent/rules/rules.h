/* Rule sets: the [rule NAME] and [hold NAME] sections of the rule files.
 *
 * Loading is strict and reports every problem of every file in one pass
 * (unknown section or key, missing source/retain/action, bad duration, bad
 * glob, duplicate names, unreadable files), each as "FILE:LINE: message". */
#ifndef LETHE_RULES_H
#define LETHE_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "diag.h"
#include "duration.h"
#include "strlist.h"
#include "lethe/plugin.h"

struct events;
struct events_column;
struct source_ops;

/* What starts an item's retention clock. */
enum clock_kind {
  CLOCK_MTIME,
  CLOCK_BTIME,
  CLOCK_CTIME,
  CLOCK_ATIME,
  CLOCK_NAME,          /* a date in the file name */
  CLOCK_NEWEST,        /* the newest mtime inside the item's subject */
  CLOCK_EVENTS,        /* a date looked up in an events CSV */
  CLOCK_INTERNALDATE,  /* IMAP */
  CLOCK_SENTDATE,      /* IMAP: the Date: header */
  CLOCK_RECEIVED,      /* Graph: when the message arrived */
  CLOCK_SENT,          /* Graph: when the message was sent */
  CLOCK_CREATED,       /* Graph: when the item was created */
  CLOCK_MODIFIED,      /* Graph: when the item last changed */
  CLOCK_END,           /* Graph: when the event ends */
  CLOCK_DELETED,       /* deleted:RULE: when the ledger says RULE deleted the subject */
};

/* The clock's name as written in rules ("mtime", "events", ...). */
const char *clock_name(enum clock_kind k);

struct max_delete {
  bool set;
  bool percent;     /* value is a percentage of the items the source holds */
  uint64_t value;
};

struct rule {
  char *name;
  char *file;             /* where it was defined, for messages */
  int line;
  char *description;
  char *basis;
  char *source;           /* the URI as written */
  int source_line;
  const struct source_ops *ops; /* its store, once bound (sources_bind) */
  char *root;             /* local stores: the absolute directory, decoded */
  struct strlist select;  /* empty: everything */
  struct strlist except;
  char *subject;          /* e.g. "*" for "*\/": NULL when items are their own subject */
  unsigned subject_depth; /* number of path components a subject spans */
  enum clock_kind clock;
  char *events_path;      /* CLOCK_EVENTS: the CSV, made absolute */
  char *deleted_by;       /* CLOCK_DELETED: the rule whose deletions start the clock */
  struct events *events;  /* CLOCK_EVENTS: loaded */
  struct strlist notify;  /* notify =: told of items entering grace (rules_notify.h) */
  char *notify_column;    /* notify-column =: the events CSV's column of owners */
  struct events_column *owners; /* notify-column: loaded */
  int notify_line;        /* the first notify or notify-column key */
  bool has_clock;          /* false: the source's default clock */
  bool has_retain;
  bool retain_implied;     /* a report without retain: what it finds now */
  struct duration retain;
  char *action;            /* the plugin's name, or "report" */
  int action_line;
  bool report;             /* action = report: listed in plans, never deleted,
                              no plugin */
  bool has_every;
  struct duration every;
  bool has_grace;
  struct duration grace;
  bool review_required;
  char *approvers;         /* review: allowed_signers of who may approve (absolute) */
  int approvers_line, approvals_line, approval_valid_line; /* 0: key not given */
  unsigned approvals;      /* approvals needed; 0: not given (1) */
  struct duration approval_valid; /* how long an approval stands */
  struct max_delete max_delete;
  struct lethe_setting *settings; /* other keys: the agent's own (remove-empty-dirs),
                                     the source's, the plugin's; key and value owned */
  int *setting_lines;      /* the line of each setting, for messages */
  size_t n_settings;
  void *store_data;        /* what the rule's store made of its settings
                              (finish_rule), freed with store_data_free */
  void (*store_data_free)(void *data);
};

struct hold {
  char *name;
  char *file;
  int line;
  struct strlist match;   /* URI globs */
  char *reason;
  bool has_until;
  int64_t until;          /* the hold ends at this instant */
};

struct ruleset {
  struct rule **rules;
  size_t n_rules;
  struct hold **holds;
  size_t n_holds;
};

/* Load every *.ini in the configured rules directory, in sorted (bytewise)
 * order, into rs. Returns LETHE_E_CONFIG if any error was recorded in d (rs is
 * then still safe to release), LETHE_E_NOMEM if memory ran out. */
lethe_rc rules_load(const struct config *cfg, struct ruleset *rs, struct diag *d) WUR;

/* Load one rule file into rs (used by rules_load and by tests). */
lethe_rc rules_load_file(const char *path, const struct config *cfg, struct ruleset *rs,
                         struct diag *d) WUR;

/* After every file is read: required keys, clocks that need a subject,
 * events files. Called by rules_load. What depends on the rule's store is
 * checked by sources_bind (source.h). */
lethe_rc rules_finish(struct ruleset *rs, struct diag *d) WUR;

/* Whether setting s is one the agent itself reads; if so its value is
 * checked, with errors at line to d. */
bool rules_host_key(const struct rule *r, const struct lethe_setting *s, int line,
                    struct diag *d);

/* Whether key is one the agent itself reads (removed from what plugins see). */
bool rules_is_host_key(const char *key);

/* The value of r's setting key, or NULL. */
const char *rule_setting(const struct rule *r, const char *key);

/* Replace the value of r's i-th setting with a copy of value. */
lethe_rc rule_set_setting(struct rule *r, size_t i, const char *value) WUR;

/* The rule's settings in one line of text for people, e.g. "retain 180
 * days, clock mtime, action shred, every 6 months" (lethe check, reports). */
void rule_describe(const struct rule *r, char *buf, size_t n);

/* The rule called name, or NULL. */
struct rule *rules_find(const struct ruleset *rs, const char *name);

void ruleset_release(struct ruleset *rs);

#endif
