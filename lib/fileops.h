/* File operations that stay inside a source, shared by the agent and the
 * file plugins (linked into both as a static library).
 *
 * Every call is relative to a directory fd and never follows a symlink. The
 * identity of a file is (dev, ino, size, mtime_ns, ctime_ns): what proves at
 * deletion time that a name still refers to the very file that was planned,
 * unchanged. ctime is in it because anyone can restore an mtime after
 * rewriting a file in place (touch -r), but nobody can set a ctime: a file
 * rewritten since the plan is never deleted as if it were not. */
#ifndef LETHE_FILEOPS_H
#define LETHE_FILEOPS_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"
#include "lethe/plugin.h"

#define FILE_ID_TEXT_LEN 160

/* A file's identity is struct lethe_file_identity (lethe/plugin.h): the
 * same struct the host hands plugins. */


/* The identity of a statx result. */
void file_id_from_statx(const struct statx *stx, struct lethe_file_identity *out);

/* "dev=2049 ino=1234 size=5678 mtime_ns=1700000000123456789
 * ctime_ns=1700000000123456789 nlink=1" (one line) into out (FILE_ID_TEXT_LEN
 * bytes). */
void file_id_format(const struct lethe_file_identity *id, char *out);

/* Parse the text file_id_format writes. LETHE_E_PARSE otherwise. */
lethe_rc file_id_parse(const char *text, struct lethe_file_identity *out) WUR;

/* dev, ino, size, mtime and ctime all equal. */
bool file_id_equal(const struct lethe_file_identity *a, const struct lethe_file_identity *b);

/* now is still the planned file, unchanged: file_id_equal, except that a
 * ctime change alone is accepted when the file has fewer links than planned.
 * Removing a name changes the ctime of the file's other names, and deleting
 * both names of a file the plan lists twice is the common case. */
bool file_id_matches_plan(const struct lethe_file_identity *plan, const struct lethe_file_identity *now);

/* Same file system object with the same contents as far as size and mtime
 * tell (ctime aside: renaming a file changes it). */
bool file_id_same_file(const struct lethe_file_identity *a, const struct lethe_file_identity *b);

/* Same file system object (dev and ino), whatever its size or time now. */
bool file_id_same_inode(const struct lethe_file_identity *a, const struct lethe_file_identity *b);

/* statx name in dirfd without following a symlink. Fills id, and mode and
 * nlink when not NULL. errno is kept on failure (LETHE_E_IO; LETHE_E_NOTFOUND
 * for ENOENT). */
lethe_rc fileops_stat(int dirfd, const char *name, struct lethe_file_identity *id, mode_t *mode,
                      uint32_t *nlink) WUR;

/* Open the directory rel_dir ("a/b", or "" for the root itself) below rootfd
 * one component at a time with O_NOFOLLOW|O_DIRECTORY, refusing to cross onto
 * another file system. When held is not NULL, set it if a .lethe-hold marker
 * sits in any directory on the way, the root included. Returns the new fd, or
 * -1 with err set (LETHE_E_UNSAFE for a symlink or mount point on the way,
 * LETHE_E_NOTFOUND when a component is gone). */
int fileops_open_dir(int rootfd, const char *rel_dir, bool *held, struct lethe_err *err);

/* Write all n bytes at p to fd, through short writes and EINTR;
 * LETHE_E_IO (errno set) otherwise. */
lethe_rc fileops_write_all(int fd, const void *p, size_t n);

/* Replace the file name in the directory dir with the n bytes at p, so
 * that a crash leaves the old file or the new one, whole: written as
 * name.tmp (mode 0600, a symlink there refused), fsynced, renamed over
 * name, and the directory fsynced; every step relative to the directory's
 * fd. For Lethe's own state files. LETHE_E_IO with "dir/name" in err. */
lethe_rc fileops_replace(const char *dir, const char *name, const void *p, size_t n,
                         struct lethe_err *err) WUR;

/* A listing of the directory dirfd, which stays the caller's: readdir over
 * a duplicate of it, so closedir leaves dirfd open. NULL, errno set, when
 * it cannot be listed. */
DIR *fileops_list_dir(int dirfd);

/* Remove name from dirfd if it is still the file expected (checked with
 * file_id_matches_plan right before the unlink). For deleting without
 * overwriting: what could take the name's place between the check and the
 * unlink can only be put there by someone who could remove the entry anyway,
 * and the rename of fileops_unlink_checked would double the metadata writes
 * of every deletion. LETHE_E_CHANGED when it is not the file expected. */
lethe_rc fileops_unlink_same(int dirfd, const char *name, const struct lethe_file_identity *expect,
                             struct lethe_err *err) WUR;

/* Remove name from dirfd only if it is still the file expected: rename it to
 * tmpname (which must not exist), check the renamed entry against expect
 * (dev, ino, size and mtime; only dev and ino when inode_only) and unlink it.
 * Unless inode_only, the entry is first checked against every field of
 * expect, ctime included, before it is renamed. The host fsyncs
 * each directory once per batch, before it journals the outcomes, so a plugin
 * need not (and one fsync per file would dominate the cost of unlinking).
 * If the check fails the entry is renamed back and LETHE_E_CHANGED returned:
 * nothing that was not planned is ever unlinked. tmpname is chosen by the
 * caller (recorded in the journal first) so that a crash between rename and
 * unlink can be completed by the next run. */
lethe_rc fileops_unlink_checked(int dirfd, const char *name, const char *tmpname,
                                const struct lethe_file_identity *expect, bool inode_only,
                                struct lethe_err *err) WUR;

#endif
