/* lethe verify: the attestations of lethe confirm. A trainer's ledger, and
 * each trainer's branch of the central one, hold beside the certificates
 * attestations/YYYY/MM/ID.json and its signature (+ ".sig"). A commit
 * that adds one adds it alone, with its signature, and the signature is
 * checked as the commit's is: by a key the allowed_signers before it (the
 * root: its own) allows, for namespace attestation@lethe. The document
 * must be a JSON object of schema lethe-attestation/1 (what else it says
 * is for lethe attestations to read, agent/attest). */
#include "verify_internal.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

enum attest_file verify_attestation_file(const char *path)
{
  char id[UUID_TEXT_LEN];
  unsigned part;
  const char *name = strrchr(path, '/');
  if(strncmp(path, ATTESTATION_DIR "/", sizeof(ATTESTATION_DIR)) || !name)
    return ATTEST_NONE;
  switch(certificate_file_kind(name + 1, id, &part)) {
  case CERT_FILE_HEAD:
    return ATTEST_JSON;
  case CERT_FILE_HEAD_SIG:
    return ATTEST_SIG;
  default:
    return ATTEST_NONE;
  }
}

/* Whether the document is an attestation; why not into problem. */
static bool readable(const struct dynbuf *json, char *problem, size_t n)
{
  struct json_tokener *tok = json_tokener_new();
  struct json_object *doc = NULL, *schema = NULL;
  bool ok;
  if(tok)
    doc = json_tokener_parse_ex(tok, json->mem ? json->mem : "", (int)json->len);
  ok = doc && json_tokener_get_error(tok) == json_tokener_success &&
       json_object_object_get_ex(doc, "schema", &schema) &&
       json_object_is_type(schema, json_type_string) &&
       !strcmp(json_object_get_string(schema), ATTESTATION_SCHEMA);
  if(!ok)
    snprintf(problem, n, "adds an attestation that is not a " ATTESTATION_SCHEMA " document");
  json_object_put(doc);
  json_tokener_free(tok);
  return ok;
}

void verify_attestation(struct verifier *v, const git_oid *json, const git_oid *sig,
                        const struct signers *trusted, char *problem, size_t n)
{
  struct dynbuf doc, armored;
  struct sshsig_key *signer = NULL;
  struct lethe_err e = { 0 };
  db_init(&doc, 16 * 1024 * 1024);
  db_init(&armored, 64 * 1024);
  if(verify_read_blob(v, json, &doc) || verify_read_blob(v, sig, &armored))
    snprintf(problem, n, "adds an attestation that cannot be read from the ledger");
  else if(sshsig_verify(armored.mem, armored.len, SSHSIG_NS_ATTESTATION, doc.mem, doc.len,
                        &signer, &e))
    snprintf(problem, n, "adds an attestation whose signature does not verify (%.600s)",
             verify_why_not(e.msg));
  else if(!trusted || !signers_find(trusted, signer, SSHSIG_NS_ATTESTATION))
    snprintf(problem, n, "adds an attestation signed by a key that allowed_signers did not "
             "allow for namespace " SSHSIG_NS_ATTESTATION);
  else
    readable(&doc, problem, n);
  sshsig_free(signer);
  db_release(&doc);
  db_release(&armored);
}
