/* The [smtp] section, as lethe.ini (notices before deletion, lethe.ini(5))
 * and attestations.ini (reminders, lethe-attestations(1)) both write it:
 *
 *   [smtp]
 *   url         = smtps://mail.example.org   ; or smtp:// with STARTTLS
 *   from        = lethe@example.org
 *   user        = lethe@example.org          ; optional
 *   credentials = smtp.secret                ; the password, mode 0600
 *   ca          = /etc/lethe/mail-ca.pem     ; optional
 *   tls         = none                       ; only smtp:// to this machine
 *
 * One parser for both files, so that a key means the same in each. Relative
 * paths are relative to the file's directory. */
#ifndef LETHE_SMTP_SETTINGS_H
#define LETHE_SMTP_SETTINGS_H

#include <stdbool.h>

#include "diag.h"
#include "smtp.h"

struct smtp_settings {
  bool present;               /* the file has an [smtp] section */
  int line;                   /* its header's line */
  char *url, *from, *user, *credentials, *ca;
  int credentials_line;
  bool tls_none;
  bool tls_seen;
};

/* Note the section's header at line. */
void smtp_settings_begin(struct smtp_settings *s, int line);

/* Take key = value at path:line of the section; every problem (unknown
 * key, given twice, empty, bad tls) goes to d. */
void smtp_settings_key(struct smtp_settings *s, const char *path, const char *key,
                       const char *value, int line, struct diag *d);

/* Once the file is read: the section, if present, has a plain 'from' and
 * server settings smtp_check accepts; problems to d at path:line. */
void smtp_settings_finish(const struct smtp_settings *s, const char *path, struct diag *d);

/* For lethe check: a named credentials file can be read and is private
 * (credentials.h); the secret read is wiped at once, never shown. */
void smtp_settings_check_credentials(const struct smtp_settings *s, const char *path,
                                     struct diag *d);

/* The settings as smtp_send takes them (pointing into s). */
void smtp_settings_server(const struct smtp_settings *s, struct smtp_server *out);

void smtp_settings_release(struct smtp_settings *s);

#endif
