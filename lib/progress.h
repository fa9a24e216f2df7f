/* A progress line for the person at a terminal while a long pass runs
 * (planning a share of a million files, deleting a large plan): what is
 * being done, to which rule, how many items so far (of how many, when that
 * is known) and how many a second. The line is rewritten in place at most
 * five times a second, only once the pass has taken half a second (a quick
 * run prints nothing), and erased when the pass ends or a log message is
 * printed (log.c erases it first), so the output reads as if it had never
 * been there. Never on the journal, in a pipe or in a file, unless asked
 * for with PROGRESS_ALWAYS.
 *
 * One progress line per process, used from one thread. */
#ifndef LETHE_PROGRESS_H
#define LETHE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

enum progress_mode {
  PROGRESS_AUTO,    /* when stderr is a terminal (not the journal's stream) */
  PROGRESS_ALWAYS,  /* on stderr whatever it is, from the first item */
  PROGRESS_NEVER,
};

/* Choose once, before the first pass; the default is PROGRESS_NEVER, so
 * that a command that does not ask prints nothing. */
void progress_setup(enum progress_mode mode);

/* Whether passes will show progress. */
bool progress_enabled(void);

/* Start a pass: "planning" rule name, over total items (0: not known). */
void progress_begin(const char *verb, const char *name, uint64_t total);

/* done items so far in this pass (a smaller count than before is ignored,
 * so two counters of the same pass may both report). Cheap: call it per
 * item. */
void progress_update(uint64_t done);

/* Erase the line, if shown (before other output to stderr). */
void progress_clear(void);

/* End the pass: the line is erased. */
void progress_end(void);

#endif
