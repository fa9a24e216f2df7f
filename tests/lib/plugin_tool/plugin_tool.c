#include "tool.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void tool_load(const char *so, struct loaded_plugin *p)
{
  char *a = strdup(so), *b = strdup(so), *action;
  struct lethe_err err = { 0 };
  size_t n;
  if(!a || !b)
    exit(2);
  action = basename(b);
  n = strlen(action);
  if(n > 3 && !strcmp(action + n - 3, ".so"))
    action[n - 3] = '\0';
  if(plugin_load(dirname(a), action, p, &err)) {
    fprintf(stderr, "plugin_tool: %s\n", err.msg);
    exit(2);
  }
  free(a);
  free(b);
}

bool tool_setting(char *kv, struct lethe_setting *settings, size_t *n)
{
  char *eq = strchr(kv, '=');
  if(!eq || *n == TOOL_MAX_SETTINGS)
    return false;
  *eq = '\0';
  settings[*n].key = kv;
  settings[*n].value = eq + 1;
  (*n)++;
  return true;
}

const char *tool_result(enum lethe_result r, bool upper)
{
  switch(r) {
  case LETHE_RESULT_DELETED: return upper ? "DELETED" : "deleted";
  case LETHE_RESULT_FAILED: return upper ? "FAILED" : "failed";
  case LETHE_RESULT_SKIPPED: return upper ? "SKIPPED" : "skipped";
  case LETHE_RESULT_HELD: return upper ? "HELD" : "held";
  }
  return "?";
}

const char *tool_detail(const struct lethe_outcome *o)
{
  static char buf[64 * 1024];
  if(o->detail_json && o->detail_len) {
    snprintf(buf, sizeof(buf), "%.*s", (int)o->detail_len, o->detail_json);
    return buf;
  }
  return o->detail;
}

void tool_wait_for(const char *signal)
{
  char ready[4096];
  struct stat st;
  struct timespec nap = { 0, 20 * 1000 * 1000 };
  FILE *f;
  snprintf(ready, sizeof(ready), "%s.ready", signal);
  f = fopen(ready, "w");
  if(!f || fclose(f)) {
    fprintf(stderr, "plugin_tool: cannot create %s\n", ready);
    exit(2);
  }
  for(int i = 0; i < 3000 && stat(signal, &st); i++)
    nanosleep(&nap, NULL);
}

int tool_delete(const struct loaded_plugin *p, void *state, struct lethe_item *items,
                size_t n, struct lethe_outcome *outs, bool batch)
{
  const struct lethe_item **ip = calloc(n + 1, sizeof(*ip));
  struct lethe_outcome **op = calloc(n + 1, sizeof(*op));
  struct lethe_err err = { 0 };
  int failed = 0;
  if(!ip || !op)
    exit(2);
  for(size_t i = 0; i < n; i++) {
    memset(&outs[i], 0, sizeof(outs[i]));
    outs[i].struct_size = sizeof(outs[i]);
    ip[i] = &items[i];
    op[i] = &outs[i];
  }
  if(batch && plugin_batches(p))
    failed = plugin_delete(p, state, ip, n, op, &err) != LETHE_OK;
  else
    for(size_t i = 0; i < n && !failed; i++)
      failed = plugin_delete(p, state, ip + i, 1, op + i, &err) != LETHE_OK;
  if(failed)
    fprintf(stderr, "plugin_tool: %s\n", err.msg);
  free(ip);
  free(op);
  return failed;
}

/* What the entry point returns, without the loader's checks: the fixtures
 * test that the loader refuses them for the reason they are named after. */
int tool_inspect(int argc, char **argv)
{
  lethe_plugin_entry_fn entry;
  const struct lethe_plugin *p;
  void *h, *sym;
  if(argc != 2)
    return 2;
  h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if(!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  sym = dlsym(h, LETHE_PLUGIN_ENTRY);
  if(!sym) {
    printf("entry=missing\n");
    return 0;
  }
  memcpy(&entry, &sym, sizeof(entry)); /* object to function pointer, as POSIX allows */
  p = entry();
  if(!p) {
    printf("entry=null\n");
    return 0;
  }
  printf("abi=%" PRIu32 " name=%s stores=%" PRIu32 " open=%d delete_one=%d delete_batch=%d "
         "close=%d\n", p->abi_version, p->name ? p->name : "(null)", p->stores, !!p->open,
         !!p->delete_one, !!p->delete_batch, !!p->close);
  return 0;
}

int main(int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*fn)(int, char **);
  } modes[] = {
    { "inspect", tool_inspect }, { "item", tool_item }, { "files", tool_files },
    { "messages", tool_messages },
  };
  for(size_t i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]); i++)
    if(!strcmp(argv[1], modes[i].name))
      return modes[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "usage: plugin_tool inspect|item|files|messages ... (see tool.h)\n");
  return 2;
}
