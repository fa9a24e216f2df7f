/* lethe-pdf.so: PDF text through poppler-glib, one page at a time (see
 * pdf_module.h for why it is a module).
 *
 * Poppler reads the file through the descriptor (no copy of the file in
 * memory) and extracts each page's text in reading order; each page's text
 * is wiped as soon as it has been scanned. Poppler is GPL-2.0-or-GPL-3.0
 * licensed, so it may be linked into a GPL-3.0-or-later program. */
#include "pdf_module.h"

#include <glib.h>
#include <poppler.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum pdf_status doc_error(GError *ge, char *msg, size_t msglen)
{
  enum pdf_status st = PDF_UNREADABLE;
  if(ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED)
    st = PDF_ENCRYPTED;
  snprintf(msg, msglen, "%s", ge ? ge->message : "cannot be read");
  if(ge)
    g_error_free(ge);
  return st;
}

static PopplerDocument *open_doc(int in_fd, const void *mem, size_t size, GBytes **bytes,
                                 GError **ge)
{
  int fd;
  if(in_fd < 0) {
    *bytes = g_bytes_new_static(mem, size);
    return poppler_document_new_from_bytes(*bytes, NULL, ge);
  }
  fd = fcntl(in_fd, F_DUPFD_CLOEXEC, 0);
  if(fd < 0) {
    g_set_error_literal(ge, G_FILE_ERROR, G_FILE_ERROR_FAILED, "out of file descriptors");
    return NULL;
  }
  return poppler_document_new_from_fd(fd, NULL, ge);   /* owns fd, even on failure */
}

static int page_text(PopplerDocument *doc, int i, pdf_page_fn fn, void *ctx)
{
  PopplerPage *page = poppler_document_get_page(doc, i);
  char *text;
  int stop = 0;
  if(!page)
    return 0;
  text = poppler_page_get_text(page);
  if(text) {
    size_t n = strlen(text);
    stop = fn(ctx, text, n);
    explicit_bzero(text, n);
    g_free(text);
  }
  g_object_unref(page);
  return stop;
}

static enum pdf_status read_pdf(int fd, const void *mem, size_t size, unsigned max_pages,
                                pdf_page_fn fn, void *ctx, int *pages, char *msg,
                                size_t msglen)
{
  GError *ge = NULL;
  GBytes *bytes = NULL;
  PopplerDocument *doc = open_doc(fd, mem, size, &bytes, &ge);
  int stop = 0;

  *pages = 0;
  if(!doc) {
    if(bytes)
      g_bytes_unref(bytes);
    return doc_error(ge, msg, msglen);
  }
  *pages = poppler_document_get_n_pages(doc);
  for(int i = 0; !stop && i < *pages && (unsigned)i < max_pages; i++)
    stop = page_text(doc, i, fn, ctx);
  g_object_unref(doc);
  if(bytes)
    g_bytes_unref(bytes);
  return stop ? PDF_STOPPED : PDF_OK;
}

static const struct pdf_module module = { .abi = PDF_MODULE_ABI, .read = read_pdf };

__attribute__((visibility("default"))) const struct pdf_module *lethe_pdf_module(void);

const struct pdf_module *lethe_pdf_module(void)
{
  return &module;
}
