/* Hostile input: archives of every format the purge writes, made here with
 * libarchive, then truncated and with bytes overwritten at random (a fixed
 * seed), are listed and purged. Nothing may crash (this test runs under
 * AddressSanitizer and UndefinedBehaviorSanitizer in the suite), every
 * failure must be an error with a message, and an archive the purge fails on
 * must be left byte-identical with nothing beside it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "arc_reader.h"
#include "purge.h"

#define MUTATIONS 150

static int failures;
static unsigned long checks;
static unsigned long purged, refused;

#define CHECK(cond, ...)                                                    \
  do {                                                                      \
    checks++;                                                               \
    if(!(cond)) {                                                           \
      failures++;                                                           \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                  \
      fprintf(stderr, __VA_ARGS__);                                         \
      fputc('\n', stderr);                                                  \
    }                                                                       \
  } while(0)

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

struct mem {
  unsigned char *p;
  size_t len;
};

static void add_file(struct archive *w, const char *name, size_t size, bool sparse)
{
  struct archive_entry *e = archive_entry_new();
  unsigned char buf[4096];
  archive_entry_copy_pathname(e, name);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, (la_int64_t)size);
  archive_entry_set_mtime(e, 1600000000, 0);
  if(sparse)
    archive_entry_sparse_add_entry(e, (la_int64_t)size - 100, 100);
  archive_write_header(w, e);
  for(size_t done = 0; done < size;) {
    size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
    for(size_t i = 0; i < n; i++)
      buf[i] = sparse && done + i < size - 100 ? 0 : (unsigned char)next_rand();
    archive_write_data(w, buf, n);
    done += n;
  }
  archive_entry_free(e);
}

static void add_special(struct archive *w, const char *name, mode_t type, const char *target)
{
  struct archive_entry *e = archive_entry_new();
  archive_entry_copy_pathname(e, name);
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, 0755);
  archive_entry_set_mtime(e, 1600000000, 0);
  if(target && type == AE_IFLNK)
    archive_entry_copy_symlink(e, target);
  else if(target)
    archive_entry_copy_hardlink(e, target);
  archive_write_header(w, e);
  archive_entry_free(e);
}

/* An archive in memory: format, filter, a few entries of each kind. */
static struct mem make(int format, int filter)
{
  struct mem m = { NULL, 0 };
  size_t cap = 1 << 20, used = 0;
  struct archive *w = archive_write_new();
  bool tar = (format & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
  m.p = malloc(cap);
  archive_write_set_format(w, format);
  if(filter != ARCHIVE_FILTER_NONE)
    archive_write_add_filter(w, filter);
  archive_write_set_bytes_in_last_block(w, 1);
  archive_write_open_memory(w, m.p, cap, &used);
  add_special(w, "dir/", AE_IFDIR, NULL);
  add_file(w, "dir/a.txt", 1000, false);
  add_file(w, "dir/b.bin", 20000, false);
  add_file(w, "../../etc/passwd", 50, false);
  if(format == ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE)
    add_file(w, "sparse.img", 100000, true);
  add_special(w, "link", AE_IFLNK, "dir/a.txt");
  if(tar)
    add_special(w, "hard", AE_IFREG, "dir/a.txt");
  add_file(w, "keep/c.txt", 3000, false);
  archive_write_close(w);
  archive_write_free(w);
  m.len = used;
  return m;
}

static void put(const char *path, const unsigned char *p, size_t len)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if(fd < 0 || write(fd, p, len) != (ssize_t)len) {
    perror(path);
    exit(2);
  }
  close(fd);
}

static bool same_bytes(const char *path, const unsigned char *p, size_t len)
{
  struct stat st;
  unsigned char *buf;
  bool same;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if(fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size != len) {
    if(fd >= 0)
      close(fd);
    return false;
  }
  buf = malloc(len + 1);
  same = read(fd, buf, len + 1) == (ssize_t)len && memcmp(buf, p, len) == 0;
  free(buf);
  close(fd);
  return same;
}

static int count_dir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  int n = 0;
  while(d && (de = readdir(d)))
    if(de->d_name[0] != '.' || strncmp(de->d_name, ".lethe", 6) == 0)
      n++;
  if(d)
    closedir(d);
  return n;
}

static void list_all(int dirfd, const char *name)
{
  struct arc_reader r;
  struct arc_err err = { 0 };
  struct archive_entry *e;
  lethe_rc rc = arc_reader_open(&r, dirfd, name, false, &err);
  while(!rc) {
    const void *buf;
    size_t len;
    bool hole;
    rc = arc_reader_next(&r, &e, &err);
    if(rc || !e)
      break;
    do
      rc = arc_reader_data(&r, &buf, &len, &hole, &err);
    while(!rc && len);
  }
  arc_reader_close(&r);
  CHECK(rc == LETHE_OK || err.msg[0], "listing %s failed without a message", name);
}

static void purge_one(const char *dir, int dirfd, const unsigned char *p, size_t len)
{
  struct purge_job job;
  struct arc_err err = { 0 };
  char path[4096];
  lethe_rc rc;
  snprintf(path, sizeof(path), "%s/x", dir);
  put(path, p, len);
  list_all(dirfd, "x");
  rc = purge_job_init(&job, dirfd, "x", "hostile", "1", NULL, &err);
  if(!rc)
    rc = purge_job_add(&job, "dir/a.txt", 9, NULL, &err);
  if(!rc)
    rc = purge_run(&job, NULL, &err);
  purge_job_release(&job);
  if(rc)
    refused++;
  else
    purged++;
  if(rc) {
    CHECK(err.msg[0] != '\0', "purge failed (%d) without a message", rc);
    CHECK(same_bytes(path, p, len), "a failed purge changed the archive: %s", err.msg);
  } else {
    list_all(dirfd, "x");
  }
  CHECK(count_dir(dir) == 1, "leftovers beside the archive after: %s", rc ? err.msg : "ok");
  unlink(path);
}

static void mutate_and_purge(const char *dir, int dirfd, const struct mem *m)
{
  unsigned char *copy = malloc(m->len);
  purge_one(dir, dirfd, m->p, m->len);   /* the intact archive */
  for(int i = 0; i < MUTATIONS; i++) {
    size_t len = m->len;
    memcpy(copy, m->p, m->len);
    if(i % 3 == 0) {
      len = (size_t)(next_rand() % m->len);
    } else {
      int flips = 1 + (int)(next_rand() % 8);
      for(int k = 0; k < flips; k++)
        copy[next_rand() % m->len] = (unsigned char)next_rand();
    }
    purge_one(dir, dirfd, copy, len);
  }
  free(copy);
}

int main(void)
{
  static const struct { int format, filter; } kinds[] = {
    { ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, ARCHIVE_FILTER_NONE },
    { ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, ARCHIVE_FILTER_GZIP },
    { ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_ZSTD },
    { ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_XZ },
    { ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE },
    { ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE },
    { ARCHIVE_FORMAT_CPIO_SVR4_NOCRC, ARCHIVE_FILTER_BZIP2 },
    { ARCHIVE_FORMAT_CPIO_POSIX, ARCHIVE_FILTER_NONE },
  };
  char dir[] = "/tmp/lethe-hostile-XXXXXX";
  int dirfd;
  if(!mkdtemp(dir)) {
    perror("mkdtemp");
    return 2;
  }
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for(size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    struct mem m = make(kinds[i].format, kinds[i].filter);
    CHECK(m.len > 0, "cannot make archive kind %zu", i);
    if(m.len)
      mutate_and_purge(dir, dirfd, &m);
    free(m.p);
  }
  close(dirfd);
  rmdir(dir);
  printf("%lu archives purged, %lu refused; %lu checks, %d failed\n", purged, refused, checks,
         failures);
  printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
  return failures ? 1 : 0;
}
