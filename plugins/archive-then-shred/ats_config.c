/* archive-then-shred's rule settings: archive-dir, archive-format and the
 * shred settings passed through. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ats_config.h"

static lethe_rc check_dir(struct ats_config *st, const char *path, struct lethe_err *err)
{
  struct stat sb;
  size_t len = strlen(path);
  if(path[0] != '/')
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-dir': must be an absolute path, "
                   "got '%s'", path);
  if(len > ATS_DIR_MAX)
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-dir': longer than %d bytes",
                   ATS_DIR_MAX);
  for(const char *p = path; *p; p++)
    if(*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
      return err_set(err, LETHE_E_CONFIG, "setting 'archive-dir': contains a quote, "
                     "backslash or control character: refused");
  st->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(st->dirfd < 0)
    return err_sys(err, LETHE_E_CONFIG, "setting 'archive-dir': cannot open '%s' as a "
                   "directory", path);
  if(fstat(st->dirfd, &sb))
    return err_sys(err, LETHE_E_CONFIG, "setting 'archive-dir': cannot stat '%s'", path);
  if(sb.st_mode & (S_IWGRP | S_IWOTH))
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-dir': '%s' is group- or "
                   "world-writable (mode %04o): refused", path, (unsigned)(sb.st_mode & 07777));
  if(sb.st_uid != 0 && sb.st_uid != geteuid())
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-dir': '%s' belongs to uid %u, "
                   "neither root nor this user: refused", path, (unsigned)sb.st_uid);
  while(len > 1 && path[len - 1] == '/')
    len--;
  st->dir = strndup(path, len);
  if(!st->dir)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  return LETHE_OK;
}

static lethe_rc set_one(struct ats_config *st, const struct lethe_setting *s,
                        const char **dir, struct lethe_err *err)
{
  lethe_rc rc;
  if(!strcmp(s->key, "archive-dir")) {
    *dir = s->value;
    return LETHE_OK;
  }
  if(!strcmp(s->key, "archive-format")) {
    st->fmt = ats_format_find(s->value);
    if(!st->fmt)
      return err_set(err, LETHE_E_CONFIG, "setting 'archive-format': expected tar.zst, "
                     "tar.gz, tar.xz or zip, got '%s'", s->value);
    return LETHE_OK;
  }
  rc = shred_opts_set(&st->shred, s->key, s->value, err);
  if(rc == LETHE_E_NOTFOUND)
    return err_set(err, LETHE_E_CONFIG, "setting '%s' is unknown to the archive-then-shred "
                   "plugin (known: archive-dir, archive-format, passes, zero-pass, verify, "
                   "in-place-device)",
                   s->key);
  return rc;
}

lethe_rc ats_config_init(struct ats_config *st, const struct lethe_rule_info *rule,
                         size_t *bad, struct lethe_err *err)
{
  const char *dir = NULL;
  char shred_method[192];
  memset(st, 0, sizeof(*st));
  st->dirfd = -1;
  ats_sanitise(st->rule, rule->name ? rule->name : "rule", ATS_RULE_PART_MAX);
  if(LETHE_HAS_MEMBER(rule, run_id) && rule->run_id)
    snprintf(st->run_id, sizeof(st->run_id), "%s", rule->run_id);
  st->fmt = ats_format_find("tar.zst");
  shred_opts_init(&st->shred);
  for(size_t i = 0; i < rule->n_settings; i++) {
    *bad = i;
    for(size_t j = 0; j < i && !shred_opts_repeatable(rule->settings[i].key); j++)
      if(!strcmp(rule->settings[j].key, rule->settings[i].key))
        return err_set(err, LETHE_E_CONFIG, "setting '%s' is given more than once",
                       rule->settings[i].key);
    if(set_one(st, &rule->settings[i], &dir, err))
      return err->rc;
  }
  *bad = SIZE_MAX;
  if(!dir)
    return err_set(err, LETHE_E_CONFIG, "setting 'archive-dir' is required");
  if(check_dir(st, dir, err) || ats_format_check(st->fmt, err))
    return err->rc;
  shred_opts_method(&st->shred, shred_method, sizeof(shred_method));
  snprintf(st->method, sizeof(st->method), "archived to %s, verified, then shredded: %s",
           st->fmt->name, shred_method);
  snprintf(st->unlink_method, sizeof(st->unlink_method), "archived to %s, verified, then "
           "unlinked (not overwritten)", st->fmt->name);
  return LETHE_OK;
}

void ats_sanitise(char *dst, const char *src, size_t max)
{
  size_t n = strlen(src);
  while(n > 1 && src[n - 1] == '/')
    n--;
  if(n > max) {
    n = max;
    while(n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
      n--;
  }
  for(size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)src[i];
    dst[i] = (c == '/' || c < 0x20 || c == 0x7f) ? '_' : (char)c;
  }
  dst[n] = '\0';
}

void ats_config_release(struct ats_config *st)
{
  if(st->dirfd >= 0)
    close(st->dirfd);
  st->dirfd = -1;
  free(st->dir);
  st->dir = NULL;
}
