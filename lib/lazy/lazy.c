#include "lazy.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under lib->lock. */
static bool fill(struct lazy_lib *lib, char *err, size_t errlen)
{
  void **found;
  void *h;
  if(lib->loaded)
    return true;
  h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
  if(!h) {
    snprintf(err, errlen, "cannot load %s, which lethe needs for %s: %s", lib->soname,
             lib->purpose, dlerror());
    return false;
  }
  found = calloc(lib->n, sizeof(*found));
  if(!found) {
    snprintf(err, errlen, "out of memory loading %s", lib->soname);
    return false;
  }
  /* Every name first, so that a library too old for one of them fails
   * whole, before any call went to it (h stays open: harmless, and the
   * next attempt fails alike). */
  for(size_t i = 0; i < lib->n; i++) {
    found[i] = dlsym(h, lib->names[i]);
    if(!found[i]) {
      snprintf(err, errlen, "%s, which lethe needs for %s, has no function %s (a version "
               "older than the one lethe was built with?)", lib->soname, lib->purpose,
               lib->names[i]);
      free(found);
      return false;
    }
  }
  for(size_t i = 0; i < lib->n; i++)
    __atomic_store_n(&lib->table[i], found[i], __ATOMIC_RELEASE);
  free(found);
  lib->handle = h;
  lib->loaded = true;
  return true;
}

bool lazy_load(struct lazy_lib *lib, char *err, size_t errlen)
{
  bool ok;
  pthread_mutex_lock(&lib->lock);
  ok = fill(lib, err, errlen);
  pthread_mutex_unlock(&lib->lock);
  return ok;
}

void *lazy_symbol(struct lazy_lib *lib, const char *name, char *err, size_t errlen)
{
  void *sym;
  if(!lazy_load(lib, err, errlen))
    return NULL;
  sym = dlsym(lib->handle, name);
  if(!sym)
    snprintf(err, errlen, "%s has no symbol %s", lib->soname, name);
  return sym;
}

void *lethe_lazy_resolve(struct lazy_lib *lib, size_t index)
{
  char err[512];
  if(!lazy_load(lib, err, sizeof(err))) {
    fprintf(stderr, "lethe: %s\n", err);
    exit(2);
  }
  return __atomic_load_n(&lib->table[index], __ATOMIC_ACQUIRE);
}
