/* Certificates: names of columns and of files (see certificate.h). */
#include "certificate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const column_names[CERT_COL__COUNT] = {
  [CERT_COL_GROUP] = "group",
  [CERT_COL_URI] = "uri",
  [CERT_COL_RESULT] = "result",
  [CERT_COL_SIZE] = "size",
  [CERT_COL_SUBJECT] = "subject",
  [CERT_COL_CLOCK_VALUE] = "clock_value",
  [CERT_COL_DELETED_AT] = "deleted_at",
  [CERT_COL_ERROR] = "error",
  [CERT_COL_REASON] = "reason",
  [CERT_COL_DETAIL] = "detail",
  [CERT_COL_MESSAGE_ID] = "message_id_sha256",
};

const char *cert_column_name(enum cert_column c)
{
  return c < CERT_COL__COUNT ? column_names[c] : NULL;
}

void certificate_release(struct certificate *c)
{
  strlist_release(&c->rules);
  memset(c, 0, sizeof(*c));
}

void certificate_dir(const char *issued_at, char *buf, size_t size)
{
  snprintf(buf, size, CERTIFICATE_DIR "/%.4s/%.2s", issued_at, issued_at + 5);
}

void certificate_part_name(const char *id, unsigned part, char *buf, size_t size)
{
  snprintf(buf, size, "%s.part-%04u.json", id, part);
}

static bool is_id(const char *s)
{
  for(size_t i = 0; i < UUID_TEXT_LEN - 1; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if(dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i])
      return false;
  }
  return true;
}

/* rest is what follows the id: ".json" or ".part-NNNN.json", with ".sig"
 * when sig. */
static enum cert_file_kind kind_of_rest(const char *rest, bool sig, unsigned *part)
{
  size_t n = strlen(rest);
  if(!strcmp(rest, ".json"))
    return sig ? CERT_FILE_HEAD_SIG : CERT_FILE_HEAD;
  if(n != strlen(".part-0000.json") || strncmp(rest, ".part-", 6) ||
     strcmp(rest + 10, ".json") || strspn(rest + 6, "0123456789") != 4)
    return CERT_FILE_OTHER;
  *part = (unsigned)strtoul(rest + 6, NULL, 10);
  if(!*part)
    return CERT_FILE_OTHER;
  return sig ? CERT_FILE_PART_SIG : CERT_FILE_PART;
}

enum cert_file_kind certificate_file_kind(const char *name, char id[UUID_TEXT_LEN], unsigned *part)
{
  char rest[64];
  size_t n = strlen(name);
  bool sig = n > 4 && !strcmp(name + n - 4, ".sig");
  *part = 0;
  if(n < UUID_TEXT_LEN - 1 || !is_id(name) || n - (UUID_TEXT_LEN - 1) >= sizeof(rest))
    return CERT_FILE_OTHER;
  memcpy(id, name, UUID_TEXT_LEN - 1);
  id[UUID_TEXT_LEN - 1] = '\0';
  snprintf(rest, sizeof(rest), "%.*s", (int)(n - (UUID_TEXT_LEN - 1) - (sig ? 4 : 0)),
           name + UUID_TEXT_LEN - 1);
  return kind_of_rest(rest, sig, part);
}
