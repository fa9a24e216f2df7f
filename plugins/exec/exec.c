/* exec: delete an item by running the administrator's command, for systems
 * Lethe has no plugin for.
 *
 * Settings:
 *   command  required: an absolute path to an executable, then optional
 *            arguments, separated by spaces (no shell, no quoting). The file
 *            must be a regular, executable file, owned by root or by the
 *            user Lethe runs as, and not group- or world-writable (a symlink
 *            is judged by its target); it is checked at open and again
 *            (same inode, same checks) before every run.
 *   timeout  seconds, 1..86400, default 60: then SIGTERM to the command's
 *            process group, and SIGKILL 5 seconds later.
 *   level    the sanitization level to certify when the command succeeds:
 *            logical-delete (default), clear or purge. Lethe cannot see what
 *            the command did; the administrator vouches for it here.
 *
 * Per item the command gets the item as one JSON object on stdin
 *   {"uri":..,"path":..,"store":"file","kind":"file","identity":..,
 *    "size":N,"subject":..|null,"rule":..}
 * (see esc_json_str in escape.h for how bytes that are not UTF-8 are
 * written), and an environment holding only PATH=/usr/sbin:/usr/bin:/sbin:/bin,
 * LETHE_RULE, LETHE_SOURCE, LETHE_STORE, LETHE_URI, LETHE_PATH and, when
 * the item has one, LETHE_SUBJECT; the values are the raw bytes. Exit status
 * 0 means deleted; anything else is a failure reported with the end of what
 * the command wrote to stderr. For files, the plugin re-checks the item's
 * identity before running the command (SKIPPED if it changed) and checks
 * afterwards that the planned file is really gone from its directory
 * (FAILED if the command exited 0 but the file is still there).
 *
 * Arguments may carry values an administrator would rather not see in logs,
 * so no message ever shows any setting's value except the command's path,
 * and the command line is wiped from memory at close. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fileops.h"
#include "lethe/plugin.h"
#include "spawn.h"

#define TIMEOUT_DEFAULT_S 60
#define TIMEOUT_MAX_S 86400
#define KILL_GRACE_MS 5000
#define INPUT_MAX (1024 * 1024)
#define CHILD_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

#define STORES (LETHE_STORE_FILE | LETHE_STORE_IMAP | LETHE_STORE_GRAPH | LETHE_STORE_ARCHIVE)

static const char *const settings[] = { "command", "timeout", "level", NULL };
static const char *const levels[] = { LETHE_LEVEL_LOGICAL, LETHE_LEVEL_CLEAR, "purge", NULL };

struct exec_state {
  char *cmdline;              /* the setting, split in place; argv points into it */
  size_t cmdline_len;
  char **argv;
  dev_t cmd_dev;              /* the command file checked at open */
  ino_t cmd_ino;
  long timeout_s;
  const char *level;
  char *rule;
  char *source;
  char detail[512];           /* {"method":"external command: PATH"}, or "" */
};

static const char *store_name(uint32_t store)
{
  switch(store) {
  case LETHE_STORE_FILE: return "file";
  case LETHE_STORE_IMAP: return "imap";
  case LETHE_STORE_GRAPH: return "graph";
  case LETHE_STORE_ARCHIVE: return "archive";
  default: return NULL;
  }
}

static const char *kind_name(enum lethe_item_kind kind)
{
  switch(kind) {
  case LETHE_ITEM_FILE: return "file";
  case LETHE_ITEM_SYMLINK: return "symlink";
  case LETHE_ITEM_MESSAGE: return "message";
  default: return "unknown";
  }
}

static void state_free(struct exec_state *st)
{
  if(!st)
    return;
  if(st->cmdline) {
    explicit_bzero(st->cmdline, st->cmdline_len);
    free(st->cmdline);
  }
  free(st->argv);
  free(st->rule);
  free(st->source);
  free(st);
}

/* ---- open: settings ---- */

static int parse_timeout(const char *v, long *out)
{
  long n = 0;
  if(!*v)
    return -1;
  for(const char *p = v; *p; p++) {
    if(*p < '0' || *p > '9')
      return -1;
    n = n * 10 + (*p - '0');
    if(n > TIMEOUT_MAX_S)
      return -1;
  }
  if(n < 1)
    return -1;
  *out = n;
  return 0;
}

static const char *parse_level(const char *v)
{
  for(size_t i = 0; levels[i]; i++) {
    if(!strcmp(v, levels[i]))
      return levels[i];
  }
  return NULL;
}

/* Split the command line on spaces into st->argv (NULL-terminated). */
static int split_command(struct exec_state *st, const char *value, char *err, size_t errlen)
{
  size_t n = 0;
  char *save = NULL;
  st->cmdline_len = strlen(value) + 1;
  st->cmdline = strdup(value);
  st->argv = calloc(st->cmdline_len / 2 + 2, sizeof(char *));
  if(!st->cmdline || !st->argv) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for(char *tok = strtok_r(st->cmdline, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    st->argv[n++] = tok;
  st->argv[n] = NULL;
  if(n == 0) {
    snprintf(err, errlen, "command: is empty");
    return -1;
  }
  return 0;
}

/* The command file: absolute, regular, executable, owned by root or by us
 * and not writable by anyone else (whoever can change it runs code as us).
 * Messages name the path and nothing else of the setting. */
static int check_command(const char *path, struct stat *sb, char *err, size_t errlen)
{
  if(path[0] != '/') {
    snprintf(err, errlen, "command: %s is not an absolute path", path);
    return -1;
  }
  if(stat(path, sb) != 0) {
    snprintf(err, errlen, "command: %s: %s", path, strerror(errno));
    return -1;
  }
  if(!S_ISREG(sb->st_mode)) {
    snprintf(err, errlen, "command: %s is not a regular file", path);
    return -1;
  }
  if(sb->st_mode & (S_IWGRP | S_IWOTH)) {
    snprintf(err, errlen, "command: %s is group- or world-writable (mode %04o); refusing to run it",
             path, (unsigned)(sb->st_mode & 07777));
    return -1;
  }
  if(sb->st_uid != 0 && sb->st_uid != geteuid()) {
    snprintf(err, errlen, "command: %s is owned by uid %u, neither root nor us; refusing to run it",
             path, (unsigned)sb->st_uid);
    return -1;
  }
  if(faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0) {
    snprintf(err, errlen, "command: %s is not executable: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

static void make_detail(struct exec_state *st)
{
  struct esc_buf b;
  char *method = NULL;
  if(asprintf(&method, "external command: %s", st->argv[0]) < 0)
    return;
  esc_buf_init(&b, sizeof(st->detail) - 1);
  if(esc_buf_adds(&b, "{\"method\":") == 0 && esc_json_str(&b, method) == 0 &&
     esc_buf_adds(&b, "}") == 0)
    memcpy(st->detail, b.p, b.len + 1);
  free(method);
  esc_buf_release(&b);
}

static int apply_settings(struct exec_state *st, const struct lethe_rule_info *rule, char *err,
                          size_t errlen)
{
  const char *command = NULL;
  for(size_t i = 0; i < rule->n_settings; i++) {
    const char *k = rule->settings[i].key, *v = rule->settings[i].value;
    if(!strcmp(k, "command"))
      command = v;
    else if(!strcmp(k, "timeout")) {
      if(parse_timeout(v, &st->timeout_s)) {
        snprintf(err, errlen, "timeout: must be a whole number of seconds from 1 to %d",
                 TIMEOUT_MAX_S);
        return -1;
      }
    }
    else if(!strcmp(k, "level")) {
      st->level = parse_level(v);
      if(!st->level) {
        snprintf(err, errlen, "level: must be logical-delete, clear or purge");
        return -1;
      }
    }
    else {
      snprintf(err, errlen, "unknown setting '%s' (exec knows command, timeout, level)", k);
      return -1;
    }
  }
  if(!command) {
    snprintf(err, errlen, "the setting 'command' is required");
    return -1;
  }
  return split_command(st, command, err, errlen);
}

static int open_state(const struct lethe_rule_info *rule, void **state, char *err,
                      size_t errlen)
{
  struct exec_state *st = calloc(1, sizeof(*st));
  struct stat sb;
  *state = NULL;
  if(!st) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  st->timeout_s = TIMEOUT_DEFAULT_S;
  st->level = LETHE_LEVEL_LOGICAL;
  st->rule = strdup(rule->name ? rule->name : "");
  st->source = strdup(rule->source ? rule->source : "");
  if(!st->rule || !st->source) {
    snprintf(err, errlen, "out of memory");
    state_free(st);
    return -1;
  }
  if(apply_settings(st, rule, err, errlen) || check_command(st->argv[0], &sb, err, errlen)) {
    state_free(st);
    return -1;
  }
  st->cmd_dev = sb.st_dev;
  st->cmd_ino = sb.st_ino;
  make_detail(st);
  *state = st;
  return 0;
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *err,
                          size_t errlen)
{
  return open_state(rule, state, err, errlen) ? LETHE_E_CONFIG : LETHE_OK;
}

/* The settings and the command as open would take them: the command file
 * is only looked at, never run. */
static lethe_rc check_rule(const struct lethe_rule_info *rule, char *err, size_t errlen,
                           size_t *setting)
{
  void *st;
  (void)setting;
  if(open_state(rule, &st, err, errlen))
    return LETHE_E_CONFIG;
  state_free(st);
  return LETHE_OK;
}

/* ---- delete: what the command gets ---- */

static int build_input(const struct exec_state *st, const struct lethe_item *item,
                       struct esc_buf *b)
{
  char size[32];
  snprintf(size, sizeof(size), "%llu", (unsigned long long)item->size);
  if(esc_buf_adds(b, "{\"uri\":") || esc_json_str(b, item->uri) ||
     esc_buf_adds(b, ",\"path\":") || esc_json_str(b, item->path) ||
     esc_buf_adds(b, ",\"store\":") || esc_json_str(b, store_name(item->store)) ||
     esc_buf_adds(b, ",\"kind\":") || esc_json_str(b, kind_name(item->kind)) ||
     esc_buf_adds(b, ",\"identity\":") || esc_json_str(b, item->identity_text) ||
     esc_buf_adds(b, ",\"size\":") || esc_buf_adds(b, size) ||
     esc_buf_adds(b, ",\"subject\":") || esc_json_str(b, item->subject) ||
     esc_buf_adds(b, ",\"rule\":") || esc_json_str(b, st->rule) ||
     esc_buf_adds(b, "}\n"))
    return -1;
  return 0;
}

#define ENV_MAX 8

static void env_free(char **env)
{
  for(size_t i = 0; env[i]; i++)
    free(env[i]);
}

/* PATH and the LETHE_* variables, nothing inherited. */
static int build_env(const struct exec_state *st, const struct lethe_item *item,
                     char *env[ENV_MAX])
{
  const char *names[] = { "LETHE_RULE", "LETHE_SOURCE", "LETHE_STORE", "LETHE_URI",
                          "LETHE_PATH", "LETHE_SUBJECT" };
  const char *values[] = { st->rule, st->source, store_name(item->store), item->uri,
                           item->path, item->subject };
  size_t n = 0;
  memset(env, 0, ENV_MAX * sizeof(char *));
  env[n] = strdup(CHILD_PATH);
  if(!env[n++])
    return -1;
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if(!values[i])
      continue;
    if(asprintf(&env[n], "%s=%s", names[i], values[i]) < 0) {
      env[n] = NULL;
      return -1;
    }
    n++;
  }
  return 0;
}

/* ---- delete: outcomes ---- */

static void set_outcome(struct lethe_outcome *out, enum lethe_result result, const char *level)
{
  out->result = result;
  snprintf(out->level, sizeof(out->level), "%s", level);
}

static void fail(struct lethe_outcome *out, enum lethe_result result, const char *fmt, ...)
  PRINTF(3, 4);

static void fail(struct lethe_outcome *out, enum lethe_result result, const char *fmt, ...)
{
  va_list ap;
  set_outcome(out, result, LETHE_LEVEL_NONE);
  va_start(ap, fmt);
  vsnprintf(out->error, sizeof(out->error), fmt, ap);
  va_end(ap);
}

static const char *sig_name(int sig)
{
  const char *abbrev = sigabbrev_np(sig);
  return abbrev ? abbrev : "?";
}

/* FAILED with why, and the end of the command's stderr when it said anything. */
static void command_failed(struct lethe_outcome *out, const struct exec_state *st,
                           const struct spawn_result *res)
{
  char why[160], tail[SPAWN_TAIL_MAX + 8];
  esc_line(res->tail, res->tail_len, res->tail_cut, tail, sizeof(tail));
  if(res->end == SPAWN_EXITED)
    snprintf(why, sizeof(why), "exit status %d", res->status);
  else if(res->end == SPAWN_SIGNALED)
    snprintf(why, sizeof(why), "killed by signal %d (SIG%s)", res->status, sig_name(res->status));
  else if(res->sig_sent == SIGTERM)
    snprintf(why, sizeof(why), "timed out after %ld s; stopped with SIGTERM", st->timeout_s);
  else
    snprintf(why, sizeof(why), "timed out after %ld s; killed with SIGKILL %d s after SIGTERM",
             st->timeout_s, KILL_GRACE_MS / 1000);
  if(tail[0])
    fail(out, LETHE_RESULT_FAILED, "%s: %s", why, tail);
  else
    fail(out, LETHE_RESULT_FAILED, "%s", why);
}

/* ---- delete: checks around the command ---- */

/* Before each run: the command file is still the one checked at open. */
static int recheck_command(const struct exec_state *st, struct lethe_outcome *out)
{
  struct stat sb;
  char err[sizeof(out->error)];
  if(check_command(st->argv[0], &sb, err, sizeof(err))) {
    fail(out, LETHE_RESULT_SKIPPED, "%s", err);
    return -1;
  }
  if(sb.st_dev != st->cmd_dev || sb.st_ino != st->cmd_ino) {
    fail(out, LETHE_RESULT_SKIPPED, "command: %s was replaced since the rule was opened",
         st->argv[0]);
    return -1;
  }
  return 0;
}

/* Files: the name still refers to the planned file. */
static int recheck_file(const struct lethe_item *item, struct lethe_file_identity *expect,
                        struct lethe_outcome *out)
{
  struct lethe_file_identity now;
  lethe_rc rc;
  if(!item->identity || item->identity->store != LETHE_STORE_FILE) {
    fail(out, LETHE_RESULT_SKIPPED, "no file identity was planned for it");
    return -1;
  }
  *expect = item->identity->file;
  if(item->dirfd < 0 || !item->name) {
    fail(out, LETHE_RESULT_SKIPPED, "no directory to check the file in");
    return -1;
  }
  rc = fileops_stat(item->dirfd, item->name, &now, NULL, NULL);
  if(rc == LETHE_E_NOTFOUND) {
    fail(out, LETHE_RESULT_SKIPPED, "the file is gone since it was planned");
    return -1;
  }
  if(rc) {
    fail(out, LETHE_RESULT_SKIPPED, "cannot check the file: %s", strerror(errno));
    return -1;
  }
  if(!file_id_matches_plan(expect, &now)) {
    fail(out, LETHE_RESULT_SKIPPED, "the file changed since it was planned");
    return -1;
  }
  return 0;
}

/* Files, after exit 0: the planned inode is no longer under that name. */
static bool file_still_there(const struct lethe_item *item, const struct lethe_file_identity *expect)
{
  struct lethe_file_identity now;
  if(fileops_stat(item->dirfd, item->name, &now, NULL, NULL))
    return false;
  return file_id_same_inode(expect, &now);
}

static void run_command(const struct exec_state *st, const struct lethe_item *item,
                        const struct lethe_file_identity *expect, struct lethe_outcome *out)
{
  struct esc_buf input;
  char *env[ENV_MAX];
  struct spawn_result res;
  struct spawn_spec spec = { .argv = st->argv, .envp = env,
                             .timeout_ms = st->timeout_s * 1000, .grace_ms = KILL_GRACE_MS };
  esc_buf_init(&input, INPUT_MAX);
  if(build_input(st, item, &input) || build_env(st, item, env)) {
    fail(out, LETHE_RESULT_FAILED, "not run: out of memory");
    goto done;
  }
  spec.input = input.p;
  spec.input_len = input.len;
  spawn_run(&spec, &res);
  if(res.end == SPAWN_NOT_STARTED)
    fail(out, LETHE_RESULT_FAILED, "cannot run %s: %s: %s", st->argv[0], res.what,
         strerror(res.err));
  else if(res.end != SPAWN_EXITED || res.status != 0)
    command_failed(out, st, &res);
  else if(expect && file_still_there(item, expect))
    fail(out, LETHE_RESULT_FAILED, "the command exited 0 but the file is still there");
  else {
    set_outcome(out, LETHE_RESULT_DELETED, st->level);
    snprintf(out->level_reason, sizeof(out->level_reason), "reported by the command");
    snprintf(out->detail, sizeof(out->detail), "%s", st->detail);
  }
done:
  env_free(env);
  esc_buf_release(&input);
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  const struct exec_state *st = state;
  struct lethe_file_identity expect;
  bool is_file = item->store == LETHE_STORE_FILE;
  if(!store_name(item->store)) {
    fail(out, LETHE_RESULT_SKIPPED, "store %u is not one exec handles", (unsigned)item->store);
    return LETHE_OK;
  }
  if(recheck_command(st, out))
    return LETHE_OK;
  if(is_file && recheck_file(item, &expect, out))
    return LETHE_OK;
  run_command(st, item, is_file ? &expect : NULL, out);
  return LETHE_OK;
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  state_free(state);
  return LETHE_OK;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "exec",
  .version = "2.0",
  .stores = STORES,
  .method = "external command (the rule's command deletes the item; the outcome's detail "
            "names it)",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}
