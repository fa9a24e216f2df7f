/* The agent configuration: the [agent] section of lethe.ini, and its
 * [smtp] section for the notices rules send (notify =). */
#ifndef LETHE_CONFIG_H
#define LETHE_CONFIG_H

#include <stdbool.h>

#include "diag.h"
#include "duration.h"
#include "smtp_settings.h"

#define CONFIG_DEFAULT_PATH "/etc/lethe/lethe.ini"

struct config {
  char *path;         /* the file read */
  char *rules_dir;    /* rules.d: *.ini read in sorted order */
  char *state_dir;    /* journal, lock, cadence state */
  char *ledger_dir;   /* git repository of certificates */
  char *key_path;     /* Ed25519 signing key */
  char *plugins_dir;  /* deletion plugins (.so) */
  char *remote;       /* optional push URL, or NULL */
  bool certificates_may_wait; /* certificates = may-wait: delete without a usable
                                 signing key, certifying once there is one */
  struct duration keep_journals; /* certified runs' journals are removed after
                                    this (keep-journals, default 90 days) */
  bool keep_journals_given;
  struct smtp_settings smtp;  /* [smtp]: how notices are sent */
};

/* keep-journals when the configuration does not say. */
#define CONFIG_KEEP_JOURNALS_DAYS 90

/* Which file to read: the -c argument if given, else $LETHE_CONFIG, else
 * CONFIG_DEFAULT_PATH. */
const char *config_choose_path(const char *cli_path);

/* Read the configuration at path. Relative paths in it are taken relative to
 * the directory of the file. Every error goes to d ("FILE:LINE: ..."); the
 * result is LETHE_E_CONFIG if there was any, and cfg is then still safe to
 * release. */
lethe_rc config_load(const char *path, struct config *cfg, struct diag *d) WUR;

void config_release(struct config *cfg);

/* The plugin directory when the configuration names none: the installed
 * one, or the build tree's when this lethe runs from its build tree (so
 * the demo, the tests and lethe confirm's own configuration need no
 * install). */
const char *config_default_plugins_dir(void);

/* A path made absolute against the directory of base_file; the caller frees
 * it. NULL when out of memory. */
char *config_resolve(const char *base_file, const char *path);

#endif
