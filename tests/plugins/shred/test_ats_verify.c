/* archive-then-shred's verification (ats_verify) against archives written
 * with its own writer and then damaged or misdescribed on purpose: every
 * difference must be refused, since the originals are shredded only when
 * verification passes. Run for each archive format. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ats.h"

#define DATA_LEN (300 * 1024)
#define N_ENTRIES 3

struct fixture {
  const struct ats_format *fmt;
  char dir[64];
  char archive[128];
  struct ats_entry ents[N_ENTRIES + 1];
  char target[32];
};

static void write_file(const char *path, const unsigned char *data, size_t len)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  assert_int_equal(close(fd), 0);
}

static void add_file(struct ats_writer *w, struct ats_entry *e, const char *path,
                     const unsigned char *data, size_t len)
{
  struct lethe_err err = { 0 };
  int fd;
  write_file(path, data, len);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  assert_true(fd >= 0);
  e->size = len;
  assert_int_equal(ats_writer_add_file(w, e, fd, 0640, 1700000000123456789LL, &err), LETHE_OK);
  close(fd);
}

/* An archive of a random file, a symlink and a small text file. */
static int setup(void **state)
{
  struct fixture *f = calloc(1, sizeof(*f));
  unsigned char *data = malloc(DATA_LEN);
  struct ats_writer w = { 0 };
  struct lethe_err err = { 0 };
  char path[192];
  int afd;

  assert_non_null(f);
  assert_non_null(data);
  f->fmt = ats_format_find(*state);
  assert_non_null(f->fmt);
  strcpy(f->dir, "/tmp/lethe-ats-verify.XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->archive, sizeof(f->archive), "%s/a.%s", f->dir, f->fmt->name);
  afd = open(f->archive, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  assert_true(afd >= 0);
  assert_int_equal(ats_writer_open(&w, afd, f->fmt, &err), LETHE_OK);

  assert_int_equal(RAND_bytes(data, DATA_LEN), 1);
  f->ents[0].path = "client/data.bin";
  snprintf(path, sizeof(path), "%s/data", f->dir);
  add_file(&w, &f->ents[0], path, data, DATA_LEN);

  strcpy(f->target, "../elsewhere/target");
  f->ents[1].path = "client/link";
  f->ents[1].symlink = true;
  f->ents[1].target = f->target;
  assert_int_equal(ats_writer_add_symlink(&w, &f->ents[1], 0777, 1700000000LL * 1000000000,
                                          &err), LETHE_OK);

  f->ents[2].path = "client/notes.txt";
  snprintf(path, sizeof(path), "%s/notes", f->dir);
  add_file(&w, &f->ents[2], path, (const unsigned char *)"some notes\n", 11);

  assert_int_equal(ats_writer_close(&w, &err), LETHE_OK);
  assert_int_equal(close(afd), 0);
  free(data);
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fixture *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
  if(system(cmd) != 0)
    fprintf(stderr, "cannot remove %s\n", f->dir);
  free(f);
  return 0;
}

/* ats_verify on the fixture's archive with n expected entries. */
static lethe_rc verify(struct fixture *f, size_t n, unsigned char whole[ATS_SHA256_LEN],
                       struct lethe_err *err)
{
  int fd = open(f->archive, O_RDONLY | O_CLOEXEC);
  lethe_rc rc;
  assert_true(fd >= 0);
  rc = ats_verify(fd, f->fmt, f->ents, n, whole, err);
  close(fd);
  if(rc)
    printf("# %s: %s\n", f->fmt->name, err->msg);
  return rc;
}

static void sha256_of_file(const char *path, unsigned char out[ATS_SHA256_LEN])
{
  FILE *fp = fopen(path, "rb");
  unsigned char buf[8192];
  size_t n;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_non_null(fp);
  assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
  for(;;) {
    n = fread(buf, 1, sizeof(buf), fp);
    if(n == 0)
      break;
    assert_int_equal(EVP_DigestUpdate(md, buf, n), 1);
  }
  assert_int_equal(EVP_DigestFinal_ex(md, out, NULL), 1);
  EVP_MD_CTX_free(md);
  fclose(fp);
}

static void test_intact_archive_passes(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN], expect[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  assert_int_equal(verify(f, N_ENTRIES, whole, &err), LETHE_OK);
  sha256_of_file(f->archive, expect);
  assert_memory_equal(whole, expect, ATS_SHA256_LEN);
}

static void flip_byte(const char *path, off_t off)
{
  unsigned char c;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  assert_true(fd >= 0);
  assert_int_equal(pread(fd, &c, 1, off), 1);
  c ^= 0x5a;
  assert_int_equal(pwrite(fd, &c, 1, off), 1);
  close(fd);
}

static off_t file_size(const char *path)
{
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  return st.st_size;
}

static void test_flipped_byte_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  flip_byte(f->archive, file_size(f->archive) / 2);
  assert_int_not_equal(verify(f, N_ENTRIES, whole, &err), LETHE_OK);
}

static void test_truncated_archive_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  assert_int_equal(truncate(f->archive, file_size(f->archive) * 3 / 4), 0);
  assert_int_not_equal(verify(f, N_ENTRIES, whole, &err), LETHE_OK);
}

static void test_empty_file_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  assert_int_equal(truncate(f->archive, 0), 0);
  assert_int_not_equal(verify(f, N_ENTRIES, whole, &err), LETHE_OK);
}

static void test_other_digest_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  f->ents[0].sha256[7] ^= 1;
  assert_int_equal(verify(f, N_ENTRIES, whole, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "SHA-256 differs"));
}

static void test_other_size_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  f->ents[2].size++;
  assert_int_equal(verify(f, N_ENTRIES, whole, &err), LETHE_E_UNSAFE);
}

static void test_other_name_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  f->ents[2].path = "client/notes.TXT";
  assert_int_equal(verify(f, N_ENTRIES, whole, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "another name"));
}

static void test_other_symlink_target_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  f->target[0] = '/';
  assert_int_equal(verify(f, N_ENTRIES, whole, &err), LETHE_E_UNSAFE);
}

static void test_unexpected_entry_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  assert_int_equal(verify(f, N_ENTRIES - 1, whole, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "unexpected entry"));
}

static void test_missing_entry_fails(void **state)
{
  struct fixture *f = *state;
  unsigned char whole[ATS_SHA256_LEN];
  struct lethe_err err = { 0 };
  f->ents[N_ENTRIES].path = "client/never-written";
  assert_int_equal(verify(f, N_ENTRIES + 1, whole, &err), LETHE_E_UNSAFE);
  assert_non_null(strstr(err.msg, "missing"));
}

#define FOR_FORMAT(fmt)                                                           \
  cmocka_unit_test_prestate_setup_teardown(test_intact_archive_passes, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_flipped_byte_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_truncated_archive_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_empty_file_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_other_digest_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_other_size_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_other_name_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_other_symlink_target_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_unexpected_entry_fails, setup, teardown, fmt), \
  cmocka_unit_test_prestate_setup_teardown(test_missing_entry_fails, setup, teardown, fmt)

int main(void)
{
  static char zst[] = "tar.zst", gz[] = "tar.gz", xz[] = "tar.xz", zip[] = "zip";
  const struct CMUnitTest tests[] = {
    FOR_FORMAT(zst),
    FOR_FORMAT(gz),
    FOR_FORMAT(xz),
    FOR_FORMAT(zip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
