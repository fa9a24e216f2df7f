/* Reading the roster CSV. */
#include "roster.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvfield.h"
#include "isotime.h"
#include "mail.h"
#include "slurp.h"

#define FIELD_MAX 8192
#define COLUMNS_MAX 64

enum column { COL_NAME, COL_EMAIL, COL_KEY, COL_CADENCE, COL_SCOPE, COL_SINCE, COL__COUNT,
              COL_OTHER = COL__COUNT };

static const char *const column_names[][5] = {
  [COL_NAME] = { "name", NULL },
  [COL_EMAIL] = { "email", "e-mail", "mail", NULL },
  [COL_KEY] = { "key", "ssh public key", "public key", "ssh key", NULL },
  [COL_CADENCE] = { "cadence", NULL },
  [COL_SCOPE] = { "scope", NULL },
  [COL_SINCE] = { "since", NULL },
};

struct parser {
  const char *path;
  struct roster *r;
  struct diag *d;
  enum column cols[COLUMNS_MAX];
  size_t n_cols;
  struct dynbuf fields[COLUMNS_MAX];
  int line;
};

static enum column column_of(const char *header)
{
  for(int c = 0; c < COL__COUNT; c++)
    for(size_t i = 0; column_names[c][i]; i++)
      if(!strcasecmp(header, column_names[c][i]))
        return (enum column)c;
  return COL_OTHER;
}

/* Split the record at *p into the parser's fields; *p moves past the line.
 * Returns the number of fields, or -1 after reporting an error. */
static int split(struct parser *ps, const char **p, const char *end)
{
  size_t n = 0;
  const char *msg = NULL;
  for(;;) {
    if(n == COLUMNS_MAX) {
      msg = "more than 64 columns";
      break;
    }
    msg = csv_field(p, end, &ps->fields[n]);
    if(msg)
      break;
    n++;
    if(*p >= end || **p != ',')
      break;
    (*p)++;
  }
  while(*p < end && **p != '\n')
    (*p)++;
  if(*p < end)
    (*p)++;
  if(msg) {
    diag_error(ps->d, ps->path, ps->line, "%s", msg);
    return -1;
  }
  return (int)n;
}

static bool header(struct parser *ps, int n)
{
  bool seen[COL__COUNT] = { false };
  static const enum column required[] = { COL_NAME, COL_EMAIL, COL_KEY, COL_CADENCE };
  ps->n_cols = (size_t)n;
  for(int i = 0; i < n; i++) {
    ps->cols[i] = column_of(db_str(&ps->fields[i]));
    if(ps->cols[i] != COL_OTHER && seen[ps->cols[i]]) {
      diag_error(ps->d, ps->path, ps->line, "column \"%s\" given twice",
                 db_str(&ps->fields[i]));
      return false;
    }
    if(ps->cols[i] != COL_OTHER)
      seen[ps->cols[i]] = true;
  }
  for(size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
    if(!seen[required[i]]) {
      diag_error(ps->d, ps->path, ps->line, "the first line must name the columns: name, "
                 "email, key and cadence are required (scope and since are optional)");
      return false;
    }
  return true;
}

static const char *field(struct parser *ps, int n, enum column c)
{
  for(int i = 0; i < n && (size_t)i < ps->n_cols; i++)
    if(ps->cols[i] == c)
      return db_str(&ps->fields[i]);
  return "";
}

static bool parse_key(struct parser *ps, struct roster_row *row, const char *text)
{
  struct lethe_err err = { 0 };
  struct dynbuf fp;
  bool ok;
  if(sshsig_parse_public(text, &row->key, &err)) {
    diag_error(ps->d, ps->path, ps->line, "key: %s (an Ed25519 key, as in KEY.pub)",
               err.msg);
    return false;
  }
  db_init(&fp, 256);
  ok = !sshsig_fingerprint(row->key, &fp);
  row->fingerprint = ok ? strdup(db_str(&fp)) : NULL;
  db_release(&fp);
  return row->fingerprint != NULL;
}

/* Fill row from the record's fields; false after reporting what is wrong. */
static bool fill_row(struct parser *ps, int n, struct roster_row *row)
{
  struct lethe_err err = { 0 };
  const char *name = field(ps, n, COL_NAME), *email = field(ps, n, COL_EMAIL);
  const char *scope = field(ps, n, COL_SCOPE), *since = field(ps, n, COL_SINCE);
  row->line = ps->line;
  if(!*name || !mail_address_ok(email)) {
    diag_error(ps->d, ps->path, ps->line, "%s", !*name ? "empty name"
               : "email: not a plain e-mail address (local@domain)");
    return false;
  }
  if(duration_parse(field(ps, n, COL_CADENCE), &row->cadence, &err) ||
     !row->cadence.count) {
    diag_error(ps->d, ps->path, ps->line, "cadence: %s", err.msg[0] ? err.msg
               : "must be longer than zero");
    return false;
  }
  row->has_since = *since != '\0';
  if(row->has_since && isotime_parse(since, &row->since, &err)) {
    diag_error(ps->d, ps->path, ps->line, "since: %s", err.msg);
    return false;
  }
  row->name = strdup(name);
  row->email = strdup(email);
  row->scope = strdup(*scope ? scope : ROSTER_SCOPE_ALL);
  if(!row->name || !row->email || !row->scope)
    return false;
  return parse_key(ps, row, field(ps, n, COL_KEY));
}

static void row_release(struct roster_row *row)
{
  free(row->name);
  free(row->email);
  free(row->scope);
  free(row->fingerprint);
  sshsig_free(row->key);
  memset(row, 0, sizeof(*row));
}

/* One key, one person: a signature must name exactly one of them. */
static void check_key_owners(struct parser *ps, const struct roster_row *row)
{
  for(size_t i = 0; i < ps->r->n; i++)
    if(sshsig_same_public(ps->r->rows[i].key, row->key) &&
       !roster_same_email(ps->r->rows[i].email, row->email))
      diag_error(ps->d, ps->path, row->line, "key %s is also %s's (line %d): one key "
                 "belongs to one person", row->fingerprint, ps->r->rows[i].email,
                 ps->r->rows[i].line);
}

static lethe_rc add_row(struct parser *ps, int n)
{
  struct roster_row row = { 0 }, *v;
  if(!fill_row(ps, n, &row)) {
    row_release(&row);
    return LETHE_OK;
  }
  check_key_owners(ps, &row);
  v = realloc(ps->r->rows, (ps->r->n + 1) * sizeof(*v));
  if(!v) {
    row_release(&row);
    return LETHE_E_NOMEM;
  }
  ps->r->rows = v;
  v[ps->r->n++] = row;
  return LETHE_OK;
}

static bool blank(const char *p, const char *end)
{
  while(p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
    p++;
  return p >= end || *p == '\n';
}

lethe_rc roster_parse(const char *path, const char *text, size_t len, struct roster *r,
                      struct diag *d)
{
  struct parser ps = { .path = path, .r = r, .d = d };
  const char *p = text, *end = text + len;
  unsigned before = d->errors;
  bool have_header = false;
  lethe_rc rc = LETHE_OK;
  memset(r, 0, sizeof(*r));
  r->path = strdup(path);
  for(size_t i = 0; i < COLUMNS_MAX; i++)
    db_init(&ps.fields[i], FIELD_MAX);
  if(len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
    p += 3; /* spreadsheet programs write a byte-order mark */
  while(!rc && p < end) {
    int n;
    ps.line++;
    if(blank(p, end)) {
      while(p < end && *p++ != '\n')
        ;
      continue;
    }
    n = split(&ps, &p, end);
    if(n < 0)
      continue;
    if(!have_header) {
      have_header = true;
      if(!header(&ps, n))
        break;
    } else {
      rc = add_row(&ps, n);
    }
  }
  for(size_t i = 0; i < COLUMNS_MAX; i++)
    db_release(&ps.fields[i]);
  if(!rc && !have_header)
    diag_error(d, path, 0, "empty roster: the first line must name the columns");
  if(!rc && (d->errors > before || !r->path))
    rc = r->path ? LETHE_E_CONFIG : LETHE_E_NOMEM;
  return rc;
}

lethe_rc roster_load(const char *path, struct roster *r, struct diag *d)
{
  struct dynbuf text;
  struct lethe_err err = { 0 };
  lethe_rc rc;
  memset(r, 0, sizeof(*r));
  db_init(&text, ROSTER_MAX_BYTES);
  rc = slurp_file(path, &text, &err);
  if(rc) {
    diag_error(d, path, 0, "cannot read the roster: %s", err.msg);
    db_release(&text);
    return rc == LETHE_E_NOMEM ? rc : LETHE_E_CONFIG;
  }
  rc = roster_parse(path, text.mem ? text.mem : "", text.len, r, d);
  db_release(&text);
  return rc;
}

const struct roster_row *roster_find_key(const struct roster *r, const struct sshsig_key *key)
{
  for(size_t i = 0; i < r->n; i++)
    if(sshsig_same_public(r->rows[i].key, key))
      return &r->rows[i];
  return NULL;
}

bool roster_same_email(const char *a, const char *b)
{
  return !strcasecmp(a, b);
}

void roster_release(struct roster *r)
{
  for(size_t i = 0; i < r->n; i++)
    row_release(&r->rows[i]);
  free(r->rows);
  free(r->path);
  memset(r, 0, sizeof(*r));
}
