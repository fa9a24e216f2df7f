/* xlsx shared strings for header cells. Worksheets name header text by an
 * index into xl/sharedStrings.xml, which may come before or after them in
 * the container; rather than keep every shared string, the indices the
 * headers need are collected first and looked up in a second pass. */
#include "office.h"

#include <stdlib.h>
#include <string.h>

struct wanted {
  long *idx;              /* sorted, unique */
  char (*text)[CELL_TEXT];
  size_t n;
  long si;                /* index of the <si> being read */
  size_t len;             /* of its text so far */
  char cur[CELL_TEXT];
};

static int cmp_long(const void *a, const void *b)
{
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

static lethe_rc collect(const struct sheets *sh, struct wanted *w)
{
  size_t cap = 0;
  unsigned i, k;
  for(i = 0; i < sh->n; i++)
    if(sh->v[i]->rows)
      cap += sh->v[i]->ncells;
  w->idx = calloc(cap + 1, sizeof(*w->idx));
  w->text = calloc(cap + 1, sizeof(*w->text));
  if(!w->idx || !w->text)
    return LETHE_E_NOMEM;
  for(i = 0; i < sh->n; i++)
    for(k = 0; sh->v[i]->rows && k < sh->v[i]->ncells; k++)
      if(sh->v[i]->cells[k].sst >= 0)
        w->idx[w->n++] = sh->v[i]->cells[k].sst;
  qsort(w->idx, w->n, sizeof(*w->idx), cmp_long);
  for(i = 0, k = 0; i < w->n; i++)
    if(!k || w->idx[k - 1] != w->idx[i])
      w->idx[k++] = w->idx[i];
  w->n = k;
  return LETHE_OK;
}

static long find(const struct wanted *w, long idx)
{
  const long *p = bsearch(&idx, w->idx, w->n, sizeof(*w->idx), cmp_long);
  return p ? p - w->idx : -1;
}

static lethe_rc si_start(void *ctx, const char *local, void *reader)
{
  struct wanted *w = ctx;
  (void)reader;
  if(!strcmp(local, "si")) {
    w->si++;
    w->len = 0;
  }
  return LETHE_OK;
}

static lethe_rc si_end(void *ctx, const char *local)
{
  struct wanted *w = ctx;
  long k;
  if(strcmp(local, "si"))
    return LETHE_OK;
  k = find(w, w->si);
  if(k >= 0) {
    memcpy(w->text[k], w->cur, w->len);
    w->text[k][w->len] = '\0';
  }
  explicit_bzero(w->cur, sizeof(w->cur));
  return LETHE_OK;
}

static lethe_rc si_text(void *ctx, const char *s, size_t n)
{
  struct wanted *w = ctx;
  size_t i;
  for(i = 0; i < n && w->len + 1 < CELL_TEXT; i++)
    w->cur[w->len++] = s[i];
  return LETHE_OK;
}

static const struct xml_handler si_handler = { si_start, si_end, si_text };

static const char *lookup(void *ctx, long idx)
{
  struct wanted *w = ctx;
  long k = find(w, idx);
  return k >= 0 && w->text[k][0] ? w->text[k] : NULL;
}

/* Second pass: read only xl/sharedStrings.xml. */
static lethe_rc second_pass(struct office *o, const struct scan_input *in, struct wanted *w,
                            char *err, size_t errlen)
{
  struct zip z;
  const char *name = "";
  lethe_rc rc = zip_open(&z, in, &o->r->lim, err, errlen);
  while(!rc && name) {
    rc = zip_next(&z, &name, err, errlen);
    if(!rc && name && !strcmp(name, "xl/sharedStrings.xml")) {
      w->si = -1;
      rc = xml_parse(&z, &si_handler, w, o->r->lim.max_depth, err, errlen);
      break;
    }
  }
  zip_close(&z);
  return rc;
}

lethe_rc sst_resolve_and_report(struct office *o, const struct scan_input *in,
                                char *err, size_t errlen)
{
  struct wanted w;
  lethe_rc rc;
  memset(&w, 0, sizeof(w));
  rc = collect(&o->sh, &w);
  if(!rc && w.n)
    rc = second_pass(o, in, &w, err, errlen);
  if(!rc)
    sheets_report(&o->sh, o->out, lookup, &w);
  if(w.text)
    explicit_bzero(w.text, (w.n + 1) * sizeof(*w.text));
  free(w.idx);
  free(w.text);
  return rc;
}
