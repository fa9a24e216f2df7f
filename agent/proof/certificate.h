/* The deletion certificate of one run (lethe-certificate(5)): what it
 * holds, how its files are named, and the one view of an item that writing
 * and reading share.
 *
 * Schema lethe-certificate/2, which lethe writes: canonical JSON
 * (canon.h). Items are rows of values under a "columns" header; what many
 * items share (rule, plugin, method, level...) is a "groups" entry a row
 * names by its index, a plugin's detail a "details" entry. A run whose
 * items do not fit in CERT_PART_BYTES is split: ID.json then holds no item
 * and lists the files ID.part-0001.json... (schema
 * lethe-certificate-part/2), each with its own rows, tables and signature,
 * by name, item count and SHA-256. Every file stays small enough to read,
 * sign and commit whole, however large the run.
 *
 * Schema lethe-certificate/1 (items as objects, one file however large)
 * is still read and verified: ledgers hold such certificates. */
#ifndef LETHE_CERTIFICATE_H
#define LETHE_CERTIFICATE_H

#include <stdbool.h>
#include <stdint.h>

#include "canon.h"
#include "isotime.h"
#include "strlist.h"
#include "uuid.h"

#define CERTIFICATE_SCHEMA "lethe-certificate/2"
#define CERTIFICATE_PART_SCHEMA "lethe-certificate-part/2"
#define CERTIFICATE_SCHEMA_V1 "lethe-certificate/1"
#define CERTIFICATE_DIR "certificates"
/* A file's rows and tables stop growing at this size (a single item larger
 * than that still makes a file of its own). */
#define CERT_PART_BYTES (4u * 1024 * 1024)
#define CERT_PARTS_MAX 9999

/* The columns of a row, in this order (the "columns" header names them). */
enum cert_column {
  CERT_COL_GROUP,             /* index into "groups" */
  CERT_COL_URI,
  CERT_COL_RESULT,
  CERT_COL_SIZE,
  CERT_COL_SUBJECT,
  CERT_COL_CLOCK_VALUE,
  CERT_COL_DELETED_AT,
  CERT_COL_ERROR,
  CERT_COL_REASON,
  CERT_COL_DETAIL,            /* index into "details", or null */
  CERT_COL_MESSAGE_ID,        /* message_id_sha256 */
  CERT_COL__COUNT
};

/* The column's name in the header: "group", "uri", ... */
const char *cert_column_name(enum cert_column c);

/* One item as a certificate records it, whatever the schema. Strings are
 * borrowed (NULL: null); detail is a canonical JSON object's text. */
struct cert_item {
  const char *uri, *subject, *result, *deleted_at, *error, *reason;
  const char *clock_name, *clock_value;
  const char *rule, *plugin, *method, *level, *level_reason, *kind, *store;
  const char *message_id_sha256;
  const char *detail;
  uint64_t size;
  bool recovered;
};

/* Called with each item of a certificate or a journal. */
typedef lethe_rc (*cert_item_fn)(void *ctx, const struct cert_item *item);

/* What the journal does not know: who issues the certificate, where, when. */
struct cert_context {
  const char *host;
  const char *operator_name;
  const char *agent_version;
  int64_t issued_at;
};

/* What a certification made, for the commit message and the front end. */
struct certificate {
  char id[UUID_TEXT_LEN];         /* the run id */
  char issued_at[ISOTIME_LEN];
  bool ended;                     /* the journal has its "end" record */
  bool recovered;
  uint64_t deleted, failed, skipped, held, items;
  struct strlist rules;           /* rule names, in journal order */
};

void certificate_release(struct certificate *c);

/* "certificates/YYYY/MM" (month of issue) into buf. */
void certificate_dir(const char *issued_at, char *buf, size_t size);

/* "ID.part-NNNN.json" into buf. */
void certificate_part_name(const char *id, unsigned part, char *buf, size_t size);

/* What a file of certificates/YYYY/MM/ is, by its name (the last path
 * component): a certificate "ID.json", a part "ID.part-NNNN.json" (*part
 * set), the signature of either (name + ".sig"), or none of these. id
 * receives the run id. */
enum cert_file_kind {
  CERT_FILE_OTHER,
  CERT_FILE_HEAD,
  CERT_FILE_PART,
  CERT_FILE_HEAD_SIG,
  CERT_FILE_PART_SIG,
};
enum cert_file_kind certificate_file_kind(const char *name, char id[UUID_TEXT_LEN], unsigned *part);

#endif
