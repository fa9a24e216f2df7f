/* plugin_tool messages: IMAP messages as items, the way the agent hands
 * them to a mailbox plugin, with one line printed per outcome:
 *
 *   UID RESULT LEVEL | LEVEL_REASON | ERROR | DETAIL
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
#include "tool.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_url.h"
#include "sources.h"

struct args {
  const char *source, *signal, *so, *file;
  struct lethe_setting settings[TOOL_MAX_SETTINGS];
  size_t n_settings;
  bool one;
  char **ids;
  size_t n, n_argv;          /* ids[n_argv..n) come from the file */
};

static void usage(void)
{
  fprintf(stderr, "usage: plugin_tool messages -S SOURCE [-s KEY=VALUE]... [-w SIGNAL] [-1] "
          "[-f FILE] PLUGIN.so IDENTITY...\n");
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
    switch(c) {
    case 'S': a->source = optarg; break;
    case 'w': a->signal = optarg; break;
    case '1': a->one = true; break;
    case 'f': a->file = optarg; break;
    case 's': if(!tool_setting(optarg, a->settings, &a->n_settings)) usage(); break;
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

/* Fill item i: URI and path as the planner writes them. */
static void make_item(const struct imap_url *u, const char *text, size_t i,
                      struct lethe_item *it, struct lethe_identity *id, char **uri, char **path)
{
  struct dynbuf b;
  uint32_t v = 0, uid = 0;
  size_t off = strlen(u->base) + 1;
  if(!imap_identity_parse(text, &v, &uid))
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
  it->struct_size = sizeof(*it);
  it->store = LETHE_STORE_IMAP;
  it->kind = LETHE_ITEM_MESSAGE;
  it->uri = *uri;
  it->path = *path;
  it->dirfd = -1;
  it->name = strrchr(*path, '=') + 1;
  it->identity_text = text;
  it->identity = source_identity(LETHE_STORE_IMAP, text, id) ? NULL : id;
  it->seq = i + 1;
}

static void release(struct args *a, char **uris, char **paths)
{
  for(size_t i = 0; i < a->n; i++) {
    free(uris[i]);
    free(paths[i]);
  }
  free(uris);
  free(paths);
  if(a->file) {
    for(size_t i = a->n_argv; i < a->n; i++)
      free(a->ids[i]);
    free(a->ids);
  }
}

int tool_messages(int argc, char **argv)
{
  struct args a;
  struct imap_url u;
  struct lethe_err err = { 0 };
  struct lethe_rule_info info = { .name = "test", .rootfd = -1, .struct_size = sizeof(info),
                                  .run_id = "0badc0de-test" };
  struct loaded_plugin p;
  struct lethe_item *items;
  struct lethe_identity *ids;
  struct lethe_outcome *outs;
  char **uris, **paths, msg[1024] = "";
  void *state = NULL;
  int failed = 0;

  parse_args(argc, argv, &a);
  if(imap_url_parse(a.source, &u, &err)) {
    fprintf(stderr, "plugin_tool: %s\n", err.msg);
    return 2;
  }
  tool_load(a.so, &p);
  items = calloc(a.n + 1, sizeof(*items));
  ids = calloc(a.n + 1, sizeof(*ids));
  outs = calloc(a.n + 1, sizeof(*outs));
  uris = calloc(a.n + 1, sizeof(*uris));
  paths = calloc(a.n + 1, sizeof(*paths));
  if(!items || !ids || !outs || !uris || !paths)
    return 2;
  for(size_t i = 0; i < a.n; i++)
    make_item(&u, a.ids[i], i, &items[i], &ids[i], &uris[i], &paths[i]);
  info.source = a.source;
  info.settings = a.settings;
  info.n_settings = a.n_settings;
  if(plugin_open(&p, &info, &state, msg, sizeof(msg))) {
    fprintf(stderr, "open failed: %s\n", msg);
    failed = 3;
  }
  else {
    if(a.signal)
      tool_wait_for(a.signal);
    failed = tool_delete(&p, state, items, a.n, outs, !a.one);
    for(size_t i = 0; i < a.n; i++)
      printf("%s %s %s | %s | %s | %s\n", items[i].name, tool_result(outs[i].result, false),
             outs[i].level, outs[i].level_reason, outs[i].error, tool_detail(&outs[i]));
    fflush(stdout);
    msg[0] = '\0';
    if(plugin_close(&p, state, msg, sizeof(msg))) {
      fprintf(stderr, "close failed: %s\n", msg);
      failed = 4;
    }
  }
  release(&a, uris, paths);
  free(items);
  free(ids);
  free(outs);
  imap_url_release(&u);
  plugin_unload(&p);
  return failed;
}
