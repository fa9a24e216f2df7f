/* plugin_tool item: one hand-made item.
 *
 * Opens the plugin with the settings KEY=VALUE; with "--", builds one item
 * from the fields after it, runs CMD with system(3) if given (to change
 * things between open and delete), and deletes it; then close. Prints
 *   OPEN-REFUSED|message          (exit 2) when open refuses,
 *   OPENED                        when there is no item,
 *   RESULT|level|level_reason|error[|detail]   for the item (exit 0).
 * Item fields: store=file|imap|graph|archive, kind=file|symlink|message,
 * uri=, path=, subject=, dir=DIR (opened as the item's dirfd), name=,
 * identity=TEXT|auto (auto: stat dir/name now, which also sets size),
 * size=N, seq=N. Defaults: store=file, kind=file, no dirfd. */
#include "tool.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileops.h"
#include "item.h"
#include "sources.h"

struct args {
  const char *rule, *source, *run_before, *so;
  bool detail, has_item;
  struct lethe_setting settings[TOOL_MAX_SETTINGS];
  size_t n_settings;
  char **fields;
  int n_fields;
};

static int parse_args(int argc, char **argv, struct args *a)
{
  int i = 1;
  memset(a, 0, sizeof(*a));
  a->rule = "test-rule";
  a->source = "file:///nonexistent";
  for(; i < argc && !strncmp(argv[i], "--", 2) && argv[i][2]; i++) {
    if(!strcmp(argv[i], "--detail"))
      a->detail = true;
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
  for(; i < argc && strcmp(argv[i], "--"); i++)
    if(!tool_setting(argv[i], a->settings, &a->n_settings))
      return -1;
  if(i < argc) {
    a->has_item = true;
    a->fields = argv + i + 1;
    a->n_fields = argc - i - 1;
  }
  return 0;
}

static int one_field(struct lethe_item *item, char *f, bool *want_auto)
{
  char *eq = strchr(f, '=');
  const char *v;
  enum item_kind kind;
  if(!eq)
    return -1;
  *eq = '\0';
  v = eq + 1;
  if(!strcmp(f, "store"))
    return item_store_parse(v, &item->store) ? 0 : -1;
  if(!strcmp(f, "kind")) {
    if(!item_kind_parse(v, &kind) || kind >= ITEM_OTHER)
      return -1;
    item->kind = (enum lethe_item_kind)kind;
  }
  else if(!strcmp(f, "uri"))
    item->uri = v;
  else if(!strcmp(f, "path"))
    item->path = v;
  else if(!strcmp(f, "subject"))
    item->subject = v;
  else if(!strcmp(f, "name"))
    item->name = v;
  else if(!strcmp(f, "size"))
    item->size = strtoull(v, NULL, 10);
  else if(!strcmp(f, "seq"))
    item->seq = strtoull(v, NULL, 10);
  else if(!strcmp(f, "identity"))
    *want_auto = !strcmp(v, "auto"), item->identity_text = *want_auto ? NULL : v;
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

/* identity=auto: what the file is now. */
static int auto_identity(struct lethe_item *item, char *buf)
{
  struct lethe_file_identity id;
  if(item->dirfd < 0 || !item->name || fileops_stat(item->dirfd, item->name, &id, NULL, NULL))
    return -1;
  file_id_format(&id, buf);
  item->identity_text = buf;
  item->size = id.size;
  return 0;
}

static int build_item(struct args *a, struct lethe_item *item, struct lethe_identity *id,
                      char *idbuf)
{
  bool want_auto = false;
  memset(item, 0, sizeof(*item));
  item->struct_size = sizeof(*item);
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
  /* A malformed identity reaches the plugin untyped, as a hand-made plan's would
   * reach an ABI 1 plugin: it must refuse it. */
  item->identity = source_identity(item->store, item->identity_text, id) ? NULL : id;
  return 0;
}

static int delete_item(const struct loaded_plugin *p, void *state, struct args *a)
{
  struct lethe_item item;
  struct lethe_identity id;
  struct lethe_outcome out;
  char idbuf[FILE_ID_TEXT_LEN];
  int failed;
  if(build_item(a, &item, &id, idbuf))
    return -1;
  if(a->run_before && system(a->run_before) != 0) {
    fprintf(stderr, "--run-before failed: %s\n", a->run_before);
    return -1;
  }
  failed = tool_delete(p, state, &item, 1, &out, false);
  if(item.dirfd >= 0)
    close(item.dirfd);
  if(failed)
    return -1;
  printf("%s|%s|%s|%s", tool_result(out.result, true), out.level, out.level_reason, out.error);
  if(a->detail)
    printf("|%s", tool_detail(&out));
  printf("\n");
  return 0;
}

int tool_item(int argc, char **argv)
{
  struct args a;
  struct loaded_plugin p;
  struct lethe_rule_info rule;
  void *state = NULL;
  char err[1024] = "";
  int rc = 0;
  if(parse_args(argc, argv, &a)) {
    fprintf(stderr, "usage: plugin_tool item [--rule NAME] [--source URI] [--detail] "
            "[--run-before CMD] PLUGIN.so [KEY=VALUE]... [-- FIELD=VALUE...]\n");
    return 1;
  }
  tool_load(a.so, &p);
  rule = (struct lethe_rule_info){ .name = a.rule, .source = a.source, .settings = a.settings,
                                   .n_settings = a.n_settings, .rootfd = -1,
                                   .struct_size = sizeof(rule), .run_id = "00000000-test" };
  if(plugin_open(&p, &rule, &state, err, sizeof(err))) {
    printf("OPEN-REFUSED|%s\n", err);
    plugin_unload(&p);
    return 2;
  }
  if(a.has_item)
    rc = delete_item(&p, state, &a);
  else
    printf("OPENED\n");
  err[0] = '\0';
  if(plugin_close(&p, state, err, sizeof(err))) {
    fprintf(stderr, "close: %s\n", err);
    rc = -1;
  }
  plugin_unload(&p);
  return rc ? 1 : 0;
}
