/* Parsing IMAP4rev1 server responses (RFC 3501 section 7 and 9).
 *
 * The connection (imap_conn.h) reads one complete response into a buffer of
 * its own, literals included and bounded; everything here works on that
 * buffer and never allocates. A response is split into its kind (tagged,
 * untagged, continuation), its status and response code, and a cursor over
 * the rest, which the caller walks token by token. Quoted strings are
 * unescaped in place, so the buffer must be writable.
 *
 * Every function returns LETHE_E_PARSE on a malformed response, with a
 * message in err that says what was expected and where; nothing here ever
 * reads outside the buffer it was given. */
#ifndef LETHE_IMAP_PARSE_H
#define LETHE_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynbuf.h"
#include "err.h"

/* How deep parenthesised lists may nest (BODYSTRUCTURE goes deepest). */
#define IMAP_MAX_DEPTH 32

enum imap_tok_type {
  IMAP_TOK_END,         /* nothing left */
  IMAP_TOK_ATOM,        /* also flags (\Seen) and fetch names (BODY[HEADER]<0>) */
  IMAP_TOK_NUMBER,      /* an atom of digits that fits in 63 bits */
  IMAP_TOK_STRING,      /* quoted (unescaped) or literal */
  IMAP_TOK_NIL,
  IMAP_TOK_OPEN,        /* ( */
  IMAP_TOK_CLOSE,       /* ) */
};

struct imap_tok {
  enum imap_tok_type type;
  const char *p;        /* ATOM, NUMBER, STRING: the text (not NUL-terminated) */
  size_t len;
  uint64_t num;         /* NUMBER */
};

/* A position in a response. end is one past the last byte. */
struct imap_cursor {
  char *p;
  char *end;
  int depth;            /* lists opened and not yet closed */
};

enum imap_kind {
  IMAP_UNTAGGED,        /* "* ..." */
  IMAP_TAGGED,          /* "A0001 OK ..." */
  IMAP_CONTINUE,        /* "+ ..." */
};

enum imap_status {
  IMAP_ST_NONE,         /* a data response: "* 3 EXISTS", "* SEARCH 1 2" */
  IMAP_ST_OK,
  IMAP_ST_NO,
  IMAP_ST_BAD,
  IMAP_ST_BYE,
  IMAP_ST_PREAUTH,
};

struct imap_resp {
  enum imap_kind kind;
  const char *tag;      /* IMAP_TAGGED */
  size_t tag_len;
  enum imap_status status;
  bool has_number;      /* "* 12 FETCH": 12 */
  uint32_t number;
  const char *name;     /* "FETCH", "EXISTS", "CAPABILITY", "OK" ... (upper-cased) */
  size_t name_len;
  const char *code;     /* the response code inside [ ], or NULL */
  size_t code_len;
  const char *text;     /* the human-readable text of a status response */
  size_t text_len;
  struct imap_cursor rest; /* after name (data responses) */
};

/* Split the response buf[0..len) (without its final CRLF) into r. The
 * cursor r->rest points into buf, which must outlive r. */
lethe_rc imap_resp_parse(char *buf, size_t len, struct imap_resp *r,
                         struct lethe_err *err) WUR;

/* True if the response's name is word (ASCII, case-insensitive). */
bool imap_resp_is(const struct imap_resp *r, const char *word);

/* The next token at c. Spaces between tokens are skipped. */
lethe_rc imap_next(struct imap_cursor *c, struct imap_tok *t, struct lethe_err *err) WUR;

/* Skip one complete value at c: a token, or a whole list with what it holds. */
lethe_rc imap_skip_value(struct imap_cursor *c, struct lethe_err *err) WUR;

/* True if the token is the atom word (case-insensitive). */
bool imap_tok_is(const struct imap_tok *t, const char *word);

/* The attributes of a FETCH response that Lethe asks for. A field is only
 * meaningful when its has_ flag is set. Strings point into the response. */
struct imap_fetch {
  bool has_uid;
  uint32_t uid;
  bool has_size;
  uint64_t size;                 /* RFC822.SIZE */
  bool has_internaldate;
  const char *internaldate;      /* "17-Jul-1996 02:44:25 -0700" */
  size_t internaldate_len;
  bool has_flags;
  struct imap_cursor flags;      /* inside the FLAGS list: walk with imap_flags_has */
  bool has_header;
  const char *header;            /* BODY[HEADER.FIELDS (...)] contents, or NULL for NIL */
  size_t header_len;
  bool has_body;
  const char *body;              /* BODY[] contents, or NULL for NIL */
  size_t body_len;
};

/* Parse the attribute list of a FETCH response (r->rest). Attributes Lethe
 * did not ask for are skipped whole. */
lethe_rc imap_fetch_parse(const struct imap_resp *r, struct imap_fetch *f,
                          struct lethe_err *err) WUR;

/* True if the flag list holds flag (case-insensitive, as RFC 3501 compares
 * flags). A malformed list is treated as holding nothing. */
bool imap_flags_has(const struct imap_cursor *flags, const char *flag);

/* Call fn with each number of a "* SEARCH n n ..." response (r->rest); a
 * trailing "(MODSEQ n)" (RFC 7162) is ignored. fn returns non-zero to stop
 * with that code. */
typedef lethe_rc (*imap_number_fn)(void *ctx, uint32_t n);
lethe_rc imap_search_each(const struct imap_resp *r, imap_number_fn fn, void *ctx,
                          struct lethe_err *err) WUR;

/* Call fn with each number of a sequence set "1:3,7" (as in VANISHED and
 * COPYUID). Ranges may be written either way round; "*" is refused. Ranges
 * of more than max numbers in total give LETHE_E_RANGE. */
lethe_rc imap_set_each(const char *s, size_t len, uint64_t max, imap_number_fn fn, void *ctx,
                       struct lethe_err *err) WUR;

/* Append to out a sequence set ("1:3,7,9:12") of the leading numbers of
 * uids[0..n), which must be sorted ascending without duplicates, while the
 * text stays within max_len bytes; returns how many were taken (at least one
 * if n > 0 and max_len >= 10; 0 when out is full or memory ran out). */
size_t imap_set_write(const uint32_t *uids, size_t n, size_t max_len, struct dynbuf *out);

/* The number of a response code "NAME n" (UIDVALIDITY, UIDNEXT): true and
 * *out set if r's code is that. */
bool imap_code_number(const struct imap_resp *r, const char *name, uint32_t *out);

/* Whether the CAPABILITY list text[0..len) (space-separated atoms, as in a
 * CAPABILITY response or code) holds cap (case-insensitive). */
bool imap_caps_has(const char *text, size_t len, const char *cap);

/* Whether k is an IMAP keyword a rule may name (an atom, not a \system
 * flag, at most 200 bytes), such as $LetheHold. */
bool imap_keyword_valid(const char *k);

/* Append s[0..len) to out as an IMAP astring argument: a quoted string with
 * '"' and '\' escaped. LETHE_E_PARSE if s holds a NUL, CR or LF, or a byte
 * above 0x7f (send non-ASCII mailbox names through imap_utf7_encode). */
lethe_rc imap_quote(const char *s, size_t len, struct dynbuf *out) WUR;

/* Modified UTF-7 (RFC 3501 section 5.1.3): mailbox names on the wire.
 * Encode UTF-8 s[0..len) onto out: LETHE_E_PARSE for invalid UTF-8 (overlong,
 * surrogates, above U+10FFFF) or a NUL. */
lethe_rc imap_utf7_encode(const char *s, size_t len, struct dynbuf *out) WUR;

/* Decode modified UTF-7 s[0..len) into UTF-8 on out: LETHE_E_PARSE for bad
 * base64, a non-canonical encoding, unpaired surrogates, or bytes above 0x7e. */
lethe_rc imap_utf7_decode(const char *s, size_t len, struct dynbuf *out) WUR;

#endif
