/* Scan rules: the detector set, the limits, the client list and the hash
 * that names them in attestations. */
#include "scan_internal.h"
#include "clients.h"

#include <libxml/parser.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void limits(const struct scan_options *opt, struct scan_limits *lim)
{
  lim->max_member = opt->max_member ? opt->max_member : SCAN_DEFAULT_MAX_MEMBER;
  lim->max_total = opt->max_total ? opt->max_total : SCAN_DEFAULT_MAX_TOTAL;
  lim->max_entries = opt->max_entries ? opt->max_entries : SCAN_DEFAULT_MAX_ENTRIES;
  lim->max_depth = opt->max_depth ? opt->max_depth : SCAN_DEFAULT_MAX_DEPTH;
  lim->max_pages = opt->max_pages ? opt->max_pages : SCAN_DEFAULT_MAX_PAGES;
}

/* SHA-256 over: the detector set version, the names of the detectors run
 * (in enum order), and the canonical client list. */
static lethe_rc hash(struct scan_rules *r)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0, i;
  size_t clen;
  const char *canon = clients_canonical(r->clients, &clen);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

  ok = ok && EVP_DigestUpdate(ctx, SCAN_DETECTORS_VERSION "\n", sizeof(SCAN_DETECTORS_VERSION));
  for(i = 0; ok && i < SCAN_DETECTOR__COUNT; i++) {
    const char *name = scan_detector_name((enum scan_detector)i);
    if(scan_wants(r, (enum scan_detector)i))
      ok = EVP_DigestUpdate(ctx, name, strlen(name)) && EVP_DigestUpdate(ctx, "\n", 1);
  }
  ok = ok && EVP_DigestUpdate(ctx, "clients\n", 8) && EVP_DigestUpdate(ctx, canon, clen) &&
       EVP_DigestFinal_ex(ctx, md, &mdlen);
  EVP_MD_CTX_free(ctx);
  if(!ok)
    return LETHE_E_NOMEM;
  for(i = 0; i < mdlen && i < 32; i++)
    snprintf(r->hash + 2 * i, 3, "%02x", md[i]);
  return LETHE_OK;
}

lethe_rc scan_rules_new(const struct scan_options *opt, struct scan_rules **out,
                        char *err, size_t errlen)
{
  struct scan_rules *r;
  lethe_rc rc = LETHE_OK;

  *out = NULL;
  xmlInitParser();   /* once, before scans run in several threads */
  r = calloc(1, sizeof(*r));
  if(!r)
    return scan_err(err, errlen, LETHE_E_NOMEM, "out of memory");
  r->detectors = opt->detectors ? opt->detectors & SCAN_ALL : SCAN_ALL;
  limits(opt, &r->lim);
  if(scan_wants(r, SCAN_CLIENT_NAME) && (opt->client_list || opt->client_text))
    rc = clients_load(opt->client_list, opt->client_text, &r->clients, err, errlen);
  if(!rc)
    rc = hash(r);
  if(rc) {
    scan_rules_free(r);
    return rc;
  }
  *out = r;
  return LETHE_OK;
}

void scan_rules_free(struct scan_rules *r)
{
  if(!r)
    return;
  clients_free(r->clients);
  free(r);
}

unsigned scan_rules_detectors(const struct scan_rules *r)
{
  return r->detectors;
}

void scan_rules_hash(const struct scan_rules *r, char hex[65])
{
  memcpy(hex, r->hash, 65);
}
