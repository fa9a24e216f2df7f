/* lethe verify: the certificates as they stand, and the chain of
 * previous-certificate hashes. */
#include "verify_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate.h"

/* ---- (B) certificates, (C) chain -------------------------------------- */


/* The certificate's own content: id, schema, path, canonical form. */
static lethe_rc check_content(struct verifier *v, const struct cert *c, const struct dynbuf *json)
{
  struct json_object *doc = json_tokener_parse(json->mem), *id, *schema, *issued;
  const char *base = strrchr(c->path, '/') + 1;
  struct dynbuf canon;
  char want[128];
  lethe_rc rc = LETHE_OK;
  if(!doc || !json_object_is_type(doc, json_type_object)) {
    json_object_put(doc);
    return verify_fail(v, "%s: not a JSON object", c->path);
  }
  if(!json_object_object_get_ex(doc, "schema", &schema) ||
     strcmp(json_object_get_string(schema), CERTIFICATE_SCHEMA))
    rc = verify_fail(v, "%s: not a " CERTIFICATE_SCHEMA " certificate", c->path);
  if(!rc && (!json_object_object_get_ex(doc, "id", &id) ||
             snprintf(want, sizeof(want), "%s.json", json_object_get_string(id)) < 0 ||
             strcmp(want, base)))
    rc = verify_fail(v, "%s: its name does not match the id inside it", c->path);
  if(!rc && (!json_object_object_get_ex(doc, "issued_at", &issued) ||
             strlen(json_object_get_string(issued)) < 8 ||
             strncmp(c->path + sizeof(CERTIFICATE_DIR), json_object_get_string(issued), 4) ||
             strncmp(c->path + sizeof(CERTIFICATE_DIR) + 5, json_object_get_string(issued) + 5,
                     2)))
    rc = verify_fail(v, "%s: filed under a month other than its issue date", c->path);
  db_init(&canon, CERTIFICATE_MAX);
  if(!rc && (canonical_json(doc, &canon) || db_add(&canon, "\n", 1) || canon.len != json->len ||
             memcmp(canon.mem, json->mem, json->len)))
    rc = verify_fail(v, "%s: not in canonical form", c->path);
  db_release(&canon);
  json_object_put(doc);
  return rc;
}

/* The signature over json, by a key allowed_signers allows for
 * certificates. what names the file in messages. */
lethe_rc verify_check_signature(struct verifier *v, const char *what, const struct dynbuf *json,
                                const struct dynbuf *sig)
{
  struct sshsig_key *signer = NULL;
  struct lethe_err e = { 0 };
  struct dynbuf fp;
  lethe_rc rc = LETHE_OK;
  if(sshsig_verify(sig->mem, sig->len, SSHSIG_NS_CERTIFICATE, json->mem, json->len, &signer, &e))
    return verify_fail(v, "%s: the signature does not verify (%s); the certificate or its .sig "
                "was changed, or swapped with another's", what, verify_why_not(e.msg));
  if(!signers_find(&v->signers, signer, SSHSIG_NS_CERTIFICATE)) {
    db_init(&fp, 256);
    if(sshsig_fingerprint(signer, &fp))
      db_reset(&fp);
    rc = verify_fail(v, "%s: signed by a key that " LEDGER_ALLOWED_SIGNERS " does not allow for "
              "certificates (%s)", what, db_str(&fp));
    db_release(&fp);
  }
  sshsig_free(signer);
  return rc;
}

static lethe_rc check_cert(struct verifier *v, const struct cert *c, char *hex)
{
  struct dynbuf json, sig;
  lethe_rc rc;
  if(!c->has_sig)
    return verify_fail(v, "%s: has no signature (%s" LEDGER_SIG_SUFFIX " is missing)", c->path,
                c->path);
  db_init(&json, CERTIFICATE_MAX);
  db_init(&sig, 1024 * 1024);
  rc = verify_read_blob(v, &c->json, &json);
  if(!rc)
    rc = verify_read_blob(v, &c->sig, &sig);
  if(!rc)
    rc = verify_check_signature(v, c->path, &json, &sig);
  if(!rc)
    rc = check_content(v, c, &json);
  if(!rc)
    sha256_hex(json.mem, json.len, hex);
  db_release(&json);
  db_release(&sig);
  return rc;
}

lethe_rc verify_check_certificates(struct verifier *v, char (*hashes)[SHA256_HEX_LEN])
{
  lethe_rc rc = LETHE_OK;
  if(v->n_strays)
    return verify_fail(v, "%s: does not belong in the ledger (only " LEDGER_ALLOWED_SIGNERS
                " and certificates/YYYY/MM/ID.json with ID.json.sig)", v->strays[0]);
  for(size_t i = 0; i < v->n_certs && !rc; i++)
    rc = check_cert(v, &v->certs[i], hashes[i]);
  if(!rc)
    verify_note(v, "ok: %zu certificate signature%s", v->n_certs, v->n_certs == 1 ? "" : "s");
  return rc;
}

static lethe_rc previous_of(struct verifier *v, const struct cert *c, char *out, size_t size)
{
  struct dynbuf json;
  struct json_object *doc, *prev;
  lethe_rc rc;
  db_init(&json, CERTIFICATE_MAX);
  rc = verify_read_blob(v, &c->json, &json);
  doc = rc ? NULL : json_tokener_parse(json.mem);
  out[0] = '\0';
  if(doc && json_object_object_get_ex(doc, "previous", &prev) &&
     json_object_is_type(prev, json_type_string))
    snprintf(out, size, "%s", json_object_get_string(prev));
  json_object_put(doc);
  db_release(&json);
  return rc;
}

lethe_rc verify_check_chain(struct verifier *v, char (*hashes)[SHA256_HEX_LEN])
{
  char prev[128];
  for(size_t i = 0; i < v->n_certs; i++) {
    const struct cert *c = &v->certs[i];
    lethe_rc rc = previous_of(v, c, prev, sizeof(prev));
    if(rc)
      return rc;
    if(!i && prev[0])
      return verify_fail(v, "chain broken at %s: it names a previous certificate (%.16s...) but is "
                  "the first in the ledger: a certificate is missing", c->path, prev);
    if(i && strcmp(prev, hashes[i - 1]))
      return verify_fail(v, "chain broken at %s: its previous certificate hashes to %.16s... but "
                  "the one before it in the ledger (%s) hashes to %.16s...: a certificate "
                  "is missing, reordered or changed", c->path, prev[0] ? prev : "(none)",
                  v->certs[i - 1].path, hashes[i - 1]);
  }
  verify_note(v, "ok: chain of %zu previous-certificate hash%s", v->n_certs,
        v->n_certs == 1 ? "" : "es");
  return LETHE_OK;
}
