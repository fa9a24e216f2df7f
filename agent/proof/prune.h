/* Journals of certified runs hold the names of what was deleted, personal
 * data themselves: once the certificate is in the ledger they are kept in
 * STATE/journal/certified/ for [agent] keep-journals (lethe.ini(5)), then
 * removed by lethe run. */
#ifndef LETHE_PRUNE_H
#define LETHE_PRUNE_H

#include <stdint.h>

#include "config.h"

/* Remove each STATE/journal/certified/RUN.jsonl certified at least keep
 * before now (certification sets its modification time). Journals waiting
 * for their certificate (STATE/journal/RUN.jsonl) are never touched, nor is
 * anything but a regular file named *.jsonl. *removed counts the journals
 * removed. No certified/ directory is no error. */
lethe_rc prune_certified_journals(const char *state_dir, const struct duration *keep,
                                  int64_t now, unsigned *removed, struct lethe_err *err) WUR;

#endif
