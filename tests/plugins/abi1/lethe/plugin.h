/* The Lethe deletion plugin ABI, version 1.
 *
 * A plugin is a shared object in the plugin directory, named ACTION.so, that
 * exports one symbol, LETHE_PLUGIN_ENTRY, a function returning a pointer to a
 * const struct lethe_plugin whose first member is the ABI version it was built
 * for. The host refuses a version it does not know and checks that every
 * required method is present before calling any. New members are only ever
 * added at the end, with the version raised; a plugin for version N keeps
 * working with a host that knows N.
 *
 * A plugin never decides what to delete. The host hands it items that the
 * plan chose and that are not held, each file item with its parent directory
 * reopened from the source root without following a symlink or crossing a
 * mount; the plugin deletes each one, comparing the item's identity with the
 * planned one right before the irreversible step (the host does not, so that
 * the check is as late as it can be), and reports one outcome per item.
 * A plugin provides delete_one, delete_batch or both; the host calls
 * delete_batch when it is there (one subject's items at a time).
 */
#ifndef LETHE_PLUGIN_H
#define LETHE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define LETHE_PLUGIN_ABI_VERSION 1u
#define LETHE_PLUGIN_ENTRY "lethe_plugin_entry"

/* Stores, as a bit mask in lethe_plugin.stores. */
#define LETHE_STORE_FILE (1u << 0)
#define LETHE_STORE_IMAP (1u << 1)
#define LETHE_STORE_GRAPH (1u << 2)
#define LETHE_STORE_ARCHIVE (1u << 3)

/* One "key = value" setting from the rule (keys the host does not know). */
struct lethe_setting {
  const char *key;
  const char *value;
};

/* What the rule says to the plugin when it is opened. */
struct lethe_rule_info {
  const char *name;           /* the rule's name */
  const char *source;         /* the rule's source URI */
  const struct lethe_setting *settings;
  size_t n_settings;
  int rootfd;                 /* LETHE_STORE_FILE: the source root, open; else -1 */
};

enum lethe_item_kind {
  LETHE_ITEM_FILE = 0,
  LETHE_ITEM_SYMLINK = 1,
  LETHE_ITEM_MESSAGE = 2,
};

/* One item to delete. For files, dirfd is the item's parent directory opened
 * by the host from the source root without following any symlink, and name is
 * the item's name in it: every operation must be relative to dirfd. */
struct lethe_item {
  uint32_t store;             /* one LETHE_STORE_* bit */
  enum lethe_item_kind kind;
  const char *uri;            /* percent-encoded, for messages */
  const char *path;           /* relative to the source */
  const char *subject;        /* the subject's path, or NULL */
  int dirfd;
  const char *name;
  const char *identity;       /* as planned: "dev=.. ino=.. size=.. mtime_ns=.. ctime_ns=.. nlink=.." */
  uint64_t size;
  const char *tmpname;        /* files: the name to rename the item to right before
                                 unlinking it, already journalled by the host, so a
                                 crash in between can be completed by the next run */
};

enum lethe_result {
  LETHE_RESULT_DELETED = 0,
  LETHE_RESULT_FAILED = 1,    /* tried, and the item may still exist */
  LETHE_RESULT_SKIPPED = 2,   /* not touched: changed since planned, or unsafe */
};

/* How thoroughly the data is gone (NIST SP 800-88 terms where they apply). */
#define LETHE_LEVEL_CLEAR "clear"                  /* overwritten in place */
#define LETHE_LEVEL_LOGICAL "logical-delete"       /* unlinked / expunged only */
#define LETHE_LEVEL_NONE "none"                    /* nothing was removed */

/* One item's outcome, filled by the plugin. The host zeroes it first. */
struct lethe_outcome {
  enum lethe_result result;
  char level[32];             /* LETHE_LEVEL_* */
  char level_reason[256];     /* why not more: "copy-on-write file system (btrfs)" */
  char error[1024];           /* FAILED or SKIPPED: what happened */
  char detail[1024];          /* optional JSON object text for the certificate,
                                 e.g. {"archive":"/a/b.tar.zst","sha256":"..."} */
};

struct lethe_plugin {
  uint32_t abi_version;       /* LETHE_PLUGIN_ABI_VERSION the plugin was built for */
  const char *name;           /* the action name: "shred" */
  const char *version;        /* the plugin's own version */
  uint32_t stores;            /* LETHE_STORE_* it handles */
  const char *method;         /* how it deletes, for certificates */
  const char *const *settings; /* NULL-terminated list of setting keys it accepts */

  /* Validate settings and prepare. Return 0, or non-zero with a message in
   * err (errlen bytes). *state is handed to the other methods. */
  int (*open)(const struct lethe_rule_info *rule, void **state, char *err, size_t errlen);

  /* Delete one item. Return 0 when an outcome was written (whatever it is);
   * non-zero only when the plugin cannot go on at all. */
  int (*delete_one)(void *state, const struct lethe_item *item, struct lethe_outcome *out);

  /* Optional (may be NULL): delete n items at once (IMAP, Graph), writing
   * outs[0..n). Same return convention as delete_one. */
  int (*delete_batch)(void *state, const struct lethe_item *items, size_t n,
                      struct lethe_outcome *outs);

  /* Finish: flush, fsync, release. Return 0, or non-zero with a message. */
  int (*close)(void *state, char *err, size_t errlen);
};

typedef const struct lethe_plugin *(*lethe_plugin_entry_fn)(void);

#endif
