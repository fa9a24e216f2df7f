/* The locale libarchive converts names in, for this thread only.
 *
 * libarchive converts names between an archive's character set and the
 * current locale's. In the C locale every byte over 0x7f fails to convert:
 * pax and zip UTF-8 names come back with a warning, 7-Zip names as '?', and
 * names written to pax get hdrcharset=BINARY. Lethe runs in the C locale, so
 * the archive code switches the calling thread to C.UTF-8 (uselocale) around
 * every libarchive call that may convert a name, and back afterwards: names
 * then go through unchanged when they are UTF-8 and as raw bytes when they
 * are not. Where C.UTF-8 does not exist the process locale is kept. */
#ifndef LETHE_ARC_LOCALE_H
#define LETHE_ARC_LOCALE_H

#include <stdbool.h>
#include <stddef.h>

/* Switch this thread to C.UTF-8; returns what arc_locale_leave() needs to
 * switch back (never fails: without C.UTF-8 nothing changes). */
void *arc_locale_enter(void);

/* Switch this thread back to the locale it had before arc_locale_enter()
 * returned prev. */
void arc_locale_leave(void *prev);

/* Switch this thread to the C locale (for a writer that must store a name
 * that is not UTF-8 as raw bytes, without claiming it is UTF-8: the zip
 * writer sets its UTF-8 flag whenever the locale is UTF-8). Returns what
 * arc_locale_leave() needs. */
void *arc_locale_enter_c(void);

/* The len bytes of s are valid UTF-8 (no overlong forms, no surrogates). */
bool arc_utf8_valid(const char *s, size_t len);

#endif
