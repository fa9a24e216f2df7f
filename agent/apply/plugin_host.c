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
  if(fstatat(AT_FDCWD, path, &st, 0)) {
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
  if(api->abi_version < LETHE_PLUGIN_ABI_MIN || api->abi_version > LETHE_PLUGIN_ABI_VERSION)
    return err_set(err, LETHE_E_PLUGIN, "%s: built for plugin ABI version %u; this lethe "
                   "loads versions %u to %u: rebuild the plugin against this lethe's "
                   "lethe/plugin.h (pkg-config --cflags lethe-plugin)", path,
                   api->abi_version, LETHE_PLUGIN_ABI_MIN, LETHE_PLUGIN_ABI_VERSION);
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
  void *sym;
  lethe_rc rc;
  memset(out, 0, sizeof(*out));
  if(asprintf(&out->path, "%s/%s.so", dir, action) < 0) {
    out->path = NULL;
    return err_set(err, LETHE_E_NOMEM, "out of memory");
  }
  rc = check_file(out->path, err);
  if(rc)
    return rc;
  /* Never unmapped, even by plugin_unload: a plugin brings libraries
   * (libcurl, GnuTLS, libarchive) that lethe may also load itself on first
   * use (lib/lazy), and libraries with thread-local storage or exit
   * handlers do not survive being unloaded and loaded again in one
   * process; LeakSanitizer crashed on the dynamic TLS blocks they left. */
  out->handle = dlopen(out->path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if(!out->handle)
    return err_set(err, LETHE_E_PLUGIN, "%s: cannot load: %s", out->path, dlerror());
  sym = dlsym(out->handle, LETHE_PLUGIN_ENTRY);
  if(!sym)
    return err_set(err, LETHE_E_PLUGIN, "%s: no %s symbol: not a lethe plugin", out->path,
                   LETHE_PLUGIN_ENTRY);
  memcpy(&entry, &sym, sizeof(entry)); /* object to function pointer, as POSIX allows */
  out->api = entry();
  rc = check_api(out->api, out->path, action, err);
  if(rc)
    return rc;
  out->abi = out->api->abi_version;
  if(out->abi == 1)
    out->v1 = (const struct lethe1_plugin *)(const void *)out->api;
  return LETHE_OK;
}

/* A method of ABI 2 or later, when the plugin was built for a version that
 * has it and filled it in. */
#define V2_METHOD(p, m) \
  ((p)->abi >= 2 && LETHE_HAS_MEMBER((p)->api, m) ? (p)->api->m : NULL)

bool plugin_accepts(const struct loaded_plugin *p, const char *key)
{
  for(const char *const *k = p->api->settings; k && *k; k++)
    if(!strcmp(*k, key))
      return true;
  return false;
}

bool plugin_batches(const struct loaded_plugin *p)
{
  return p->api->delete_batch != NULL;
}

lethe_rc plugin_check(const struct loaded_plugin *p, const struct lethe_rule_info *rule,
                      char *msg, size_t n, size_t *setting)
{
  lethe_rc (*check)(const struct lethe_rule_info *, char *, size_t, size_t *) =
    V2_METHOD(p, check);
  void *state = NULL;
  lethe_rc rc;
  if(check)
    return check(rule, msg, n, setting);
  /* No check method (ABI 1, or a plugin without one): open and close it,
   * as a run would before its first item, so that check finds what a run
   * would refuse. */
  rc = plugin_open(p, rule, &state, msg, n);
  if(!rc && plugin_close(p, state, msg, n))
    rc = LETHE_E_PLUGIN;
  return rc;
}

static void rule_v1(const struct lethe_rule_info *rule, struct lethe1_rule_info *v1)
{
  *v1 = (struct lethe1_rule_info){ rule->name, rule->source, rule->settings,
                                   rule->n_settings, rule->rootfd };
}

lethe_rc plugin_open(const struct loaded_plugin *p, const struct lethe_rule_info *rule,
                     void **state, char *msg, size_t n)
{
  struct lethe1_rule_info v1;
  *state = NULL;
  if(!p->v1)
    return p->api->open(rule, state, msg, n);
  rule_v1(rule, &v1);
  return p->v1->open(&v1, state, msg, n) ? LETHE_E_PLUGIN : LETHE_OK;
}

/* ABI 1 took the items and outcomes as arrays of its own structs: convert,
 * call, copy the outcomes back. */
static void item_v1(const struct lethe_item *it, struct lethe1_item *v1)
{
  *v1 = (struct lethe1_item){ it->store, it->kind, it->uri, it->path, it->subject, it->dirfd,
                              it->name, it->identity_text, it->size, it->tmpname };
}

static void outcome_from_v1(const struct lethe1_outcome *v1, struct lethe_outcome *out)
{
  out->result = v1->result;
  memcpy(out->level, v1->level, sizeof(out->level));
  memcpy(out->level_reason, v1->level_reason, sizeof(out->level_reason));
  memcpy(out->error, v1->error, sizeof(out->error));
  memcpy(out->detail, v1->detail, sizeof(out->detail));
}

static lethe_rc delete_v1(const struct loaded_plugin *p, void *state,
                          const struct lethe_item *const *items, size_t n,
                          struct lethe_outcome *const *outs, struct lethe_err *err)
{
  struct lethe1_item *v1i = calloc(n ? n : 1, sizeof(*v1i));
  struct lethe1_outcome *v1o = calloc(n ? n : 1, sizeof(*v1o));
  lethe_rc rc = v1i && v1o ? LETHE_OK : err_set(err, LETHE_E_NOMEM, "out of memory");
  for(size_t i = 0; !rc && i < n; i++)
    item_v1(items[i], &v1i[i]);
  if(!rc && p->v1->delete_batch && p->v1->delete_batch(state, v1i, n, v1o))
    rc = err_set(err, LETHE_E_PLUGIN, "plugin %s gave up on a batch", p->api->name);
  for(size_t i = 0; !rc && !p->v1->delete_batch && i < n; i++)
    if(p->v1->delete_one(state, &v1i[i], &v1o[i]))
      rc = err_set(err, LETHE_E_PLUGIN, "plugin %s gave up at %s", p->api->name,
                   items[i]->uri);
  for(size_t i = 0; !rc && i < n; i++)
    outcome_from_v1(&v1o[i], outs[i]);
  free(v1i);
  free(v1o);
  return rc;
}

lethe_rc plugin_delete(const struct loaded_plugin *p, void *state,
                       const struct lethe_item *const *items, size_t n,
                       struct lethe_outcome *const *outs, struct lethe_err *err)
{
  if(p->v1)
    return delete_v1(p, state, items, n, outs, err);
  if(p->api->delete_batch) {
    if(p->api->delete_batch(state, items, n, outs))
      return err_set(err, LETHE_E_PLUGIN, "plugin %s gave up on a batch", p->api->name);
    return LETHE_OK;
  }
  for(size_t i = 0; i < n; i++)
    if(p->api->delete_one(state, items[i], outs[i]))
      return err_set(err, LETHE_E_PLUGIN, "plugin %s gave up at %s", p->api->name,
                     items[i]->uri);
  return LETHE_OK;
}

lethe_rc plugin_close(const struct loaded_plugin *p, void *state, char *msg, size_t n)
{
  if(p->v1)
    return p->v1->close(state, msg, n) ? LETHE_E_PLUGIN : LETHE_OK;
  return p->api->close(state, msg, n);
}

const char *plugin_method(const struct loaded_plugin *p, void *state)
{
  const char *(*rule_method)(void *) = V2_METHOD(p, rule_method);
  const char *m = rule_method ? rule_method(state) : NULL;
  return m ? m : p->api->method;
}

lethe_rc plugin_recover_detail(const struct loaded_plugin *p, const struct lethe_rule_info *rule,
                               const struct lethe_item *item, struct lethe_outcome *out)
{
  lethe_rc (*fn)(const struct lethe_rule_info *, const struct lethe_item *,
                 struct lethe_outcome *) = V2_METHOD(p, recover_detail);
  return fn ? fn(rule, item, out) : LETHE_OK;
}

lethe_rc plugin_recover_clean(const struct loaded_plugin *p, const struct lethe_rule_info *rule)
{
  lethe_rc (*fn)(const struct lethe_rule_info *) = V2_METHOD(p, recover_clean);
  return fn ? fn(rule) : LETHE_OK;
}

void plugin_unload(struct loaded_plugin *p)
{
  if(p->handle)
    dlclose(p->handle);
  free(p->path);
  memset(p, 0, sizeof(*p));
}

lethe_rc plugin_cache_get(struct plugin_cache *c, const char *dir, const char *action,
                          const struct loaded_plugin **out, struct lethe_err *err)
{
  lethe_rc rc;
  for(size_t i = 0; i < c->n; i++) {
    if(!strcmp(c->p[i].api->name, action)) {
      *out = &c->p[i];
      return LETHE_OK;
    }
  }
  if(c->n == sizeof(c->p) / sizeof(c->p[0]))
    return err_set(err, LETHE_E_PLUGIN, "too many different actions in one run");
  rc = plugin_load(dir, action, &c->p[c->n], err);
  if(rc) {
    plugin_unload(&c->p[c->n]);
    return rc;
  }
  *out = &c->p[c->n++];
  return LETHE_OK;
}

void plugin_cache_release(struct plugin_cache *c)
{
  while(c->n > 0)
    plugin_unload(&c->p[--c->n]);
}
