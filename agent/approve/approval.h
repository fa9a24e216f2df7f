/* An approval: what one reviewer signs with their own SSH key (SSHSIG
 * namespace approval@lethe) to let `lethe run` apply a saved plan for rules
 * with review = required (lethe-approve(1)).
 *
 * The signed message is one line of canonical JSON and a newline:
 *   {"approved_at":"2026-12-04T09:00:00Z","plan":"sha256:...",
 *    "rules":["clients-archive"],"schema":"lethe-approval/1"}
 * kept as STATE/approvals/HEX/KEYID.approval beside its signature
 * KEYID.approval.sig and the plan itself, STATE/approvals/HEX/plan.json
 * (HEX: the plan's hash; KEYID: the signer's fingerprint in base64url), so
 * that `ssh-keygen -Y verify -n approval@lethe` checks it as it lies. Who
 * signed is the key in the signature; who may is the rule's approvers file
 * as it reads when the approval is used. */
#ifndef LETHE_APPROVAL_H
#define LETHE_APPROVAL_H

#include <stdint.h>

#include "dynbuf.h"
#include "plan.h"
#include "sshsig.h"
#include "strlist.h"

#define APPROVAL_SCHEMA "lethe-approval/1"
#define APPROVALS_DIR "approvals"        /* in the state directory */
#define APPROVALS_APPLIED "applied"      /* in it: plans a run has taken up */
#define APPROVAL_PLAN "plan.json"
#define APPROVAL_EXT ".approval"
#define APPROVAL_SIG_EXT ".approval.sig"
#define APPROVAL_KEYID_LEN 48            /* base64url of SHA-256, and a NUL */

/* A future approval is refused; this much clock difference is not. */
#define APPROVAL_CLOCK_SKEW 300

struct approval {
  char plan[PLAN_HASH_LEN];   /* the plan's hash */
  int64_t approved_at;
  struct strlist rules;       /* the rules approved, those of the plan that need review */
};

/* Append a's message (the canonical line and its newline) to out. */
lethe_rc approval_write(const struct approval *a, struct dynbuf *out) WUR;

/* Parse a message. LETHE_E_PARSE with why (n bytes) when it is not one. */
lethe_rc approval_parse(const char *text, size_t len, struct approval *a, char *why,
                        size_t n) WUR;

/* Whether a names rule. */
bool approval_covers(const struct approval *a, const char *rule);

void approval_release(struct approval *a);

/* KEYID for key: its SHA-256 fingerprint in base64url (no "SHA256:"). */
lethe_rc approval_keyid(const struct sshsig_key *key, char out[APPROVAL_KEYID_LEN]) WUR;

/* The directory of the plan named hash: STATE/approvals/HEX (owned), or
 * NULL when out of memory or hash is not "sha256:" and 64 hex digits. */
char *approval_plan_dir(const char *state_dir, const char *hash);

#endif
