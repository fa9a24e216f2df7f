/* The interface between the scanner and its PDF reader, a module loaded
 * only when a PDF is first scanned.
 *
 * Poppler and what it pulls in (glib, cairo, nss, fontconfig, libstdc++ and
 * some forty more libraries) took 7 ms of every lethe start to load and
 * relocate: a third of a plan of 100,000 files beyond find's cost, for a
 * library a plan without contains = never calls. So poppler lives in
 * lethe-pdf.so (pdf_poppler.c) and pdf.c loads it with dlopen from a fixed
 * path the first time it needs it. */
#ifndef LETHE_SCAN_PDF_MODULE_H
#define LETHE_SCAN_PDF_MODULE_H

#include <stddef.h>
#include <stdint.h>

#define PDF_MODULE_ABI 1
#define PDF_MODULE_SYMBOL "lethe_pdf_module"

enum pdf_status {
  PDF_OK,
  PDF_STOPPED,      /* the page callback asked to stop */
  PDF_ENCRYPTED,
  PDF_UNREADABLE,   /* msg says why */
};

/* One page's text (len bytes, NUL-terminated), wiped by the module when the
 * call returns; non-zero stops the reading. */
typedef int (*pdf_page_fn)(void *ctx, const char *text, size_t len);

struct pdf_module {
  uint32_t abi;     /* PDF_MODULE_ABI */
  /* Read the PDF in fd (duplicated, not consumed; fd < 0: the size bytes at
   * mem) and hand the text of its first max_pages pages to fn in order;
   * *pages is the document's page count. msg gets poppler's message on
   * PDF_UNREADABLE. */
  enum pdf_status (*read)(int fd, const void *mem, size_t size, unsigned max_pages,
                          pdf_page_fn fn, void *ctx, int *pages, char *msg, size_t msglen);
};

/* What lethe-pdf.so exports under PDF_MODULE_SYMBOL. */
typedef const struct pdf_module *(*pdf_module_fn)(void);

#endif
