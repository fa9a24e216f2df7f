/* The file:// source: the files and symlinks of a directory tree, walked
 * without following a symlink or crossing a mount (see walk.h).
 *
 * A rule's source is file:///absolute/path (percent-encoding allowed);
 * select, except and subject match paths relative to it. */
#ifndef LETHE_SOURCE_FILE_H
#define LETHE_SOURCE_FILE_H

#include "source.h"

extern const struct source_ops source_file_ops;

/* What other stores below a directory share with this one (the archive
 * store): */

/* Decode a file:// source into r->root, errors at the source's line to d
 * (the file store's finish_rule). */
void source_file_root(struct rule *r, struct diag *d);

/* For lethe check: a warning when the rule's root cannot be opened now, or
 * is on a read-only mount (nothing could be deleted from it). */
void source_file_check(const struct rule *r, struct diag *d);

/* Whether the path rel (len bytes, relative to the source) passes the
 * rule's select and except patterns. */
bool source_path_selected(const struct rule *r, const char *rel, size_t len);

/* The subject of rel: its first subject_depth components, when rel lies
 * below them and they match the rule's subject pattern; their length in
 * *sublen. */
bool source_path_subject(const struct rule *r, const char *rel, size_t len, size_t *sublen);

#endif
