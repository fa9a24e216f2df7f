/* The reminder state file. */
#include "remind_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileops.h"
#include "isotime.h"
#include "slurp.h"

#define STATE_MAX (64u * 1024 * 1024)

lethe_rc remind_state_load(struct remind_state *s, const char *state_dir,
                           struct lethe_err *err)
{
  lethe_rc rc;
  memset(s, 0, sizeof(*s));
  db_init(&s->text, STATE_MAX);
  if(mkdir(state_dir, 0700) && errno != EEXIST)
    return err_sys(err, LETHE_E_IO, "cannot create the state directory %s", state_dir);
  s->dir = strdup(state_dir);
  if(!s->dir || asprintf(&s->path, "%s/" REMIND_STATE_FILE, state_dir) < 0) {
    s->path = NULL;
    return LETHE_E_NOMEM;
  }
  rc = slurp_file(s->path, &s->text, err);
  if(rc == LETHE_E_NOTFOUND) {
    err_clear(err);
    return LETHE_OK;
  }
  return rc;
}

/* Compare the tab-separated field at *p with want (the scope ignoring
 * case only for e-mail addresses); *p moves past the field. */
static bool field_is(const char **p, const char *want, bool nocase)
{
  size_t n = strcspn(*p, "\t\n");
  bool same = n == strlen(want) && !(nocase ? strncasecmp(*p, want, n) : strncmp(*p, want, n));
  *p += n;
  if(**p == '\t')
    (*p)++;
  return same;
}

bool remind_state_sent(const struct remind_state *s, const char *kind, const char *email,
                       const char *scope, const char *period)
{
  const char *p = db_str(&s->text);
  while(*p) {
    const char *line = p;
    bool match = field_is(&p, kind, false) && field_is(&p, email, true) &&
                 field_is(&p, scope, false) && field_is(&p, period, false);
    if(match)
      return true;
    p = strchr(line, '\n');
    if(!p)
      break;
    p++;
  }
  return false;
}

/* The scope as one field: a tab or line break would split the line. */
static lethe_rc add_scope(struct dynbuf *out, const char *scope)
{
  lethe_rc rc = LETHE_OK;
  for(const char *p = scope; *p && !rc; p++)
    rc = db_add(out, *p == '\t' || *p == '\n' || *p == '\r' ? " " : p, 1);
  return rc;
}

lethe_rc remind_state_add(struct remind_state *s, const char *kind, const char *email,
                          const char *scope, const char *period, int64_t sent_at,
                          struct lethe_err *err)
{
  char when[ISOTIME_LEN];
  size_t before = s->text.len;
  lethe_rc rc;
  isotime_format(sent_at, when);
  rc = db_addf(&s->text, "%s\t%s\t", kind, email);
  if(!rc)
    rc = add_scope(&s->text, scope);
  if(!rc)
    rc = db_addf(&s->text, "\t%s\t%s\n", period, when);
  if(rc) {
    db_truncate(&s->text, before);
    return err_set(err, rc, "cannot record the reminder: %s", lethe_strerror(rc));
  }
  return fileops_replace(s->dir, REMIND_STATE_FILE, s->text.mem, s->text.len, err);
}

void remind_state_release(struct remind_state *s)
{
  free(s->dir);
  free(s->path);
  db_release(&s->text);
  memset(s, 0, sizeof(*s));
}
