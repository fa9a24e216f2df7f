/* The labelled corpus (gen_labelled.py): every planted value found in every
 * format, and nothing else; the clean corpus: nothing found; the hard
 * corpus: the false-positive rate on numbers that look like values by
 * chance; and the same findings however the text is cut into pieces. */
#include <dirent.h>
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

#include "scan_test_util.h"
#include "text.h"

struct corpus {
  char dir[64];
  struct scan_rules *rules;
};

static int setup(void **state)
{
  static struct corpus c;
  struct scan_options opt = SCAN_OPTIONS_INIT;
  char err[256], path[128];
  const char *seed = getenv("LETHE_SCAN_SEED");
  snprintf(c.dir, sizeof(c.dir), "%s", t_tmpdir());
  snprintf(path, sizeof(path), "%s %s", c.dir, seed ? seed : "1");
  t_python("gen_labelled.py", path);
  snprintf(path, sizeof(path), "%s/clients.txt", c.dir);
  opt.client_list = path;
  if(scan_rules_new(&opt, &c.rules, err, sizeof(err)))
    return -1;
  *state = &c;
  return 0;
}

static int teardown(void **state)
{
  struct corpus *c = *state;
  scan_rules_free(c->rules);
  t_rmdir(c->dir);
  return 0;
}

static int detector_by_name(const char *name)
{
  int d;
  for(d = 0; d < SCAN_DETECTOR__COUNT; d++)
    if(!strcmp(scan_detector_name((enum scan_detector)d), name))
      return d;
  return -1;
}

/* Compare one file's findings with its labels; returns the mismatches. */
static int check_file(struct corpus *c, const char *file, const uint64_t *want,
                      uint64_t *planted)
{
  struct scan_findings f;
  char err[512], path[256];
  int d, bad = 0;
  snprintf(path, sizeof(path), "%s/%s", c->dir, file);
  if(scan_file(c->rules, AT_FDCWD, path, &f, err, sizeof(err)))
    fail_msg("%s", err);
  for(d = 0; d < SCAN_DETECTOR__COUNT; d++) {
    *planted += want[d];
    if(f.hits[d].count != want[d]) {
      print_message("%s: %s: planted %llu, found %llu\n", file, scan_detector_name((enum scan_detector)d),
                    (unsigned long long)want[d], (unsigned long long)f.hits[d].count);
      bad++;
    }
  }
  scan_findings_release(&f);
  return bad;
}

static void labelled(void **state)
{
  struct corpus *c = *state;
  char path[128], file[128], det[32], prev[128] = "";
  uint64_t want[SCAN_DETECTOR__COUNT] = { 0 }, planted = 0;
  unsigned long long n;
  int bad = 0, files = 0;
  FILE *labels;
  snprintf(path, sizeof(path), "%s/labels.tsv", c->dir);
  labels = fopen(path, "r");
  assert_non_null(labels);
  while(fscanf(labels, "%127s %31s %llu", file, det, &n) == 3) {
    if(prev[0] && strcmp(prev, file)) {
      bad += check_file(c, prev, want, &planted);
      files++;
      memset(want, 0, sizeof(want));
    }
    snprintf(prev, sizeof(prev), "%s", file);
    assert_true(detector_by_name(det) >= 0);
    want[detector_by_name(det)] = n;
  }
  bad += check_file(c, prev, want, &planted);
  files++;
  fclose(labels);
  print_message("labelled corpus: %d files, %llu planted values, %d mismatches\n", files,
                (unsigned long long)planted, bad);
  assert_true(planted >= 300);
  assert_int_equal(bad, 0);
}

/* Findings and text bytes over every file of a folder. */
static void scan_dir(struct corpus *c, const char *sub, uint64_t *found, uint64_t *bytes)
{
  char path[256], err[512];
  struct dirent *e;
  DIR *d;
  snprintf(path, sizeof(path), "%s/%s", c->dir, sub);
  d = opendir(path);
  assert_non_null(d);
  *found = *bytes = 0;
  while((e = readdir(d))) {
    struct scan_findings f;
    if(e->d_name[0] == '.' || strstr(e->d_name, ".tsv.") || !strcmp(e->d_name, "hard.tsv"))
      continue;
    if(scan_file(c->rules, dirfd(d), e->d_name, &f, err, sizeof(err)))
      fail_msg("%s", err);
    *found += scan_findings_total(&f);
    *bytes += f.bytes;
    scan_findings_release(&f);
  }
  closedir(d);
}

/* The clean corpus holds prices, years, times, dates without a birth
 * keyword, order and invoice numbers, versions, IP addresses, postcodes,
 * ISBNs and lone '@'s, but no value of any detector's shape: the bound is
 * zero. */
static void clean(void **state)
{
  uint64_t found, bytes;
  scan_dir(*state, "clean", &found, &bytes);
  print_message("clean corpus: %llu findings in %.2f MB of text (%.3f per MB)\n",
                (unsigned long long)found, bytes / 1048576.0, found / (bytes / 1048576.0));
  assert_true(bytes > 1000000);
  assert_int_equal(found, 0);
}

/* The hard corpus adds long reference numbers in equal parts: 11-digit
 * "account 0..." numbers (about 8 in 10 have the shape of a UK or "00"
 * international phone number, indistinguishable without context), 16-digit
 * tracking numbers (a known card prefix and a Luhn pass by chance: about 3
 * in 100) and 13-digit references (a Visa 4 and a Luhn pass: about 1 in
 * 100). Expected rate about 0.8/3 + 0.03/3 + 0.01/3 = 0.28 per hard
 * number; the bound allows for sampling noise. */
static void hard(void **state)
{
  struct corpus *c = *state;
  uint64_t found, bytes;
  unsigned long long tokens = 0;
  char path[128];
  FILE *f;
  double rate;
  snprintf(path, sizeof(path), "%s/hard/hard.tsv", c->dir);
  f = fopen(path, "r");
  assert_non_null(f);
  assert_int_equal(fscanf(f, "%llu", &tokens), 1);
  fclose(f);
  scan_dir(c, "hard", &found, &bytes);
  rate = (double)found / (double)tokens;
  print_message("hard corpus: %llu findings for %llu look-alike numbers in %.2f MB: "
                "false-positive rate %.3f per look-alike, %.1f per MB\n",
                (unsigned long long)found, tokens, bytes / 1048576.0, rate,
                found / (bytes / 1048576.0));
  assert_true(tokens > 100);
  assert_true(rate < 0.35);
}

/* The same text in pieces of random sizes, from 1 byte to a few blocks:
 * values cut anywhere are still found exactly once. */
static void pieces(void **state)
{
  struct corpus *c = *state;
  struct scan_findings whole, cut;
  struct text_scan t;
  char path[256], err[512];
  unsigned char *data;
  struct stat st;
  size_t off = 0;
  int fd, d, round;
  snprintf(path, sizeof(path), "%s/big.txt", c->dir);
  assert_int_equal(scan_file(c->rules, AT_FDCWD, path, &whole, err, sizeof(err)), LETHE_OK);
  fd = open(path, O_RDONLY);
  assert_true(fd >= 0 && fstat(fd, &st) == 0);
  data = malloc((size_t)st.st_size);
  assert_int_equal(read(fd, data, (size_t)st.st_size), st.st_size);
  close(fd);
  srand(7);
  for(round = 0; round < 3; round++) {
    memset(&cut, 0, sizeof(cut));
    assert_int_equal(text_scan_init(&t, c->rules, &cut), LETHE_OK);
    for(off = 0; off < (size_t)st.st_size;) {
      size_t max = round == 0 ? 16 : round == 1 ? 4096 : 3 * TEXT_BLOCK;
      size_t n = 1 + (size_t)rand() % max;
      if(n > (size_t)st.st_size - off)
        n = (size_t)st.st_size - off;
      assert_int_equal(text_scan_feed(&t, data + off, n), LETHE_OK);
      off += n;
    }
    assert_int_equal(text_scan_finish(&t), LETHE_OK);
    text_scan_release(&t);
    for(d = 0; d < SCAN_DETECTOR__COUNT; d++)
      if(d != SCAN_PERSON_COLUMN)
        assert_int_equal(cut.hits[d].count, whole.hits[d].count);
  }
  free(data);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(labelled),
    cmocka_unit_test(clean),
    cmocka_unit_test(hard),
    cmocka_unit_test(pieces),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
