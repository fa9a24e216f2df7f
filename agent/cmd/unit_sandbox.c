#include "unit_sandbox.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const default_path[] = {
  "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
  "/lib/systemd/system", "/usr/lib/systemd/system", NULL,
};

/* The unit search path, in priority order. */
static void search_path(struct strlist *dirs)
{
  const char *env = getenv("SYSTEMD_UNIT_PATH");
  bool defaults = !env || !*env;
  if(env && *env) {
    char *copy = strdup(env), *save = NULL;
    size_t n = strlen(env);
    defaults = env[n - 1] == ':';
    for(char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save))
      if(strlist_add(dirs, d))
        break;
    free(copy);
  }
  for(size_t i = 0; defaults && default_path[i]; i++)
    if(strlist_add(dirs, default_path[i]))
      break;
}

static char *trim(char *s)
{
  char *end;
  while(*s == ' ' || *s == '\t')
    s++;
  end = s + strlen(s);
  while(end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
    *--end = '\0';
  return s;
}

/* yes/true/on/1 and the like, as systemd reads booleans. */
static bool is_true(const char *v)
{
  return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1");
}

static void set(struct unit_sandbox *s, const char *key, char *value)
{
  if(!strcmp(key, "ProtectSystem")) {
    s->system = !strcmp(value, "strict") ? PROTECT_SYSTEM_STRICT
              : !strcmp(value, "full") ? PROTECT_SYSTEM_FULL
              : is_true(value) ? PROTECT_SYSTEM_YES : PROTECT_SYSTEM_NO;
  }
  else if(!strcmp(key, "ProtectHome")) {
    s->home = !strcmp(value, "read-only") ? PROTECT_HOME_READ_ONLY
            : (!strcmp(value, "tmpfs") || is_true(value)) ? PROTECT_HOME_HIDDEN
            : PROTECT_HOME_NO;
  }
  else if(!strcmp(key, "ReadWritePaths")) {
    char *save = NULL;
    if(!*value) {
      strlist_release(&s->rw);
      return;
    }
    for(char *p = strtok_r(value, " \t", &save); p; p = strtok_r(NULL, " \t", &save)) {
      while(*p == '-' || *p == '+')
        p++;
      if(*p == '/' && !strchr(p, '%') && strlist_add(&s->rw, p))
        return;
    }
  }
}

static void read_file(struct unit_sandbox *s, const char *path)
{
  FILE *f = fopen(path, "re");
  char *line = NULL;
  size_t cap = 0;
  bool service = false;
  if(!f)
    return;
  while(getline(&line, &cap, f) > 0) {
    char *t = trim(line), *eq;
    if(*t == '[') {
      service = !strncmp(t, "[Service]", 9);
      continue;
    }
    if(!service || *t == '#' || *t == ';' || !(eq = strchr(t, '=')))
      continue;
    *eq = '\0';
    set(s, trim(t), trim(eq + 1));
  }
  free(line);
  fclose(f);
}

static int by_name(const void *a, const void *b)
{
  const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');
  return strcmp(x, y);
}

/* The drop-ins of unit over all dirs, in name order, higher priority first
 * for a name found twice. */
static void read_dropins(struct unit_sandbox *s, const char *unit, const struct strlist *dirs)
{
  struct strlist files = { 0 };
  for(size_t i = 0; i < dirs->n; i++) {
    char d[PATH_MAX];
    DIR *dir;
    struct dirent *e;
    snprintf(d, sizeof(d), "%s/%s.d", dirs->v[i], unit);
    dir = opendir(d);
    while(dir && (e = readdir(dir))) {
      char path[PATH_MAX];
      size_t n = strlen(e->d_name);
      bool seen = false;
      if(e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".conf"))
        continue;
      for(size_t k = 0; k < files.n && !seen; k++)
        seen = !strcmp(strrchr(files.v[k], '/') + 1, e->d_name);
      if(!seen && (size_t)snprintf(path, sizeof(path), "%s/%s", d, e->d_name) < sizeof(path) &&
         strlist_add(&files, path))
        break;
    }
    if(dir)
      closedir(dir);
  }
  if(files.n)
    qsort(files.v, files.n, sizeof(*files.v), by_name);
  for(size_t i = 0; i < files.n; i++)
    read_file(s, files.v[i]);
  strlist_release(&files);
}

bool unit_sandbox_read(const char *unit, struct unit_sandbox *s)
{
  struct strlist dirs = { 0 };
  bool found = false;
  memset(s, 0, sizeof(*s));
  search_path(&dirs);
  for(size_t i = 0; i < dirs.n && !found; i++) {
    snprintf(s->unit_path, sizeof(s->unit_path), "%s/%s", dirs.v[i], unit);
    found = access(s->unit_path, F_OK) == 0;
  }
  if(found) {
    read_file(s, s->unit_path);
    read_dropins(s, unit, &dirs);
  }
  strlist_release(&dirs);
  return found;
}

void unit_sandbox_release(struct unit_sandbox *s)
{
  strlist_release(&s->rw);
}

/* path is dir or below it. */
static bool under(const char *path, const char *dir)
{
  size_t n = strlen(dir);
  while(n > 1 && dir[n - 1] == '/')
    n--;
  return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/' || n == 1);
}

bool unit_sandbox_writable(const struct unit_sandbox *s, const char *path, const char **why)
{
  static const char *const system_yes[] = { "/usr", "/boot", "/efi", NULL };
  static const char *const home[] = { "/home", "/root", "/run/user", NULL };
  for(size_t i = 0; i < s->rw.n; i++)
    if(under(path, s->rw.v[i]))
      return true;
  *why = NULL;
  if(s->system == PROTECT_SYSTEM_STRICT)
    *why = "ProtectSystem=strict";
  for(size_t i = 0; !*why && s->system != PROTECT_SYSTEM_NO && system_yes[i]; i++)
    if(under(path, system_yes[i]))
      *why = s->system == PROTECT_SYSTEM_FULL ? "ProtectSystem=full" : "ProtectSystem=yes";
  if(!*why && s->system == PROTECT_SYSTEM_FULL && under(path, "/etc"))
    *why = "ProtectSystem=full";
  for(size_t i = 0; !*why && s->home != PROTECT_HOME_NO && home[i]; i++)
    if(under(path, home[i]))
      *why = s->home == PROTECT_HOME_READ_ONLY ? "ProtectHome=read-only" : "ProtectHome=yes";
  return *why == NULL;
}
