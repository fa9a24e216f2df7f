/* Sources: where items come from. Each store has one scan function that
 * yields the items a rule selects, with their subject, to a sink. Scanning
 * only reads: no content, name, time or flag may change. */
#ifndef LETHE_SOURCE_H
#define LETHE_SOURCE_H

#include <stdint.h>
#include "item.h"
#include "policy.h"
#include "rules.h"

/* Receives each selected item. subj is NULL when the rule has no subject. */
typedef lethe_rc (*item_sink)(void *ctx, const struct item *it,
                              const struct subject_info *subj);

struct scan_stats {
  uint64_t source_items;   /* every non-directory entry seen */
};

/* Scan a file:// rule's tree (see walk.h for what keeps it inside). Errors
 * that stop the whole scan (the root cannot be opened) are returned with a
 * message; unreadable directories and mount points inside are yielded as
 * skipped directory items. */
lethe_rc source_file_scan(const struct rule *r, item_sink sink, void *ctx,
                          struct scan_stats *stats, struct lethe_err *err) WUR;

#endif
