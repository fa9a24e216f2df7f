#include "inifile.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* inih's stack line buffer is INI_MAX_LINE (200) bytes in Debian's build. */
#define LINE_MAX_LEN 199

struct reader {
  FILE *f;
  const char *path;
  int line;
  struct diag *diag;
  inifile_handler fn;
  void *ctx;
  char *buf;
  size_t bufsize;
};

static const char *skip_space(const char *s)
{
  while(*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* inih in Debian is built without INI_CALL_HANDLER_ON_NEW_SECTION, so the
 * reader announces sections itself: an empty [rule x] must still be seen. */
static void section_header(struct reader *r, const char *s)
{
  const char *end = strchr(s, ']');
  char name[LINE_MAX_LEN + 1];
  size_t n;
  if(!end) {
    diag_error(r->diag, r->path, r->line, "section header has no closing ']'");
    return;
  }
  s = skip_space(s);
  n = (size_t)(end - s);
  while(n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  memcpy(name, s, n);
  name[n] = '\0';
  r->fn(r->ctx, name, NULL, NULL, r->line);
}

/* Check one line; returns false for a line inih must not see. */
static bool check_syntax(struct reader *r, const char *line)
{
  const char *s = skip_space(line);
  if(!*s || *s == '\n' || *s == '\r' || *s == ';' || *s == '#')
    return true;
  if(*s == '[') {
    section_header(r, s + 1);
    return true;
  }
  if(s != line) {
    /* inih would take an indented line as a continuation of the value
     * above: "  except = b/x" would silently become part of the previous
     * pattern, and delete more. Refuse it instead. */
    diag_error(r->diag, r->path, r->line, "indented line: continuation lines are not "
               "allowed; start each 'key = value' at the beginning of the line");
    return false;
  }
  if(!strpbrk(s, "=:"))
    diag_error(r->diag, r->path, r->line, "expected '[section]' or 'key = value'");
  return true;
}

/* inih's reader: hands inih one line at a time so r->line is the line of the
 * pair inih reports next. */
static char *read_line(char *str, int num, void *stream)
{
  struct reader *r = stream;
  ssize_t n = getline(&r->buf, &r->bufsize, r->f);
  bool bom;
  if(n < 0)
    return NULL;
  r->line++;
  if(memchr(r->buf, '\0', (size_t)n)) {
    diag_error(r->diag, r->path, r->line, "NUL byte in line");
    str[0] = '\0';
    return str;
  }
  if(n > LINE_MAX_LEN || n >= num) {
    diag_error(r->diag, r->path, r->line, "line longer than %d bytes", LINE_MAX_LEN);
    str[0] = '\0';
    return str;
  }
  /* inih skips a byte-order mark on the first line; so must the check. */
  bom = r->line == 1 && n >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3);
  if(!check_syntax(r, r->buf + (bom ? 3 : 0))) {
    str[0] = '\0';
    return str;
  }
  memcpy(str, r->buf, (size_t)n + 1);
  return str;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
  struct reader *r = user;
  r->fn(r->ctx, section, name, value, r->line);
  return 1;
}

lethe_rc inifile_parse(const char *path, inifile_handler fn, void *ctx, struct diag *d)
{
  struct reader r = { .path = path, .diag = d, .fn = fn, .ctx = ctx };
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  if(fd < 0) {
    diag_error(d, path, 0, "cannot read: %s", strerror(errno));
    return LETHE_E_CONFIG;
  }
  if(fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    diag_error(d, path, 0, "not a regular file");
    close(fd);
    return LETHE_E_CONFIG;
  }
  r.f = fdopen(fd, "r");
  if(!r.f) {
    close(fd);
    return LETHE_E_NOMEM;
  }
  ini_parse_stream(read_line, &r, on_pair, &r);
  if(ferror(r.f))
    diag_error(d, path, r.line, "read error");
  fclose(r.f);
  free(r.buf);
  return LETHE_OK;
}
