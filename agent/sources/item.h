/* An item: one thing a source yields that a rule may delete — a file, a
 * symlink, a message, an archive entry. The planner and the policy see only
 * this, so every store (file, imap, graph, archive) plans the same way. */
#ifndef LETHE_ITEM_H
#define LETHE_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lethe/plugin.h"

struct scan_findings;

/* An item's store is one LETHE_STORE_* bit (lethe/plugin.h): the value a
 * plugin is handed, the name plans and certificates print. */

/* What an item is. The first values are the ones plugins see
 * (enum lethe_item_kind); the others are only ever reported. */
enum item_kind {
  ITEM_FILE = LETHE_ITEM_FILE,
  ITEM_SYMLINK = LETHE_ITEM_SYMLINK,
  ITEM_MESSAGE = LETHE_ITEM_MESSAGE,
  ITEM_EVENT = LETHE_ITEM_EVENT,
  ITEM_CALENDAR = LETHE_ITEM_CALENDAR,
  ITEM_DRIVE_ITEM = LETHE_ITEM_DRIVE_ITEM,
  ITEM_ARCHIVE_ENTRY = LETHE_ITEM_ARCHIVE_ENTRY,
  ITEM_OTHER = 100, /* fifo, socket, device: never deleted, reported */
  ITEM_DIRECTORY,   /* only ever reported (not entered, unreadable) */
};

/* Which of the item's times are known. */
enum item_time {
  TIME_MTIME,
  TIME_BTIME,
  TIME_CTIME,
  TIME_ATIME,
  TIME_INTERNALDATE,
  TIME_SENTDATE,
  TIME_RECEIVED,
  TIME_SENT,
  TIME_CREATED,
  TIME_MODIFIED,
  TIME_END,
  TIME__COUNT
};

/* Room for the identity text of any store. */
#define ITEM_IDENTITY_LEN 256

struct item {
  uint32_t store;           /* LETHE_STORE_* */
  enum item_kind kind;
  const char *rel;          /* path or id relative to the source (archive
                               entries: the entry's path in the archive) */
  size_t rel_len;
  const char *container;    /* archive entries: the archive's path relative to
                               the source; NULL for other items */
  size_t container_len;
  const char *name;         /* the last component, for the name clock */
  const char *subject;      /* the subject key ("Acme Ltd"), or NULL */
  size_t subject_len;
  uint64_t size;
  uint32_t nlink;
  /* What proves at deletion time that this is still the planned thing:
   * "dev=2049 ino=1234 size=5678 mtime_ns=... ctime_ns=..." for files,
   * "uidvalidity=1 uid=42" for IMAP, "id=... changekey=..." for Graph
   * (graph_ident.h). Compared as text. */
  char identity[ITEM_IDENTITY_LEN];
  int64_t times[TIME__COUNT];
  bool has_time[TIME__COUNT];
  const char *hold_dir;     /* a .lethe-hold marker holds it: that directory */
  const char *problem;      /* set: the item cannot be judged, and why */
  const char *held_by;      /* the store itself holds it ("IMAP keyword $LetheHold"),
                               as a complete phrase for reports; NULL if not */
  char message_id_sha256[65]; /* IMAP: SHA-256 (lower-case hex) of the Message-ID
                                 header as sent, for certificates (never the subject
                                 or addresses); "" when the message has none */
  const struct scan_findings *findings; /* contains =: what the scanner found
                                           (counts, redacted samples); else NULL */
  /* Files: the identity not yet written as text (identity is "" then). Most
   * files a rule selects are not due, so the planner writes it
   * only for the items it lists (planner.c). */
  const struct lethe_file_identity *file_id;
};

/* What a source knows of the subject an item belongs to. */
struct subject_info {
  bool has_newest;
  int64_t newest;          /* newest mtime of any file inside the subject */
};

/* "file", "imap", "graph" or "archive" for a LETHE_STORE_* bit; "?" for
 * anything else. */
const char *item_store_name(uint32_t store);

/* The LETHE_STORE_* bit item_store_name gives name; false if none does. */
bool item_store_parse(const char *name, uint32_t *out);

/* "file", "symlink", "message", "event", "calendar", "drive-item",
 * "archive-entry", "other" or "directory". */
const char *item_kind_name(enum item_kind kind);

/* The kind named name (as item_kind_name writes it); false if none is. */
bool item_kind_parse(const char *name, enum item_kind *out);

#endif
