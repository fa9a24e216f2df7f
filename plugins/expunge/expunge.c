/* expunge: delete planned messages from an IMAP folder, exactly those and
 * only if the folder is still the one planned (see mailbox.h). Settings:
 * credentials, tls, hold-keyword (the rule's mailbox settings), move-to (a
 * folder: UID MOVE there instead of expunging) and allow-no-uidplus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lethe/plugin.h"
#include "mailbox.h"

static const char *const settings[] = { "credentials", "tls", "hold-keyword", "move-to",
                                        "allow-no-uidplus", NULL };

/* The settings, judged without connecting. */
static lethe_rc check_rule(const struct lethe_rule_info *rule, char *errbuf, size_t errlen,
                           size_t *setting)
{
  struct mbx_config cfg;
  struct lethe_err err = { 0 };
  lethe_rc rc;
  (void)setting;
  memset(&cfg, 0, sizeof(cfg));
  rc = mbx_config_read(&cfg, rule, true, NULL, &err);
  mbx_config_release(&cfg);
  if(rc)
    snprintf(errbuf, errlen, "%s", err.msg);
  return rc ? LETHE_E_CONFIG : LETHE_OK;
}

static lethe_rc open_rule(const struct lethe_rule_info *rule, void **state, char *errbuf,
                          size_t errlen)
{
  struct mbx_session *s = calloc(1, sizeof(*s));
  struct lethe_err err = { 0 };
  lethe_rc rc;
  if(!s) {
    snprintf(errbuf, errlen, "out of memory");
    return LETHE_E_NOMEM;
  }
  db_init(&s->set, MBX_SET_MAX + 64);
  rc = mbx_config_read(&s->cfg, rule, true, NULL, &err);
  if(!rc)
    rc = mbx_open(s, &err); /* bad credentials or folder: say so before any item */
  if(rc) {
    snprintf(errbuf, errlen, "%s", err.msg);
    mbx_session_release(s);
    free(s);
    return 1;
  }
  *state = s;
  return 0;
}

static lethe_rc delete_batch(void *state, const struct lethe_item *const *items, size_t n,
                             struct lethe_outcome *const *outs)
{
  return mbx_delete_batch(state, items, n, outs) ? LETHE_E_PLUGIN : LETHE_OK;
}

static lethe_rc delete_one(void *state, const struct lethe_item *item,
                           struct lethe_outcome *out)
{
  return delete_batch(state, &item, 1, &out);
}

static lethe_rc close_rule(void *state, char *err, size_t errlen)
{
  (void)err;
  (void)errlen;
  if(state) {
    mbx_session_release(state);
    free(state);
  }
  return LETHE_OK;
}

static const struct lethe_plugin plugin = {
  .abi_version = LETHE_PLUGIN_ABI_VERSION,
  .name = "expunge",
  .version = "2.0",
  .stores = LETHE_STORE_IMAP,
  .method = "IMAP UID STORE +FLAGS.SILENT (\\Deleted) then UID EXPUNGE of exactly the planned "
            "UIDs (RFC 4315), after checking UIDVALIDITY; UID MOVE (RFC 6851) with move-to",
  .settings = settings,
  .open = open_rule,
  .delete_one = delete_one,
  .delete_batch = delete_batch,
  .close = close_rule,
  .struct_size = sizeof(struct lethe_plugin),
  .check = check_rule,
};

const struct lethe_plugin *lethe_plugin_entry(void);

const struct lethe_plugin *lethe_plugin_entry(void)
{
  return &plugin;
}
