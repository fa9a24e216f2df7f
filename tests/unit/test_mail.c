/* Tests for mail.c: a notice with its HTML attachment is one well-formed
 * multipart/mixed message, the attachment in base64 lines of 76. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "mail.h"

static struct mail notice(const struct mail_address *to)
{
  struct mail m = { .from = { "Lethe", "lethe@example.org" }, .to = to, .n_to = 1,
                    .subject = "Notice", .body = "line one\nline two\n", .date = 0 };
  return m;
}

static void plain_message_has_no_parts(void **state)
{
  struct mail_address to = { NULL, "pm@example.org" };
  struct mail m = notice(&to);
  struct dynbuf out;
  (void)state;
  db_init(&out, 1 << 20);
  assert_int_equal(mail_compose(&m, &out), LETHE_OK);
  assert_non_null(strstr(db_str(&out), "Content-Type: text/plain; charset=utf-8\r\n"));
  assert_null(strstr(db_str(&out), "multipart"));
  assert_non_null(strstr(db_str(&out), "\r\n\r\nline one\r\nline two\r\n"));
  db_release(&out);
}

static void attachment_is_base64_part(void **state)
{
  struct mail_address to = { NULL, "pm@example.org" };
  struct mail m = notice(&to);
  char big[100], line[128];
  struct dynbuf out;
  const char *s, *b;
  (void)state;
  memset(big, 'x', sizeof(big));
  m.attachment = big;
  m.attachment_len = sizeof(big);
  m.attachment_name = "plan.html";
  m.attachment_type = "text/html; charset=utf-8";
  db_init(&out, 1 << 20);
  assert_int_equal(mail_compose(&m, &out), LETHE_OK);
  s = db_str(&out);
  b = strstr(s, "Content-Type: multipart/mixed; boundary=\"=_lethe_");
  assert_non_null(b);
  assert_non_null(strstr(s, "Content-Disposition: attachment; filename=\"plan.html\"\r\n"));
  /* 57 bytes of 'x' make 76 characters, the last 43 bytes 60 with padding */
  strcpy(line, "\r\n\r\n");
  for(int i = 0; i < 19; i++)
    strcat(line, "eHh4");
  strcat(line, "\r\neHh4");
  assert_non_null(strstr(s, line));
  assert_non_null(strstr(s, "eHh4eA==\r\n--=_lethe_"));
  assert_non_null(strstr(s, "line two\r\n--=_lethe_"));
  assert_int_equal(strcmp(s + out.len - 4, "--\r\n"), 0);
  db_release(&out);
}

static void attachment_name_cannot_add_a_header(void **state)
{
  struct mail_address to = { NULL, "pm@example.org" };
  struct mail m = notice(&to);
  struct dynbuf out;
  (void)state;
  m.attachment = "x";
  m.attachment_len = 1;
  m.attachment_name = "a\r\nBcc: x@example.org";
  m.attachment_type = "text/html";
  db_init(&out, 1 << 20);
  assert_int_equal(mail_compose(&m, &out), LETHE_E_PARSE);
  db_release(&out);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(plain_message_has_no_parts),
    cmocka_unit_test(attachment_is_base64_part),
    cmocka_unit_test(attachment_name_cannot_add_a_header),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
