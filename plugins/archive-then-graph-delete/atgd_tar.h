/* Drive files into a tar: each file fetched into an unnamed temporary file
 * (hashed as it arrives), then all of them written as one archive of the
 * rule's format, fsynced, and read back entry by entry: the same names, in
 * the same order, the same sizes and SHA-256 (atgd_tar.c). */
#ifndef LETHE_ATGD_TAR_H
#define LETHE_ATGD_TAR_H

#include <stdint.h>

#include <openssl/evp.h>

#include "atgd.h"

struct atgd_file {
  struct graph_req req;
  struct gdel_target *t;
  int fd;                     /* the unnamed temporary file, or -1 */
  EVP_MD_CTX *md;
  uint64_t size;
  unsigned char sha[MBOX_SHA256_LEN];
  char name[4096];            /* its name in the tar */
};

/* An unnamed temporary file in the directory dirfd, and a digest. */
lethe_rc atgd_file_open(struct atgd_file *f, int dirfd, struct lethe_err *err) WUR;

/* The content is complete: its SHA-256 into f->sha. */
lethe_rc atgd_file_finish(struct atgd_file *f) WUR;

void atgd_file_close(struct atgd_file *f);

/* Write the files of f[0..n) whose target is still chosen into a new
 * archive of st's format, fsync it and read it back; on success its
 * SHA-256 in hex. On failure the archive is removed. */
lethe_rc atgd_tar_write(struct atgd_state *st, struct atgd_file *f, size_t n, char *hex,
                        struct lethe_err *err) WUR;

#endif
