/* Recovery of runs that stopped early (crash, kill -9, power loss): every
 * journal without an "end" record is read, and each intent without an outcome
 * is resolved by looking at the item: gone (deleted), still there unchanged
 * (not deleted: the next plan will see it again), or caught mid-deletion
 * (renamed to its journalled temporary name, or partly overwritten), which is
 * completed. The outcomes are appended with "recovered": true, then "end".
 * The caller holds the state lock. */
#ifndef LETHE_RECOVER_H
#define LETHE_RECOVER_H

#include <stdint.h>
#include "config.h"
#include "rules.h"

struct recovery_stats {
  unsigned journals;       /* unfinished journals found */
  unsigned finished;       /* of them, completed */
  uint64_t deleted;        /* intents found gone or completed */
  uint64_t present;        /* intents still present, untouched */
};

/* Recover every unfinished journal in cfg->state_dir; rs (may be NULL) gives
 * the mailbox rules whose servers are asked what became of a message. A journal whose items
 * cannot be judged now (source unavailable) is left for the next run and
 * counted as not finished; that is not an error. */
lethe_rc recover_journals(const struct config *cfg, const struct ruleset *rs,
                          struct recovery_stats *stats,
                          struct lethe_err *err) WUR;

#endif
