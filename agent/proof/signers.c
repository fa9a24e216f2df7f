/* allowed_signers files (ssh-keygen(1), ALLOWED SIGNERS): which keys may
 * sign which namespaces. Read by lethe verify and by certification. */
#include "verify.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The next white-space separated token (quotes keep their spaces). */
static size_t token(const char **p, const char *end, const char **start)
{
  const char *s = *p;
  bool quoted = false;
  while(s < end && (*s == ' ' || *s == '\t'))
    s++;
  *start = s;
  while(s < end && (quoted || (*s != ' ' && *s != '\t'))) {
    if(*s == '"')
      quoted = !quoted;
    s++;
  }
  *p = s;
  return (size_t)(s - *start);
}

static bool is_keytype(const char *t, size_t n)
{
  return (n > 4 && !strncmp(t, "ssh-", 4)) || (n > 6 && !strncmp(t, "ecdsa-", 6)) ||
         (n > 3 && !strncmp(t, "sk-", 3));
}

/* From options "a,namespaces=\"x,y\",b": the namespaces (unquoted, a new
 * string) and whether cert-authority is among them. */
static char *parse_options(const char *opt, size_t n, bool *ca)
{
  const char *end = opt + n, *p = opt;
  char *ns = NULL;
  *ca = false;
  while(p < end) {
    const char *q = p;
    bool quoted = false;
    while(q < end && (quoted || *q != ',')) {
      if(*q == '"')
        quoted = !quoted;
      q++;
    }
    if((size_t)(q - p) == 14 && !strncasecmp(p, "cert-authority", 14))
      *ca = true;
    else if(q - p > 11 && !strncasecmp(p, "namespaces=", 11) && !ns) {
      const char *v = p + 11, *ve = q;
      if(ve - v >= 2 && *v == '"' && ve[-1] == '"')
        v++, ve--;
      ns = strndup(v, (size_t)(ve - v));
    }
    p = q < end ? q + 1 : q;
  }
  return ns;
}

static lethe_rc add_signer(struct signers *s, struct sshsig_key *key, const char *principals,
                           size_t plen, char *ns)
{
  struct signer *v = realloc(s->v, (s->n + 1) * sizeof(*v));
  if(!v) {
    sshsig_free(key);
    free(ns);
    return LETHE_E_NOMEM;
  }
  s->v = v;
  v[s->n].key = key;
  v[s->n].principals = strndup(principals, plen);
  v[s->n].namespaces = ns;
  s->n++;
  return v[s->n - 1].principals ? LETHE_OK : LETHE_E_NOMEM;
}

static lethe_rc parse_signer(struct signers *s, const char *line, size_t len, const char *name,
                             int lineno, struct lethe_err *err)
{
  const char *p = line, *end = line + len, *who, *t, *b64;
  size_t wn = token(&p, end, &who), tn = token(&p, end, &t), bn;
  struct sshsig_key *key = NULL;
  struct lethe_err ignored;
  char *ns = NULL, *text;
  bool ca = false;
  if(tn && !is_keytype(t, tn)) {
    ns = parse_options(t, tn, &ca);
    tn = token(&p, end, &t);
  }
  bn = token(&p, end, &b64);
  if(!wn || !tn || !bn || !is_keytype(t, tn)) {
    free(ns);
    return err_set(err, LETHE_E_PARSE, "%s:%d: not a line of the form 'PRINCIPALS "
                   "[OPTIONS] KEYTYPE KEY'", name, lineno);
  }
  if(ca || asprintf(&text, "%.*s %.*s", (int)tn, t, (int)bn, b64) < 0) {
    free(ns);
    return ca ? LETHE_OK : LETHE_E_NOMEM;
  }
  if(sshsig_parse_public(text, &key, &ignored)) {
    free(text);
    free(ns);
    return LETHE_OK; /* not an Ed25519 key: lethe never signs with it */
  }
  free(text);
  return add_signer(s, key, who, wn, ns);
}

lethe_rc signers_parse(struct signers *s, const char *text, size_t len, const char *name,
                       struct lethe_err *err)
{
  const char *p = text, *end = text + len;
  int lineno = 0;
  lethe_rc rc = LETHE_OK;
  memset(s, 0, sizeof(*s));
  while(!rc && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *q;
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    lineno++;
    for(q = p; q < p + n && (*q == ' ' || *q == '\t'); q++)
      ;
    if(q < p + n && *q != '#')
      rc = parse_signer(s, q, (size_t)(p + n - q), name, lineno, err);
    p += n + (nl != NULL);
  }
  return rc;
}

static bool allows(const char *namespaces, const char *ns)
{
  char *copy, *save = NULL;
  bool ok = false;
  if(!namespaces)
    return true;
  copy = strdup(namespaces);
  for(char *pat = copy ? strtok_r(copy, ",", &save) : NULL; pat && !ok;
      pat = strtok_r(NULL, ",", &save))
    ok = !fnmatch(pat, ns, 0);
  free(copy);
  return ok;
}

const struct signer *signers_find(const struct signers *s, const struct sshsig_key *key,
                                  const char *ns)
{
  for(size_t i = 0; i < s->n; i++)
    if(sshsig_same_public(s->v[i].key, key) && allows(s->v[i].namespaces, ns))
      return &s->v[i];
  return NULL;
}

void signers_release(struct signers *s)
{
  for(size_t i = 0; i < s->n; i++) {
    sshsig_free(s->v[i].key);
    free(s->v[i].principals);
    free(s->v[i].namespaces);
  }
  free(s->v);
  memset(s, 0, sizeof(*s));
}
