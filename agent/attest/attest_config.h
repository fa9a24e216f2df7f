/* The central view's configuration: attestations.ini (by default
 * /etc/lethe/attestations.ini), lethe-attestations(1).
 *
 *   [attestations]
 *   ledger   = /srv/lethe/ledger.git   ; the central ledger (bare or not)
 *   roster   = roster.csv              ; who confirms, with which key
 *   state    = /var/lib/lethe/attestations   ; what reminders were sent
 *   remind-within = 14 days            ; "due soon", and when reminders start
 *   dpo      = dpo@example.org         ; told of whoever is overdue
 *
 *   [smtp]                             ; for --remind: smtp_settings.h
 *   url         = smtps://mail.example.org
 *   from        = lethe@example.org
 *
 * Relative paths are relative to the file's directory. */
#ifndef LETHE_ATTEST_CONFIG_H
#define LETHE_ATTEST_CONFIG_H

#include <stdbool.h>

#include "diag.h"
#include "duration.h"
#include "smtp.h"
#include "smtp_settings.h"

#define ATTEST_CONFIG_DEFAULT_PATH "/etc/lethe/attestations.ini"
#define ATTEST_STATE_DEFAULT "/var/lib/lethe/attestations"

struct attest_config {
  char *path;
  char *ledger;
  char *roster;
  char *state;
  struct duration within;
  char *dpo;
  struct smtp_settings smtp;
};

/* Read the file at path; every problem goes to d as path:line.
 * LETHE_E_CONFIG when there was any. */
lethe_rc attest_config_load(const char *path, struct attest_config *c, struct diag *d) WUR;

/* The SMTP settings as smtp_send takes them (pointing into c). */
void attest_config_smtp(const struct attest_config *c, struct smtp_server *s);

void attest_config_release(struct attest_config *c);

#endif
