/* What lethe confirm shows and asks: the findings grouped by file, and
 * for each file whether to delete it or keep it as an exception with a
 * reason. Reads answers from in and writes to out, so that tests can drive
 * it; the command gives it the terminal. */
#ifndef LETHE_CONFIRM_UI_H
#define LETHE_CONFIRM_UI_H

#include <stdbool.h>
#include <stdio.h>

#include "confirm_config.h"
#include "sweep.h"

/* Mark the files a [keep NAME] section matches as kept, with its reason. */
void confirm_apply_keeps(const struct confirm_config *c, struct sweep *s);

/* Print every file with findings (and the files that could not be read). */
void confirm_show(FILE *out, const struct sweep *s);

/* Ask about each undecided file: all at once, or one by one. False when
 * the user quit (or input ended): nothing may then be deleted. */
bool confirm_ask(FILE *in, FILE *out, struct sweep *s);

/* Mark every undecided file for deletion (--yes). */
void confirm_delete_all(struct sweep *s);

#endif
