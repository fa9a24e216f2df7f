/* archive-then-shred's rule settings, checked once in open (ats_config.c). */
#ifndef LETHE_ATS_CONFIG_H
#define LETHE_ATS_CONFIG_H

#include "ats.h"
#include "lethe/plugin.h"
#include "shred_core.h"

#define ATS_DIR_MAX 400        /* keeps the outcome detail JSON within its 1024 bytes */
#define ATS_RULE_PART_MAX 64

/* One rule's settings, checked (ats_config.c). */
struct ats_config {
  char *dir;                 /* archive-dir as configured, without a trailing '/' */
  int dirfd;                 /* archive-dir, open */
  const struct ats_format *fmt;
  struct shred_opts shred;
  char rule[ATS_RULE_PART_MAX + 1]; /* the rule's name, sanitised for file names */
  char method[320];          /* for files overwritten */
  char unlink_method[96];    /* for symlinks and multiply-linked files */
  char run_id[40];           /* the run's id, for archive names; "" if not given */
};

/* Check the rule's settings and fill c: archive-dir (required: absolute, an
 * existing directory owned by root or this user, not group- or
 * world-writable; opened), archive-format (default tar.zst) and the shred
 * settings. Unknown keys, repeats and bad values are LETHE_E_CONFIG with a
 * message naming the key, whose index in rule->settings goes to *bad
 * (SIZE_MAX when no one setting is at fault). ats_config_release is needed
 * either way. */
lethe_rc ats_config_init(struct ats_config *c, const struct lethe_rule_info *rule,
                         size_t *bad, struct lethe_err *err) WUR;

/* Close and free what ats_config_init opened. */
void ats_config_release(struct ats_config *c);

/* Copy src into dst (at most max bytes plus a NUL) for use in a file name:
 * trailing '/' dropped, '/' and control bytes made '_', never cutting a
 * UTF-8 sequence in two. */
void ats_sanitise(char *dst, const char *src, size_t max);

#endif
