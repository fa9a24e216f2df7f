/* Names of detectors and formats, detector sets, and error messages. */
#include "scan_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const detector_names[SCAN_DETECTOR__COUNT] = {
  [SCAN_EMAIL] = "email",
  [SCAN_PHONE] = "phone",
  [SCAN_NINO] = "nino",
  [SCAN_IBAN] = "iban",
  [SCAN_CARD] = "card",
  [SCAN_DOB] = "dob",
  [SCAN_PERSON_COLUMN] = "person-column",
  [SCAN_CLIENT_NAME] = "client-name",
};

static const char *const format_names[] = {
  [SCAN_FMT_EMPTY] = "empty",
  [SCAN_FMT_TEXT] = "text",
  [SCAN_FMT_CSV] = "csv",
  [SCAN_FMT_DOCX] = "docx",
  [SCAN_FMT_XLSX] = "xlsx",
  [SCAN_FMT_PPTX] = "pptx",
  [SCAN_FMT_ODF] = "odf",
  [SCAN_FMT_PDF] = "pdf",
  [SCAN_FMT_ZIP] = "zip",
  [SCAN_FMT_BINARY] = "binary",
};

const char *scan_detector_name(enum scan_detector d)
{
  if((int)d < 0 || d >= SCAN_DETECTOR__COUNT)
    return NULL;
  return detector_names[d];
}

const char *scan_format_name(enum scan_format f)
{
  if((int)f < 0 || (size_t)f >= sizeof(format_names) / sizeof(format_names[0]))
    return "unknown";
  return format_names[f];
}

/* The detector named by s[0..n), or -1. */
static int detector_by_name(const char *s, size_t n)
{
  int d;
  for(d = 0; d < SCAN_DETECTOR__COUNT; d++)
    if(strlen(detector_names[d]) == n && !strncmp(detector_names[d], s, n))
      return d;
  return -1;
}

lethe_rc scan_detectors_parse(const char *contains, unsigned *set, char *err, size_t errlen)
{
  const char *p = contains;
  *set = 0;
  while(*p) {
    size_t n;
    int d;
    p += strspn(p, " \t,");
    n = strcspn(p, " \t,");
    if(!n)
      break;
    if(n == 13 && !strncmp(p, "personal-data", 13))
      *set |= SCAN_ALL;
    else {
      d = detector_by_name(p, n);
      if(d < 0)
        return scan_err(err, errlen, LETHE_E_PARSE,
                        "unknown detector \"%.*s\" (personal-data, email, phone, nino, iban, "
                        "card, dob, person-column or client-name)", (int)n, p);
      *set |= SCAN_BIT(d);
    }
    p += n;
  }
  if(!*set)
    return scan_err(err, errlen, LETHE_E_PARSE, "no detector named");
  return LETHE_OK;
}

lethe_rc scan_err(char *err, size_t errlen, lethe_rc rc, const char *fmt, ...)
{
  va_list ap;
  if(!err || !errlen)
    return rc;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return rc;
}

void scan_err_prefix(char *err, size_t errlen, const char *fmt, ...)
{
  char head[512];
  size_t h, m;
  va_list ap;
  if(!err || !errlen)
    return;
  va_start(ap, fmt);
  vsnprintf(head, sizeof(head), fmt, ap);
  va_end(ap);
  h = strlen(head);
  m = strnlen(err, errlen - 1);
  if(h >= errlen)
    h = errlen - 1;
  if(h + m >= errlen)
    m = errlen - 1 - h;
  memmove(err + h, err, m);
  memcpy(err, head, h);
  err[h + m] = '\0';
}
