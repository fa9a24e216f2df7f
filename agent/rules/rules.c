#include "rules.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "glob.h"
#include "inifile.h"
#include "isotime.h"
#include "rules_notify.h"
#include "rules_review.h"

static const char *const clock_names[] = {
  [CLOCK_MTIME] = "mtime", [CLOCK_BTIME] = "btime", [CLOCK_CTIME] = "ctime",
  [CLOCK_ATIME] = "atime", [CLOCK_NAME] = "name", [CLOCK_NEWEST] = "newest",
  [CLOCK_EVENTS] = "events", [CLOCK_INTERNALDATE] = "internaldate",
  [CLOCK_SENTDATE] = "sentdate", [CLOCK_RECEIVED] = "received", [CLOCK_SENT] = "sent",
  [CLOCK_CREATED] = "created", [CLOCK_MODIFIED] = "modified", [CLOCK_END] = "end",
  [CLOCK_DELETED] = "deleted",
};

const char *clock_name(enum clock_kind k)
{
  return clock_names[k];
}

/* Parsing state: the section being filled and which keys it has seen. */
struct loader {
  const struct config *cfg;
  struct ruleset *rs;
  struct diag *d;
  const char *path;
  struct rule *rule;      /* current [rule] section, or NULL */
  struct hold *hold;      /* current [hold] section, or NULL */
  bool skip_section;      /* an unknown or broken section: its keys are ignored */
  bool review_seen;       /* the current rule has its 'review' */
  lethe_rc oom;
};

static bool valid_name(const char *s)
{
  if(!*s)
    return false;
  for(; *s; s++)
    if(!isalnum((unsigned char)*s) && !strchr("._-", *s))
      return false;
  return true;
}

static void oom(struct loader *l)
{
  l->oom = LETHE_E_NOMEM;
}

static char *dup_or_oom(struct loader *l, const char *s)
{
  char *c = strdup(s);
  if(!c)
    oom(l);
  return c;
}

static void *grow_array(struct loader *l, void *arr, size_t n, size_t size)
{
  void *p;
  if(n & (n - 1))
    return arr; /* capacity doubles at powers of two */
  p = realloc(arr, (n ? n * 2 : 1) * size);
  if(!p)
    oom(l);
  return p;
}

static bool name_taken(struct loader *l, const char *kind, const char *name, int line)
{
  struct ruleset *rs = l->rs;
  for(size_t i = 0; i < rs->n_rules && !strcmp(kind, "rule"); i++) {
    if(!strcmp(rs->rules[i]->name, name)) {
      diag_error(l->d, l->path, line, "duplicate rule name '%s' (first defined at %s:%d)",
                 name, rs->rules[i]->file, rs->rules[i]->line);
      return true;
    }
  }
  for(size_t i = 0; i < rs->n_holds && !strcmp(kind, "hold"); i++) {
    if(!strcmp(rs->holds[i]->name, name)) {
      diag_error(l->d, l->path, line, "duplicate hold name '%s' (first defined at %s:%d)",
                 name, rs->holds[i]->file, rs->holds[i]->line);
      return true;
    }
  }
  return false;
}

static void start_rule(struct loader *l, const char *name, int line)
{
  struct rule *r = calloc(1, sizeof(*r));
  struct rule **arr;
  if(!r) {
    oom(l);
    return;
  }
  arr = grow_array(l, l->rs->rules, l->rs->n_rules, sizeof(*arr));
  if(!arr) {
    free(r);
    return;
  }
  l->rs->rules = arr;
  arr[l->rs->n_rules++] = r;
  r->name = dup_or_oom(l, name);
  r->file = dup_or_oom(l, l->path);
  r->line = line;
  l->rule = r;
}

static void start_hold(struct loader *l, const char *name, int line)
{
  struct hold *h = calloc(1, sizeof(*h));
  struct hold **arr;
  if(!h) {
    oom(l);
    return;
  }
  arr = grow_array(l, l->rs->holds, l->rs->n_holds, sizeof(*arr));
  if(!arr) {
    free(h);
    return;
  }
  l->rs->holds = arr;
  arr[l->rs->n_holds++] = h;
  h->name = dup_or_oom(l, name);
  h->file = dup_or_oom(l, l->path);
  h->line = line;
  l->hold = h;
}

static void on_section(struct loader *l, const char *section, int line)
{
  const char *space = strchr(section, ' ');
  const char *name = space ? space + 1 : "";
  size_t kindlen = space ? (size_t)(space - section) : strlen(section);
  bool is_rule = kindlen == 4 && !strncmp(section, "rule", 4);
  bool is_hold = kindlen == 4 && !strncmp(section, "hold", 4);

  l->rule = NULL;
  l->hold = NULL;
  l->skip_section = true;
  l->review_seen = false;
  while(*name == ' ')
    name++;
  if(!is_rule && !is_hold) {
    diag_error(l->d, l->path, line, "unknown section [%s] (expected [rule NAME] or "
               "[hold NAME])", section);
    return;
  }
  if(!valid_name(name)) {
    diag_error(l->d, l->path, line, "[%.4s] needs a name of letters, digits, '.', '_' "
               "or '-', got '%s'", section, name);
    return;
  }
  if(name_taken(l, is_rule ? "rule" : "hold", name, line))
    return;
  l->skip_section = false;
  if(is_rule)
    start_rule(l, name, line);
  else
    start_hold(l, name, line);
}

/* Set a single-valued string key, refusing a second definition. */
static void set_once(struct loader *l, char **slot, const char *key, const char *value,
                     int line)
{
  if(*slot) {
    diag_error(l->d, l->path, line, "'%s' given twice", key);
    return;
  }
  *slot = dup_or_oom(l, value);
}

static void add_glob(struct loader *l, struct strlist *list, const char *key,
                     const char *value, int line)
{
  struct lethe_err err;
  if(glob_check(value, &err)) {
    diag_error(l->d, l->path, line, "%s: %s", key, err.msg);
    return;
  }
  if(strlist_add(list, value))
    oom(l);
}

static void set_duration(struct loader *l, struct duration *slot, bool *seen,
                         const char *key, const char *value, int line)
{
  struct lethe_err err;
  if(*seen) {
    diag_error(l->d, l->path, line, "'%s' given twice", key);
    return;
  }
  *seen = true;
  if(duration_parse(value, slot, &err))
    diag_error(l->d, l->path, line, "%s: %s", key, err.msg);
}

/* The store behind the scheme is found, and the URI checked, once every
 * file is read (sources_bind). */
static void set_source(struct loader *l, struct rule *r, const char *value, int line)
{
  if(r->source) {
    diag_error(l->d, l->path, line, "'source' given twice");
    return;
  }
  r->source = dup_or_oom(l, value);
  r->source_line = line;
}

static void set_subject(struct loader *l, struct rule *r, const char *value, int line)
{
  size_t n = strlen(value);
  struct lethe_err err;
  char *pat;
  if(r->subject) {
    diag_error(l->d, l->path, line, "'subject' given twice");
    return;
  }
  if(n < 2 || value[n - 1] != '/' || strstr(value, "**")) {
    diag_error(l->d, l->path, line, "subject '%s': expected directory levels ending in "
               "'/', such as '*/' (each top-level folder is one subject)", value);
    return;
  }
  pat = dup_or_oom(l, value);
  if(!pat)
    return;
  pat[n - 1] = '\0';
  if(glob_check(pat, &err)) {
    diag_error(l->d, l->path, line, "subject: %s", err.msg);
    free(pat);
    return;
  }
  r->subject = pat;
  r->subject_depth = 1;
  for(const char *p = pat; *p; p++)
    r->subject_depth += *p == '/';
}

static void set_clock(struct loader *l, struct rule *r, const char *value, int line)
{
  if(r->has_clock) {
    diag_error(l->d, l->path, line, "'clock' given twice");
    return;
  }
  r->has_clock = true;
  if(!strncmp(value, "events:", 7)) {
    if(!value[7]) {
      diag_error(l->d, l->path, line, "clock 'events:' needs a CSV file: events:FILE");
      return;
    }
    r->clock = CLOCK_EVENTS;
    r->events_path = config_resolve(l->path, value + 7);
    if(!r->events_path)
      oom(l);
    return;
  }
  if(!strncmp(value, "deleted:", 8)) {
    if(!valid_name(value + 8)) {
      diag_error(l->d, l->path, line, "clock 'deleted:' needs a rule's name: deleted:RULE");
      return;
    }
    r->clock = CLOCK_DELETED;
    r->deleted_by = dup_or_oom(l, value + 8);
    return;
  }
  for(size_t i = 0; i < sizeof(clock_names) / sizeof(clock_names[0]); i++) {
    if(i != CLOCK_EVENTS && i != CLOCK_DELETED && !strcmp(value, clock_names[i])) {
      r->clock = (enum clock_kind)i;
      return;
    }
  }
  diag_error(l->d, l->path, line, "unknown clock '%s' (expected mtime, btime, ctime, atime, "
             "name, newest, events:FILE, deleted:RULE, internaldate, sentdate, received, "
             "sent, created, modified or end)", value);
}

/* Which plugin the action names is found, and its settings judged, once
 * every file is read (plugins_check_rules): here only the name's form. */
static void set_action(struct loader *l, struct rule *r, const char *value, int line)
{
  if(r->action) {
    diag_error(l->d, l->path, line, "'action' given twice");
    return;
  }
  r->action = dup_or_oom(l, value);
  r->action_line = line;
  r->report = !strcmp(value, "report");
  if(!valid_name(value)) {
    diag_error(l->d, l->path, line, "unknown action '%s' (an action names a plugin: "
               "letters, digits, '.', '_' or '-')", value);
    free(r->action);
    r->action = NULL; /* never looked up; action_line says one was given */
  }
}

static void set_max_delete(struct loader *l, struct rule *r, const char *value, int line)
{
  char *end;
  unsigned long long v;
  if(r->max_delete.set) {
    diag_error(l->d, l->path, line, "'max-delete' given twice");
    return;
  }
  r->max_delete.set = true;
  errno = 0;
  v = isdigit((unsigned char)value[0]) ? strtoull(value, &end, 10) : 0;
  if(!isdigit((unsigned char)value[0]) || errno) {
    diag_error(l->d, l->path, line, "max-delete '%s': expected a count (500) or a "
               "percentage (10%%)", value);
    return;
  }
  r->max_delete.percent = *end == '%';
  if(r->max_delete.percent)
    end++;
  if(*end || (r->max_delete.percent && v > 100)) {
    diag_error(l->d, l->path, line, "max-delete '%s': expected a count (500) or a "
               "percentage from 0%% to 100%%", value);
    return;
  }
  r->max_delete.value = v;
}

static void set_review(struct loader *l, struct rule *r, const char *value, int line)
{
  if(l->review_seen) {
    diag_error(l->d, l->path, line, "'review' given twice");
    return;
  }
  l->review_seen = true;
  if(!strcmp(value, "required"))
    r->review_required = true;
  else if(strcmp(value, "none"))
    diag_error(l->d, l->path, line, "review '%s': expected 'required' or 'none'", value);
}

/* Any other key is kept with its line; sources_bind checks it against the
 * source and the action, which may be given later in the section. */
static void add_setting(struct loader *l, struct rule *r, const char *key,
                        const char *value, int line)
{
  struct lethe_setting *settings;
  int *lines;
  char *k, *v;
  if(!valid_name(key)) {
    diag_error(l->d, l->path, line, "unknown key '%s' in [rule %s]", key, r->name);
    return;
  }
  settings = realloc(r->settings, (r->n_settings + 1) * sizeof(*settings));
  if(settings)
    r->settings = settings;
  lines = settings ? realloc(r->setting_lines, (r->n_settings + 1) * sizeof(*lines)) : NULL;
  if(lines)
    r->setting_lines = lines;
  k = lines ? strdup(key) : NULL;
  v = k ? strdup(value) : NULL;
  if(!v) {
    free(k);
    oom(l);
    return;
  }
  lines[r->n_settings] = line;
  settings[r->n_settings++] = (struct lethe_setting){ .key = k, .value = v };
}

static void rule_key(struct loader *l, const char *key, const char *value, int line)
{
  struct rule *r = l->rule;
  if(rules_notify_key(r, l->path, key, value, line, l->d))
    return;
  if(rules_review_key(r, l->path, key, value, line, l->d, &l->oom))
    return; /* approvers, approvals, approval-valid (rules_review.c) */
  if(!strcmp(key, "description"))
    set_once(l, &r->description, key, value, line);
  else if(!strcmp(key, "basis"))
    set_once(l, &r->basis, key, value, line);
  else if(!strcmp(key, "source"))
    set_source(l, r, value, line);
  else if(!strcmp(key, "select"))
    add_glob(l, &r->select, key, value, line);
  else if(!strcmp(key, "except"))
    add_glob(l, &r->except, key, value, line);
  else if(!strcmp(key, "subject"))
    set_subject(l, r, value, line);
  else if(!strcmp(key, "clock"))
    set_clock(l, r, value, line);
  else if(!strcmp(key, "retain"))
    set_duration(l, &r->retain, &r->has_retain, key, value, line);
  else if(!strcmp(key, "action"))
    set_action(l, r, value, line);
  else if(!strcmp(key, "every"))
    set_duration(l, &r->every, &r->has_every, key, value, line);
  else if(!strcmp(key, "grace"))
    set_duration(l, &r->grace, &r->has_grace, key, value, line);
  else if(!strcmp(key, "review"))
    set_review(l, r, value, line);
  else if(!strcmp(key, "max-delete"))
    set_max_delete(l, r, value, line);
  else
    add_setting(l, r, key, value, line);
}

static void set_until(struct loader *l, struct hold *h, const char *value, int line)
{
  struct lethe_err err;
  if(h->has_until) {
    diag_error(l->d, l->path, line, "'until' given twice");
    return;
  }
  h->has_until = true;
  if(isotime_parse(value, &h->until, &err))
    diag_error(l->d, l->path, line, "until: %s", err.msg);
}

static void hold_key(struct loader *l, const char *key, const char *value, int line)
{
  struct hold *h = l->hold;
  if(!strcmp(key, "match"))
    add_glob(l, &h->match, key, value, line);
  else if(!strcmp(key, "reason"))
    set_once(l, &h->reason, key, value, line);
  else if(!strcmp(key, "until"))
    set_until(l, h, value, line);
  else
    diag_error(l->d, l->path, line, "unknown key '%s' in [hold %s] (known: match, reason, "
               "until)", key, h->name);
}

static void on_pair(void *ctx, const char *section, const char *key, const char *value,
                    int line)
{
  struct loader *l = ctx;
  if(!key) {
    on_section(l, section, line);
    return;
  }
  if(l->skip_section)
    return;
  if(!l->rule && !l->hold) {
    diag_error(l->d, l->path, line, "'%s' outside any section", key);
    return;
  }
  if(!*value) {
    diag_error(l->d, l->path, line, "'%s' has no value", key);
    return;
  }
  if(l->rule)
    rule_key(l, key, value, line);
  else
    hold_key(l, key, value, line);
}

lethe_rc rules_load_file(const char *path, const struct config *cfg, struct ruleset *rs,
                         struct diag *d)
{
  struct loader l = { .cfg = cfg, .rs = rs, .d = d, .path = path };
  lethe_rc rc = inifile_parse(path, on_pair, &l, d);
  if(l.oom)
    return l.oom;
  return rc;
}

static int compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.ini names in dir, sorted bytewise; hidden files are skipped. */
static lethe_rc list_rule_files(const char *dir, struct strlist *names, struct diag *d)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dh;
  struct dirent *e;
  lethe_rc rc = LETHE_OK;
  if(fd < 0) {
    diag_error(d, dir, 0, "cannot read rules directory: %s", strerror(errno));
    return LETHE_E_CONFIG;
  }
  dh = fdopendir(fd);
  if(!dh) {
    close(fd);
    return LETHE_E_NOMEM;
  }
  while(!rc) {
    size_t n;
    errno = 0;
    e = readdir(dh);
    if(!e)
      break;
    n = strlen(e->d_name);
    if(e->d_name[0] == '.' || n < 5 || strcmp(e->d_name + n - 4, ".ini"))
      continue;
    rc = strlist_add(names, e->d_name);
  }
  if(!rc && errno)
    diag_error(d, dir, 0, "cannot list rules directory: %s", strerror(errno));
  closedir(dh);
  if(names->n)
    qsort(names->v, names->n, sizeof(char *), compare_names);
  return rc;
}

lethe_rc rules_load(const struct config *cfg, struct ruleset *rs, struct diag *d)
{
  struct strlist names = { 0 };
  unsigned before = d->errors;
  lethe_rc rc = list_rule_files(cfg->rules_dir, &names, d);
  for(size_t i = 0; !rc && i < names.n; i++) {
    char *path = malloc(strlen(cfg->rules_dir) + strlen(names.v[i]) + 2);
    if(!path) {
      rc = LETHE_E_NOMEM;
      break;
    }
    sprintf(path, "%s/%s", cfg->rules_dir, names.v[i]);
    rc = rules_load_file(path, cfg, rs, d);
    if(rc == LETHE_E_CONFIG)
      rc = LETHE_OK; /* already reported; go on to the other files */
    free(path);
  }
  if(!rc && !names.n && !d->errors)
    diag_warn(d, cfg->rules_dir, 0, "no *.ini rule files");
  strlist_release(&names);
  if(!rc)
    rc = rules_finish(rs, d);
  if(!rc)
    rules_notify_need_smtp(cfg, rs, d);
  if(rc && rc != LETHE_E_CONFIG)
    return rc;
  return d->errors > before ? LETHE_E_CONFIG : LETHE_OK;
}

const char *rule_setting(const struct rule *r, const char *key)
{
  for(size_t i = 0; i < r->n_settings; i++)
    if(!strcmp(r->settings[i].key, key))
      return r->settings[i].value;
  return NULL;
}

lethe_rc rule_set_setting(struct rule *r, size_t i, const char *value)
{
  char *v = strdup(value);
  if(!v)
    return LETHE_E_NOMEM;
  free((char *)r->settings[i].value);
  r->settings[i].value = v;
  return LETHE_OK;
}

struct rule *rules_find(const struct ruleset *rs, const char *name)
{
  for(size_t i = 0; i < rs->n_rules; i++)
    if(!strcmp(rs->rules[i]->name, name))
      return rs->rules[i];
  return NULL;
}

static void rule_free(struct rule *r)
{
  free(r->name);
  free(r->file);
  free(r->description);
  free(r->basis);
  free(r->source);
  free(r->root);
  strlist_release(&r->select);
  strlist_release(&r->except);
  free(r->subject);
  free(r->events_path);
  free(r->deleted_by);
  free(r->approvers);
  events_free(r->events);
  if(r->store_data_free)
    r->store_data_free(r->store_data);
  free(r->action);
  for(size_t i = 0; i < r->n_settings; i++) {
    free((char *)r->settings[i].key);
    free((char *)r->settings[i].value);
  }
  free(r->settings);
  free(r->setting_lines);
  rules_notify_release(r);
  free(r);
}

static void hold_free(struct hold *h)
{
  free(h->name);
  free(h->file);
  strlist_release(&h->match);
  free(h->reason);
  free(h);
}

void ruleset_release(struct ruleset *rs)
{
  for(size_t i = 0; i < rs->n_rules; i++)
    rule_free(rs->rules[i]);
  for(size_t i = 0; i < rs->n_holds; i++)
    hold_free(rs->holds[i]);
  free(rs->rules);
  free(rs->holds);
  memset(rs, 0, sizeof(*rs));
}
