#include "cadence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynbuf.h"
#include "fileops.h"
#include "isotime.h"

static lethe_rc add(struct cadence *c, const char *name, int64_t when)
{
  int64_t *last = realloc(c->last, (c->names.n + 1) * sizeof(*last));
  if(!last)
    return LETHE_E_NOMEM;
  c->last = last;
  last[c->names.n] = when;
  return strlist_add(&c->names, name);
}

static lethe_rc parse_line(struct cadence *c, char *line, const char *path, int n,
                           struct lethe_err *err)
{
  char *space = strrchr(line, ' ');
  int64_t when;
  line[strcspn(line, "\n")] = '\0';
  if(!*line)
    return LETHE_OK;
  if(!space || isotime_parse(space + 1, &when, err))
    return err_set(err, LETHE_E_PARSE, "%s:%d: expected 'RULE TIME'", path, n);
  *space = '\0';
  return add(c, line, when);
}

lethe_rc cadence_load(const char *state_dir, struct cadence *c, struct lethe_err *err)
{
  char path[4096], *line = NULL;
  size_t cap = 0;
  int n = 0;
  lethe_rc rc = LETHE_OK;
  FILE *f;
  memset(c, 0, sizeof(*c));
  snprintf(path, sizeof(path), "%s/cadence", state_dir);
  f = fopen(path, "re");
  if(!f)
    return errno == ENOENT ? LETHE_OK : err_sys(err, LETHE_E_IO, "%s", path);
  while(!rc && getline(&line, &cap, f) > 0)
    rc = parse_line(c, line, path, ++n, err);
  free(line);
  fclose(f);
  return rc;
}

static ssize_t find(const struct cadence *c, const char *rule)
{
  for(size_t i = 0; i < c->names.n; i++)
    if(!strcmp(c->names.v[i], rule))
      return (ssize_t)i;
  return -1;
}

bool cadence_due(const struct cadence *c, const struct rule *r, int64_t now)
{
  ssize_t i;
  int64_t next;
  if(!r->has_every)
    return true;
  i = find(c, r->name);
  if(i < 0)
    return true;
  if(duration_add(c->last[i], &r->every, &next))
    return false;
  return next <= now;
}

lethe_rc cadence_mark(struct cadence *c, const char *rule, int64_t now)
{
  ssize_t i = find(c, rule);
  if(i < 0)
    return add(c, rule, now);
  c->last[i] = now;
  return LETHE_OK;
}

lethe_rc cadence_save(const char *state_dir, const struct cadence *c, struct lethe_err *err)
{
  char when[ISOTIME_LEN];
  struct dynbuf text;
  lethe_rc rc = LETHE_OK;
  db_init(&text, SIZE_MAX / 2);
  for(size_t i = 0; i < c->names.n && !rc; i++) {
    isotime_format(c->last[i], when);
    rc = db_addf(&text, "%s %s\n", c->names.v[i], when);
  }
  if(rc)
    err_set(err, rc, "out of memory");
  else
    rc = fileops_replace(state_dir, "cadence", text.mem, text.len, err);
  db_release(&text);
  return rc;
}

void cadence_release(struct cadence *c)
{
  strlist_release(&c->names);
  free(c->last);
  memset(c, 0, sizeof(*c));
}
