/* Libraries loaded on first use.
 *
 * The lethe program links libcurl, libgit2, libarchive and libxml2 by name
 * only: each function it calls from them is a small trampoline (generated
 * by lazy_gen.py from NAME.syms) that jumps through a table. The table
 * starts out pointing at a resolver, so the first call of any function of
 * a library loads that library with dlopen and fills the whole table; later
 * calls cost one indirect jump. A plan of a file share never loads any of
 * them, and start-up no longer maps and relocates some forty-five libraries
 * (libcurl alone brings GnuTLS, Kerberos and LDAP): it fell from 12 ms to
 * under 4.
 *
 * The trampolines are x86-64 code; elsewhere meson links the libraries as
 * usual and none of this is built (the lazy_libraries option). Plugins
 * always link their libraries as usual. */
#ifndef LETHE_LAZY_H
#define LETHE_LAZY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct lazy_lib {
  const char *soname;          /* what dlopen is given: "libcurl.so.4" */
  const char *purpose;         /* for messages: "IMAP, Microsoft Graph and mail" */
  const char *const *names;    /* the functions, in table order */
  void **table;                /* one slot per name, filled by the first call */
  size_t n;
  pthread_mutex_t lock;
  bool loaded;
  void *handle;                /* dlopen's, once loaded */
};

/* The libraries of this build (their descriptors are generated). */
extern struct lazy_lib lethe_lazy_curl, lethe_lazy_git2, lethe_lazy_archive,
  lethe_lazy_xml2;

/* Load lib and fill its table now. Returns false with a message naming the
 * library, what needs it and why it could not be loaded in err. Thread
 * safe; a loaded library stays loaded. */
bool lazy_load(struct lazy_lib *lib, char *err, size_t errlen);

/* The address of symbol name (a variable, say) of lib, loading lib first;
 * NULL with a message in err if either is missing. */
void *lazy_symbol(struct lazy_lib *lib, const char *name, char *err, size_t errlen);

/* Called by the trampolines' first-call path with the index of the
 * function called; returns its address. A library that cannot be loaded
 * (a broken installation: the package depends on it) ends the program
 * with the message and exit status 2, as a configuration error does: the
 * call cannot report an error of its own. */
void *lethe_lazy_resolve(struct lazy_lib *lib, size_t index);

#endif
