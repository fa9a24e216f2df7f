/* The file:// source: the files and symlinks of a directory tree, walked
 * without following a symlink or crossing a mount (see walk.h).
 *
 * A rule's source is file:///absolute/path (percent-encoding allowed);
 * select, except and subject match paths relative to it. */
#ifndef LETHE_SOURCE_FILE_H
#define LETHE_SOURCE_FILE_H

#include "source.h"

extern const struct source_ops source_file_ops;

#endif
