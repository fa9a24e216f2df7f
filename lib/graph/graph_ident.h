/* The identity text of a Graph item: what a plan and the journal carry to
 * prove at deletion time that an item is still the one planned.
 *
 *   id=ID changekey=CK            a message, an event or a calendar: its immutable
 *                                 id (Prefer: IdType="ImmutableId") and change key
 *   drive=D id=ID etag=E          a drive item: its drive, its id and its eTag
 *
 * Values are printable ASCII without spaces (ids hold '-', '_', '=', '!';
 * an eTag holds quotes, braces and a comma: "\"{GUID},3\""). The fields
 * point into the text. */
#ifndef LETHE_GRAPH_IDENT_H
#define LETHE_GRAPH_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#define GRAPH_ID_MAX 400      /* one value */

struct graph_ident {
  const char *drive;        /* NULL for an Outlook item */
  size_t drive_len;
  const char *id;
  size_t id_len;
  const char *tag;          /* change key or eTag */
  size_t tag_len;
};

/* Write the identity of an Outlook item (drive NULL) or a drive item into
 * out (n bytes). False, with out empty, when a value is not usable or the
 * text does not fit. */
bool graph_ident_format(char *out, size_t n, const char *drive, const char *id, size_t id_len,
                        const char *tag, size_t tag_len);

/* Read text into p. False for text of any other form. */
bool graph_ident_parse(const char *text, struct graph_ident *p);

#endif
