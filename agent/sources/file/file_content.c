#include "file_content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void free_rules(void *data)
{
  scan_rules_free(data);
}

/* The value and line of setting key, or NULL. */
static const char *setting_at(const struct rule *r, const char *key, int *line)
{
  for(size_t i = 0; i < r->n_settings; i++) {
    if(!strcmp(r->settings[i].key, key)) {
      *line = r->setting_lines[i];
      return r->settings[i].value;
    }
  }
  return NULL;
}

void file_content_finish(struct rule *r, struct diag *d)
{
  struct scan_options opt = SCAN_OPTIONS_INIT;
  struct scan_rules *rules = NULL;
  int line = r->line, list_line = r->line;
  const char *contains = setting_at(r, "contains", &line);
  const char *list = setting_at(r, "client-list", &list_line);
  char msg[512], *path = NULL;
  if(!contains) {
    if(list)
      diag_error(d, r->file, list_line, "[rule %s]: client-list without contains (say which "
                 "detectors: contains = client-name, or personal-data)", r->name);
    return;
  }
  if(scan_detectors_parse(contains, &opt.detectors, msg, sizeof(msg))) {
    diag_error(d, r->file, line, "contains: %s", msg);
    return;
  }
  if(list) {
    path = config_resolve(r->file, list);
    if(!path) {
      diag_error(d, r->file, list_line, "out of memory");
      return;
    }
    opt.client_list = path;
  }
  if(scan_rules_new(&opt, &rules, msg, sizeof(msg)))
    diag_error(d, r->file, list ? list_line : line, "[rule %s]: %s", r->name, msg);
  else {
    r->store_data = rules;
    r->store_data_free = free_rules;
  }
  free(path);
}

bool file_content_wanted(const struct rule *r)
{
  return r->store_data != NULL;
}

int file_content_match(const struct rule *r, int dirfd, const char *name,
                       struct scan_findings *f, char *problem, size_t n)
{
  char msg[512];
  lethe_rc rc = scan_file(r->store_data, dirfd, name, f, msg, sizeof(msg));
  if(rc) {
    snprintf(problem, n, "its content cannot be checked for 'contains': %s", msg);
    return -1;
  }
  if(f->format == SCAN_FMT_ZIP || f->format == SCAN_FMT_BINARY)
    return 0; /* not a document the scanner reads: holds nothing it could see */
  return scan_findings_total(f) > 0;
}
