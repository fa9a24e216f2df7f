/* The Lethe deletion plugin ABI, version 2.
 *
 * A plugin is a shared object named ACTION.so in the plugin directory. It
 * exports one symbol, LETHE_PLUGIN_ENTRY, a function returning a pointer to
 * a const struct lethe_plugin whose first member is the ABI version the
 * plugin was built for (LETHE_PLUGIN_ABI_VERSION of this header). Build one
 * with `cc -shared -fPIC $(pkg-config --cflags lethe-plugin)`; see
 * lethe-plugins(7) for a worked example.
 *
 * Versions. The host loads plugins built for any version from
 * LETHE_PLUGIN_ABI_MIN to the one it was built with, and refuses others
 * with a message naming both. Members are only ever added at the end of a
 * struct, with the version raised; a method added in version N is called
 * only for plugins built for N or later (as PipeWire's SPA gates methods).
 * Every struct that crosses the boundary begins with struct_size, filled by
 * whoever fills the struct: a reader uses a member only when
 * LETHE_HAS_MEMBER says the writer knew it. Arrays cross as arrays of
 * pointers, so a struct can grow without moving its neighbours.
 *
 * What a plugin is for. A plugin never decides what to delete. The host
 * hands it items that a plan chose, that are not held, and whose source is
 * the plugin's store; the plugin deletes each one, comparing the item's
 * identity with the planned one right before the irreversible step (the
 * host does not, so that the check is as late as it can be), and reports
 * one outcome per item. Items of a file store come with their parent
 * directory opened by the host from the source root, without following a
 * symlink or crossing a mount: every file operation must be relative to
 * item->dirfd (openat, unlinkat, renameat with AT_SYMLINK_NOFOLLOW and
 * O_NOFOLLOW).
 *
 * Call order, for one rule of one run:
 *   check (optional)          any number of times, also by lethe check and plan
 *   open                      once
 *   delete_batch or delete_one, any number of times; delete_batch when the
 *                             plugin has one (one subject's items at a time,
 *                             at most LETHE_BATCH_MAX), else delete_one per item
 *   close                     once, also after a delete method failed
 * and, after a crash, in a later process and without open:
 *   recover_detail (optional) for each item recovery judged
 *   recover_clean (optional)  once per interrupted run and rule
 * A host calls one plugin from one thread at a time; states of different
 * rules are independent. Between open and close the plugin may keep file
 * descriptors and connections; it must not change the process (signal
 * dispositions, current directory, umask, locale, environment).
 *
 * Ownership. Everything the host passes (rule info, settings, items,
 * identities, strings) is owned by the host and valid only during the call;
 * copy what is needed later. Outcomes are owned by the host, zeroed and
 * their struct_size set before the call; the plugin fills them. Memory a
 * plugin points the host at (lethe_outcome.detail_json) stays the plugin's
 * and must stay valid until the plugin's next method call on that state.
 *
 * Return values. Methods return LETHE_OK or a lethe_rc (lethe/error.h). A
 * delete method returns LETHE_OK when it wrote an outcome for every item,
 * whatever the outcomes say; anything else means the plugin cannot go on
 * at all (the run stops, and recovery judges the items of the batch). */
#ifndef LETHE_PLUGIN_H
#define LETHE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "lethe/error.h"

#define LETHE_PLUGIN_ABI_VERSION 2u   /* what this header describes */
#define LETHE_PLUGIN_ABI_MIN 1u       /* the oldest version a host loads */
#define LETHE_PLUGIN_ENTRY "lethe_plugin_entry"

/* Items handed to one delete_batch call, at most. */
#define LETHE_BATCH_MAX 1024

/* Whether the struct at p, of the size its writer recorded in struct_size,
 * holds member m. */
#define LETHE_HAS_MEMBER(p, m) \
  (offsetof(__typeof__(*(p)), m) + sizeof((p)->m) <= (size_t)(p)->struct_size)

/* Stores, as a bit mask in lethe_plugin.stores and one bit in lethe_item.store. */
#define LETHE_STORE_FILE (1u << 0)
#define LETHE_STORE_IMAP (1u << 1)
#define LETHE_STORE_GRAPH (1u << 2)
#define LETHE_STORE_ARCHIVE (1u << 3)

/* One "key = value" setting from the rule: every key the plugin lists in
 * its settings, which may include the source's own (credentials, tls ...,
 * for plugins that reach the same store). */
struct lethe_setting {
  const char *key;
  const char *value;
};

/* What the rule says to the plugin. */
struct lethe_rule_info {
  const char *name;           /* the rule's name */
  const char *source;         /* the rule's source URI */
  const struct lethe_setting *settings;
  size_t n_settings;
  int rootfd;                 /* LETHE_STORE_FILE: the source root, open; else -1.
                                 -1 for check and the recover methods. */
  /* ABI 2 */
  uint32_t struct_size;
  const char *run_id;         /* the run's id (a UUID); names what the plugin
                                 makes for it, so recovery can find it */
};

enum lethe_item_kind {
  LETHE_ITEM_FILE = 0,
  LETHE_ITEM_SYMLINK = 1,
  LETHE_ITEM_MESSAGE = 2,
  /* ABI 2 */
  LETHE_ITEM_EVENT = 3,          /* a calendar event */
  LETHE_ITEM_CALENDAR = 4,       /* a whole calendar */
  LETHE_ITEM_DRIVE_ITEM = 5,     /* a OneDrive or SharePoint file */
  LETHE_ITEM_ARCHIVE_ENTRY = 6,  /* an entry inside an archive */
};

/* A file's identity: what proves at deletion time that a name still refers
 * to the very file that was planned, unchanged. ctime is in it because
 * anyone can restore an mtime after rewriting a file, but nobody can set a
 * ctime. nlink is recorded, not compared. */
struct lethe_file_identity {
  uint64_t dev;
  uint64_t ino;
  uint64_t size;
  int64_t mtime_ns;
  int64_t ctime_ns;
  uint32_t nlink;
};

/* A message of an IMAP folder. */
struct lethe_imap_identity {
  uint32_t uidvalidity;
  uint32_t uid;
};

/* A Microsoft Graph object: its immutable id and the change key (mail,
 * events) or eTag (drive items) it had when planned. Both point into the
 * identity's text: they are not NUL-terminated, their lengths say where
 * they end. */
struct lethe_graph_identity {
  const char *id;
  size_t id_len;
  const char *change_key;
  size_t change_key_len;
};

/* An entry inside an archive: the archive's own identity, and the entry's
 * size and modification time (seconds) as listed when planned. */
struct lethe_archive_identity {
  struct lethe_file_identity archive;
  int64_t entry_size;
  int64_t entry_mtime;
};

/* An item's identity, typed (ABI 2). Only the member of the item's store is
 * filled; text is the canonical form plans and journals carry. */
struct lethe_identity {
  uint32_t struct_size;
  uint32_t store;                     /* one LETHE_STORE_* bit */
  const char *text;
  struct lethe_file_identity file;    /* LETHE_STORE_FILE */
  struct lethe_imap_identity imap;    /* LETHE_STORE_IMAP */
  struct lethe_graph_identity graph;  /* LETHE_STORE_GRAPH */
  struct lethe_archive_identity archive; /* LETHE_STORE_ARCHIVE */
};

/* One item to delete. */
struct lethe_item {
  uint32_t store;             /* one LETHE_STORE_* bit */
  enum lethe_item_kind kind;
  const char *uri;            /* percent-encoded */
  const char *path;           /* files: decoded, relative to the source root;
                                 archive entries: the entry's path in the
                                 archive, decoded (raw bytes); others: as the
                                 plan wrote it */
  const char *subject;        /* the subject's path, or NULL */
  int dirfd;                  /* files: the item's parent directory; archive
                                 entries: the archive's; else -1 */
  const char *name;           /* files: the item's name in dirfd; archive
                                 entries: the archive's */
  const char *identity_text;  /* as planned, the canonical text (ABI 1: "identity") */
  uint64_t size;
  const char *tmpname;        /* files: a free name in dirfd, already journalled, to
                                 rename the item to before unlinking it, so that a
                                 crash in between can be completed by the next run */
  /* ABI 2 */
  uint32_t struct_size;
  const struct lethe_identity *identity; /* as planned, typed */
  uint64_t seq;               /* the item's number in the run's journal */
};

enum lethe_result {
  LETHE_RESULT_DELETED = 0,
  LETHE_RESULT_FAILED = 1,    /* tried, and the item may still exist */
  LETHE_RESULT_SKIPPED = 2,   /* not touched: changed since planned, or unsafe */
  /* ABI 2 */
  LETHE_RESULT_HELD = 3,      /* not touched: the store holds it (a retention
                                 label, a litigation hold); level_reason says which */
};

/* How thoroughly the data is gone (NIST SP 800-88 terms where they apply). */
#define LETHE_LEVEL_CLEAR "clear"                  /* overwritten in place */
#define LETHE_LEVEL_LOGICAL "logical-delete"       /* unlinked / expunged only */
#define LETHE_LEVEL_NONE "none"                    /* nothing was removed */

/* One item's outcome, filled by the plugin. The host zeroes it and sets
 * struct_size first. */
struct lethe_outcome {
  enum lethe_result result;
  char level[32];             /* LETHE_LEVEL_* */
  char level_reason[256];     /* why not more: "copy-on-write file system (btrfs)" */
  char error[1024];           /* FAILED or SKIPPED: what happened */
  char detail[1024];          /* optional JSON object text for the certificate,
                                 e.g. {"archive":"/a/b.tar.zst","sha256":"..."} */
  /* ABI 2 */
  uint32_t struct_size;
  const char *detail_json;    /* a longer detail (a JSON object), used instead of
                                 detail when set; owned by the plugin, valid until
                                 its next call */
  size_t detail_len;
};

struct lethe_plugin {
  uint32_t abi_version;       /* LETHE_PLUGIN_ABI_VERSION the plugin was built for */
  const char *name;           /* the action name: "shred" */
  const char *version;        /* the plugin's own version */
  uint32_t stores;            /* LETHE_STORE_* it handles */
  const char *method;         /* how it deletes, for certificates */
  const char *const *settings; /* NULL-terminated list of the setting keys it takes;
                                 the host refuses any other */

  /* Validate the settings and prepare. Return LETHE_OK, or a code with a
   * message in err (errlen bytes). *state is handed to the other methods. */
  lethe_rc (*open)(const struct lethe_rule_info *rule, void **state, char *err,
                   size_t errlen);

  /* Delete one item, writing out. */
  lethe_rc (*delete_one)(void *state, const struct lethe_item *item,
                         struct lethe_outcome *out);

  /* Optional (may be NULL): delete n items at once (IMAP, Graph), writing
   * outs[0..n). */
  lethe_rc (*delete_batch)(void *state, const struct lethe_item *const *items, size_t n,
                           struct lethe_outcome *const *outs);

  /* Finish: flush, fsync, release the state. Return LETHE_OK, or a code
   * with a message. */
  lethe_rc (*close)(void *state, char *err, size_t errlen);

  /* ABI 2, each optional (NULL: not offered). */
  uint32_t struct_size;       /* sizeof(struct lethe_plugin) the plugin was built with */

  /* Judge the settings without touching anything (no file, no network):
   * lethe check and lethe plan call it. On a problem return LETHE_E_CONFIG
   * with a message in err and, when it concerns one setting, its index in
   * rule->settings in *setting (else leave it). */
  lethe_rc (*check)(const struct lethe_rule_info *rule, char *err, size_t errlen,
                    size_t *setting);

  /* The method as this rule's settings make it ("overwrite, 3 passes ..."),
   * for the certificate; NULL or a NULL return: the plugin's method. The
   * string stays valid until close. */
  const char *(*rule_method)(void *state);

  /* After a crash: item (its identity, seq and path as journalled) was
   * judged by recovery, gone or still there; fill out->detail (or
   * detail_json) with what the plugin made for it before the crash, if
   * anything (an archive holding its data). rule describes the rule as the
   * interrupted run applied it, run_id that run. Leave out untouched for
   * nothing. */
  lethe_rc (*recover_detail)(const struct lethe_rule_info *rule, const struct lethe_item *item,
                             struct lethe_outcome *out);

  /* After a crash, once every item of the interrupted run rule->run_id is
   * judged: remove what the plugin left unfinished for it (an unverified
   * archive). */
  lethe_rc (*recover_clean)(const struct lethe_rule_info *rule);
};

typedef const struct lethe_plugin *(*lethe_plugin_entry_fn)(void);

#endif
