/* lethe verify: one file read once for its signature, hash and form; and
 * the parts of a lethe-certificate/2 certificate. */
#include "verify_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

lethe_rc verify_file_begin(struct file_check *fc, const struct dynbuf *armored,
                           struct cert_reader *reader)
{
  memset(fc, 0, sizeof(*fc));
  fc->reader = reader;
  fc->sha = EVP_MD_CTX_new();
  if(!fc->sha || EVP_DigestInit_ex(fc->sha, EVP_sha256(), NULL) != 1)
    return LETHE_E_NOMEM;
  if(sshsig_check_begin(armored->mem ? armored->mem : "", armored->len,
                        SSHSIG_NS_CERTIFICATE, &fc->sig,
                        &fc->sig_err))
    fc->sig = NULL; /* reported by verify_file_end */
  else
    fc->sig_err.rc = LETHE_OK;
  return LETHE_OK;
}

lethe_rc verify_file_feed(void *ctx, const void *data, size_t n)
{
  struct file_check *fc = ctx;
  sshsig_check_update(fc->sig, data, n);
  if(EVP_DigestUpdate(fc->sha, data, n) != 1)
    return LETHE_E_NOMEM;
  if(fc->reader && !fc->read_rc)
    fc->read_rc = cert_reader_feed(fc->reader, data, n);
  return fc->read_rc && fc->read_rc != LETHE_E_PARSE ? fc->read_rc : LETHE_OK;
}

static void hash_end(struct file_check *fc, char hash[SHA256_HEX_LEN])
{
  unsigned char md[32];
  unsigned int n = 0;
  hash[0] = '\0';
  if(EVP_DigestFinal_ex(fc->sha, md, &n) == 1)
    canon_hex(md, sizeof(md), hash);
  EVP_MD_CTX_free(fc->sha);
  fc->sha = NULL;
}

lethe_rc verify_file_end(struct verifier *v, struct file_check *fc, const char *what,
                         char hash[SHA256_HEX_LEN])
{
  struct sshsig_key *signer = NULL;
  struct dynbuf fp;
  lethe_rc rc = LETHE_OK;
  hash_end(fc, hash);
  if(fc->sig && sshsig_check_end(fc->sig, &signer, &fc->sig_err))
    fc->sig_err.rc = LETHE_E_UNSAFE;
  fc->sig = NULL;
  if(fc->sig_err.rc)
    return verify_fail(v, "%s: the signature does not verify (%s); the certificate or its "
                       ".sig was changed, or swapped with another's", what,
                       verify_why_not(fc->sig_err.msg));
  if(!signers_find(&v->signers, signer, SSHSIG_NS_CERTIFICATE)) {
    db_init(&fp, 256);
    if(sshsig_fingerprint(signer, &fp))
      db_reset(&fp);
    rc = verify_fail(v, "%s: signed by a key that " LEDGER_ALLOWED_SIGNERS " does not allow "
                     "for certificates (%s)", what, db_str(&fp));
    db_release(&fp);
  }
  sshsig_free(signer);
  return rc;
}

/* ---- parts --------------------------------------------------------------- */

static struct cert_part *find_part(struct verifier *v, const char *path)
{
  for(size_t i = 0; i < v->n_parts; i++)
    if(!strcmp(v->parts[i].path, path))
      return &v->parts[i];
  return NULL;
}

static const char *member(struct json_object *o, const char *key)
{
  struct json_object *m;
  if(!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_string))
    return NULL;
  return json_object_get_string(m);
}

static bool count_of(struct json_object *o, const char *key, uint64_t *n)
{
  struct json_object *m;
  if(!o || !json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_int) ||
     json_object_get_int64(m) < 0)
    return false;
  *n = json_object_get_uint64(m);
  return true;
}

/* What a part says of itself: its schema, certificate and position. */
static lethe_rc check_part_content(struct verifier *v, const struct cert_part *p,
                                   const struct cert_reader *r, const char *id, unsigned k)
{
  const char *schema = cert_reader_str(r, "schema"), *of = cert_reader_str(r, "certificate");
  struct json_object *part = cert_reader_get(r, "part");
  if(!schema || strcmp(schema, CERTIFICATE_PART_SCHEMA))
    return verify_fail(v, "%s: not a " CERTIFICATE_PART_SCHEMA " part", p->path);
  if(!of || strcmp(of, id))
    return verify_fail(v, "%s: a part of another certificate (%.40s)", p->path,
                       of ? of : "none");
  if(!part || !json_object_is_type(part, json_type_int) || json_object_get_int64(part) != k)
    return verify_fail(v, "%s: not part %u of its certificate", p->path, k);
  return LETHE_OK;
}

lethe_rc verify_signed_file(struct verifier *v, const char *path, bool has_sig,
                            const git_oid *json, const git_oid *sig, struct cert_reader *r,
                            char hash[SHA256_HEX_LEN])
{
  struct file_check fc = { .sig = NULL };
  struct dynbuf armored;
  lethe_rc rc;
  if(!has_sig)
    return verify_fail(v, "%s: has no signature (%s" LEDGER_SIG_SUFFIX " is missing)", path,
                       path);
  db_init(&armored, 64 * 1024);
  rc = verify_read_blob(v, sig, &armored);
  if(!rc)
    rc = verify_file_begin(&fc, &armored, r);
  if(!rc)
    rc = ledger_blob_stream(&v->l, json, verify_file_feed, &fc, v->err);
  if(!rc && !fc.read_rc)
    fc.read_rc = cert_reader_finish(r);
  if(!rc)
    rc = verify_file_end(v, &fc, path, hash);
  if(!rc && fc.read_rc)
    rc = verify_fail(v, "%s: not in canonical form (%s)", path, cert_reader_why(r));
  if(fc.sha)
    EVP_MD_CTX_free(fc.sha);
  sshsig_check_free(fc.sig);
  db_release(&armored);
  return rc;
}

static lethe_rc check_part(struct verifier *v, struct cert_part *p, const char *id, unsigned k,
                           struct json_object *entry, uint64_t *items)
{
  struct cert_reader r;
  const char *want = member(entry, "sha256");
  uint64_t listed = 0;
  lethe_rc rc;
  cert_reader_init(&r, true, NULL, NULL);
  rc = verify_signed_file(v, p->path, p->has_sig, &p->json, &p->sig, &r, p->hash);
  if(!rc)
    rc = check_part_content(v, p, &r, id, k);
  if(!rc && (!want || strcmp(want, p->hash)))
    rc = verify_fail(v, "%s: hashes to %.16s..., not to the %.16s... its certificate lists",
                     p->path, p->hash, want ? want : "(nothing)");
  if(!rc && (!count_of(entry, "items", &listed) || listed != r.n_items))
    rc = verify_fail(v, "%s: holds %" PRIu64 " items, its certificate says %" PRIu64, p->path,
                     r.n_items, listed);
  *items += r.n_items;
  p->listed = true;
  cert_reader_release(&r);
  return rc;
}

lethe_rc verify_check_parts(struct verifier *v, const struct cert *c,
                            const struct cert_reader *head, uint64_t *items)
{
  struct json_object *parts = cert_reader_get(head, "parts");
  const char *id = cert_reader_str(head, "id");
  size_t dir = (size_t)(strrchr(c->path, '/') - c->path);
  lethe_rc rc = LETHE_OK;
  if(!parts || !json_object_is_type(parts, json_type_array))
    return verify_fail(v, "%s: its \"parts\" is not a list", c->path);
  for(size_t i = 0; i < json_object_array_length(parts) && !rc; i++) {
    struct json_object *entry = json_object_array_get_idx(parts, i);
    const char *file = member(entry, "file");
    char path[512], want[128];
    struct cert_part *p;
    certificate_part_name(id, (unsigned)i + 1, want, sizeof(want));
    if(!file || strcmp(file, want))
      return verify_fail(v, "%s: its part %zu is not named %s", c->path, i + 1, want);
    snprintf(path, sizeof(path), "%.*s/%s", (int)dir, c->path, file);
    p = find_part(v, path);
    if(!p)
      return verify_fail(v, "%s: lists %s, which the ledger does not have: a part is missing",
                         c->path, path);
    rc = check_part(v, p, id, (unsigned)i + 1, entry, items);
  }
  return rc;
}
