/* A tiny host for testing a deletion plugin in isolation: load it with
 * dlopen, open it with the settings given, hand it real files as items, and
 * print one line per outcome:
 *
 *   RESULT LEVEL | LEVEL_REASON | ERROR | DETAIL
 *
 * usage: plugin_driver [-r RULE] [-S SUBJECT] [-s KEY=VALUE]... [-R ROOT]
 *                      [-I IDENTITY] [-w SIGNAL] [-b] PLUGIN.so FILE...
 *
 *   -R ROOT      item paths are relative to ROOT (default: the file's name)
 *   -I IDENTITY  plan this identity instead of the file's own (a stale one)
 *   -w SIGNAL    after taking the identities, create SIGNAL.ready and wait
 *                until SIGNAL exists, so a test can change files in between
 *   -b           hand all items to delete_batch in one call
 *
 * Exit: 0 done, 1 a method failed, 2 usage, 3 open refused (the message is
 * printed as "open failed: ..."), 4 close failed. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileops.h"
#include "lethe/plugin.h"

#define MAX_SETTINGS 32

struct args {
  const char *rule, *subject, *root, *identity, *signal, *so;
  struct lethe_setting settings[MAX_SETTINGS];
  size_t n_settings;
  int batch;
  char **files;
  size_t n_files;
};

/* What an item points into, freed after the run. */
struct slot {
  char *dir, *name, *path, *uri;
  char identity[FILE_ID_TEXT_LEN];
  char tmpname[64];
};

static void usage(void)
{
  fprintf(stderr, "usage: plugin_driver [-r RULE] [-S SUBJECT] [-s KEY=VALUE]... [-R ROOT] "
          "[-I IDENTITY] [-w SIGNAL] [-b] PLUGIN.so FILE...\n");
  exit(2);
}

static void add_setting(struct args *a, char *kv)
{
  char *eq = strchr(kv, '=');
  if(!eq || a->n_settings == MAX_SETTINGS)
    usage();
  *eq = '\0';
  a->settings[a->n_settings].key = kv;
  a->settings[a->n_settings].value = eq + 1;
  a->n_settings++;
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
    case 's': add_setting(a, optarg); break;
    case 'R': a->root = optarg; break;
    case 'I': a->identity = optarg; break;
    case 'w': a->signal = optarg; break;
    case 'b': a->batch = 1; break;
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
  char *d = strdup(s);
  if(!d) {
    perror("strdup");
    exit(2);
  }
  return d;
}

/* Split file into its directory and name, open the directory, take the
 * identity with statx (never following a symlink) and fill the item. */
static void make_item(const struct args *a, size_t i, struct slot *s, struct lethe_item *it)
{
  const char *file = a->files[i];
  const char *slash = strrchr(file, '/');
  struct statx stx;
  struct file_id id;
  size_t rootlen = a->root ? strlen(a->root) : 0;

  s->dir = slash ? strndup(file, (size_t)(slash - file) + (slash == file)) : xstrdup(".");
  s->name = xstrdup(slash ? slash + 1 : file);
  if(a->root && !strncmp(file, a->root, rootlen) && file[rootlen] == '/')
    s->path = xstrdup(file + rootlen + 1);
  else
    s->path = xstrdup(s->name);
  s->uri = malloc(strlen(file) + 8);
  if(!s->dir || !s->uri)
    exit(2);
  sprintf(s->uri, "file://%s", file);
  snprintf(s->tmpname, sizeof(s->tmpname), ".lethe-delete-%ld-%zu", (long)getpid(), i);

  memset(it, 0, sizeof(*it));
  it->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(it->dirfd < 0) {
    fprintf(stderr, "plugin_driver: cannot open %s: %s\n", s->dir, strerror(errno));
    exit(2);
  }
  if(statx(it->dirfd, s->name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx)) {
    fprintf(stderr, "plugin_driver: cannot stat %s: %s\n", file, strerror(errno));
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
  it->identity = s->identity;
  it->size = stx.stx_size;
  it->tmpname = s->tmpname;
}

static void wait_for(const char *signal)
{
  char ready[4096];
  struct stat st;
  struct timespec nap = { 0, 20 * 1000 * 1000 };
  FILE *f;
  snprintf(ready, sizeof(ready), "%s.ready", signal);
  f = fopen(ready, "w");
  if(!f || fclose(f)) {
    fprintf(stderr, "plugin_driver: cannot create %s\n", ready);
    exit(2);
  }
  for(int i = 0; i < 3000 && stat(signal, &st); i++)
    nanosleep(&nap, NULL);
}

static const char *result_name(enum lethe_result r)
{
  switch(r) {
  case LETHE_RESULT_DELETED: return "deleted";
  case LETHE_RESULT_FAILED: return "failed";
  case LETHE_RESULT_SKIPPED: return "skipped";
  }
  return "?";
}

static void print_outcome(const struct lethe_outcome *o)
{
  printf("%s %s | %s | %s | %s\n", result_name(o->result), o->level, o->level_reason,
         o->error, o->detail);
}

static const struct lethe_plugin *load(const char *so, void **handle)
{
  lethe_plugin_entry_fn entry;
  const struct lethe_plugin *p;
  *handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if(!*handle) {
    fprintf(stderr, "plugin_driver: %s\n", dlerror());
    exit(2);
  }
  *(void **)&entry = dlsym(*handle, LETHE_PLUGIN_ENTRY);
  p = entry ? entry() : NULL;
  if(!p || p->abi_version != LETHE_PLUGIN_ABI_VERSION || !p->open || !p->delete_one ||
     !p->close) {
    fprintf(stderr, "plugin_driver: %s is not a version %u plugin\n", so,
            LETHE_PLUGIN_ABI_VERSION);
    exit(2);
  }
  return p;
}

static int run(const struct lethe_plugin *p, void *state, struct lethe_item *items,
               size_t n, int batch)
{
  struct lethe_outcome *outs = calloc(n ? n : 1, sizeof(*outs));
  int failed = 0;
  if(!outs)
    exit(2);
  if(batch && p->delete_batch)
    failed = p->delete_batch(state, items, n, outs) != 0;
  else
    for(size_t i = 0; i < n && !failed; i++)
      failed = p->delete_one(state, &items[i], &outs[i]) != 0;
  for(size_t i = 0; i < n; i++)
    print_outcome(&outs[i]);
  free(outs);
  return failed;
}

int main(int argc, char **argv)
{
  struct args a;
  struct lethe_rule_info rule = { 0 };
  const struct lethe_plugin *p;
  void *handle, *state = NULL;
  char err[1024] = "";
  struct slot *slots;
  struct lethe_item *items;
  int rc;

  parse_args(argc, argv, &a);
  p = load(a.so, &handle);
  rule.name = a.rule;
  rule.source = "file:///";
  rule.settings = a.settings;
  rule.n_settings = a.n_settings;
  rule.rootfd = -1;
  if(p->open(&rule, &state, err, sizeof(err))) {
    printf("open failed: %s\n", err);
    dlclose(handle);
    return 3;
  }
  slots = calloc(a.n_files + 1, sizeof(*slots));
  items = calloc(a.n_files + 1, sizeof(*items));
  if(!slots || !items)
    return 2;
  for(size_t i = 0; i < a.n_files; i++)
    make_item(&a, i, &slots[i], &items[i]);
  if(a.signal)
    wait_for(a.signal);
  rc = run(p, state, items, a.n_files, a.batch);
  if(p->close(state, err, sizeof(err))) {
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
  dlclose(handle);
  return rc;
}
