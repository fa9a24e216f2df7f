#include "archive_recover.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "lethe/plugin.h"

/* Whether name holds "-RUN8-FIRST-LAST." with FIRST <= seq <= LAST (seq 0:
 * any batch of the run). */
static bool of_batch(const char *name, const char *run8, uint64_t seq)
{
  char needle[32];
  const char *p;
  char *end;
  uint64_t first, last;
  snprintf(needle, sizeof(needle), "-%s-", run8);
  p = strstr(name, needle);
  if(!p)
    return false;
  first = strtoull(p + strlen(needle), &end, 10);
  if(*end != '-')
    return false;
  last = strtoull(end + 1, &end, 10);
  if(*end != '.' || first > last)
    return false;
  return !seq || (first <= seq && seq <= last);
}

static int sha256_file(int dirfd, const char *name, char *hex)
{
  static const char digits[] = "0123456789abcdef";
  unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  ssize_t got = 0;
  int ok = fd >= 0 && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  while(ok) {
    got = read(fd, buf, sizeof(buf));
    if(got <= 0)
      break;
    ok = EVP_DigestUpdate(ctx, buf, (size_t)got);
  }
  ok = ok && got == 0 && EVP_DigestFinal_ex(ctx, md, &n);
  for(unsigned i = 0; ok && i < n; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  if(ok)
    hex[2 * n] = '\0';
  if(fd >= 0)
    close(fd);
  EVP_MD_CTX_free(ctx);
  return ok ? 0 : -1;
}

/* Add "archive": PATH and sha_key: HEX to the JSON object in buf (n bytes),
 * or make that object when buf is empty. */
static bool add_members(char *buf, size_t n, const char *path, const char *sha_key,
                        const char *hex)
{
  size_t len = strlen(buf);
  struct dynbuf text;
  struct jsonw w;
  bool ok;
  if(len && buf[len - 1] != '}')
    return false;
  db_init(&text, n);
  jsonw_init(&w, &text);
  if(len) {
    w.rc = db_add(&text, buf, len - 1);
    w.need_comma = len > 2; /* not "{}" */
  }
  else
    jsonw_object_begin(&w);
  jsonw_key(&w, "archive");
  jsonw_string(&w, path);
  jsonw_key(&w, sha_key);
  jsonw_string(&w, hex);
  jsonw_object_end(&w);
  ok = !w.rc && text.len < n;
  if(ok)
    memcpy(buf, text.mem, text.len + 1);
  db_release(&text);
  return ok;
}

static bool archive_detail(const char *dir, const char *run8, uint64_t seq, const char *sha_key,
                           char *buf, size_t n)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char best[512] = "", hex[2 * EVP_MAX_MD_SIZE + 1], path[4096];
  bool found = false;
  if(!d || !seq) {
    if(d)
      closedir(d);
    return false;
  }
  for(e = readdir(d); e && !best[0]; e = readdir(d))
    if(e->d_name[0] != '.' && of_batch(e->d_name, run8, seq) && strlen(e->d_name) < sizeof(best))
      snprintf(best, sizeof(best), "%s", e->d_name);
  if(best[0] && !sha256_file(dirfd(d), best, hex)) {
    snprintf(path, sizeof(path), "%s/%s", dir, best);
    found = add_members(buf, n, path, sha_key, hex);
  }
  closedir(d);
  return found;
}

static void clean(const char *dir, const char *run8)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  if(!d)
    return;
  for(e = readdir(d); e; e = readdir(d))
    if(!strncmp(e->d_name, ".partial-", 9) && of_batch(e->d_name, run8, 0))
      (void)unlinkat(dirfd(d), e->d_name, 0);
  fsync(dirfd(d));
  closedir(d);
}

bool archive_batch_tag(char *tag, size_t n, const char *run_id, uint64_t first, uint64_t last)
{
  if(!run_id || !run_id[0] || !first || !last || first > last)
    return false;
  snprintf(tag, n, "%.8s-%llu-%llu", run_id, (unsigned long long)first,
           (unsigned long long)last);
  return true;
}

/* The rule's archive directory (setting key) and the run's tag, from what
 * the host handed. */
static const char *archive_dir_of(const struct lethe_rule_info *rule, const char *key,
                                  char run8[9])
{
  if(!LETHE_HAS_MEMBER(rule, run_id) || !rule->run_id)
    return NULL;
  snprintf(run8, 9, "%.8s", rule->run_id);
  for(size_t i = 0; i < rule->n_settings; i++)
    if(!strcmp(rule->settings[i].key, key))
      return rule->settings[i].value;
  return NULL;
}

lethe_rc archive_recover_detail(const struct lethe_rule_info *rule, const char *key,
                                const char *sha_key, const struct lethe_item *item,
                                struct lethe_outcome *out)
{
  char run8[9];
  const char *dir = archive_dir_of(rule, key, run8);
  if(dir && LETHE_HAS_MEMBER(item, seq))
    (void)archive_detail(dir, run8, item->seq, sha_key, out->detail, sizeof(out->detail));
  return LETHE_OK;
}

lethe_rc archive_recover_clean(const struct lethe_rule_info *rule, const char *key)
{
  char run8[9];
  const char *dir = archive_dir_of(rule, key, run8);
  if(dir)
    clean(dir, run8);
  return LETHE_OK;
}
