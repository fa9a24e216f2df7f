/* A tiny host for testing the mailbox plugins in isolation, the way the
 * agent will drive them: dlopen the plugin, open it with the rule's source
 * and settings, hand it message items and print one line per outcome:
 *
 *   UID RESULT LEVEL | LEVEL_REASON | ERROR | DETAIL
 *
 * usage: imap_driver -S SOURCE [-s KEY=VALUE]... [-w SIGNAL] [-1] [-f FILE]
 *                    PLUGIN.so IDENTITY...
 *
 *   -S SOURCE    the rule's source URI (imap://user@127.0.0.1:PORT/Folder)
 *   -s KEY=VAL   a rule setting (credentials, tls, move-to ...)
 *   -w SIGNAL    after open, create SIGNAL.ready and wait until SIGNAL
 *                exists, so a test can change the folder in between
 *   -1           hand the items to delete_one, one at a time
 *   -f FILE      read more identities from FILE, one a line (for batches
 *                too large for a command line)
 *
 * An IDENTITY is "uidvalidity=V uid=U" as planned. Each item gets the URI
 * SOURCE;UIDVALIDITY=V/;UID=U and the path the plan gives it.
 *
 * Exit: 0 done, 1 a method failed, 2 usage, 3 open refused ("open failed:
 * ..." on stderr), 4 close failed. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap_url.h"
#include "lethe/plugin.h"

#define MAX_SETTINGS 16

struct args {
  const char *source, *signal, *so, *file;
  struct lethe_setting settings[MAX_SETTINGS];
  size_t n_settings;
  int one;
  char **ids;
  size_t n, n_argv;          /* ids[n_argv..n) come from the file */
};

static void usage(void)
{
  fprintf(stderr, "usage: imap_driver -S SOURCE [-s KEY=VALUE]... [-w SIGNAL] [-1] "
          "PLUGIN.so IDENTITY...\n");
  exit(2);
}

/* Append the identities in a->file to a->ids (a fresh array). */
static void read_ids(struct args *a)
{
  FILE *f = fopen(a->file, "r");
  char line[256], **ids = malloc((a->n + 1) * sizeof(*ids));
  size_t cap = a->n + 1;
  if(!f || !ids)
    usage();
  memcpy(ids, a->ids, a->n * sizeof(*ids));
  while(fgets(line, sizeof(line), f)) {
    line[strcspn(line, "\n")] = '\0';
    if(a->n + 1 >= cap) {
      cap *= 2;
      ids = realloc(ids, cap * sizeof(*ids));
      if(!ids)
        exit(2);
    }
    ids[a->n] = strdup(line);
    if(!ids[a->n++])
      exit(2);
  }
  fclose(f);
  a->ids = ids;
}

static void parse_args(int argc, char **argv, struct args *a)
{
  int c;
  memset(a, 0, sizeof(*a));
  while((c = getopt(argc, argv, "S:s:w:1f:")) != -1) {
    char *eq;
    switch(c) {
    case 'S': a->source = optarg; break;
    case 'w': a->signal = optarg; break;
    case '1': a->one = 1; break;
    case 'f': a->file = optarg; break;
    case 's':
      eq = strchr(optarg, '=');
      if(!eq || a->n_settings == MAX_SETTINGS)
        usage();
      *eq = '\0';
      a->settings[a->n_settings].key = optarg;
      a->settings[a->n_settings++].value = eq + 1;
      break;
    default: usage();
    }
  }
  if(!a->source || argc - optind < 1)
    usage();
  a->so = argv[optind];
  a->ids = argv + optind + 1;
  a->n = a->n_argv = (size_t)(argc - optind - 1);
  if(a->file)
    read_ids(a);
}

static const struct lethe_plugin *load(const char *so)
{
  lethe_plugin_entry_fn entry;
  const struct lethe_plugin *p;
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if(!h) {
    fprintf(stderr, "imap_driver: %s\n", dlerror());
    exit(2);
  }
  *(void **)&entry = dlsym(h, LETHE_PLUGIN_ENTRY);
  p = entry ? entry() : NULL;
  if(!p || p->abi_version != LETHE_PLUGIN_ABI_VERSION || !p->open || !p->close ||
     !(p->stores & LETHE_STORE_IMAP) || (!p->delete_one && !p->delete_batch)) {
    fprintf(stderr, "imap_driver: %s is not a version %u IMAP plugin\n", so,
            LETHE_PLUGIN_ABI_VERSION);
    exit(2);
  }
  return p;
}

/* Fill item i: URI and path as the planner writes them. */
static void make_item(const struct imap_url *u, const char *id, struct lethe_item *it,
                      char **uri, char **path)
{
  struct dynbuf b;
  uint32_t v = 0, uid = 0;
  size_t off = strlen(u->base) + 1;
  if(!imap_identity_parse(id, &v, &uid))
    v = 1, uid = 1; /* a malformed identity is passed on as is: the plugin must refuse it */
  db_init(&b, 65536);
  if(imap_url_message(u, v, uid, true, &b))
    exit(2);
  *uri = strdup(b.mem);
  *path = strdup(b.mem + off);
  db_release(&b);
  if(!*uri || !*path)
    exit(2);
  memset(it, 0, sizeof(*it));
  it->store = LETHE_STORE_IMAP;
  it->kind = LETHE_ITEM_MESSAGE;
  it->uri = *uri;
  it->path = *path;
  it->dirfd = -1;
  it->name = strrchr(*path, '=') + 1;
  it->identity = id;
}

static void wait_for(const char *signal)
{
  char ready[4096];
  struct stat st;
  struct timespec nap = { 0, 20 * 1000 * 1000 };
  FILE *f;
  snprintf(ready, sizeof(ready), "%s.ready", signal);
  f = fopen(ready, "w");
  if(!f || fclose(f))
    exit(2);
  for(int i = 0; i < 3000 && stat(signal, &st); i++)
    nanosleep(&nap, NULL);
}

static const char *result_name(enum lethe_result r)
{
  return r == LETHE_RESULT_DELETED ? "deleted" : r == LETHE_RESULT_FAILED ? "failed"
         : r == LETHE_RESULT_SKIPPED ? "skipped" : "?";
}

int main(int argc, char **argv)
{
  struct args a;
  struct imap_url u;
  struct lethe_err err = { 0 };
  struct lethe_rule_info info = { .name = "test", .rootfd = -1 };
  const struct lethe_plugin *p;
  struct lethe_item *items;
  struct lethe_outcome *outs;
  char **uris, **paths, msg[1024] = "";
  void *state = NULL;
  int failed = 0;

  parse_args(argc, argv, &a);
  if(imap_url_parse(a.source, &u, &err)) {
    fprintf(stderr, "imap_driver: %s\n", err.msg);
    return 2;
  }
  p = load(a.so);
  items = calloc(a.n + 1, sizeof(*items));
  outs = calloc(a.n + 1, sizeof(*outs));
  uris = calloc(a.n + 1, sizeof(*uris));
  paths = calloc(a.n + 1, sizeof(*paths));
  if(!items || !outs || !uris || !paths)
    return 2;
  for(size_t i = 0; i < a.n; i++)
    make_item(&u, a.ids[i], &items[i], &uris[i], &paths[i]);
  info.source = a.source;
  info.settings = a.settings;
  info.n_settings = a.n_settings;
  if(p->open(&info, &state, msg, sizeof(msg))) {
    fprintf(stderr, "open failed: %s\n", msg);
    failed = 3;
    goto out;
  }
  if(a.signal)
    wait_for(a.signal);
  if(!a.one && p->delete_batch)
    failed = p->delete_batch(state, items, a.n, outs) != 0;
  else
    for(size_t i = 0; i < a.n && !failed; i++)
      failed = p->delete_one(state, &items[i], &outs[i]) != 0;
  for(size_t i = 0; i < a.n; i++)
    printf("%s %s %s | %s | %s | %s\n", items[i].name, result_name(outs[i].result),
           outs[i].level, outs[i].level_reason, outs[i].error, outs[i].detail);
  fflush(stdout);
  msg[0] = '\0';
  if(p->close(state, msg, sizeof(msg))) {
    fprintf(stderr, "close failed: %s\n", msg);
    failed = 4;
  }
out:
  for(size_t i = 0; i < a.n; i++) {
    free(uris[i]);
    free(paths[i]);
  }
  free(uris);
  free(paths);
  free(items);
  free(outs);
  imap_url_release(&u);
  if(a.file) {
    for(size_t i = a.n_argv; i < a.n; i++)
      free(a.ids[i]);
    free(a.ids);
  }
  return failed;
}
