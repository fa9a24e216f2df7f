/* Helpers shared by the scanner's cmocka tests. */
#include "scan_test_util.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

struct scan_rules *t_rules(const char *contains, const char *clients)
{
  struct scan_options opt = SCAN_OPTIONS_INIT;
  struct scan_rules *r = NULL;
  char err[256] = "";
  assert_int_equal(scan_detectors_parse(contains ? contains : "personal-data", &opt.detectors,
                                        err, sizeof(err)), LETHE_OK);
  opt.client_text = clients;
  if(scan_rules_new(&opt, &r, err, sizeof(err)))
    fail_msg("scan_rules_new: %s", err);
  return r;
}

void t_scan(const struct scan_rules *r, const char *name, const char *text,
            struct scan_findings *f)
{
  char err[512] = "";
  if(scan_buffer(r, name, text, strlen(text), f, err, sizeof(err)))
    fail_msg("scan_buffer: %s", err);
}

uint64_t t_count(const char *text, enum scan_detector d)
{
  struct scan_rules *r = t_rules(NULL, NULL);
  struct scan_findings f;
  uint64_t n;
  t_scan(r, "t.txt", text, &f);
  n = f.hits[d].count;
  scan_findings_release(&f);
  scan_rules_free(r);
  return n;
}

const char *t_sample(const char *text, enum scan_detector d)
{
  static char out[64];
  struct scan_rules *r = t_rules(NULL, NULL);
  struct scan_findings f;
  t_scan(r, "t.txt", text, &f);
  snprintf(out, sizeof(out), "%s", f.hits[d].sample);
  scan_findings_release(&f);
  scan_rules_free(r);
  return out;
}

const char *t_tmpdir(void)
{
  static char dir[64];
  snprintf(dir, sizeof(dir), "/tmp/lethe-scan-test.XXXXXX");
  if(!mkdtemp(dir))
    fail_msg("mkdtemp failed");
  return dir;
}

void t_rmdir(const char *dir)
{
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

void t_python(const char *script, const char *args)
{
  char cmd[1024];
  snprintf(cmd, sizeof(cmd), "%s %s/%s %s", PYTHON3, SRCDIR, script, args);
  if(system(cmd) != 0)
    fail_msg("failed: %s", cmd);
}

void t_write(const char *dir, const char *name, const void *p, size_t n)
{
  char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}
