/* Hostile input (gen_hostile.py): broken and malicious office files, PDFs,
 * text that is not UTF-8, an empty file, a symlink and a fifo. Each gets a
 * clear error naming the file and the member, or is read safely; none
 * crashes or leaks (run under AddressSanitizer too). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scan_test_util.h"

struct hostile {
  char dir[64];
  int dirfd;
  struct scan_rules *rules;
};

static int setup(void **state)
{
  static struct hostile h;
  struct scan_options opt = SCAN_OPTIONS_INIT;
  char err[256];
  snprintf(h.dir, sizeof(h.dir), "%s", t_tmpdir());
  t_python("gen_hostile.py", h.dir);
  h.dirfd = open(h.dir, O_RDONLY | O_DIRECTORY);
  opt.max_member = 8u << 20;    /* small bounds, so the bombs go off fast */
  opt.max_total = 16u << 20;
  opt.max_depth = 64;
  if(h.dirfd < 0 || scan_rules_new(&opt, &h.rules, err, sizeof(err)))
    return -1;
  *state = &h;
  return 0;
}

static int teardown(void **state)
{
  struct hostile *h = *state;
  scan_rules_free(h->rules);
  close(h->dirfd);
  t_rmdir(h->dir);
  return 0;
}

/* Scan name; expect rc, and an error naming the file and holding `says`. */
static void expect(struct hostile *h, const char *name, lethe_rc rc, const char *says)
{
  struct scan_findings f;
  char err[512] = "";
  lethe_rc got = scan_file(h->rules, h->dirfd, name, &f, err, sizeof(err));
  print_message("%-20s -> %d %s\n", name, got, err);
  assert_int_equal(got, rc);
  if(rc) {
    assert_true(!strncmp(err, name, strlen(name)));
    assert_non_null(strstr(err, says));
  }
  scan_findings_release(&f);
}

static void zips(void **state)
{
  struct hostile *h = *state;
  expect(h, "good.docx", LETHE_OK, "");
  expect(h, "truncated.docx", LETHE_E_PARSE, "central directory");
  expect(h, "truncated-tail.docx", LETHE_E_PARSE, "central directory");
  expect(h, "bomb.docx", LETHE_E_RANGE, "member word/document.xml: inflates beyond");
  expect(h, "bomb-total.pptx", LETHE_E_RANGE, "the container inflates beyond");
  expect(h, "notxml.docx", LETHE_E_PARSE, "member word/document.xml: malformed XML: line 1");
  expect(h, "deep.docx", LETHE_E_RANGE, "nested deeper than 64");
}

static void entities(void **state)
{
  struct hostile *h = *state;
  expect(h, "xxe.docx", LETHE_E_UNSAFE, "member word/document.xml: has a DTD");
  expect(h, "xxe-net.odt", LETHE_E_UNSAFE, "member content.xml: has a DTD");
  expect(h, "laughs.xlsx", LETHE_E_UNSAFE, "member xl/sharedStrings.xml: has a DTD");
}

/* Open descriptors of this process (AddressSanitizer does not see them). */
static int open_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  assert_non_null(d);
  while(readdir(d))
    n++;
  closedir(d);
  return n;
}

static void pdfs(void **state)
{
  struct hostile *h = *state;
  int before = open_fds();
  expect(h, "truncated.pdf", LETHE_E_PARSE, "PDF");
  expect(h, "garbage.pdf", LETHE_E_PARSE, "PDF");
  expect(h, "nopdf.pdf", LETHE_E_PARSE, "PDF");
  assert_int_equal(open_fds(), before);
}

static void odd_files(void **state)
{
  struct hostile *h = *state;
  struct scan_findings f;
  char err[512];
  assert_int_equal(scan_file(h->rules, h->dirfd, "invalid-utf8.txt", &f, err, sizeof(err)), LETHE_OK);
  assert_int_equal(f.hits[SCAN_EMAIL].count, 1);
  assert_int_equal(f.hits[SCAN_PHONE].count, 1);
  assert_int_equal(scan_file(h->rules, h->dirfd, "empty.txt", &f, err, sizeof(err)), LETHE_OK);
  assert_int_equal(f.format, SCAN_FMT_EMPTY);
  assert_int_equal(scan_findings_total(&f), 0);
  assert_int_equal(scan_file(h->rules, h->dirfd, "binary.bin", &f, err, sizeof(err)), LETHE_OK);
  assert_int_equal(f.format, SCAN_FMT_BINARY);
  assert_int_equal(scan_file(h->rules, h->dirfd, "plain.zip", &f, err, sizeof(err)), LETHE_OK);
  assert_int_equal(f.format, SCAN_FMT_ZIP);      /* not an office file: reported, not read */
  assert_int_equal(scan_findings_total(&f), 0);
  expect(h, "missing.txt", LETHE_E_IO, "No such file");
}

static void links_and_fifos(void **state)
{
  struct hostile *h = *state;
  assert_int_equal(symlinkat("good.docx", h->dirfd, "link.docx"), 0);
  assert_int_equal(symlinkat("/etc/passwd", h->dirfd, "passwd.txt"), 0);
  assert_int_equal(mkfifoat(h->dirfd, "fifo.txt", 0600), 0);
  expect(h, "link.docx", LETHE_E_UNSAFE, "symlink");
  expect(h, "passwd.txt", LETHE_E_UNSAFE, "symlink");
  expect(h, "fifo.txt", LETHE_E_UNSAFE, "not a regular file");   /* and no hang */
}

/* The same hostile bytes through scan_buffer. */
static void in_memory(void **state)
{
  struct hostile *h = *state;
  static const char *const names[] = { "truncated.docx", "bomb.docx", "xxe.docx", "laughs.xlsx",
                                       "garbage.pdf", "truncated.pdf", "deep.docx" };
  char buf[1 << 17], err[512];
  struct scan_findings f;
  size_t i;
  for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    int fd = openat(h->dirfd, names[i], O_RDONLY);
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    assert_true(n > 0);
    assert_int_not_equal(scan_buffer(h->rules, names[i], buf, (size_t)n, &f, err, sizeof(err)),
                         LETHE_OK);
    assert_true(!strncmp(err, names[i], strlen(names[i])));
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(zips),
    cmocka_unit_test(entities),
    cmocka_unit_test(pdfs),
    cmocka_unit_test(odd_files),
    cmocka_unit_test(links_and_fifos),
    cmocka_unit_test(in_memory),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
