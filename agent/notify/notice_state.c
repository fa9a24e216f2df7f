/* The notice state file. */
#include "notice_state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynbuf.h"
#include "fileops.h"
#include "isotime.h"
#include "slurp.h"

#define STATE_MAX (256u * 1024 * 1024)
#define KEY_FIELDS 4          /* rule, address, due, uri: the line less SENT_AT */

/* The length of a line's key: up to its KEY_FIELDS-th tab. */
static size_t key_len(const char *line)
{
  const char *p = line;
  for(int i = 0; i < KEY_FIELDS && p; i++) {
    p = strchr(p, '\t');
    if(p && i < KEY_FIELDS - 1)
      p++;
  }
  return p ? (size_t)(p - line) : strlen(line);
}

static uint64_t hash(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for(size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

/* The slot of key[0..n): the one holding it, or the empty one it goes in. */
static size_t *find(const struct notice_state *s, const char *key, size_t n)
{
  size_t i = hash(key, n) & (s->cap - 1);
  for(;; i = (i + 1) & (s->cap - 1)) {
    const char *line;
    if(!s->slots[i])
      return &s->slots[i];
    line = s->lines.v[s->slots[i] - 1];
    if(key_len(line) == n && !memcmp(line, key, n))
      return &s->slots[i];
  }
}

static lethe_rc index_line(struct notice_state *s, size_t ix)
{
  const char *line = s->lines.v[ix];
  if(2 * (ix + 1) > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 256, old = s->cap;
    size_t *slots = calloc(cap, sizeof(*slots)), *prev = s->slots;
    if(!slots)
      return LETHE_E_NOMEM;
    s->slots = slots;
    s->cap = cap;
    for(size_t i = 0; i < old; i++)
      if(prev[i])
        *find(s, s->lines.v[prev[i] - 1], key_len(s->lines.v[prev[i] - 1])) = prev[i];
    free(prev);
  }
  *find(s, line, key_len(line)) = ix + 1;
  return LETHE_OK;
}

/* Keep a line read back if its DUE (the third field) is still ahead. */
static lethe_rc take_line(struct notice_state *s, char *line, int64_t now)
{
  char *due = strchr(line, '\t');
  int64_t when;
  struct lethe_err e;
  due = due ? strchr(due + 1, '\t') : NULL;
  if(!due || key_len(line) == strlen(line))
    return LETHE_OK; /* not a line of ours: dropped */
  due++;
  due[strcspn(due, "\t")] = '\0';
  if(isotime_parse(due, &when, &e) || when <= now)
    return LETHE_OK;
  due[strlen(due)] = '\t';
  if(strlist_add(&s->lines, line))
    return LETHE_E_NOMEM;
  return index_line(s, s->lines.n - 1);
}

static lethe_rc read_lines(struct notice_state *s, int64_t now, struct lethe_err *err)
{
  struct dynbuf text;
  lethe_rc rc;
  db_init(&text, STATE_MAX);
  rc = slurp_file(s->path, &text, err);
  if(rc == LETHE_E_NOTFOUND) {
    err_clear(err);
    rc = LETHE_OK;
  }
  for(char *p = text.mem, *nl; !rc && p && *p; p = nl + 1) {
    nl = strchr(p, '\n');
    if(!nl)
      break; /* a line cut short: never one the server accepted */
    *nl = '\0';
    rc = take_line(s, p, now);
  }
  db_release(&text);
  return rc;
}

lethe_rc notice_state_load(struct notice_state *s, const char *state_dir, int64_t now,
                           struct lethe_err *err)
{
  memset(s, 0, sizeof(*s));
  if(asprintf(&s->dir, "%s/" NOTICE_STATE_DIR, state_dir) < 0)
    s->dir = NULL;
  if(s->dir && asprintf(&s->path, "%s/" NOTICE_STATE_FILE, s->dir) < 0)
    s->path = NULL;
  if(!s->path)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  if(mkdir(s->dir, 0700) && errno != EEXIST)
    return err_sys(err, LETHE_E_IO, "cannot create %s", s->dir);
  return read_lines(s, now, err);
}

/* RULE TAB address TAB DUE TAB URI, the address in lower case. */
static lethe_rc make_key(struct dynbuf *b, const char *rule, const char *addr,
                         const char *due, const char *uri)
{
  lethe_rc rc = db_addf(b, "%s\t", rule);
  for(const char *p = addr; *p && !rc; p++) {
    char c = (char)tolower((unsigned char)*p);
    rc = db_add(b, &c, 1);
  }
  if(!rc)
    rc = db_addf(b, "\t%s\t%s", due, uri);
  return rc;
}

bool notice_state_sent(const struct notice_state *s, const char *rule, const char *addr,
                       const char *due, const char *uri)
{
  struct dynbuf key;
  bool sent = false;
  db_init(&key, 1 << 20);
  if(s->cap && !make_key(&key, rule, addr, due, uri))
    sent = *find(s, key.mem, key.len) != 0;
  db_release(&key);
  return sent;
}

lethe_rc notice_state_add(struct notice_state *s, const char *rule, const char *addr,
                          const char *due, const char *uri, int64_t sent_at)
{
  char when[ISOTIME_LEN];
  struct dynbuf line;
  lethe_rc rc;
  if(notice_state_sent(s, rule, addr, due, uri))
    return LETHE_OK;
  isotime_format(sent_at, when);
  db_init(&line, 1 << 20);
  rc = make_key(&line, rule, addr, due, uri);
  if(!rc)
    rc = db_addf(&line, "\t%s", when);
  if(!rc)
    rc = strlist_add(&s->lines, db_str(&line));
  if(!rc)
    rc = index_line(s, s->lines.n - 1);
  db_release(&line);
  return rc;
}

lethe_rc notice_state_save(const struct notice_state *s, struct lethe_err *err)
{
  struct dynbuf text;
  lethe_rc rc = LETHE_OK;
  db_init(&text, SIZE_MAX / 2);
  for(size_t i = 0; i < s->lines.n && !rc; i++) {
    rc = db_adds(&text, s->lines.v[i]);
    if(!rc)
      rc = db_add(&text, "\n", 1);
  }
  if(rc)
    err_set(err, rc, "out of memory");
  else
    rc = fileops_replace(s->dir, NOTICE_STATE_FILE, text.mem, text.len, err);
  db_release(&text);
  return rc;
}

void notice_state_release(struct notice_state *s)
{
  free(s->dir);
  free(s->path);
  strlist_release(&s->lines);
  free(s->slots);
  memset(s, 0, sizeof(*s));
}
