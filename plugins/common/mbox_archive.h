/* The mbox archive shared by archive-then-expunge and
 * archive-then-graph-delete: messages staged as an mbox (mboxrd quoting, so
 * every message comes back byte for byte), written through libarchive as a
 * compressed mbox or a tar holding one, and read back to verify before
 * anything is deleted (mbox_archive.c). */
#ifndef LETHE_MBOX_ARCHIVE_H
#define LETHE_MBOX_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"

#define MBOX_SHA256_LEN 32

struct mbox_format {
  const char *name;   /* "mbox.gz": also the file name extension */
  int filter;         /* ARCHIVE_FILTER_* */
  bool tar;           /* a (pax) tar holding FOLDER.mbox, else the bare mbox */
};

/* mbox.gz (read with zcat or bsdcat), mbox.zst, mbox.xz, tar.gz, tar.zst,
 * tar.xz (read with bsdtar -xO); NULL for another name. */
const struct mbox_format *mbox_format_find(const char *name);

/* Whether this libarchive writes and reads f by itself (LETHE_E_CONFIG). */
lethe_rc mbox_format_check(const struct mbox_format *f, struct lethe_err *err) WUR;

/* Append one message to the mbox being staged: a "From " line dated
 * internaldate, the message with every line matching ^>*From  given one
 * more '>', a newline if it lacks a final one (*added_newline says so), and
 * the blank separator line. LETHE_E_RANGE when the stage is full. */
lethe_rc mbox_append(struct dynbuf *mbox, const char *msg, size_t len, int64_t internaldate,
                         bool *added_newline) WUR;

/* Split a staged mbox back into messages (quoting undone, separator and any
 * added newline removed per the flags) and check each one's SHA-256 against
 * the i-th MBOX_SHA256_LEN bytes of sha, in order: LETHE_E_UNSAFE naming the
 * first difference. */
lethe_rc mbox_verify(const char *mbox, size_t len, const unsigned char *sha,
                         const bool *added_newline, size_t n, struct lethe_err *err) WUR;

/* Write data as format f to fd (entry entry_name in a tar), then fsync fd. */
lethe_rc mbox_archive_write(int fd, const struct mbox_format *f, const char *entry_name,
                           const char *data, size_t len, struct lethe_err *err) WUR;

/* Read the archive on fd back: exactly one entry of len bytes whose SHA-256
 * is sha (LETHE_E_UNSAFE otherwise); the SHA-256 of the whole file goes to
 * whole. */
lethe_rc mbox_archive_verify(int fd, const struct mbox_format *f, size_t len,
                            const unsigned char sha[MBOX_SHA256_LEN],
                            unsigned char whole[MBOX_SHA256_LEN], struct lethe_err *err) WUR;

struct archive;

/* Set a new libarchive writer (or reader) up for format f: the tar (pax) or
 * raw format and f's filter. ARCHIVE_OK or libarchive's error. */
int mbox_format_setup_write(struct archive *a, const struct mbox_format *f);
int mbox_format_setup_read(struct archive *a, const struct mbox_format *f);

/* Lower-case hex (2 * MBOX_SHA256_LEN + 1 bytes). */
void mbox_hex(const unsigned char d[MBOX_SHA256_LEN], char *hex);

#endif
