/* plugin_tool files: real files as items. Each FILE is split into its
 * directory (opened as the item's dirfd) and name, its identity taken with
 * statx (never following a symlink), and one line printed per outcome:
 *
 *   RESULT LEVEL | LEVEL_REASON | ERROR | DETAIL
 *
 *   -r RULE      the rule's name (default test)
 *   -S SUBJECT   the items' subject
 *   -s KEY=VAL   a rule setting
 *   -R ROOT      item paths are relative to ROOT (default: the file's name)
 *   -I IDENTITY  plan this identity instead of the file's own (a stale one)
 *   -w SIGNAL    after taking the identities, create SIGNAL.ready and wait
 *                until SIGNAL exists, so a test can change files in between
 *   -b           hand all items to delete_batch in one call
 *
 * Exit: 0 done, 1 a method failed, 2 usage, 3 open refused (the message is
 * printed as "open failed: ..."), 4 close failed. */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileops.h"
#include "sources.h"

struct args {
  const char *rule, *subject, *root, *identity, *signal, *so;
  struct lethe_setting settings[TOOL_MAX_SETTINGS];
  size_t n_settings;
  bool batch;
  char **files;
  size_t n_files;
};

/* What an item points into, freed after the run. */
struct slot {
  char *dir, *name, *path, *uri;
  char identity[FILE_ID_TEXT_LEN];
  char tmpname[64];
  struct lethe_identity id;
};

static void usage(void)
{
  fprintf(stderr, "usage: plugin_tool files [-r RULE] [-S SUBJECT] [-s KEY=VALUE]... "
          "[-R ROOT] [-I IDENTITY] [-w SIGNAL] [-b] PLUGIN.so FILE...\n");
  exit(2);
}

static void parse_args(int argc, char **argv, struct args *a)
{
  int c;
  memset(a, 0, sizeof(*a));
  a->rule = "test";
  while((c = getopt(argc, argv, "r:S:s:R:I:w:b")) != -1) {
    switch(c) {
    case 'r': a->rule = optarg; break;
    case 'S': a->subject = optarg; break;
    case 's': if(!tool_setting(optarg, a->settings, &a->n_settings)) usage(); break;
    case 'R': a->root = optarg; break;
    case 'I': a->identity = optarg; break;
    case 'w': a->signal = optarg; break;
    case 'b': a->batch = true; break;
    default: usage();
    }
  }
  if(argc - optind < 1)
    usage();
  a->so = argv[optind];
  a->files = argv + optind + 1;
  a->n_files = (size_t)(argc - optind - 1);
}

static char *xstrdup(const char *s)
{
  char *d = s ? strdup(s) : NULL;
  if(!d)
    exit(2);
  return d;
}

static void make_item(const struct args *a, size_t i, struct slot *s, struct lethe_item *it)
{
  const char *file = a->files[i];
  const char *slash = strrchr(file, '/');
  struct statx stx;
  struct lethe_file_identity id;
  size_t rootlen = a->root ? strlen(a->root) : 0;

  s->dir = slash ? strndup(file, (size_t)(slash - file) + (slash == file)) : xstrdup(".");
  s->name = xstrdup(slash ? slash + 1 : file);
  s->path = xstrdup(a->root && !strncmp(file, a->root, rootlen) && file[rootlen] == '/'
                    ? file + rootlen + 1 : s->name);
  if(!s->dir || asprintf(&s->uri, "file://%s", file) < 0)
    exit(2);
  snprintf(s->tmpname, sizeof(s->tmpname), ".lethe-delete-%ld-%zu", (long)getpid(), i);
  memset(it, 0, sizeof(*it));
  it->struct_size = sizeof(*it);
  it->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(it->dirfd < 0 ||
     statx(it->dirfd, s->name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx)) {
    fprintf(stderr, "plugin_tool: cannot reach %s: %s\n", file, strerror(errno));
    exit(2);
  }
  file_id_from_statx(&stx, &id);
  file_id_format(&id, s->identity);
  if(a->identity)
    snprintf(s->identity, sizeof(s->identity), "%s", a->identity);
  it->store = LETHE_STORE_FILE;
  it->kind = S_ISLNK(stx.stx_mode) ? LETHE_ITEM_SYMLINK : LETHE_ITEM_FILE;
  it->uri = s->uri;
  it->path = s->path;
  it->subject = a->subject;
  it->name = s->name;
  it->identity_text = s->identity;
  it->identity = source_identity(LETHE_STORE_FILE, s->identity, &s->id) ? NULL : &s->id;
  it->size = stx.stx_size;
  it->tmpname = s->tmpname;
  it->seq = i + 1;
}

int tool_files(int argc, char **argv)
{
  struct args a;
  struct lethe_rule_info rule;
  struct loaded_plugin p;
  void *state = NULL;
  char err[1024] = "";
  struct slot *slots;
  struct lethe_item *items;
  struct lethe_outcome *outs;
  int rc;

  parse_args(argc, argv, &a);
  tool_load(a.so, &p);
  rule = (struct lethe_rule_info){ .name = a.rule, .source = "file:///", .settings = a.settings,
                                   .n_settings = a.n_settings, .rootfd = -1,
                                   .struct_size = sizeof(rule), .run_id = "0badc0de-test" };
  if(plugin_open(&p, &rule, &state, err, sizeof(err))) {
    printf("open failed: %s\n", err);
    plugin_unload(&p);
    return 3;
  }
  slots = calloc(a.n_files + 1, sizeof(*slots));
  items = calloc(a.n_files + 1, sizeof(*items));
  outs = calloc(a.n_files + 1, sizeof(*outs));
  if(!slots || !items || !outs)
    return 2;
  for(size_t i = 0; i < a.n_files; i++)
    make_item(&a, i, &slots[i], &items[i]);
  if(a.signal)
    tool_wait_for(a.signal);
  rc = tool_delete(&p, state, items, a.n_files, outs, a.batch);
  for(size_t i = 0; i < a.n_files; i++)
    printf("%s %s | %s | %s | %s\n", tool_result(outs[i].result, false), outs[i].level,
           outs[i].level_reason, outs[i].error, tool_detail(&outs[i]));
  if(plugin_close(&p, state, err, sizeof(err))) {
    printf("close failed: %s\n", err);
    rc = 4;
  }
  for(size_t i = 0; i < a.n_files; i++) {
    close(items[i].dirfd);
    free(slots[i].dir);
    free(slots[i].name);
    free(slots[i].path);
    free(slots[i].uri);
  }
  free(slots);
  free(items);
  free(outs);
  plugin_unload(&p);
  return rc;
}
