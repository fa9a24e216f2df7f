/* Streaming the XML of a zip member through libxml2's xmlTextReader, with
 * the guards hostile office files need: no DTD at all (a document that has
 * one is refused, so neither billion-laughs entities nor external entities
 * can be declared), no network, no entity substitution, libxml2's own size
 * limits (no XML_PARSE_HUGE) and a bound on element depth. Text is handed
 * over as it comes; nothing is kept. */
#ifndef LETHE_SCAN_XML_H
#define LETHE_SCAN_XML_H

#include <stdbool.h>
#include <stddef.h>
#include "zip.h"

/* What a format does with the elements and text of a member. Each callback
 * may be NULL. `local` is the element's local name ("p" for <w:p>). */
struct xml_handler {
  /* attr(ctx-owned reader, name) fetches an attribute by qualified name;
   * the string is freed by the caller of attr's result (xml_attr_free). */
  lethe_rc (*start)(void *ctx, const char *local, void *reader);
  lethe_rc (*end)(void *ctx, const char *local);
  lethe_rc (*text)(void *ctx, const char *s, size_t n);
};

/* Parse the current member of z. Errors name the member and the line. */
lethe_rc xml_parse(struct zip *z, const struct xml_handler *h, void *ctx, unsigned max_depth,
                   char *err, size_t errlen) WUR;

/* The value of attribute `name` (qualified, "t" or "table:number-rows-repeated")
 * of the element at reader, as a long; dflt when absent or not a number. */
long xml_attr_long(void *reader, const char *name, long dflt);

/* Does attribute `name` of the element at reader equal value? */
bool xml_attr_is(void *reader, const char *name, const char *value);

#endif
