/* A walk of a directory tree that cannot be tricked into leaving it.
 *
 * Every directory is opened relative to its parent's fd with
 * O_NOFOLLOW|O_DIRECTORY, so a symlink is never followed (it is reported as an
 * entry of its own), and a directory on another file system or marked as a
 * mount root is reported and not entered. Entries are visited in bytewise name
 * order, so two walks of the same tree agree. Memory is bounded by the depth
 * and width of the tree, never by the number of files in it: nothing about a
 * visited entry is kept once its callback returns. Hold markers
 * (.lethe-hold) are control files: they hold their directory and are never
 * yielded as entries. */
#ifndef LETHE_WALK_H
#define LETHE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "dynbuf.h"

/* What the walk knows of an entry without a stat: from the directory. */
enum walk_type {
  WALK_FILE,
  WALK_SYMLINK,
  WALK_DIR,
  WALK_OTHER,   /* fifo, socket, device */
};

struct walk_entry {
  int dirfd;              /* the open parent directory */
  const char *name;       /* the entry's name in dirfd (no '/') */
  const char *rel;        /* path from the walk's root ("a/b/name") */
  size_t rel_len;
  unsigned depth;         /* components in rel: 1 for the root's children */
  enum walk_type type;
  const char *hold_dir;   /* rel of the nearest directory holding a .lethe-hold
                             marker at or above this entry ("" for the root), or
                             NULL when there is none */
};

/* Why a directory was not entered. */
enum walk_refusal {
  WALK_MOUNT,       /* another file system or a mount root */
  WALK_UNREADABLE,  /* could not be opened or listed (errno in message) */
  WALK_TOO_DEEP,    /* out of file descriptors or past the depth limit */
};

struct walk_ops {
  /* A non-directory entry (file, symlink, other). A non-zero return stops
   * the walk and is returned by walk_tree. */
  lethe_rc (*visit)(void *ctx, const struct walk_entry *e);
  /* Optional: whether a listed entry that is known not to be a directory
   * (its d_type says so) is wanted at all; false drops it before it is
   * sorted, named or visited. The hold marker is never offered. */
  bool (*want)(void *ctx, const char *name, size_t len);
  /* Optional: a directory is about to be entered; return false to skip it
   * (the walk uses it to prune branches no pattern can reach). */
  bool (*enter)(void *ctx, const struct walk_entry *e);
  /* Optional: a directory was entered and everything below it visited. */
  lethe_rc (*leave)(void *ctx, const struct walk_entry *e);
  /* Optional: a directory was not entered, and why (msg is human text). */
  lethe_rc (*refused)(void *ctx, const struct walk_entry *e, enum walk_refusal why,
                      const char *msg);
};

struct walk {
  const struct walk_ops *ops;
  void *ctx;
  dev_t root_dev;
  bool noatime;           /* O_NOATIME still worth trying */
  struct dynbuf rel;      /* path of the current directory */
  char *dents;            /* getdents64 buffer, shared by every level */
  unsigned max_depth;
};

/* The name of the hold marker file. */
#define WALK_HOLD_MARKER ".lethe-hold"

/* Walk everything below the directory rootfd (which stays open and owned by
 * the caller). rel_prefix is prepended to every rel ("" for a source root;
 * "Acme" to walk a subject folder with paths still relative to the source).
 * root_held is the hold_dir to report for entries not below another marker
 * (NULL: none). */
lethe_rc walk_tree(int rootfd, const char *rel_prefix, const char *root_held,
                   const struct walk_ops *ops, void *ctx, struct lethe_err *err) WUR;

/* Open the directory at the absolute path for walking: the final component
 * must not be a symlink. Returns the fd or -1 with err set. */
int walk_open_root(const char *path, struct lethe_err *err);

/* Open the directory name in dirfd the way the walk does (no symlink
 * followed, atime untouched where permitted); -1 if it cannot be opened or is
 * a mount point. */
int walk_open_subdir(int dirfd, const char *name);

/* True if a .lethe-hold marker exists in any ancestor directory of path
 * (the directory itself excluded). */
bool walk_ancestor_held(const char *path);

#endif
