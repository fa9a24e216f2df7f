/* Certification: every journal that has its "end" record and no
 * certificate yet gets one, signed (namespace certificate@lethe) and
 * committed to the ledger, oldest run first; then the journal moves to
 * STATE/journal/certified/. A journal is never removed before its
 * certificate is in the ledger, and one whose certificate is already there
 * (a crash between the two steps) is only moved.
 *
 * Then, when [agent] remote is set and the ledger's branch is not where the
 * last successful push left it (STATE/ledger-pushed), the branch is
 * pushed; a rejected push leaves that marker alone, so the next run tries
 * again. */
#ifndef LETHE_CERTIFY_H
#define LETHE_CERTIFY_H

#include <stdbool.h>

#include "certificate.h"
#include "config.h"

#define CERTIFIED_DIR "certified"
#define PUSHED_FILE "ledger-pushed"

/* What one certification did, for the front end to report. */
struct certify_report {
  const struct certificate *cert;
  const char *path;           /* in the ledger */
  const char *commit;         /* hex id of the commit */
  const char *warning;        /* the work tree lagged, or NULL */
  bool already;               /* the ledger had it: the journal was only moved */
};

typedef void (*certify_report_fn)(void *ctx, const struct certify_report *r);

struct certify_counts {
  unsigned certified;
  unsigned waiting;           /* finished journals left uncertified */
  bool no_key;                /* the key file does not exist (no lethe keygen yet) */
};

/* Certify every finished journal in cfg's state directory, calling fn for
 * each. On error the journal concerned and all after it stay where they
 * are. When the key file does not exist, certification is not set up: that
 * is LETHE_OK with counts->no_key, and every journal waits. */
lethe_rc certify_pending(const struct config *cfg, certify_report_fn fn, void *ctx,
                         struct certify_counts *counts, struct lethe_err *err) WUR;

/* Push the ledger if a remote is configured and a push is due; *pushed
 * tells whether one happened. LETHE_E_CHANGED: the remote rejected it. */
lethe_rc certify_push(const struct config *cfg, bool *pushed, struct lethe_err *err) WUR;

/* Who runs lethe, for the certificate: "systemd:UNIT" under systemd
 * ($INVOCATION_ID set; the unit from /proc/self/cgroup, else
 * lethe.service), else $SUDO_USER, else the user name of the effective
 * uid. */
void certify_operator(char *buf, size_t size);

#endif
