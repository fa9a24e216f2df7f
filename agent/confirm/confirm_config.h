/* lethe confirm's per-user configuration: ~/.config/lethe/confirm.ini
 * ($XDG_CONFIG_HOME/lethe/confirm.ini), or the file given with -c.
 * lethe-confirm(1) documents it:
 *
 *   [confirm]
 *   name   = Ada Lovelace           ; who confirms (required)
 *   email  = ada@example.org        ; their address, as on the roster (required)
 *   folder = Downloads              ; repeat for several; relative to the home
 *                                   ; directory (default Downloads, Desktop, Documents)
 *   remote = ssh://audit.example.org/srv/lethe/ledger.git  ; the central ledger
 *   branch = confirm/ada@example.org/HOST   ; the default, on the remote
 *   clients = clients.txt           ; the organisation's client names (optional)
 *   contains = personal-data        ; the detectors (default every one)
 *   policy = Data protection policy 2.1, faculty confirmations
 *   statement = ...                 ; the words signed (a default is given)
 *   action = shred                  ; how found files are deleted (shred, unlink)
 *   key    = signing.key            ; lethe keygen --user makes it
 *   state  = ~/.local/state/lethe   ; journal, lock, the ledger
 *   ledger = STATE/ledger
 *   plugins = /usr/lib/.../lethe/plugins
 *
 *   [keep cv]                       ; a standing exception: never deleted,
 *   path   = Documents/CV.pdf       ; recorded with its reason in every
 *   reason = my own CV              ; attestation (path: a glob, from home)
 *
 * Relative paths other than folders and keep paths are relative to the
 * file's directory; "~/" is the home directory everywhere. */
#ifndef LETHE_CONFIRM_CONFIG_H
#define LETHE_CONFIRM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "strlist.h"

#define CONFIRM_CONFIG_NAME "confirm.ini"

struct confirm_keep {
  char *name;
  char *pattern;              /* a glob relative to the home directory */
  char *reason;
  int line;
};

struct confirm_config {
  char *path;
  char *home;                 /* the home directory, absolute */
  char *name;
  char *email;
  struct strlist folders;     /* absolute */
  char *branch;               /* on the remote: refs/heads/... */
  char *clients;
  unsigned detectors;         /* scan.h's bits; 0: every detector */
  char *policy;
  char *statement;            /* NULL: the default */
  struct confirm_keep *keeps;
  size_t n_keeps;
  /* What the agent's own parts take: state, ledger, key, plugins, remote;
   * rules is unused (confirm makes its rules from what it found). */
  struct config agent;
  char *action;
};

/* Which file to read: the -c argument, else $XDG_CONFIG_HOME/lethe/confirm.ini,
 * else ~/.config/lethe/confirm.ini. The caller frees the result. */
char *confirm_config_path(const char *cli_path);

/* Read the configuration at path. Every problem goes to d as path:line;
 * LETHE_E_CONFIG when there was any (c is still safe to release). */
lethe_rc confirm_config_load(const char *path, struct confirm_config *c, struct diag *d) WUR;

void confirm_config_release(struct confirm_config *c);

#endif
