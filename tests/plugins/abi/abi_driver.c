/* Drive one plugin the way the host does, for tests.
 *
 *   abi_driver [--rule NAME] [--source URI] [--detail] [--run-before CMD]
 *              PLUGIN.so [KEY=VALUE]... [-- FIELD=VALUE...]
 *   abi_driver --inspect PLUGIN.so
 *
 * Opens the plugin with the settings KEY=VALUE; with "--", builds one item
 * from the fields after it, runs CMD with system(3) if given (to change
 * things between open and delete), and calls delete_one; then close. Prints
 *   OPEN-REFUSED|message          (exit 2) when open refuses,
 *   OPENED                        when there is no item,
 *   RESULT|level|level_reason|error[|detail]   for the item (exit 0).
 * Item fields: store=file|imap|graph|archive, kind=file|symlink|message,
 * uri=, path=, subject=, dir=DIR (opened as the item's dirfd), name=,
 * identity=TEXT|auto (auto: stat dir/name now, which also sets size),
 * size=N. Defaults: store=file, kind=file, no dirfd.
 *
 * --inspect prints what the loader would see: "entry=missing", "entry=null",
 * or "abi=N name=.. stores=N open=0|1 delete_one=0|1 delete_batch=0|1 close=0|1".
 *
 * This is not the host's loader (agent/ has that); it only refuses what it
 * must to call the plugin safely. */
#include <dlfcn.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileops.h"
#include "lethe/plugin.h"

#define MAX_SETTINGS 32

struct args {
  const char *rule;
  const char *source;
  const char *run_before;
  int detail;
  const char *so;
  struct lethe_setting settings[MAX_SETTINGS];
  size_t n_settings;
  char **fields;
  int n_fields;
  int has_item;
};

static int usage(void)
{
  fprintf(stderr, "usage: abi_driver [--rule NAME] [--source URI] [--detail] "
                  "[--run-before CMD] PLUGIN.so [KEY=VALUE]... [-- FIELD=VALUE...]\n"
                  "       abi_driver --inspect PLUGIN.so\n");
  return 1;
}

static const struct lethe_plugin *load(const char *so, int quiet_missing)
{
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  lethe_plugin_entry_fn entry;
  const struct lethe_plugin *p;
  void *sym;
  if(!h) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    exit(1);
  }
  sym = dlsym(h, LETHE_PLUGIN_ENTRY);
  memcpy(&entry, &sym, sizeof(entry)); /* object to function pointer, as POSIX allows */
  if(!entry) {
    if(quiet_missing) {
      printf("entry=missing\n");
      exit(0);
    }
    fprintf(stderr, "%s: no %s\n", so, LETHE_PLUGIN_ENTRY);
    exit(1);
  }
  p = entry();
  if(!p && quiet_missing) {
    printf("entry=null\n");
    exit(0);
  }
  return p;
}

static int inspect(const char *so)
{
  const struct lethe_plugin *p = load(so, 1);
  printf("abi=%" PRIu32 " name=%s stores=%" PRIu32 " open=%d delete_one=%d delete_batch=%d "
         "close=%d\n", p->abi_version, p->name ? p->name : "(null)", p->stores, !!p->open,
         !!p->delete_one, !!p->delete_batch, !!p->close);
  return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
  int i = 1;
  memset(a, 0, sizeof(*a));
  a->rule = "test-rule";
  a->source = "file:///nonexistent";
  for(; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    if(!strcmp(argv[i], "--detail"))
      a->detail = 1;
    else if(!strcmp(argv[i], "--rule") && i + 1 < argc)
      a->rule = argv[++i];
    else if(!strcmp(argv[i], "--source") && i + 1 < argc)
      a->source = argv[++i];
    else if(!strcmp(argv[i], "--run-before") && i + 1 < argc)
      a->run_before = argv[++i];
    else
      return -1;
  }
  if(i >= argc)
    return -1;
  a->so = argv[i++];
  for(; i < argc && strcmp(argv[i], "--"); i++) {
    char *eq = strchr(argv[i], '=');
    if(!eq || a->n_settings == MAX_SETTINGS)
      return -1;
    *eq = '\0';
    a->settings[a->n_settings].key = argv[i];
    a->settings[a->n_settings++].value = eq + 1;
  }
  if(i < argc) {
    a->has_item = 1;
    a->fields = argv + i + 1;
    a->n_fields = argc - i - 1;
  }
  return 0;
}

static int parse_store(const char *v, uint32_t *out)
{
  static const char *const names[] = { "file", "imap", "graph", "archive" };
  for(unsigned i = 0; i < 4; i++) {
    if(!strcmp(v, names[i])) {
      *out = 1u << i;
      return 0;
    }
  }
  return -1;
}

static int parse_kind(const char *v, enum lethe_item_kind *out)
{
  if(!strcmp(v, "file"))
    *out = LETHE_ITEM_FILE;
  else if(!strcmp(v, "symlink"))
    *out = LETHE_ITEM_SYMLINK;
  else if(!strcmp(v, "message"))
    *out = LETHE_ITEM_MESSAGE;
  else
    return -1;
  return 0;
}

/* identity=auto: what the file is now. */
static int auto_identity(struct lethe_item *item, char *buf)
{
  struct file_id id;
  if(item->dirfd < 0 || !item->name)
    return -1;
  if(fileops_stat(item->dirfd, item->name, &id, NULL, NULL))
    return -1;
  file_id_format(&id, buf);
  item->identity = buf;
  item->size = id.size;
  return 0;
}

static int one_field(struct lethe_item *item, char *f, int *want_auto)
{
  char *eq = strchr(f, '=');
  const char *v;
  if(!eq)
    return -1;
  *eq = '\0';
  v = eq + 1;
  if(!strcmp(f, "store"))
    return parse_store(v, &item->store);
  if(!strcmp(f, "kind"))
    return parse_kind(v, &item->kind);
  if(!strcmp(f, "uri"))
    item->uri = v;
  else if(!strcmp(f, "path"))
    item->path = v;
  else if(!strcmp(f, "subject"))
    item->subject = v;
  else if(!strcmp(f, "name"))
    item->name = v;
  else if(!strcmp(f, "size"))
    item->size = strtoull(v, NULL, 10);
  else if(!strcmp(f, "identity") && !strcmp(v, "auto"))
    *want_auto = 1;
  else if(!strcmp(f, "identity"))
    item->identity = v;
  else if(!strcmp(f, "dir")) {
    item->dirfd = open(v, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(item->dirfd < 0)
      perror(v);
    return item->dirfd < 0 ? -1 : 0;
  }
  else
    return -1;
  return 0;
}

static int build_item(struct args *a, struct lethe_item *item, char *idbuf)
{
  int want_auto = 0;
  memset(item, 0, sizeof(*item));
  item->store = LETHE_STORE_FILE;
  item->kind = LETHE_ITEM_FILE;
  item->dirfd = -1;
  for(int i = 0; i < a->n_fields; i++) {
    if(one_field(item, a->fields[i], &want_auto)) {
      fprintf(stderr, "bad item field: %s\n", a->fields[i]);
      return -1;
    }
  }
  if(want_auto && auto_identity(item, idbuf)) {
    fprintf(stderr, "identity=auto: cannot stat the item\n");
    return -1;
  }
  return 0;
}

static const char *result_name(enum lethe_result r)
{
  switch(r) {
  case LETHE_RESULT_DELETED: return "DELETED";
  case LETHE_RESULT_FAILED: return "FAILED";
  case LETHE_RESULT_SKIPPED: return "SKIPPED";
  default: return "UNKNOWN";
  }
}

static int delete_item(const struct lethe_plugin *p, void *state, struct args *a)
{
  struct lethe_item item;
  struct lethe_outcome out;
  char idbuf[FILE_ID_TEXT_LEN];
  int rc;
  if(build_item(a, &item, idbuf))
    return -1;
  if(a->run_before && system(a->run_before) != 0) {
    fprintf(stderr, "--run-before failed: %s\n", a->run_before);
    return -1;
  }
  memset(&out, 0, sizeof(out));
  rc = p->delete_one(state, &item, &out);
  if(item.dirfd >= 0)
    close(item.dirfd);
  if(rc) {
    fprintf(stderr, "delete_one returned %d\n", rc);
    return -1;
  }
  printf("%s|%s|%s|%s", result_name(out.result), out.level, out.level_reason, out.error);
  if(a->detail)
    printf("|%s", out.detail);
  printf("\n");
  return 0;
}

int main(int argc, char **argv)
{
  struct args a;
  struct lethe_rule_info rule;
  const struct lethe_plugin *p;
  void *state = NULL;
  char err[1024] = "";
  int rc = 0;
  if(argc == 3 && !strcmp(argv[1], "--inspect"))
    return inspect(argv[2]);
  if(parse_args(argc, argv, &a))
    return usage();
  p = load(a.so, 0);
  if(!p || p->abi_version != LETHE_PLUGIN_ABI_VERSION || !p->open || !p->delete_one || !p->close) {
    fprintf(stderr, "%s: not a usable version %u plugin\n", a.so, LETHE_PLUGIN_ABI_VERSION);
    return 1;
  }
  rule = (struct lethe_rule_info){ .name = a.rule, .source = a.source, .settings = a.settings,
                                   .n_settings = a.n_settings, .rootfd = -1 };
  if(p->open(&rule, &state, err, sizeof(err))) {
    printf("OPEN-REFUSED|%s\n", err);
    return 2;
  }
  if(a.has_item)
    rc = delete_item(p, state, &a);
  else
    printf("OPENED\n");
  err[0] = '\0';
  if(p->close(state, err, sizeof(err))) {
    fprintf(stderr, "close: %s\n", err);
    rc = -1;
  }
  return rc ? 1 : 0;
}
