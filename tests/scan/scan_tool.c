/* scan_tool: run the personal-data scanner over files and print one JSON
 * object per file. For tests and benchmarks, not installed.
 *
 *   scan_tool [-d DETECTORS] [-c CLIENT_LIST] [-j THREADS] [-H] FILE...
 *
 * -d takes a rule's `contains` value (default personal-data); -H prints the
 * rules hash first ({"rules_hash": "..."}). Exit status: 0 when every file
 * was scanned, 1 when any gave an error, 2 for bad usage. Output lines are
 * in the order of the files. */
#include "scan.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
  const char *name;
  struct scan_findings f;
  lethe_rc rc;
  char err[512];
};

struct pool {
  const struct scan_rules *rules;
  struct job *jobs;
  size_t n, next;
  pthread_mutex_t lock;
};

static void json_str(const char *s)
{
  putchar('"');
  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if(c == '"' || c == '\\')
      printf("\\%c", c);
    else if(c < 0x20)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

static void print_job(const struct job *j)
{
  int d;
  bool first = true;
  printf("{\"file\":");
  json_str(j->name);
  printf(",\"format\":\"%s\",\"bytes\":%llu,\"findings\":{", scan_format_name(j->f.format),
         (unsigned long long)j->f.bytes);
  for(d = 0; d < SCAN_DETECTOR__COUNT; d++) {
    const struct scan_hit *h = &j->f.hits[d];
    if(!h->count)
      continue;
    printf("%s\"%s\":{\"count\":%llu,\"sample\":", first ? "" : ",",
           scan_detector_name((enum scan_detector)d), (unsigned long long)h->count);
    json_str(h->sample);
    putchar('}');
    first = false;
  }
  putchar('}');
  if(j->rc) {
    printf(",\"error\":");
    json_str(j->err);
  }
  printf("}\n");
}

static void *worker(void *arg)
{
  struct pool *p = arg;
  for(;;) {
    struct job *j;
    pthread_mutex_lock(&p->lock);
    j = p->next < p->n ? &p->jobs[p->next++] : NULL;
    pthread_mutex_unlock(&p->lock);
    if(!j)
      return NULL;
    j->rc = scan_file(p->rules, AT_FDCWD, j->name, &j->f, j->err, sizeof(j->err));
  }
}

static int run(struct pool *p, unsigned threads)
{
  pthread_t t[64];
  unsigned i, started = 0;
  int status = 0;
  for(i = 0; i < threads && i < 64; i++)
    if(!pthread_create(&t[i], NULL, worker, p))
      started++;
  if(!started)
    worker(p);
  for(i = 0; i < started; i++)
    pthread_join(t[i], NULL);
  for(i = 0; i < p->n; i++) {
    print_job(&p->jobs[i]);
    if(p->jobs[i].rc)
      status = 1;
    scan_findings_release(&p->jobs[i].f);
  }
  return status;
}

int main(int argc, char **argv)
{
  struct scan_options opt = SCAN_OPTIONS_INIT;
  struct pool p = { 0 };
  struct scan_rules *rules;
  const char *contains = "personal-data";
  unsigned threads = 1;
  bool show_hash = false;
  char err[512], hex[65];
  int c, status;
  size_t i;

  while((c = getopt(argc, argv, "d:c:j:H")) != -1) {
    switch(c) {
    case 'd': contains = optarg; break;
    case 'c': opt.client_list = optarg; break;
    case 'j': threads = (unsigned)atoi(optarg); break;
    case 'H': show_hash = true; break;
    default:
      fprintf(stderr, "usage: scan_tool [-d DETECTORS] [-c CLIENT_LIST] [-j N] [-H] FILE...\n");
      return 2;
    }
  }
  if(scan_detectors_parse(contains, &opt.detectors, err, sizeof(err)) ||
     scan_rules_new(&opt, &rules, err, sizeof(err))) {
    fprintf(stderr, "scan_tool: %s\n", err);
    return 2;
  }
  if(show_hash) {
    scan_rules_hash(rules, hex);
    printf("{\"rules_hash\":\"%s\"}\n", hex);
  }
  p.rules = rules;
  p.n = (size_t)(argc - optind);
  p.jobs = calloc(p.n + 1, sizeof(*p.jobs));
  if(!p.jobs)
    return 2;
  for(i = 0; i < p.n; i++)
    p.jobs[i].name = argv[optind + (int)i];
  pthread_mutex_init(&p.lock, NULL);
  status = run(&p, threads ? threads : 1);
  pthread_mutex_destroy(&p.lock);
  free(p.jobs);
  scan_rules_free(rules);
  return status;
}
