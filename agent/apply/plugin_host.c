#include "plugin_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static lethe_rc check_file(const char *path, struct lethe_err *err)
{
  struct stat st;
  if(stat(path, &st)) {
    if(errno == ENOENT)
      return err_set(err, LETHE_E_PLUGIN, "%s: no such plugin", path);
    return err_sys(err, LETHE_E_PLUGIN, "%s", path);
  }
  if(!S_ISREG(st.st_mode))
    return err_set(err, LETHE_E_PLUGIN, "%s: not a regular file", path);
  if(st.st_mode & (S_IWGRP | S_IWOTH))
    return err_set(err, LETHE_E_UNSAFE, "%s: writable by group or others; refusing to "
                   "load code anyone could change", path);
  if(st.st_uid != 0 && st.st_uid != geteuid())
    return err_set(err, LETHE_E_UNSAFE, "%s: owned by another user (uid %u)", path,
                   (unsigned)st.st_uid);
  return LETHE_OK;
}

static lethe_rc check_api(const struct lethe_plugin *api, const char *path, const char *action,
                          struct lethe_err *err)
{
  if(!api)
    return err_set(err, LETHE_E_PLUGIN, "%s: %s() returned no plugin", path,
                   LETHE_PLUGIN_ENTRY);
  if(api->abi_version != LETHE_PLUGIN_ABI_VERSION)
    return err_set(err, LETHE_E_PLUGIN, "%s: built for plugin ABI version %u; this lethe "
                   "knows version %u", path, api->abi_version, LETHE_PLUGIN_ABI_VERSION);
  if(!api->open || !api->close)
    return err_set(err, LETHE_E_PLUGIN, "%s: the plugin has no %s method", path,
                   api->open ? "close" : "open");
  if(!api->delete_one && !api->delete_batch)
    return err_set(err, LETHE_E_PLUGIN, "%s: the plugin has neither delete_one nor "
                   "delete_batch", path);
  if(!api->name || strcmp(api->name, action))
    return err_set(err, LETHE_E_PLUGIN, "%s: the plugin calls itself '%s', not '%s'", path,
                   api->name ? api->name : "(null)", action);
  if(!api->method)
    return err_set(err, LETHE_E_PLUGIN, "%s: the plugin does not describe its method", path);
  return LETHE_OK;
}

lethe_rc plugin_load(const char *dir, const char *action, struct loaded_plugin *out,
                     struct lethe_err *err)
{
  lethe_plugin_entry_fn entry;
  lethe_rc rc;
  memset(out, 0, sizeof(*out));
  if(asprintf(&out->path, "%s/%s.so", dir, action) < 0) {
    out->path = NULL;
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  rc = check_file(out->path, err);
  if(rc)
    return rc;
  out->handle = dlopen(out->path, RTLD_NOW | RTLD_LOCAL);
  if(!out->handle)
    return err_set(err, LETHE_E_PLUGIN, "%s: cannot load: %s", out->path, dlerror());
  *(void **)&entry = dlsym(out->handle, LETHE_PLUGIN_ENTRY);
  if(!entry)
    return err_set(err, LETHE_E_PLUGIN, "%s: no %s symbol: not a lethe plugin", out->path,
                   LETHE_PLUGIN_ENTRY);
  out->api = entry();
  return check_api(out->api, out->path, action, err);
}

int plugin_accepts(const struct loaded_plugin *p, const char *key)
{
  for(const char *const *k = p->api->settings; k && *k; k++)
    if(!strcmp(*k, key))
      return 1;
  return 0;
}

void plugin_unload(struct loaded_plugin *p)
{
  if(p->handle)
    dlclose(p->handle);
  free(p->path);
  memset(p, 0, sizeof(*p));
}
