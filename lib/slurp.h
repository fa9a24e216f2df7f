/* Reading a whole small file into memory, bounded. */
#ifndef LETHE_SLURP_H
#define LETHE_SLURP_H

#include "dynbuf.h"

/* Append the contents of the regular file at path to out, refusing (with
 * LETHE_E_RANGE) a file larger than out's maximum. The last component is
 * not followed when it is a symlink (LETHE_E_UNSAFE). LETHE_E_NOTFOUND when
 * the file does not exist, LETHE_E_IO for another failure; err names the
 * file. */
lethe_rc slurp_file(const char *path, struct dynbuf *out, struct lethe_err *err) WUR;

#endif
