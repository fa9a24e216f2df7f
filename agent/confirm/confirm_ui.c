/* Showing findings and asking what to do with them. */
#include "confirm_ui.h"

#include <string.h>

#include "glob.h"
#include "text.h"

void confirm_apply_keeps(const struct confirm_config *c, struct sweep *s)
{
  for(size_t i = 0; i < s->n; i++) {
    struct sweep_file *f = &s->files[i];
    for(size_t k = 0; k < c->n_keeps && f->fate == SWEEP_UNDECIDED; k++)
      if(glob_match(c->keeps[k].pattern, f->shown, strlen(f->shown))) {
        f->fate = SWEEP_KEEP;
        f->reason = strdup(c->keeps[k].reason);
      }
  }
}

/* A path as it may be shown on a terminal (no control characters). */
static void put_path(FILE *out, const char *path)
{
  struct dynbuf b;
  db_init(&b, 64 * 1024);
  if(text_add_printable(&b, path, strlen(path)))
    fputs("?", out);
  else
    fputs(db_str(&b), out);
  db_release(&b);
}

static void show_file(FILE *out, size_t i, const struct sweep_file *f)
{
  char size[16];
  text_size(f->size, size);
  fprintf(out, "%3zu  ", i + 1);
  put_path(out, f->shown);
  fprintf(out, "  (%s, %s)%s%s\n", scan_format_name(f->f.format), size,
          f->fate == SWEEP_KEEP ? "  kept: " : "", f->fate == SWEEP_KEEP ? f->reason : "");
  for(int d = 0; d < SCAN_DETECTOR__COUNT; d++) {
    const struct scan_hit *h = &f->f.hits[d];
    if(h->count)
      fprintf(out, "       %-14s %6llu  %s\n", scan_detector_name((enum scan_detector)d),
              (unsigned long long)h->count, h->sample);
  }
}

void confirm_show(FILE *out, const struct sweep *s)
{
  if(!s->n)
    fputs("No personal data found.\n", out);
  else
    fprintf(out, "Personal data found in %zu file%s:\n\n", s->n, s->n == 1 ? "" : "s");
  for(size_t i = 0; i < s->n; i++)
    show_file(out, i, &s->files[i]);
  if(s->n_unread)
    fprintf(out, "\n%zu file%s could not be read:\n", s->n_unread, s->n_unread == 1 ? "" : "s");
  for(size_t i = 0; i < s->n_unread; i++) {
    fputs("     ", out);
    put_path(out, s->unread[i].shown);
    fprintf(out, ": %s\n", s->unread[i].why);
  }
  fflush(out);
}

void confirm_delete_all(struct sweep *s)
{
  for(size_t i = 0; i < s->n; i++)
    if(s->files[i].fate == SWEEP_UNDECIDED)
      s->files[i].fate = SWEEP_DELETE;
}

/* One line of input, without its newline; false at the end of input. */
static bool read_line(FILE *in, char *buf, size_t size)
{
  if(!fgets(buf, (int)size, in))
    return false;
  buf[strcspn(buf, "\r\n")] = '\0';
  return true;
}

/* The answer's first letter, lower case; 0 at the end of input. */
static char ask(FILE *in, FILE *out, const char *question)
{
  char line[256];
  fputs(question, out);
  fflush(out);
  if(!read_line(in, line, sizeof(line)))
    return 0;
  return (char)(line[0] >= 'A' && line[0] <= 'Z' ? line[0] - 'A' + 'a' : line[0]);
}

static bool keep_with_reason(FILE *in, FILE *out, struct sweep_file *f)
{
  char reason[512] = "";
  while(!reason[0]) {
    fputs("     Why must it be kept? ", out);
    fflush(out);
    if(!read_line(in, reason, sizeof(reason)))
      return false;
  }
  f->fate = SWEEP_KEEP;
  f->reason = strdup(reason);
  return f->reason != NULL;
}

static bool one_by_one(FILE *in, FILE *out, struct sweep *s)
{
  for(size_t i = 0; i < s->n; i++) {
    struct sweep_file *f = &s->files[i];
    char a = 0;
    if(f->fate != SWEEP_UNDECIDED)
      continue;
    while(a != 'd' && a != 'k') {
      fprintf(out, "%3zu  ", i + 1);
      put_path(out, f->shown);
      a = ask(in, out, ": [d]elete, [k]eep as an exception, [q]uit? ");
      if(!a || a == 'q')
        return false;
    }
    if(a == 'd')
      f->fate = SWEEP_DELETE;
    else if(!keep_with_reason(in, out, f))
      return false;
  }
  return true;
}

bool confirm_ask(FILE *in, FILE *out, struct sweep *s)
{
  size_t undecided = 0;
  char a = 0;
  for(size_t i = 0; i < s->n; i++)
    undecided += s->files[i].fate == SWEEP_UNDECIDED;
  if(!undecided)
    return true;
  fprintf(out, "\n");
  while(a != 'y' && a != 'n') {
    fprintf(out, "Delete %s%zu file%s listed? [y]es, [n]o: decide one by one, [q]uit ",
            undecided == s->n ? "the " : "", undecided, undecided == 1 ? "" : "s");
    a = ask(in, out, undecided == s->n ? "" : "(the others are kept) ");
    if(!a || a == 'q')
      return false;
  }
  if(a == 'y') {
    confirm_delete_all(s);
    return true;
  }
  return one_by_one(in, out, s);
}
