/* mktree: build the plan benchmark's file tree, fast.
 *
 *   mktree ROOT N NOW [BYTES]
 *
 * Creates N empty files under the existing, empty directory ROOT, 100 to a
 * leaf directory: ROOT/pNNNN/dNNNNNNN/fNNNNNNNN.EXT, 100 leaves to a parent,
 * so a million files make 10,000 leaves. A quarter of the names end in
 * ".mp4"; the rest are other extensions, decoys such as ".MP4" and
 * ".mp4.part" among them. Half the files of every extension get an mtime
 * older than 180 days before NOW (seconds since the epoch), half a newer
 * one, spread over the two years before NOW but never within GAP_DAYS of the
 * 180-day cutoff: find's "-mtime +180" counts whole days since find started
 * and lethe's "retain = 180 days" counts from --now, and the gap lets both
 * pick the same files however long the benchmark takes.
 *
 * With BYTES, every file holds that many bytes (the apply benchmark shreds
 * them); without, files are empty.
 *
 * Prints the number of ".mp4" files older than the cutoff, which both tools
 * must find. Exits 0, or 1 with a message if anything fails. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PER_LEAF 100
#define LEAVES_PER_PARENT 100
#define DAY 86400LL
#define CUTOFF_DAYS 180
#define GAP_DAYS 3
#define SPAN_DAYS 730

/* Index i's extension: two slots in eight are ".mp4". */
static const char *const exts[8] = {
  "mp4", "jpg", "mp4.part", "txt", "mp4", "MP4", "pdf", "mov",
};

/* splitmix64: a fixed, fast stream, so a given N always makes the same tree. */
static uint64_t mix(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* File i's age in seconds: old or recent by one bit of its hash (not by i,
 * so that the extension cycle and the age do not line up), uniform within
 * its band. */
static int64_t age_of(uint64_t i, int *old)
{
  uint64_t h = mix(i);
  int64_t lo, hi;
  *old = (int)(h & 1);
  if(*old) {
    lo = (CUTOFF_DAYS + GAP_DAYS) * DAY;
    hi = SPAN_DAYS * DAY;
  }
  else {
    lo = 0;
    hi = (CUTOFF_DAYS - GAP_DAYS) * DAY;
  }
  return lo + (int64_t)((h >> 1) % (uint64_t)(hi - lo));
}

static int fail(const char *what, const char *name)
{
  fprintf(stderr, "mktree: %s %s: %s\n", what, name, strerror(errno));
  return -1;
}

/* Open directory name below dirfd, creating it first. */
static int make_dir(int dirfd, const char *name)
{
  int fd;
  if(mkdirat(dirfd, name, 0755) && errno != EEXIST)
    return fail("cannot create", name);
  fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(fd < 0)
    return fail("cannot open", name);
  return fd;
}

static char *fill;      /* content of every file, fill_len bytes */
static size_t fill_len;

static int make_file(int dirfd, uint64_t i, int64_t now, uint64_t *old_mp4)
{
  char name[64];
  struct timespec t[2];
  int old, fd;
  const char *ext = exts[i % 8];
  int64_t mtime = now - age_of(i, &old);

  snprintf(name, sizeof(name), "f%08" PRIu64 ".%s", i, ext);
  fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if(fd < 0)
    return fail("cannot create", name);
  if(fill_len && write(fd, fill, fill_len) != (ssize_t)fill_len) {
    close(fd);
    return fail("cannot write", name);
  }
  t[0].tv_sec = t[1].tv_sec = (time_t)mtime;
  t[0].tv_nsec = t[1].tv_nsec = 0;
  if(futimens(fd, t)) {
    close(fd);
    return fail("cannot set the times of", name);
  }
  close(fd);
  if(old && !strcmp(ext, "mp4"))
    (*old_mp4)++;
  return 0;
}

/* Files [first, end) into leaf directory number leaf. */
static int make_leaf(int rootfd, uint64_t leaf, uint64_t first, uint64_t end, int64_t now,
                     uint64_t *old_mp4)
{
  char name[32];
  int parent, fd, rc = 0;
  snprintf(name, sizeof(name), "p%04" PRIu64, leaf / LEAVES_PER_PARENT);
  parent = make_dir(rootfd, name);
  if(parent < 0)
    return -1;
  snprintf(name, sizeof(name), "d%07" PRIu64, leaf);
  fd = make_dir(parent, name);
  close(parent);
  if(fd < 0)
    return -1;
  for(uint64_t i = first; i < end && !rc; i++)
    rc = make_file(fd, i, now, old_mp4);
  close(fd);
  return rc;
}

int main(int argc, char **argv)
{
  uint64_t n, old_mp4 = 0;
  int64_t now;
  char *end;
  int rootfd;

  if(argc != 4 && argc != 5) {
    fputs("usage: mktree ROOT N NOW [BYTES]\n", stderr);
    return 1;
  }
  if(argc == 5) {
    fill_len = strtoull(argv[4], &end, 10);
    fill = malloc(fill_len + 1);
    if(*end || !fill) {
      fprintf(stderr, "mktree: bad size '%s'\n", argv[4]);
      return 1;
    }
    memset(fill, 'x', fill_len);
  }
  errno = 0;
  n = strtoull(argv[2], &end, 10);
  if(errno || *end || !*argv[2]) {
    fprintf(stderr, "mktree: bad file count '%s'\n", argv[2]);
    return 1;
  }
  now = strtoll(argv[3], &end, 10);
  if(errno || *end || !*argv[3] || now < SPAN_DAYS * DAY) {
    fprintf(stderr, "mktree: bad time '%s'\n", argv[3]);
    return 1;
  }
  rootfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if(rootfd < 0)
    return fail("cannot open", argv[1]) ? 1 : 0;
  for(uint64_t first = 0, leaf = 0; first < n; first += PER_LEAF, leaf++) {
    uint64_t last = first + PER_LEAF < n ? first + PER_LEAF : n;
    if(make_leaf(rootfd, leaf, first, last, now, &old_mp4)) {
      close(rootfd);
      return 1;
    }
  }
  close(rootfd);
  printf("%" PRIu64 "\n", old_mp4);
  return 0;
}
