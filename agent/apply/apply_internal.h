/* Shared between apply.c (per rule), apply_batch.c (per batch of items) and
 * apply_dirs.c (emptied directories). Not a public interface. */
#ifndef LETHE_APPLY_INTERNAL_H
#define LETHE_APPLY_INTERNAL_H

#include "apply.h"
#include "journal.h"
#include "plan_entry.h"
#include "plugin_host.h"
#include "strlist.h"

/* Items handed to a plugin at once; also bounds the open directory fds (main
 * raises the descriptor limit to its hard maximum). Each batch costs three
 * fsyncs (intents, directories, outcomes): the apply benchmark showed 256
 * spending more time syncing the journal than deleting. */
#define BATCH_MAX LETHE_BATCH_MAX

struct batch_dir {
  int fd;
  char *rel;
};

struct batch_item {
  struct plan_entry e;        /* the plan entry (a copy) */
  char *path;                 /* decoded, relative to the source */
  char *tmpname;
  char *uri;                  /* files: made from the root and path */
  char *enc;                  /* files: path, percent-encoded again */
  char *entry;                /* archive entries: the entry's path, decoded
                                 (path is then the archive's) */
  const char *name;           /* points into path */
  size_t dir;                 /* index into batch.dirs; SIZE_MAX: none (messages) */
  uint64_t seq;
};

struct batch {
  struct batch_item items[BATCH_MAX];
  size_t n;
  struct batch_dir dirs[BATCH_MAX + 1];
  size_t n_dirs;
  char *subject;              /* of the items, for plugins that batch */
};

struct applier {
  const struct config *cfg;
  const struct ruleset *rs;
  const struct apply_opts *opts;
  struct apply_stats *stats;
  struct lethe_err *err;
  struct journal j;
  const struct rule *rule;
  const struct loaded_plugin *plugin;
  void *pstate;
  int rootfd;                 /* file sources: the root; else -1 */
  bool is_file;               /* the rule's source is a file share */
  bool archive;               /* its items are entries inside archives there */
  uint32_t store;             /* LETHE_STORE_* of the rule's items */
  struct batch b;
  struct strlist touched;     /* parent directories where items went */
  uint64_t total;             /* items to delete in the whole plan */
  uint64_t done;
  uint64_t rule_done;         /* done when the current rule began */
  bool dir_held;              /* a .lethe-hold sits on the last dir's path */
  bool root_held;             /* a .lethe-hold sits above the source root */
};

/* Take one "delete" plan entry of the current rule into the batch, flushing
 * when it is full or the subject changes. */
lethe_rc batch_take(struct applier *a, const struct plan_entry *entry) WUR;

/* Journal, delete and record everything in the batch. */
lethe_rc batch_flush(struct applier *a) WUR;

/* Close the batch's directories. */
void batch_release(struct batch *b);

/* The names under which the journal records a file: its URI (made from
 * the rule's root and path, decoded) and path, percent-encoded; for an
 * archive entry (entry not NULL) the archive's and the entry's, joined by
 * '#'. Both allocated, NULL on error. */
lethe_rc apply_file_names(const struct rule *r, const char *path, const char *entry,
                          char **uri, char **enc) WUR;

/* Remove directories the rule emptied, deepest first, per the rule's
 * remove-empty-dirs setting (no, yes: below the subject, subject: it too). */
lethe_rc apply_remove_empty_dirs(struct applier *a) WUR;

#endif
