#include "graph_creds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"

void graph_creds_wipe(struct graph_creds *c)
{
  explicit_bzero(c, sizeof(*c));
}

static bool id_chars(const char *v, const char *extra)
{
  for(; *v; v++)
    if(!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
         strchr(extra, *v)))
      return false;
  return true;
}

/* A path made absolute against the credentials file's directory. */
static lethe_rc set_path(const char *file, const char *v, char *out, struct lethe_err *err,
                         int line)
{
  const char *slash = strrchr(file, '/');
  int n;
  if(v[0] == '/' || !slash)
    n = snprintf(out, GRAPH_CREDS_PATH_MAX, "%s", v);
  else
    n = snprintf(out, GRAPH_CREDS_PATH_MAX, "%.*s/%s", (int)(slash - file), file, v);
  if(n < 0 || n >= GRAPH_CREDS_PATH_MAX)
    return err_set(err, LETHE_E_CONFIG, "%s:%d: path too long", file, line);
  return LETHE_OK;
}

static lethe_rc set_text(const char *file, int line, const char *key, const char *v, char *out,
                         size_t n, const char *extra, struct lethe_err *err)
{
  if(out[0])
    return err_set(err, LETHE_E_CONFIG, "%s:%d: '%s' given twice", file, line, key);
  if(strlen(v) >= n || (extra && !id_chars(v, extra)))
    return err_set(err, LETHE_E_CONFIG, "%s:%d: '%s' is not a valid %s", file, line, key,
                   !strcmp(key, "tenant") ? "tenant id or domain" : "value");
  memcpy(out, v, strlen(v) + 1);
  return LETHE_OK;
}

static lethe_rc pair(const char *file, int line, const char *key, const char *v,
                     struct graph_creds *c, struct lethe_err *err)
{
  if(!strcmp(key, "tenant"))
    return set_text(file, line, key, v, c->tenant, sizeof(c->tenant), ".-_", err);
  if(!strcmp(key, "client-id"))
    return set_text(file, line, key, v, c->client_id, sizeof(c->client_id), "-", err);
  if(!strcmp(key, "client-secret")) {
    c->has_secret = true;
    return set_text(file, line, key, v, c->secret, sizeof(c->secret), NULL, err);
  }
  if(!strcmp(key, "certificate") || !strcmp(key, "private-key")) {
    char *slot = key[0] == 'c' ? c->certificate : c->private_key;
    if(slot[0])
      return err_set(err, LETHE_E_CONFIG, "%s:%d: '%s' given twice", file, line, key);
    return set_path(file, v, slot, err, line);
  }
  if(!strcmp(key, "assertion")) {
    if(strcmp(v, "PS256") && strcmp(v, "RS256"))
      return err_set(err, LETHE_E_CONFIG, "%s:%d: 'assertion' must be PS256 or RS256", file,
                     line);
    c->alg = v[0] == 'P' ? GRAPH_ALG_PS256 : GRAPH_ALG_RS256;
    return LETHE_OK;
  }
  return err_set(err, LETHE_E_CONFIG, "%s:%d: unknown key '%.40s' (expected tenant, "
                 "client-id, certificate, private-key, assertion or client-secret)", file,
                 line, key);
}

/* Split one line (NUL-terminated, modified in place) into key and value,
 * trimming white space. False for a line without '='. */
static bool split(char *s, char **key, char **value)
{
  char *eq = strchr(s, '='), *end;
  if(!eq)
    return false;
  *eq = '\0';
  while(*s == ' ' || *s == '\t')
    s++;
  for(end = eq; end > s && (end[-1] == ' ' || end[-1] == '\t'); end--)
    end[-1] = '\0';
  *key = s;
  s = eq + 1;
  while(*s == ' ' || *s == '\t')
    s++;
  for(end = s + strlen(s); end > s && strchr(" \t\r", end[-1]); end--)
    end[-1] = '\0';
  *value = s;
  return **key && **value;
}

static lethe_rc check_complete(const char *file, const struct graph_creds *c,
                               struct lethe_err *err)
{
  bool cert = c->certificate[0] || c->private_key[0];
  if(!c->tenant[0] || !c->client_id[0])
    return err_set(err, LETHE_E_CONFIG, "%s: needs 'tenant' and 'client-id'", file);
  if(c->has_secret == cert)
    return err_set(err, LETHE_E_CONFIG, "%s: needs either 'client-secret' or 'certificate' "
                   "and 'private-key' (not both)", file);
  if(cert && (!c->certificate[0] || !c->private_key[0]))
    return err_set(err, LETHE_E_CONFIG, "%s: 'certificate' and 'private-key' go together",
                   file);
  return LETHE_OK;
}

lethe_rc graph_creds_parse(const char *path, const char *text, size_t len,
                           struct graph_creds *c, struct lethe_err *err)
{
  char line[4096 + 64];
  size_t pos = 0;
  int no = 0;
  lethe_rc rc = LETHE_OK;
  graph_creds_wipe(c);
  while(pos < len && !rc) {
    const char *lf = memchr(text + pos, '\n', len - pos);
    size_t n = lf ? (size_t)(lf - (text + pos)) : len - pos;
    char *key, *value, *s = line;
    no++;
    if(n >= sizeof(line))
      rc = err_set(err, LETHE_E_CONFIG, "%s:%d: line too long", path, no);
    else {
      memcpy(line, text + pos, n);
      line[n] = '\0';
      while(*s == ' ' || *s == '\t')
        s++;
      if(*s && *s != '#' && *s != ';' && *s != '\r')
        rc = split(s, &key, &value) ? pair(path, no, key, value, c, err)
                                    : err_set(err, LETHE_E_CONFIG, "%s:%d: expected "
                                              "'key = value'", path, no);
    }
    pos += n + 1;
  }
  explicit_bzero(line, sizeof(line));
  if(!rc)
    rc = check_complete(path, c, err);
  if(rc)
    graph_creds_wipe(c);
  return rc;
}

lethe_rc graph_creds_read(const char *path, struct graph_creds *c, struct lethe_err *err)
{
  struct credentials *raw = malloc(sizeof(*raw));
  lethe_rc rc;
  if(!raw)
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  rc = credentials_read_raw(path, raw, err);
  if(!rc)
    rc = graph_creds_parse(path, raw->secret, raw->len, c, err);
  credentials_wipe(raw);
  free(raw);
  return rc;
}
