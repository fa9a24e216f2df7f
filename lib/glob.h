/* The glob patterns of rules (select, except, subject) and holds (match).
 *
 * Patterns match a whole '/'-separated path (a path relative to a source, or
 * a URI such as "file:///srv/x", whose "//" simply holds empty names):
 *   *      any run of characters within one name (never '/')
 *   ?      one character other than '/'
 *   [abc] [a-z] [!a-z] [^a-z]  one character of a set, never '/'; a ']'
 *          right after "[", "[!" or "[^" is a member ("[]a]" is ']' or 'a'),
 *          so is a '-' first or last; "\" escapes inside a set too. A set
 *          stays within one name: a '/' before its ']' leaves it unclosed.
 *   \c     the character c itself; "\/" is a separator like "/"
 *   **     as a whole path component only: "** /" matches zero or more
 *          directories, so "** / *.mp4" also matches "a.mp4"; a trailing
 *          "/ **" matches everything below a directory but not the
 *          directory itself ("a/ **" matches "a/b" and "a/b/c", not "a");
 *          a lone "**" matches everything. (Read these without the spaces,
 *          which only keep a C comment from ending or nesting.)
 * Every other character, spaces, commas, ':' and control characters
 * included, matches itself. Names beginning with a dot get no special
 * treatment. Matching is bytewise and case-sensitive, so names that are not
 * valid UTF-8 work; ranges compare unsigned byte values. */
#ifndef LETHE_GLOB_H
#define LETHE_GLOB_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

/* Check that pattern is well formed: not empty, no "[" without its "]" in
 * the same name, no trailing "\", no "*" run other than a whole-component
 * "**" ("a**", "**b", "***" are refused), no reversed range ("[z-a]", which
 * would silently match nothing) and no POSIX class ("[[:digit:]]", which is
 * not supported). On error return LETHE_E_PARSE with a message quoting the
 * pattern and saying what is wrong "at character N" (1-based, in bytes).
 * err may be NULL. */
lethe_rc glob_check(const char *pattern, struct lethe_err *err) WUR;

/* True if the checked pattern matches the whole of path[0..len). Runs in
 * time bounded by strlen(pattern) * len, without recursion or allocation.
 * An unchecked malformed pattern does not crash: its stray "[" or "\"
 * match themselves. */
bool glob_match(const char *pattern, const char *path, size_t len);

/* The pattern's last component: the suffix of pattern after its last
 * separator (all of it when it has none). Any path the pattern matches ends
 * in a name glob_match(glob_last_name(pattern), name, len) accepts (a last
 * component "**" accepts every name), so a walk can pass over a name that
 * fails it, for every select pattern, without a stat. */
const char *glob_last_name(const char *pattern);

/* True if some path below the directory dir[0..len) (a path without a
 * trailing '/', or "" for the root) could match pattern. The walk uses it to
 * skip directories no pattern can reach; false only when that is certain.
 * Each name of dir is matched against the pattern component in its place;
 * the answer is true as soon as a "**" component is reached, and false when
 * a name fails or the pattern has no component left below dir. */
bool glob_could_match_below(const char *pattern, const char *dir, size_t len);

#endif
