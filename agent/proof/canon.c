/* Canonical JSON: writing it (see canon.h). */
#include "canon.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

size_t canon_utf8_len(const unsigned char *p, size_t n)
{
  size_t len;
  uint32_t cp;
  if(p[0] < 0x80)
    return 1;
  if(p[0] >= 0xc2 && p[0] <= 0xdf)
    len = 2, cp = p[0] & 0x1f;
  else if(p[0] >= 0xe0 && p[0] <= 0xef)
    len = 3, cp = p[0] & 0x0f;
  else if(p[0] >= 0xf0 && p[0] <= 0xf4)
    len = 4, cp = p[0] & 0x07;
  else
    return 0;
  if(n < len)
    return 0;
  for(size_t i = 1; i < len; i++) {
    if((p[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
  if((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
     (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

/* Bytes that stand for themselves: printable ASCII but '"' and '\'. */
static size_t plain_run(const unsigned char *p, const unsigned char *end)
{
  const unsigned char *q = p;
  while(q < end && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
    q++;
  return (size_t)(q - p);
}

lethe_rc canon_string(struct dynbuf *out, const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  lethe_rc rc = db_add(out, "\"", 1);
  while(!rc && p < end) {
    size_t len = plain_run(p, end);
    if(len) { /* the common case, copied at once */
      rc = db_add(out, p, len);
      p += len;
      continue;
    }
    len = canon_utf8_len(p, (size_t)(end - p));
    if(!len) {
      rc = db_add(out, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
      p++;
      continue;
    }
    switch(*p) {
    case '"': rc = db_add(out, "\\\"", 2); break;
    case '\\': rc = db_add(out, "\\\\", 2); break;
    case '\b': rc = db_add(out, "\\b", 2); break;
    case '\f': rc = db_add(out, "\\f", 2); break;
    case '\n': rc = db_add(out, "\\n", 2); break;
    case '\r': rc = db_add(out, "\\r", 2); break;
    case '\t': rc = db_add(out, "\\t", 2); break;
    default:
      if(*p < 0x20)
        rc = db_addf(out, "\\u%04x", *p);
      else
        rc = db_add(out, p, len);
    }
    p += len;
  }
  if(!rc)
    rc = db_add(out, "\"", 1);
  return rc;
}

lethe_rc canon_str(struct dynbuf *out, const char *s)
{
  return s ? canon_string(out, s, strlen(s)) : db_adds(out, "null");
}

lethe_rc canon_key(struct dynbuf *out, const char *key)
{
  lethe_rc rc = canon_string(out, key, strlen(key));
  return rc ? rc : db_add(out, ":", 1);
}

lethe_rc canon_u64(struct dynbuf *out, uint64_t v)
{
  return db_addf(out, "%" PRIu64, v);
}

lethe_rc canon_bool(struct dynbuf *out, bool v)
{
  return db_adds(out, v ? "true" : "false");
}


static int by_key(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static lethe_rc canon_value(struct dynbuf *out, struct json_object *v, int depth);

static lethe_rc canon_object(struct dynbuf *out, struct json_object *o, int depth)
{
  size_t n = (size_t)json_object_object_length(o), i = 0;
  const char **keys = calloc(n ? n : 1, sizeof(*keys));
  lethe_rc rc;
  if(!keys)
    return LETHE_E_NOMEM;
  json_object_object_foreach(o, k, unused) {
    (void)unused;
    keys[i++] = k;
  }
  qsort(keys, n, sizeof(*keys), by_key);
  rc = db_add(out, "{", 1);
  for(i = 0; i < n && !rc; i++) {
    if(i)
      rc = db_add(out, ",", 1);
    if(!rc)
      rc = canon_string(out, keys[i], strlen(keys[i]));
    if(!rc)
      rc = db_add(out, ":", 1);
    if(!rc)
      rc = canon_value(out, json_object_object_get(o, keys[i]), depth + 1);
  }
  free(keys);
  return rc ? rc : db_add(out, "}", 1);
}

static lethe_rc canon_array(struct dynbuf *out, struct json_object *a, int depth)
{
  size_t n = json_object_array_length(a);
  lethe_rc rc = db_add(out, "[", 1);
  for(size_t i = 0; i < n && !rc; i++) {
    if(i)
      rc = db_add(out, ",", 1);
    if(!rc)
      rc = canon_value(out, json_object_array_get_idx(a, i), depth + 1);
  }
  return rc ? rc : db_add(out, "]", 1);
}

static lethe_rc canon_number(struct dynbuf *out, struct json_object *v)
{
  if(json_object_is_type(v, json_type_int)) {
    int64_t i = json_object_get_int64(v);
    if(i < 0)
      return db_addf(out, "%" PRId64, i);
    return db_addf(out, "%" PRIu64, json_object_get_uint64(v));
  }
  /* Only a plugin's detail could hold a fraction: 17 digits round-trip. */
  double d = json_object_get_double(v);
  if(d != d || d - d != 0)
    return db_adds(out, "null");
  return db_addf(out, "%.17g", d);
}

static lethe_rc canon_value(struct dynbuf *out, struct json_object *v, int depth)
{
  if(depth > CANON_DEPTH_MAX)
    return LETHE_E_RANGE;
  switch(json_object_get_type(v)) {
  case json_type_null:
    return db_adds(out, "null");
  case json_type_boolean:
    return db_adds(out, json_object_get_boolean(v) ? "true" : "false");
  case json_type_int:
  case json_type_double:
    return canon_number(out, v);
  case json_type_string:
    return canon_string(out, json_object_get_string(v),
                        (size_t)json_object_get_string_len(v));
  case json_type_array:
    return canon_array(out, v, depth);
  case json_type_object:
    return canon_object(out, v, depth);
  }
  return LETHE_E_PARSE;
}

lethe_rc canonical_json(struct json_object *v, struct dynbuf *out)
{
  return canon_value(out, v, 0);
}

void canon_hex(const unsigned char *digest, size_t n, char *hex)
{
  static const char digits[] = "0123456789abcdef";
  for(size_t i = 0; i < n; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[2 * n] = '\0';
}

void sha256_hex_iov(const struct iovec *v, size_t n, char *hex)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char digest[32];
  unsigned int len = 0;
  int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
  for(size_t i = 0; ok && i < n; i++)
    ok = EVP_DigestUpdate(md, v[i].iov_base, v[i].iov_len) == 1;
  ok = ok && EVP_DigestFinal_ex(md, digest, &len) == 1;
  EVP_MD_CTX_free(md);
  if(ok)
    canon_hex(digest, sizeof(digest), hex);
  else
    hex[0] = '\0'; /* names nothing: whatever compares with it fails */
}

void sha256_hex(const void *data, size_t len, char *hex)
{
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
  canon_hex(md, sizeof(md), hex);
}
