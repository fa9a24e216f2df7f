/* The shred core: overwrite a file in place, then truncate and unlink it,
 * and say honestly how much that achieved.
 *
 * Shared as a static library by the shred and archive-then-shred plugins, so
 * that both delete a file in exactly the same way. Every file access is
 * relative to the item's parent directory fd and never follows a symlink. */
#ifndef LETHE_SHRED_CORE_H
#define LETHE_SHRED_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fileops.h"
#include "lethe/plugin.h"
#include "shred_device.h"

#define SHRED_PASSES_DEFAULT 1u
#define SHRED_PASSES_MAX 35u

/* What the rule asked for. */
struct shred_opts {
  unsigned passes;  /* passes of ChaCha20 keystream, 1..SHRED_PASSES_MAX */
  bool zero_pass;   /* a final pass of zeros */
  bool verify;      /* read the last pass back and compare it */
  struct shred_declared in_place; /* in-place-device: devices the admin vouches
                                     write in place (shred_device.h) */
};

/* The rule settings shred_opts_set understands, NULL-terminated. */
extern const char *const shred_setting_keys[];

/* Defaults: one keystream pass, no zero pass, no verification, no device
 * declared. */
void shred_opts_init(struct shred_opts *o);

/* Whether key is one of shred_setting_keys. */
bool shred_opts_is_key(const char *key);

/* Whether key may be given more than once (in-place-device). */
bool shred_opts_repeatable(const char *key);

/* Apply one "key = value" setting. LETHE_E_CONFIG with a message naming the
 * key when the value is malformed or out of range; LETHE_E_NOTFOUND when key
 * is not a shred setting (err untouched: the caller decides). */
lethe_rc shred_opts_set(struct shred_opts *o, const char *key, const char *value,
                        struct lethe_err *err) WUR;

/* The certificate's method text for these options, into buf (len bytes):
 * "overwrite (1 pass of ChaCha20 keystream, zero pass, verified), truncate,
 * rename, unlink". */
void shred_opts_method(const struct shred_opts *o, char *buf, size_t len);

/* An item opened and found to be the planned one. */
struct shred_file {
  int fd;             /* open O_RDWR on the regular file; -1 for a symlink */
  bool symlink;       /* the item is a symbolic link (never followed) */
  struct lethe_file_identity id;  /* identity found now, equal to the plan */
  uint32_t nlink;
  mode_t mode;
  uint64_t mnt_id;    /* statx mount id, 0 when the kernel gives none */
  unsigned dev_major, dev_minor;
};

/* Open item->name in item->dirfd (O_RDWR|O_NOFOLLOW|O_NONBLOCK) and check
 * that it is exactly the planned file: same dev, ino, size and mtime_ns.
 * A symlink is not opened: its own identity (lstat) is checked instead.
 * LETHE_OK: sf filled, the caller owns sf->fd (shred_file_release).
 * LETHE_E_CHANGED: changed or gone since planned; nothing touched, err says
 *   what changed.
 * LETHE_E_UNSAFE: neither a regular file nor a symlink.
 * LETHE_E_PARSE: no file identity was planned.
 * LETHE_E_IO: could not open or stat (err says why). */
lethe_rc shred_open(const struct lethe_item *item, struct shred_file *sf,
                    struct lethe_err *err) WUR;

/* Close sf->fd if open. Safe to call twice. */
void shred_file_release(struct shred_file *sf);

/* Delete an item shred_open accepted and fill out (result, level,
 * level_reason, error; detail is left alone). A symlink or a file with
 * several links is only unlinked (checked against the plan); a file with one
 * link is overwritten, fdatasync'd, truncated and unlinked checked by inode.
 * *overwritten (when not NULL) tells which way it went. Releases sf. */
void shred_finish(struct shred_file *sf, const struct lethe_item *item,
                  const struct shred_opts *o, struct lethe_outcome *out, bool *overwritten);

/* shred_open then shred_finish, mapping a refusal to SKIPPED and an error to
 * FAILED in out. */
void shred_item(const struct lethe_item *item, const struct shred_opts *o,
                struct lethe_outcome *out, bool *overwritten);

/* Map an rc from shred_open (not LETHE_OK) to an outcome: SKIPPED for a
 * changed, gone, unsafe or malformed item, FAILED otherwise; level "none". */
void shred_refusal(lethe_rc rc, const struct lethe_err *err, struct lethe_outcome *out);

/* Whether overwriting sf's data in place reaches the blocks that hold it
 * (shred_level.c). Writes LETHE_LEVEL_CLEAR, or LETHE_LEVEL_LOGICAL with the
 * reason an overwrite cannot be trusted: a copy-on-write, log-structured,
 * memory or network file system (named), data journalling, shared, inline or
 * encoded extents, a device that is not a local rotational disk all the way
 * down and was not declared in o->in_place (shred_device.h). Must be called
 * before the overwrite: it is the extents holding the old data that
 * matter. */
void shred_level(const struct shred_file *sf, const struct shred_opts *o, char *level,
                 size_t level_len, char *reason, size_t reason_len);

/* Overwrite the data of fd (size bytes; holes are left holes) o->passes times
 * with a ChaCha20 keystream keyed from RAND_bytes, fdatasync'ing after each
 * pass, then zeros if o->zero_pass, then read the last pass back from the
 * device when o->verify (shred_overwrite.c). LETHE_E_IO with the offset on
 * failure; the file is then partly overwritten. */
lethe_rc shred_overwrite(int fd, uint64_t size, const struct shred_opts *o,
                         struct lethe_err *err) WUR;

#endif
