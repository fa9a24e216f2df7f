#include "graph_ident.h"

#include <stdio.h>
#include <string.h>

#include "graph_json.h"

bool graph_ident_format(char *out, size_t n, const char *drive, const char *id, size_t id_len,
                        const char *tag, size_t tag_len)
{
  int w;
  out[0] = '\0';
  if(!gj_token_ok(id, id_len, GRAPH_ID_MAX) || !gj_token_ok(tag, tag_len, GRAPH_ID_MAX) ||
     (drive && !gj_token_ok(drive, strlen(drive), GRAPH_ID_MAX)))
    return false;
  if(drive)
    w = snprintf(out, n, "drive=%s id=%.*s etag=%.*s", drive, (int)id_len, id, (int)tag_len,
                 tag);
  else
    w = snprintf(out, n, "id=%.*s changekey=%.*s", (int)id_len, id, (int)tag_len, tag);
  if(w < 0 || (size_t)w >= n) {
    out[0] = '\0';
    return false;
  }
  return true;
}

/* "key=VALUE" at *p, followed by a space or the end; *p moves past it. */
static bool field(const char **p, const char *key, const char **v, size_t *len)
{
  size_t k = strlen(key), n;
  if(strncmp(*p, key, k) || (*p)[k] != '=')
    return false;
  *v = *p + k + 1;
  n = strcspn(*v, " ");
  if(!gj_token_ok(*v, n, GRAPH_ID_MAX))
    return false;
  *len = n;
  *p = *v + n;
  if(**p == ' ') {
    (*p)++;
    return **p != '\0';
  }
  return true;
}

bool graph_ident_parse(const char *text, struct graph_ident *p)
{
  const char *s = text;
  memset(p, 0, sizeof(*p));
  if(!text)
    return false;
  if(!strncmp(s, "drive=", 6)) {
    if(!field(&s, "drive", &p->drive, &p->drive_len) || !field(&s, "id", &p->id, &p->id_len) ||
       !field(&s, "etag", &p->tag, &p->tag_len))
      return false;
  }
  else if(!field(&s, "id", &p->id, &p->id_len) ||
          !field(&s, "changekey", &p->tag, &p->tag_len)) {
    return false;
  }
  return *s == '\0';
}
