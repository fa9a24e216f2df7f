/* The attestation: a trainer's signed statement that the machine they work
 * on holds no personal data (schema lethe-attestation/1, see
 * lethe-attestation(5)). This module is the one place that knows its keys:
 * lethe confirm builds one here, lethe attestations reads one back.
 *
 * The bytes are canonical JSON (certificate.h: sorted keys, no white
 * space, one LF at the end), signed in SSHSIG namespace attestation@lethe
 * and committed to the ledger as attestations/YYYY/MM/ID.json with its
 * signature beside it as ID.json.sig. */
#ifndef LETHE_ATTESTATION_H
#define LETHE_ATTESTATION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "isotime.h"
#include "ledger.h"
#include "uuid.h"

#define ATTESTATION_MAX (16u * 1024 * 1024)

/* What an attestation says before its counts: who, when, what it covers,
 * where and with what the scan was made, and the statement. */
struct attest_header {
  const char *name;
  const char *email;
  const char *fingerprint;        /* of the signing key: "SHA256:..." */
  int64_t attested_at;
  bool has_from;                  /* covers.from: the previous attestation */
  int64_t covers_from;
  const char *project;            /* the workshop or project covered, or NULL */
  const char *policy;             /* the policy it answers, or NULL */
  const char *host;
  const char *user;               /* the account the scan ran as */
  const char *const *folders;     /* absolute paths scanned */
  size_t n_folders;
  const char *agent_version;
  const char *rules_sha256;       /* scan_rules_hash: detectors and client list */
  const char *const *detectors;   /* the detectors' names */
  size_t n_detectors;
  bool client_list;               /* a client list was part of the rules */
  const char *statement;
};

/* One tally of findings: files that held personal data, and values per
 * detector (names[i] found counts[i] times; zero counts are written too). */
struct attest_tally {
  uint64_t files;
  const char *const *names;
  const uint64_t *counts;
  size_t n;
};

struct attestation {
  struct json_object *doc;
  char id[UUID_TEXT_LEN];
  char attested_at[ISOTIME_LEN];
};

/* Start a new attestation (a fresh id) with empty lists and zero tallies. */
lethe_rc attestation_begin(struct attestation *a, const struct attest_header *h) WUR;

/* Set the tally before (true) or after (false) the deletions. */
lethe_rc attestation_set_tally(struct attestation *a, bool before,
                               const struct attest_tally *t) WUR;

/* Add the certificate of a deletion run: its id, path in the ledger, hex
 * SHA-256 of its bytes, and what it says was deleted and failed. */
lethe_rc attestation_add_certificate(struct attestation *a, const char *id, const char *path,
                                     const char *sha256, uint64_t deleted,
                                     uint64_t failed) WUR;

/* Add a file kept on purpose: its path, the reason, and what it holds. */
lethe_rc attestation_add_exception(struct attestation *a, const char *path,
                                   const char *reason, const struct attest_tally *t) WUR;

/* Add a file the scan could not read, and why. */
lethe_rc attestation_add_unscanned(struct attestation *a, const char *path,
                                   const char *reason) WUR;

/* Set the count of files scanned (read by the scanner). */
lethe_rc attestation_set_scanned(struct attestation *a, uint64_t files,
                                 uint64_t not_read) WUR;

/* Append the canonical bytes (ending in LF) to out. */
lethe_rc attestation_canonical(const struct attestation *a, struct dynbuf *out) WUR;

/* "attestations/YYYY/MM/ID.json" (month of the attestation) into buf. */
void attestation_path(const struct attestation *a, char *buf, size_t size);

void attestation_release(struct attestation *a);

/* What the central view needs of an attestation read back. Strings are
 * owned (attest_summary_release). */
struct attest_summary {
  char *id;
  int64_t attested_at;
  char *name;
  char *email;
  char *fingerprint;
  char *project;                  /* NULL: it covers everything */
  char *host;
  uint64_t exceptions;
  uint64_t certificates;
  uint64_t remaining;             /* values found after, over every detector */
};

/* Read an attestation's bytes: valid JSON, schema lethe-attestation/1, and
 * each key the summary needs of the right type. LETHE_E_PARSE with why (n
 * bytes) otherwise. */
lethe_rc attestation_read(const char *json, size_t len, struct attest_summary *s, char *why,
                          size_t n) WUR;

void attest_summary_release(struct attest_summary *s);

#endif
