/* An item: one thing a source yields that a rule may delete — a file, a
 * symlink, a message, an archive entry. The planner and the policy see only
 * this, so every store (file, imap, graph, archive) plans the same way. */
#ifndef LETHE_ITEM_H
#define LETHE_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum item_store {
  STORE_FILE,
  STORE_IMAP,
  STORE_GRAPH,
  STORE_ARCHIVE,
};

enum item_kind {
  ITEM_FILE,
  ITEM_SYMLINK,
  ITEM_OTHER,      /* fifo, socket, device: never deleted, reported */
  ITEM_DIRECTORY,  /* only ever reported (not entered, unreadable) */
  ITEM_MESSAGE,
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
  TIME__COUNT
};

/* Room for the identity text of any store. */
#define ITEM_IDENTITY_LEN 160

struct item {
  enum item_store store;
  enum item_kind kind;
  const char *rel;          /* path or id relative to the source */
  size_t rel_len;
  const char *name;         /* the last component, for the name clock */
  const char *subject;      /* the subject key ("Acme Ltd"), or NULL */
  size_t subject_len;
  uint64_t size;
  uint32_t nlink;
  /* What proves at deletion time that this is still the planned thing:
   * "dev=2049 ino=1234 size=5678 mtime_ns=... ctime_ns=..." for files,
   * "uidvalidity=1 uid=42" for IMAP. Compared as text. */
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
};

#endif
