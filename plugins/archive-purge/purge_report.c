/* The report of one purge, and its JSON. */
#include "purge_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arc_format.h"

void purge_report_init(struct purge_report *r, const char *archive)
{
  memset(r, 0, sizeof(*r));
  snprintf(r->archive, sizeof(r->archive), "%s", archive);
  snprintf(r->state, sizeof(r->state), "%s", purge_state_name(PURGE_ST_NEW));
}

void purge_report_release(struct purge_report *r)
{
  for(size_t i = 0; i < r->n_removed; i++)
    free(r->removed[i].path);
  free(r->removed);
  free(r->notes);
  r->removed = NULL;
  r->notes = NULL;
  r->n_removed = r->cap_removed = r->n_notes = r->cap_notes = 0;
}

lethe_rc purge_report_removed(struct purge_report *r, const char *path, size_t len,
                              enum arc_type type, int64_t size, const unsigned char *sha)
{
  struct purge_removed *x;
  if(r->n_removed == r->cap_removed) {
    size_t cap = r->cap_removed ? r->cap_removed * 2 : 16;
    struct purge_removed *v = realloc(r->removed, cap * sizeof(*v));
    if(!v)
      return LETHE_E_NOMEM;
    r->removed = v;
    r->cap_removed = cap;
  }
  x = &r->removed[r->n_removed];
  x->path = malloc(len + 1);
  if(!x->path)
    return LETHE_E_NOMEM;
  memcpy(x->path, path, len);
  x->path[len] = '\0';
  x->len = len;
  x->type = type;
  x->size = size;
  x->sha256[0] = '\0';
  if(sha)
    arc_sha256_hex(sha, x->sha256);
  r->n_removed++;
  return LETHE_OK;
}

static struct purge_note *new_note(struct purge_report *r)
{
  if(r->n_notes == r->cap_notes) {
    size_t cap = r->cap_notes ? r->cap_notes * 2 : 4;
    struct purge_note *v = realloc(r->notes, cap * sizeof(*v));
    if(!v)
      return NULL;
    r->notes = v;
    r->cap_notes = cap;
  }
  memset(&r->notes[r->n_notes], 0, sizeof(r->notes[0]));
  return &r->notes[r->n_notes++];
}

lethe_rc purge_report_lost(struct purge_report *r, unsigned flag, const char *path, size_t len)
{
  char what[128], q[ARC_QUOTE_MAX];
  struct purge_note *n = NULL;
  for(size_t i = 0; i < r->n_notes; i++)
    if(r->notes[i].flag == flag)
      n = &r->notes[i];
  if(!n) {
    n = new_note(r);
    if(!n)
      return LETHE_E_NOMEM;
    n->flag = flag;
    arc_keep_names(flag, what, sizeof(what));
    snprintf(n->text, sizeof(n->text), "%s, first of '%s'", what, arc_quote(path, len, q));
  }
  n->count++;
  return LETHE_OK;
}

lethe_rc purge_report_remark(struct purge_report *r, const char *fmt, ...)
{
  struct purge_note *n = new_note(r);
  va_list ap;
  if(!n)
    return LETHE_E_NOMEM;
  va_start(ap, fmt);
  vsnprintf(n->text, sizeof(n->text), fmt, ap);
  va_end(ap);
  return LETHE_OK;
}

lethe_rc purge_report_warning(struct purge_report *r, const char *fmt, ...)
{
  struct purge_note *n = new_note(r);
  va_list ap;
  if(!n)
    return LETHE_E_NOMEM;
  n->warning = true;
  va_start(ap, fmt);
  vsnprintf(n->text, sizeof(n->text), fmt, ap);
  va_end(ap);
  return LETHE_OK;
}

/* A JSON string of raw bytes, percent-encoded as purge.h says. */
static void json_pct(FILE *out, const char *s, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  fputc('"', out);
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c < 0x20 || c >= 0x7f || c == '%' || c == '"' || c == '\\') {
      fputc('%', out);
      fputc(hex[c >> 4], out);
      fputc(hex[c & 15], out);
    } else {
      fputc(c, out);
    }
  }
  fputc('"', out);
}

/* A JSON string of text that is already printable ASCII (messages, names of
 * formats); anything else is escaped as \u00XX. */
static void json_text(FILE *out, const char *s)
{
  fputc('"', out);
  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if(c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if(c < 0x20 || c >= 0x7f)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

static void json_removed(FILE *out, const struct purge_report *r)
{
  fputs("\"removed\":[", out);
  for(size_t i = 0; i < r->n_removed; i++) {
    const struct purge_removed *x = &r->removed[i];
    fputs(i ? ",{\"path\":" : "{\"path\":", out);
    json_pct(out, x->path, x->len);
    fprintf(out, ",\"type\":\"%s\",\"size\":%" PRId64 ",\"sha256\":", arc_type_name(x->type),
            x->size);
    if(x->sha256[0])
      json_text(out, x->sha256);
    else
      fputs("null", out);
    fputc('}', out);
  }
  fputs("],", out);
}

static void json_notes(FILE *out, const struct purge_report *r, bool warnings)
{
  bool first = true;
  fputs(warnings ? "\"warnings\":[" : "\"not_kept\":[", out);
  for(size_t i = 0; i < r->n_notes; i++) {
    char text[600];
    const struct purge_note *n = &r->notes[i];
    if(n->warning != warnings)
      continue;
    if(n->flag)
      snprintf(text, sizeof(text), "%s (%" PRIu64 " entries)", n->text, n->count);
    else
      snprintf(text, sizeof(text), "%s", n->text);
    if(!first)
      fputc(',', out);
    first = false;
    json_text(out, text);
  }
  fputs("],", out);
}

lethe_rc purge_report_json(const struct purge_report *r, FILE *out)
{
  fputs("{\"archive\":", out);
  json_pct(out, r->archive, strlen(r->archive));
  fputs(",\"format\":", out);
  json_text(out, r->format);
  fputs(",\"filters\":", out);
  json_text(out, r->filters);
  fputs(",\"written_as\":", out);
  json_text(out, r->written_as[0] ? r->written_as : r->format);
  fprintf(out, ",\"old\":{\"size\":%" PRIu64 ",\"sha256\":", r->old_size);
  json_text(out, r->old_sha256);
  fprintf(out, "},\"new\":{\"size\":%" PRIu64 ",\"sha256\":", r->new_size);
  json_text(out, r->new_sha256);
  fprintf(out, "},\"entries\":%" PRIu64 ",\"kept\":%" PRIu64 ",\"links_repaired\":%" PRIu64
          ",", r->entries, r->kept, r->links_repaired);
  json_removed(out, r);
  json_notes(out, r, false);
  json_notes(out, r, true);
  fputs("\"level\":", out);
  json_text(out, r->level);
  fputs(",\"method\":", out);
  json_text(out, r->method);
  fputs(",\"state\":", out);
  json_text(out, r->state);
  fputs("}\n", out);
  if(ferror(out) || fflush(out) != 0)
    return LETHE_E_IO;
  return LETHE_OK;
}
