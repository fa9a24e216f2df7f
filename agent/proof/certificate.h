/* The deletion certificate of one run (schema lethe-certificate/1, see
 * lethe-certificate(5)): built from the run's journal, written as canonical
 * JSON so that the same content always has the same bytes, and those bytes
 * are what is signed, hashed and chained.
 *
 * Canonical JSON: canon.h; one LF after the document. */
#ifndef LETHE_CERTIFICATE_H
#define LETHE_CERTIFICATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "canon.h"
#include "dynbuf.h"
#include "isotime.h"
#include "strlist.h"
#include "uuid.h"

#define CERTIFICATE_SCHEMA "lethe-certificate/1"
#define CERTIFICATE_DIR "certificates"
#define CERTIFICATE_MAX (1024u * 1024 * 1024)

/* What the journal does not know: who issues the certificate, where, when. */
struct cert_context {
  const char *host;
  const char *operator_name;
  const char *agent_version;
  int64_t issued_at;
};

struct certificate {
  struct json_object *doc;        /* the whole certificate */
  char id[UUID_TEXT_LEN];         /* the run id */
  char issued_at[ISOTIME_LEN];
  bool ended;                     /* the journal has its "end" record */
  bool recovered;
  char started[ISOTIME_LEN];      /* "" when the journal has no "begin" */
  uint64_t deleted, failed, skipped, held, items;
  struct strlist rules;           /* rule names, in journal order */
};

/* Build c from the journal file name in dirfd. A journal without "end" gives
 * a certificate with c->ended false, which must not be issued. "previous" is
 * null until certificate_set_previous. */
lethe_rc certificate_from_journal(struct certificate *c, int dirfd, const char *name,
                                  const struct cert_context *ctx, struct lethe_err *err) WUR;

/* The same, from journal text in memory (name is for messages and, when
 * the journal has no "begin" record, the run id). */
lethe_rc certificate_from_text(struct certificate *c, const char *text, size_t len,
                               const char *name, const struct cert_context *ctx,
                               struct lethe_err *err) WUR;

/* Set "previous": the hex SHA-256 of the certificate before this one, or
 * NULL for the first certificate of a ledger. */
lethe_rc certificate_set_previous(struct certificate *c, const char *hex) WUR;

/* Append the canonical bytes of c (ending in LF) to out. */
lethe_rc certificate_canonical(const struct certificate *c, struct dynbuf *out) WUR;

/* "certificates/YYYY/MM/ID.json" (month of issue) into buf. */
void certificate_path(const struct certificate *c, char *buf, size_t size);

void certificate_release(struct certificate *c);

#endif
