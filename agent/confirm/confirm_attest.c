/* Building and signing lethe confirm's attestation. */
#include "confirm_attest.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LETHE_VERSION
#define LETHE_VERSION "unknown"
#endif

struct tallies {
  const char *names[SCAN_DETECTOR__COUNT];
  uint64_t before[SCAN_DETECTOR__COUNT];
  uint64_t after[SCAN_DETECTOR__COUNT];
  uint64_t files_before, files_after;
};

static void add_findings(uint64_t *sum, const struct scan_findings *f)
{
  for(int d = 0; d < SCAN_DETECTOR__COUNT; d++)
    sum[d] += f->hits[d].count;
}

/* What a kept file holds now, added to the tally after; the exception is
 * recorded with it. */
static lethe_rc kept_file(struct attestation *a, const struct confirm_attest_in *in,
                          const struct sweep_file *f, struct tallies *t)
{
  struct scan_findings now;
  uint64_t counts[SCAN_DETECTOR__COUNT] = { 0 };
  struct attest_tally one = { .names = t->names, .counts = counts, .n = SCAN_DETECTOR__COUNT };
  bool gone;
  lethe_rc rc = sweep_rescan(in->rules, f, &now, &gone);
  if(rc)
    return rc;
  if(!gone && scan_findings_total(&now)) {
    add_findings(counts, &now);
    add_findings(t->after, &now);
    t->files_after++;
    one.files = 1;
  }
  scan_findings_release(&now);
  return attestation_add_exception(a, f->shown, f->reason, &one);
}

static lethe_rc files_and_tallies(struct attestation *a, const struct confirm_attest_in *in,
                                  struct tallies *t)
{
  const struct sweep *s = in->s;
  struct attest_tally before = { s->n, t->names, t->before, SCAN_DETECTOR__COUNT };
  struct attest_tally after = { 0, t->names, t->after, SCAN_DETECTOR__COUNT };
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < s->n && !rc; i++) {
    add_findings(t->before, &s->files[i].f);
    if(s->files[i].fate == SWEEP_KEEP)
      rc = kept_file(a, in, &s->files[i], t);
  }
  for(size_t i = 0; i < s->n_unread && !rc; i++)
    rc = attestation_add_unscanned(a, s->unread[i].shown, s->unread[i].why);
  after.files = t->files_after;
  if(!rc)
    rc = attestation_set_tally(a, true, &before);
  if(!rc)
    rc = attestation_set_tally(a, false, &after);
  if(!rc)
    rc = attestation_set_scanned(a, s->scanned, s->not_read);
  return rc;
}

static lethe_rc certificates(struct attestation *a, const struct confirm_history *h)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < h->n && !rc; i++)
    rc = attestation_add_certificate(a, h->certs[i].id, h->certs[i].path, h->certs[i].sha256,
                                     h->certs[i].deleted, h->certs[i].failed);
  return rc;
}

static void user_name(char *buf, size_t size)
{
  struct passwd *pw = getpwuid(getuid());
  snprintf(buf, size, "%s", pw && pw->pw_name ? pw->pw_name : "?");
}

static lethe_rc sign(const struct attestation *a, const struct confirm_attest_in *in,
                     struct confirm_attest_out *out, struct lethe_err *err)
{
  lethe_rc rc = attestation_canonical(a, &out->json);
  if(!rc)
    rc = sshsig_sign(in->key, SSHSIG_NS_ATTESTATION, out->json.mem, out->json.len, &out->sig,
                     err);
  snprintf(out->id, sizeof(out->id), "%s", a->id);
  attestation_path(a, out->path, sizeof(out->path));
  return rc;
}

lethe_rc confirm_attest_make(const struct confirm_attest_in *in, struct confirm_attest_out *out,
                             struct lethe_err *err)
{
  const struct confirm_config *c = in->c;
  struct tallies t = { .files_before = 0 };
  struct dynbuf fp;
  struct attestation a;
  char host[256] = "", user[256], rules_hash[65];
  lethe_rc rc;
  memset(out, 0, sizeof(*out));
  db_init(&out->json, ATTESTATION_MAX);
  db_init(&out->sig, 64 * 1024);
  db_init(&fp, 256);
  for(int d = 0; d < SCAN_DETECTOR__COUNT; d++)
    t.names[d] = scan_detector_name((enum scan_detector)d);
  gethostname(host, sizeof(host) - 1);
  user_name(user, sizeof(user));
  scan_rules_hash(in->rules, rules_hash);
  rc = sshsig_fingerprint(in->key, &fp);
  if(!rc) {
    struct attest_header hd = {
      .name = c->name, .email = c->email, .fingerprint = db_str(&fp), .attested_at = in->now,
      .has_from = in->h->has_last, .covers_from = in->h->last_attested_at,
      .project = in->project, .policy = c->policy, .host = host, .user = user,
      .folders = (const char *const *)c->folders.v, .n_folders = c->folders.n,
      .agent_version = LETHE_VERSION, .rules_sha256 = rules_hash, .detectors = NULL,
      .client_list = c->clients != NULL,
      .statement = c->statement ? c->statement : CONFIRM_DEFAULT_STATEMENT };
    const char *names[SCAN_DETECTOR__COUNT];
    size_t n = 0;
    for(int d = 0; d < SCAN_DETECTOR__COUNT; d++)
      if(scan_rules_detectors(in->rules) & SCAN_BIT(d))
        names[n++] = t.names[d];
    hd.detectors = names;
    hd.n_detectors = n;
    rc = attestation_begin(&a, &hd);
  }
  db_release(&fp);
  if(rc)
    return err_set(err, rc, "cannot make the attestation: %s", lethe_strerror(rc));
  rc = files_and_tallies(&a, in, &t);
  if(!rc)
    rc = certificates(&a, in->h);
  if(rc)
    err_set(err, rc, "cannot make the attestation: %s", lethe_strerror(rc));
  else
    rc = sign(&a, in, out, err);
  for(int d = 0; d < SCAN_DETECTOR__COUNT; d++)
    out->remaining += t.after[d];
  attestation_release(&a);
  return rc;
}

void confirm_attest_release(struct confirm_attest_out *out)
{
  db_release(&out->json);
  db_release(&out->sig);
}
