/* PDF text through poppler-glib, one page at a time.
 *
 * Poppler reads the file through the descriptor (no copy of the file in
 * memory) and extracts each page's text in reading order; each page's text
 * is wiped as soon as it has been scanned. Poppler is GPL-2.0-or-GPL-3.0
 * licensed, so it may be linked into a GPL-3.0-or-later program. */
#include "formats.h"
#include "text.h"

#include <glib.h>
#include <poppler.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static lethe_rc doc_error(GError *ge, char *err, size_t errlen)
{
  lethe_rc rc;
  if(ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED)
    rc = scan_err(err, errlen, LETHE_E_UNSAFE, "PDF is encrypted: cannot be read");
  else
    rc = scan_err(err, errlen, LETHE_E_PARSE, "PDF: %s", ge ? ge->message : "cannot be read");
  if(ge)
    g_error_free(ge);
  return rc;
}

static PopplerDocument *open_doc(const struct scan_input *in, GBytes **bytes, GError **ge)
{
  int fd;
  if(in->fd < 0) {
    *bytes = g_bytes_new_static(in->mem, in->size);
    return poppler_document_new_from_bytes(*bytes, NULL, ge);
  }
  fd = fcntl(in->fd, F_DUPFD_CLOEXEC, 0);
  if(fd < 0) {
    g_set_error_literal(ge, G_FILE_ERROR, G_FILE_ERROR_FAILED, "out of file descriptors");
    return NULL;
  }
  return poppler_document_new_from_fd(fd, NULL, ge);   /* owns fd, even on failure */
}

static lethe_rc page_text(PopplerDocument *doc, int i, struct text_scan *t)
{
  PopplerPage *page = poppler_document_get_page(doc, i);
  char *text;
  lethe_rc rc = LETHE_OK;
  if(!page)
    return LETHE_OK;
  text = poppler_page_get_text(page);
  if(text) {
    size_t n = strlen(text);
    rc = text_scan_feed(t, text, n);
    if(!rc)
      rc = text_scan_feed(t, "\n", 1);
    explicit_bzero(text, n);
    g_free(text);
  }
  g_object_unref(page);
  return rc;
}

lethe_rc scan_pdf(const struct scan_rules *r, const struct scan_input *in,
                  struct scan_findings *out, char *err, size_t errlen)
{
  GError *ge = NULL;
  GBytes *bytes = NULL;
  PopplerDocument *doc = open_doc(in, &bytes, &ge);
  struct text_scan t;
  int pages, i;
  lethe_rc rc;

  out->format = SCAN_FMT_PDF;
  if(!doc) {
    if(bytes)
      g_bytes_unref(bytes);
    return doc_error(ge, err, errlen);
  }
  pages = poppler_document_get_n_pages(doc);
  rc = text_scan_init(&t, r, out);
  for(i = 0; !rc && i < pages && (unsigned)i < r->lim.max_pages; i++)
    rc = page_text(doc, i, &t);
  if(!rc)
    rc = text_scan_finish(&t);
  if(!rc && (unsigned)pages > r->lim.max_pages)
    rc = scan_err(err, errlen, LETHE_E_RANGE, "PDF: more than %u pages; the rest not read",
                  r->lim.max_pages);
  text_scan_release(&t);
  g_object_unref(doc);
  if(bytes)
    g_bytes_unref(bytes);
  return rc;
}
