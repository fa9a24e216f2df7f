/* mock: a well-formed plugin that deletes nothing and records every call, for
 * tests of the host's apply path.
 *
 * Settings:
 *   log        a file to append one line per call to: "open", "delete PATH"
 *              (the item's path relative to the source), "close". Each line
 *              is one write(2) with O_APPEND, so it survives a crash of the
 *              host right after the call.
 *   fail-glob  items whose path matches this fnmatch(3) pattern (flags 0:
 *              '*' also matches '/') are reported FAILED; all others DELETED
 *              at level logical-delete, though nothing is removed.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lethe/plugin.h"

/* Built twice: for this tree's ABI, and with -I ../abi1 against the frozen
 * version 1 header as "mock-abi1", to show that the host still loads and
 * drives a plugin built for ABI 1. */
#if LETHE_PLUGIN_ABI_VERSION == 1
typedef int rc_t;
#define RC_OK 0
#define RC_FAIL (-1)
#define MOCK_NAME "mock-abi1"
#else
typedef lethe_rc rc_t;
#define RC_OK LETHE_OK
#define RC_FAIL LETHE_E_CONFIG
#define MOCK_NAME "mock"
#endif

static const char *const settings[] = { "log", "fail-glob", "give-up-glob", NULL };

struct mock {
  int logfd;
  char *fail_glob;
  char *give_up_glob;
  char detail[1200];
};

static int log_line(struct mock *m, const char *what, const char *path)
{
  char *line = NULL;
  int n, rc = 0;
  if(m->logfd < 0)
    return 0;
  n = asprintf(&line, "%s%s%s\n", what, path ? " " : "", path ? path : "");
  if(n < 0)
    return -1;
  if(write(m->logfd, line, (size_t)n) != n)
    rc = -1;
  free(line);
  return rc;
}

static void mock_free(struct mock *m)
{
  if(m->logfd >= 0)
    close(m->logfd);
  free(m->fail_glob);
  free(m->give_up_glob);
  free(m);
}

/* Judge the settings, keeping m when given (open) or not (check). */
static rc_t read_settings(const struct lethe_rule_info *rule, struct mock *m, char *err,
                          size_t errlen)
{
  bool log_seen = false, glob_seen = false, give_up_seen = false;
  for(size_t i = 0; i < rule->n_settings; i++) {
    const char *k = rule->settings[i].key, *v = rule->settings[i].value;
    if(!strcmp(k, "log") && !log_seen) {
      log_seen = true;
      if(m && (m->logfd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        snprintf(err, errlen, "log: %s: %s", v, strerror(errno));
        return RC_FAIL;
      }
    }
    else if(!strcmp(k, "fail-glob") && !glob_seen) {
      glob_seen = true;
      if(m && !(m->fail_glob = strdup(v)))
        return RC_FAIL;
    }
    else if(!strcmp(k, "give-up-glob") && !give_up_seen) {
      give_up_seen = true;
      if(m && !(m->give_up_glob = strdup(v)))
        return RC_FAIL;
    }
    else {
      snprintf(err, errlen, "unknown or repeated setting '%s'", k);
      return RC_FAIL;
    }
  }
  return RC_OK;
}

static rc_t open_rule(const struct lethe_rule_info *rule, void **state, char *err, size_t errlen)
{
  struct mock *m = calloc(1, sizeof(*m));
  *state = NULL;
  if(!m) {
    snprintf(err, errlen, "out of memory");
    return RC_FAIL;
  }
  m->logfd = -1;
  if(read_settings(rule, m, err, errlen)) {
    mock_free(m);
    return RC_FAIL;
  }
  if(log_line(m, "open", NULL)) {
    snprintf(err, errlen, "log: %s", strerror(errno));
    mock_free(m);
    return RC_FAIL;
  }
  *state = m;
  return RC_OK;
}

#if LETHE_PLUGIN_ABI_VERSION >= 2
/* ABI 2: the host hands a typed identity and the item's journal number;
 * the mock reports them in a detail long enough to need detail_json. */
static void describe(struct mock *m, const struct lethe_item *item, struct lethe_outcome *out)
{
  const struct lethe_identity *id = LETHE_HAS_MEMBER(item, identity) ? item->identity : NULL;
  int n;
  if(!LETHE_HAS_MEMBER(out, detail_json))
    return;
  n = snprintf(m->detail, sizeof(m->detail), "{\"seq\":%llu,\"identity_store\":%u,"
               "\"ino\":%llu,\"pad\":\"%01100d\"}", (unsigned long long)item->seq,
               id ? id->store : 0u, id ? (unsigned long long)id->file.ino : 0ull, 0);
  out->detail_json = m->detail;
  out->detail_len = (size_t)n;
}

static rc_t check_rule(const struct lethe_rule_info *rule, char *err, size_t errlen,
                       size_t *setting)
{
  (void)setting;
  return read_settings(rule, NULL, err, errlen);
}
#endif

static rc_t delete_one(void *state, const struct lethe_item *item, struct lethe_outcome *out)
{
  struct mock *m = state;
  const char *path = item->path ? item->path : "";
  if(log_line(m, "delete", path))
    return RC_FAIL;
  if(m->give_up_glob && fnmatch(m->give_up_glob, path, 0) == 0)
    return RC_FAIL; /* the plugin cannot go on: the run stops here */
  if(m->fail_glob && fnmatch(m->fail_glob, path, 0) == 0) {
    out->result = LETHE_RESULT_FAILED;
    snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_NONE);
    snprintf(out->error, sizeof(out->error), "mock: failure requested by fail-glob");
    return RC_OK;
  }
  out->result = LETHE_RESULT_DELETED;
  snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_LOGICAL);
  snprintf(out->level_reason, sizeof(out->level_reason), "mock: nothing was removed");
#if LETHE_PLUGIN_ABI_VERSION >= 2
  describe(m, item, out);
#endif
  return RC_OK;
}

static rc_t close_rule(void *state, char *err, size_t errlen)
{
  struct mock *m = state;
  int rc = log_line(m, "close", NULL);
  if(rc)
    snprintf(err, errlen, "log: %s", strerror(errno));
  mock_free(m);
  return rc ? RC_FAIL : RC_OK;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = MOCK_NAME,
  .version = "0",
  .stores = LETHE_STORE_FILE,
  .method = "mock (test plugin: nothing is removed)",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .close = close_rule,
#if LETHE_PLUGIN_ABI_VERSION >= 2
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
#endif
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}
