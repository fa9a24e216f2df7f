/* archive-purge's parts: the plugin (archive_purge.c), one archive's purge
 * and its outcomes (ap_group.c), disposing of the old archive's data with
 * the shred core (ap_dispose.c), and recovery after a crash (ap_recover.c). */
#ifndef LETHE_AP_H
#define LETHE_AP_H

#include <stddef.h>

#include "dynbuf.h"
#include "lethe/plugin.h"
#include "purge.h"
#include "shred_core.h"

struct ap_state {
  struct shred_opts shred;
  char shred_method[192];
  char method[320];
  char run[PURGE_TAG_MAX + 1];   /* names the temporary files: the run's tag */
  char **details;                /* the last call's outcome details */
  size_t n_details;
};

/* The rule's settings (passes, zero-pass, verify: how the old data is
 * shredded) into o; LETHE_E_CONFIG with a message and the setting's index
 * in *bad. */
lethe_rc ap_read_settings(const struct lethe_rule_info *rule, struct shred_opts *o,
                          size_t *bad, char *errbuf, size_t errlen);

/* The run's tag for temporary names: the run id's first eight characters
 * (letters, digits, '-' and '_' only), else "run". */
void ap_run_tag(const struct lethe_rule_info *rule, char run[PURGE_TAG_MAX + 1]);

/* The sequence tag "FIRST-LAST" of the items' journal numbers: recovery
 * finds a crashed purge's files by the item it was asked about. */
void ap_seq_tag(const struct lethe_item *const *items, size_t n, char seq[PURGE_TAG_MAX + 1]);

/* Free the details the last call's outcomes pointed at (each call's stay
 * valid until the next). */
void ap_forget_details(struct ap_state *st);

/* Purge the n entries (all of one archive) and write their outcomes. */
void ap_purge_group(struct ap_state *st, const struct lethe_item *const *items, size_t n,
                    struct lethe_outcome *const *outs);

/* The hook that shreds the old archive's data (purge_dispose_hook), with
 * st's shred options. */
struct purge_dispose_hook ap_dispose_hook(struct ap_state *st);

/* lethe_plugin.recover_detail: settle the purge a crash interrupted for the
 * item's archive (finish or undo it, purge.h) and say what became of it. */
lethe_rc ap_recover_detail(const struct lethe_rule_info *rule, const struct lethe_item *item,
                           struct lethe_outcome *out);

#endif
