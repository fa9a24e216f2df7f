/* PDF text, one page at a time, through the poppler module (pdf_module.h),
 * loaded the first time a PDF is scanned. */
#include "formats.h"
#include "pdf_module.h"
#include "text.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct pdf_module *module;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The module of the build tree for programs run from it (lethe and the
 * tests, before anything is installed), else the installed one: a fixed
 * path either way, never one from the environment. */
static const char *module_path(void)
{
#ifdef LETHE_BUILD_ROOT
  static const char root[] = LETHE_BUILD_ROOT "/";
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self));
  if(n >= (ssize_t)sizeof(root) - 1 && !memcmp(self, root, sizeof(root) - 1))
    return LETHE_PDF_MODULE_BUILD;
#endif
  return LETHE_PDF_MODULE;
}

static void load_module(void)
{
  const char *path = module_path();
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  void *sym = h ? dlsym(h, PDF_MODULE_SYMBOL) : NULL;
  pdf_module_fn entry = NULL;
  const struct pdf_module *m;
  memcpy(&entry, &sym, sizeof(entry)); /* object to function pointer, as POSIX allows */
  m = entry ? entry() : NULL;
  if(!m || m->abi != PDF_MODULE_ABI || !m->read) {
    snprintf(load_error, sizeof(load_error), "the PDF reader %s cannot be loaded: %s", path,
             h ? "not a lethe PDF module of this version" : dlerror());
    return; /* h stays open: a module may not be unloaded once entered */
  }
  module = m;
}

struct pages {
  struct text_scan t;
  lethe_rc rc;
};

static int on_page(void *ctx, const char *text, size_t len)
{
  struct pages *p = ctx;
  p->rc = text_scan_feed(&p->t, text, len);
  if(!p->rc)
    p->rc = text_scan_feed(&p->t, "\n", 1);
  return p->rc != LETHE_OK;
}

lethe_rc scan_pdf(const struct scan_rules *r, const struct scan_input *in,
                  struct scan_findings *out, char *err, size_t errlen)
{
  struct pages p = { .rc = LETHE_OK };
  char msg[400] = "";
  enum pdf_status st;
  int pages = 0;

  out->format = SCAN_FMT_PDF;
  pthread_once(&load_once, load_module);
  if(!module)
    return scan_err(err, errlen, LETHE_E_IO, "%s", load_error);
  p.rc = text_scan_init(&p.t, r, out);
  if(p.rc) {
    text_scan_release(&p.t);
    return p.rc;
  }
  st = module->read(in->fd, in->mem, (size_t)in->size, r->lim.max_pages, on_page, &p, &pages,
                    msg, sizeof(msg));
  if(st == PDF_ENCRYPTED)
    p.rc = scan_err(err, errlen, LETHE_E_UNSAFE, "PDF is encrypted: cannot be read");
  else if(st == PDF_UNREADABLE)
    p.rc = scan_err(err, errlen, LETHE_E_PARSE, "PDF: %s", msg);
  if(!p.rc)
    p.rc = text_scan_finish(&p.t);
  if(!p.rc && (unsigned)pages > r->lim.max_pages)
    p.rc = scan_err(err, errlen, LETHE_E_RANGE, "PDF: more than %u pages; the rest not read",
                    r->lim.max_pages);
  text_scan_release(&p.t);
  return p.rc;
}
