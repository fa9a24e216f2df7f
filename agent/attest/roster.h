/* The roster: who must confirm, with which key, how often, for what.
 *
 * A CSV file (RFC 4180 quoting, UTF-8, one record per line) whose first
 * line names the columns, in any order and any case:
 *
 *   name      the person's name
 *   email     their e-mail address (also "e-mail")
 *   key       their SSH public key, "ssh-ed25519 AAAA... [comment]"
 *             (also "ssh public key", "public key", "ssh key")
 *   cadence   how often they confirm: "6 months", "180 days"
 *   scope     optional: "all" (the default), or the workshop or project
 *             an attestation must name to count for this row
 *   since     optional: the date they joined; a first confirmation is due
 *             one cadence after it (without it, at once)
 *
 * Other columns are ignored. A person may have several rows: one per key
 * (a second computer) or per scope. Every malformed row is reported as
 * FILE:LINE; the same key for two e-mail addresses is an error. */
#ifndef LETHE_ROSTER_H
#define LETHE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "duration.h"
#include "sshsig.h"

#define ROSTER_MAX_BYTES (16u * 1024 * 1024)
#define ROSTER_SCOPE_ALL "all"

struct roster_row {
  int line;
  char *name;
  char *email;
  char *scope;                 /* ROSTER_SCOPE_ALL or a project's name */
  struct sshsig_key *key;
  char *fingerprint;           /* "SHA256:..." */
  struct duration cadence;
  bool has_since;
  int64_t since;
};

struct roster {
  char *path;
  struct roster_row *rows;
  size_t n;
};

/* Read the roster at path; every problem goes to d as path:line.
 * LETHE_E_CONFIG when there was any (r is still safe to release). */
lethe_rc roster_load(const char *path, struct roster *r, struct diag *d) WUR;

/* Parse roster text already in memory (path names it in messages). */
lethe_rc roster_parse(const char *path, const char *text, size_t len, struct roster *r,
                      struct diag *d) WUR;

/* The first row whose key is key, or NULL. */
const struct roster_row *roster_find_key(const struct roster *r, const struct sshsig_key *key);

/* Whether two e-mail addresses are the same (ASCII case-insensitive). */
bool roster_same_email(const char *a, const char *b);

void roster_release(struct roster *r);

#endif
