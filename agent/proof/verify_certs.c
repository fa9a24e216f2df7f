/* lethe verify: the certificates as they stand, and the chain of
 * previous-certificate hashes. Each file is read once, as it streams, for
 * its signature, its hash and its form: memory does not grow with a
 * certificate's size. */
#include "verify_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* ---- (B) certificates, (C) chain -------------------------------------- */

static bool is_schema(const char *schema)
{
  return schema && (!strcmp(schema, CERTIFICATE_SCHEMA) ||
                    !strcmp(schema, CERTIFICATE_SCHEMA_V1));
}

/* lethe-certificate/2: the columns lethe writes, and totals that count
 * every row, its own and its parts'. */
static lethe_rc check_v2(struct verifier *v, const struct cert *c, const struct cert_reader *r)
{
  struct json_object *totals = cert_reader_get(r, "totals"), *n = NULL;
  uint64_t items = r->n_items;
  bool same = r->n_columns == CERT_COL__COUNT;
  lethe_rc rc;
  for(size_t i = 0; same && i < r->n_columns; i++)
    same = r->column[i] == (int)i;
  if(!same)
    return verify_fail(v, "%s: its \"columns\" are not those of " CERTIFICATE_SCHEMA, c->path);
  rc = verify_check_parts(v, c, r, &items);
  if(rc)
    return rc;
  if(!totals || !json_object_object_get_ex(totals, "items", &n) ||
     !json_object_is_type(n, json_type_int) || (uint64_t)json_object_get_int64(n) != items)
    return verify_fail(v, "%s: its totals do not count its %" PRIu64 " items", c->path, items);
  return LETHE_OK;
}

/* The certificate's own content: schema, id, month of issue, previous. */
static lethe_rc check_content(struct verifier *v, struct cert *c, const struct cert_reader *r)
{
  const char *base = strrchr(c->path, '/') + 1, *schema = cert_reader_str(r, "schema");
  const char *id = cert_reader_str(r, "id"), *issued = cert_reader_str(r, "issued_at");
  const char *prev = cert_reader_str(r, "previous");
  char want[128];
  if(!is_schema(schema))
    return verify_fail(v, "%s: not a " CERTIFICATE_SCHEMA " (or " CERTIFICATE_SCHEMA_V1
                       ") certificate", c->path);
  snprintf(want, sizeof(want), "%s.json", id ? id : "");
  if(!id || strcmp(want, base))
    return verify_fail(v, "%s: its name does not match the id inside it", c->path);
  if(!issued || strlen(issued) < 8 ||
     strncmp(c->path + sizeof(CERTIFICATE_DIR), issued, 4) ||
     strncmp(c->path + sizeof(CERTIFICATE_DIR) + 5, issued + 5, 2))
    return verify_fail(v, "%s: filed under a month other than its issue date", c->path);
  snprintf(c->previous, sizeof(c->previous), "%s", prev ? prev : "");
  if(!strcmp(schema, CERTIFICATE_SCHEMA))
    return check_v2(v, c, r);
  return LETHE_OK;
}

static lethe_rc check_cert(struct verifier *v, struct cert *c)
{
  struct cert_reader r;
  lethe_rc rc;
  cert_reader_init(&r, true, NULL, NULL);
  rc = verify_signed_file(v, c->path, c->has_sig, &c->json, &c->sig, &r, c->hash);
  if(!rc)
    rc = check_content(v, c, &r);
  cert_reader_release(&r);
  return rc;
}

lethe_rc verify_check_certificates(struct verifier *v)
{
  lethe_rc rc = LETHE_OK;
  if(v->n_strays)
    return verify_fail(v, "%s: does not belong in the ledger (only " LEDGER_ALLOWED_SIGNERS
                       " and certificates/YYYY/MM/ID.json with ID.json.sig, and their parts "
                       "ID.part-NNNN.json with ID.part-NNNN.json.sig)", v->strays[0]);
  for(size_t i = 0; i < v->n_certs && !rc; i++)
    rc = check_cert(v, &v->certs[i]);
  for(size_t i = 0; i < v->n_parts && !rc; i++)
    if(!v->parts[i].listed)
      rc = verify_fail(v, "%s: a part that no certificate lists", v->parts[i].path);
  if(!rc)
    verify_note(v, "ok: %zu certificate signature%s%s", v->n_certs, v->n_certs == 1 ? "" : "s",
                v->n_parts ? " (and their parts')" : "");
  return rc;
}

lethe_rc verify_check_chain(struct verifier *v)
{
  for(size_t i = 0; i < v->n_certs; i++) {
    const struct cert *c = &v->certs[i];
    const char *prev = c->previous;
    if(!i && prev[0])
      return verify_fail(v, "chain broken at %s: it names a previous certificate (%.16s...) but is "
                  "the first in the ledger: a certificate is missing", c->path, prev);
    if(i && strcmp(prev, v->certs[i - 1].hash))
      return verify_fail(v, "chain broken at %s: its previous certificate hashes to %.16s... but "
                  "the one before it in the ledger (%s) hashes to %.16s...: a certificate "
                  "is missing, reordered or changed", c->path, prev[0] ? prev : "(none)",
                  v->certs[i - 1].path, v->certs[i - 1].hash);
  }
  verify_note(v, "ok: chain of %zu previous-certificate hash%s", v->n_certs,
        v->n_certs == 1 ? "" : "es");
  return LETHE_OK;
}
