#include "diag.h"

#include <stdarg.h>

/* Diagnostics are bounded so that a hostile file cannot exhaust memory;
 * past the bound the count still grows and one line says so. */
#define DIAG_MAX (256 * 1024)

void diag_init(struct diag *d)
{
  db_init(&d->text, DIAG_MAX);
  d->errors = 0;
  d->warnings = 0;
}

void diag_release(struct diag *d)
{
  db_release(&d->text);
}

static void add(struct diag *d, const char *kind, const char *file, int line,
                const char *fmt, va_list ap)
{
  size_t mark = d->text.len;
  lethe_rc rc;
  if(line > 0)
    rc = db_addf(&d->text, "%s:%d: %s", file, line, kind);
  else
    rc = db_addf(&d->text, "%s: %s", file, kind);
  if(!rc)
    rc = db_vaddf(&d->text, fmt, ap);
  if(!rc)
    rc = db_adds(&d->text, "\n");
  if(rc)
    db_truncate(&d->text, mark);
}

void diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add(d, "", file, line, fmt, ap);
  va_end(ap);
  d->errors++;
}

void diag_warn(struct diag *d, const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  add(d, "warning: ", file, line, fmt, ap);
  va_end(ap);
  d->warnings++;
}

void diag_print(const struct diag *d, FILE *f)
{
  fputs(db_str(&d->text), f);
  if(d->text.len >= DIAG_MAX - 1024)
    fputs("lethe: too many diagnostics, some were not kept\n", f);
}
