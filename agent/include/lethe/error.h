/* Lethe's one error type, shared by the agent and its plugins.
 *
 * Codes are never renumbered: a retired code keeps its slot, new codes are
 * only added at the end (as curl does with CURLcode). */
#ifndef LETHE_ERROR_H
#define LETHE_ERROR_H

typedef enum {
  LETHE_OK = 0,
  LETHE_E_NOMEM = 1,     /* out of memory */
  LETHE_E_IO = 2,        /* a system call failed; the message names it */
  LETHE_E_CONFIG = 3,    /* the configuration or a rule file is invalid */
  LETHE_E_USAGE = 4,     /* bad command line */
  LETHE_E_PARSE = 5,     /* a value (duration, date, glob, reply) is malformed */
  LETHE_E_RANGE = 6,     /* a value is out of range or too long */
  LETHE_E_NOTFOUND = 7,  /* a thing looked up does not exist */
  LETHE_E_UNSAFE = 8,    /* refused by a safety check (symlink, mount, identity) */
  LETHE_E_LOCKED = 9,    /* another lethe holds the state lock */
  LETHE_E_PLUGIN = 10,   /* a plugin is missing, incompatible or failed */
  LETHE_E_PROTOCOL = 11, /* a server spoke out of turn */
  LETHE_E_CHANGED = 12,  /* an item is no longer what was planned */
  LETHE_E_HELD = 13,     /* an item is under a hold */
  LETHE_E__LAST          /* not a code: one past the highest */
} lethe_rc;

/* A short, static English description of a code ("out of memory"). Inline,
 * so that a plugin can use it without linking anything of lethe's. */
static inline const char *lethe_strerror(lethe_rc rc)
{
  switch(rc) {
  case LETHE_OK: return "no error";
  case LETHE_E_NOMEM: return "out of memory";
  case LETHE_E_IO: return "input/output error";
  case LETHE_E_CONFIG: return "invalid configuration";
  case LETHE_E_USAGE: return "bad usage";
  case LETHE_E_PARSE: return "malformed value";
  case LETHE_E_RANGE: return "value out of range";
  case LETHE_E_NOTFOUND: return "not found";
  case LETHE_E_UNSAFE: return "refused by a safety check";
  case LETHE_E_LOCKED: return "state directory locked by another lethe";
  case LETHE_E_PLUGIN: return "plugin error";
  case LETHE_E_PROTOCOL: return "protocol error";
  case LETHE_E_CHANGED: return "item changed since it was planned";
  case LETHE_E_HELD: return "item is held";
  case LETHE_E__LAST: break;
  }
  return "unknown error";
}

#endif
