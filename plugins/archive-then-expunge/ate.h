/* archive-then-expunge internals: messages staged as an mbox (mboxrd
 * quoting, so every message comes back byte for byte), written through
 * libarchive as a compressed mbox or a tar holding one, and read back to
 * verify before anything is expunged (ate_mbox.c). */
#ifndef LETHE_ATE_H
#define LETHE_ATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"

#define ATE_SHA256_LEN 32

struct ate_format {
  const char *name;   /* "mbox.gz": also the file name extension */
  int filter;         /* ARCHIVE_FILTER_* */
  bool tar;           /* a (pax) tar holding FOLDER.mbox, else the bare mbox */
};

/* mbox.gz (read with zcat or bsdcat), mbox.zst, mbox.xz, tar.gz, tar.zst,
 * tar.xz (read with bsdtar -xO); NULL for another name. */
const struct ate_format *ate_format_find(const char *name);

/* Whether this libarchive writes and reads f by itself (LETHE_E_CONFIG). */
lethe_rc ate_format_check(const struct ate_format *f, struct lethe_err *err) WUR;

/* Append one message to the mbox being staged: a "From " line dated
 * internaldate, the message with every line matching ^>*From  given one
 * more '>', a newline if it lacks a final one (*added_newline says so), and
 * the blank separator line. LETHE_E_RANGE when the stage is full. */
lethe_rc ate_mbox_append(struct dynbuf *mbox, const char *msg, size_t len, int64_t internaldate,
                         bool *added_newline) WUR;

/* Split a staged mbox back into messages (quoting undone, separator and any
 * added newline removed per the flags) and check each one's SHA-256 against
 * the i-th ATE_SHA256_LEN bytes of sha, in order: LETHE_E_UNSAFE naming the
 * first difference. */
lethe_rc ate_mbox_verify(const char *mbox, size_t len, const unsigned char *sha,
                         const bool *added_newline, size_t n, struct lethe_err *err) WUR;

/* Write data as format f to fd (entry entry_name in a tar), then fsync fd. */
lethe_rc ate_archive_write(int fd, const struct ate_format *f, const char *entry_name,
                           const char *data, size_t len, struct lethe_err *err) WUR;

/* Read the archive on fd back: exactly one entry of len bytes whose SHA-256
 * is sha (LETHE_E_UNSAFE otherwise); the SHA-256 of the whole file goes to
 * whole. */
lethe_rc ate_archive_verify(int fd, const struct ate_format *f, size_t len,
                            const unsigned char sha[ATE_SHA256_LEN],
                            unsigned char whole[ATE_SHA256_LEN], struct lethe_err *err) WUR;

/* Lower-case hex (2 * ATE_SHA256_LEN + 1 bytes). */
void ate_hex(const unsigned char d[ATE_SHA256_LEN], char *hex);

#endif
