/* Reading Graph's JSON replies with json-c, defensively.
 *
 * Every reply is parsed whole from a bounded buffer (the caller's dynbuf has
 * the hard maximum), with a depth limit, strictly, and with nothing allowed
 * after the document: malformed, truncated or nested-too-deep text is
 * LETHE_E_PARSE with a message naming what was being read, never a crash.
 * The getters below check types and give NULL or false for a missing key or
 * a value of another type, so a hostile reply can only make a field absent. */
#ifndef LETHE_GRAPH_JSON_H
#define LETHE_GRAPH_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define GRAPH_JSON_DEPTH 32   /* deeper than any Graph reply Lethe reads */

/* Parse text[0..len) as one JSON document into *out (a new reference the
 * caller puts). LETHE_E_PARSE, with "what: ..." in err, for anything that is
 * not exactly one well-formed document; LETHE_E_RANGE for more than INT_MAX
 * bytes. */
lethe_rc gj_parse(const char *text, size_t len, const char *what, struct json_object **out,
                  struct lethe_err *err) WUR;

/* o[key] when o is an object and the member has that type; else NULL. */
struct json_object *gj_obj(struct json_object *o, const char *key);
struct json_object *gj_arr(struct json_object *o, const char *key);

/* o[key] as a string (its bytes, *len its length when len is not NULL), or
 * NULL when o is not an object, has no such member, or it is not a string. */
const char *gj_str(struct json_object *o, const char *key, size_t *len);

/* o[key] as an integer (a JSON number without fraction, or a string of
 * decimal digits as some Graph properties send them); false otherwise. */
bool gj_int(struct json_object *o, const char *key, int64_t *out);

/* o[key] as a boolean; false when absent or of another type (*out unset). */
bool gj_bool(struct json_object *o, const char *key, bool *out);

/* o[key] as an ISO 8601 instant ("2025-11-22T12:00:00Z", fractions
 * dropped), in seconds since the epoch; false when absent or unreadable. */
bool gj_time(struct json_object *o, const char *key, int64_t *out);

/* Whether s[0..n) is a usable Graph id or tag: 1 to max bytes of printable
 * ASCII without spaces (ids and eTags go into identity text and URLs). */
bool gj_token_ok(const char *s, size_t n, size_t max);

/* The error a Graph reply body carries, for messages: "CODE (INNER):
 * MESSAGE" cut to n bytes, made printable; "" for a body without one. The
 * body may be NULL or of any shape. */
void gj_error_text(struct json_object *body, char *out, size_t n);

/* The code of the error a Graph reply body carries ("ErrorItemNotFound"),
 * or "" when there is none; inner gets the innerError code (may be NULL). */
const char *gj_error_code(struct json_object *body, const char **inner);

#endif
