/* Composing a plain-text e-mail, with an attachment or not. */
#include "mail.h"

#include <string.h>

#include "isotime.h"
#include "uuid.h"

bool mail_address_ok(const char *addr)
{
  const char *at = addr ? strchr(addr, '@') : NULL;
  if(!at || at == addr || !at[1] || strchr(at + 1, '@'))
    return false;
  for(const unsigned char *p = (const unsigned char *)addr; *p; p++)
    if(*p <= ' ' || *p == 0x7f || strchr("\"<>(),;:\\[]", *p))
      return false;
  return true;
}

static const char b64[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The base64 of the n (1 to 3) bytes at s into q[0..4). */
static void b64_quad(const unsigned char *s, size_t n, char q[4])
{
  unsigned a = s[0], b = n > 1 ? s[1] : 0, c = n > 2 ? s[2] : 0;
  q[0] = b64[a >> 2];
  q[1] = b64[((a & 3) << 4) | (b >> 4)];
  q[2] = n > 1 ? b64[((b & 15) << 2) | (c >> 6)] : '=';
  q[3] = n > 2 ? b64[c & 63] : '=';
}

static bool is_ascii_printable(const char *s)
{
  for(const unsigned char *p = (const unsigned char *)s; *p; p++)
    if(*p < ' ' || *p > '~')
      return false;
  return true;
}

/* s as a header value: as it is when it is printable ASCII, else as RFC
 * 2047 "B" words of UTF-8 (line breaks first made spaces). */
static lethe_rc add_header_text(struct dynbuf *out, const char *s)
{
  size_t n = strlen(s);
  lethe_rc rc = LETHE_OK;
  if(is_ascii_printable(s))
    return db_adds(out, s);
  /* 45 input bytes make 60 characters: each word stays within 75 */
  for(size_t i = 0; i < n && !rc; i += 45) {
    size_t end = i + 45 < n ? i + 45 : n;
    rc = db_adds(out, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
    for(size_t j = i; j < end && !rc; j += 3) {
      size_t k = end - j < 3 ? end - j : 3;
      unsigned char in[3] = { 0 };
      char q[4];
      for(size_t x = 0; x < k; x++)
        in[x] = s[j + x] == '\r' || s[j + x] == '\n' ? ' ' : (unsigned char)s[j + x];
      b64_quad(in, k, q);
      rc = db_add(out, q, 4);
    }
    if(!rc)
      rc = db_adds(out, "?=");
  }
  return rc;
}

static lethe_rc add_address(struct dynbuf *out, const struct mail_address *a)
{
  lethe_rc rc = LETHE_OK;
  if(!mail_address_ok(a->addr))
    return LETHE_E_PARSE;
  if(a->name && *a->name && is_ascii_printable(a->name) && !strpbrk(a->name, "\"\\"))
    rc = db_addf(out, "\"%s\" ", a->name);
  else if(a->name && *a->name) {
    rc = add_header_text(out, a->name);
    if(!rc)
      rc = db_adds(out, " ");
  }
  if(!rc)
    rc = db_addf(out, "<%s>", a->addr);
  return rc;
}

/* "Tue, 01 Dec 2026 10:00:00 +0000" */
static lethe_rc add_date(struct dynbuf *out, int64_t t)
{
  static const char *const days[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  struct civil c;
  int64_t day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  isotime_to_civil(t, &c);
  return db_addf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
                 days[((day % 7) + 7) % 7], c.day, months[c.month - 1], c.year, c.hour,
                 c.minute, c.second);
}

static lethe_rc add_body(struct dynbuf *out, const char *body)
{
  lethe_rc rc = LETHE_OK;
  for(const char *p = body; *p && !rc;) {
    size_t n = strcspn(p, "\r\n");
    rc = db_add(out, p, n);
    if(!rc)
      rc = db_adds(out, "\r\n");
    p += n;
    if(*p == '\r')
      p++;
    if(*p == '\n')
      p++;
  }
  return rc;
}

/* The attachment in base64, 57 bytes (76 characters) a line. */
static lethe_rc add_base64(struct dynbuf *out, const unsigned char *p, size_t n)
{
  lethe_rc rc = LETHE_OK;
  for(size_t i = 0; i < n && !rc; i += 57) {
    size_t end = i + 57 < n ? i + 57 : n;
    char line[78];
    size_t len = 0;
    for(size_t j = i; j < end; j += 3, len += 4)
      b64_quad(p + j, end - j < 3 ? end - j : 3, line + len);
    line[len++] = '\r';
    line[len++] = '\n';
    rc = db_add(out, line, len);
  }
  return rc;
}

static bool header_safe(const char *s)
{
  return s && *s && is_ascii_printable(s) && !strpbrk(s, "\"\\");
}

static lethe_rc add_headers(const struct mail *m, const char *id, struct dynbuf *out)
{
  lethe_rc rc = db_adds(out, "From: ");
  if(!rc)
    rc = add_address(out, &m->from);
  if(!rc)
    rc = db_adds(out, "\r\nTo: ");
  for(size_t i = 0; i < m->n_to && !rc; i++) {
    if(i)
      rc = db_adds(out, ",\r\n ");
    if(!rc)
      rc = add_address(out, &m->to[i]);
  }
  if(!rc)
    rc = db_adds(out, "\r\nSubject: ");
  if(!rc)
    rc = add_header_text(out, m->subject);
  if(!rc)
    rc = db_adds(out, "\r\n");
  if(!rc)
    rc = add_date(out, m->date);
  if(!rc)
    rc = db_addf(out, "Message-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n"
                 "Auto-Submitted: auto-generated\r\n", id, strchr(m->from.addr, '@') + 1);
  return rc;
}

static const char text_part[] = "Content-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\n\r\n";

/* The body and the attachment as two parts; the boundary is the random
 * Message-ID's, which no text of ours or base64 line can contain. */
static lethe_rc add_multipart(const struct mail *m, const char *id, struct dynbuf *out)
{
  lethe_rc rc = db_addf(out, "Content-Type: multipart/mixed; boundary=\"=_lethe_%s\"\r\n"
                        "\r\nThis is a MIME message.\r\n--=_lethe_%s\r\n%s", id, id,
                        text_part);
  if(!rc)
    rc = add_body(out, m->body);
  if(!rc)
    rc = db_addf(out, "--=_lethe_%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: "
                 "base64\r\nContent-Disposition: attachment; filename=\"%s\"\r\n\r\n", id,
                 m->attachment_type, m->attachment_name);
  if(!rc)
    rc = add_base64(out, (const unsigned char *)m->attachment, m->attachment_len);
  if(!rc)
    rc = db_addf(out, "--=_lethe_%s--\r\n", id);
  return rc;
}

lethe_rc mail_compose(const struct mail *m, struct dynbuf *out)
{
  char id[UUID_TEXT_LEN];
  lethe_rc rc = uuid_v4(id);
  if(!rc && m->attachment &&
     (!header_safe(m->attachment_name) || !header_safe(m->attachment_type)))
    return LETHE_E_PARSE;
  if(!rc)
    rc = add_headers(m, id, out);
  if(!rc && m->attachment)
    return add_multipart(m, id, out);
  if(!rc)
    rc = db_adds(out, text_part);
  if(!rc)
    rc = add_body(out, m->body);
  return rc;
}
