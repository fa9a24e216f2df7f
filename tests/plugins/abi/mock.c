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
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lethe/plugin.h"

static const char *const settings[] = { "log", "fail-glob", NULL };

struct mock {
  int logfd;
  char *fail_glob;
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
  free(m);
}

static int open_rule(const struct lethe_rule_info *rule, void **state, char *err, size_t errlen)
{
  struct mock *m = calloc(1, sizeof(*m));
  *state = NULL;
  if(!m) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  m->logfd = -1;
  for(size_t i = 0; i < rule->n_settings; i++) {
    const char *k = rule->settings[i].key, *v = rule->settings[i].value;
    if(!strcmp(k, "log") && m->logfd < 0) {
      m->logfd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if(m->logfd < 0) {
        snprintf(err, errlen, "log: %s: %s", v, strerror(errno));
        mock_free(m);
        return -1;
      }
    }
    else if(!strcmp(k, "fail-glob") && !m->fail_glob) {
      m->fail_glob = strdup(v);
    }
    else {
      snprintf(err, errlen, "unknown or repeated setting '%s'", k);
      mock_free(m);
      return -1;
    }
  }
  if(log_line(m, "open", NULL)) {
    snprintf(err, errlen, "log: %s", strerror(errno));
    mock_free(m);
    return -1;
  }
  *state = m;
  return 0;
}

static int delete_one(void *state, const struct lethe_item *item, struct lethe_outcome *out)
{
  struct mock *m = state;
  const char *path = item->path ? item->path : "";
  if(log_line(m, "delete", path))
    return -1;
  if(m->fail_glob && fnmatch(m->fail_glob, path, 0) == 0) {
    out->result = LETHE_RESULT_FAILED;
    snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_NONE);
    snprintf(out->error, sizeof(out->error), "mock: failure requested by fail-glob");
    return 0;
  }
  out->result = LETHE_RESULT_DELETED;
  snprintf(out->level, sizeof(out->level), "%s", LETHE_LEVEL_LOGICAL);
  snprintf(out->level_reason, sizeof(out->level_reason), "mock: nothing was removed");
  return 0;
}

static int close_rule(void *state, char *err, size_t errlen)
{
  struct mock *m = state;
  int rc = log_line(m, "close", NULL);
  if(rc)
    snprintf(err, errlen, "log: %s", strerror(errno));
  mock_free(m);
  return rc;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "mock",
  .version = "0",
  .stores = LETHE_STORE_FILE,
  .method = "mock (test plugin: nothing is removed)",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .close = close_rule,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}
