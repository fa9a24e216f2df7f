/* What recovery will ask of an IMAP rule: are these planned messages still
 * there? Loads the configuration and rules as lethe does, asks the rule's
 * store as recovery does (its presence operation) and prints, per
 * identity, "IDENTITY present|gone|renumbered|malformed".
 *
 * usage: imap_presence LETHE.INI RULE IDENTITY...
 * Exit: 0 answered, 1 the question failed (message on stderr), 2 usage. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "rules.h"
#include "sources.h"

int main(int argc, char **argv)
{
  static const char *const names[] = { "present", "gone", "renumbered", "malformed" };
  struct config cfg = { 0 };
  struct ruleset rs = { 0 };
  struct diag d;
  struct lethe_err err = { 0 };
  enum source_presence *out;
  const struct rule *r;
  size_t n = argc > 3 ? (size_t)(argc - 3) : 0;
  int status = 0;
  if(argc < 3) {
    fprintf(stderr, "usage: imap_presence LETHE.INI RULE IDENTITY...\n");
    return 2;
  }
  diag_init(&d);
  if(config_load(argv[1], &cfg, &d) || rules_load(&cfg, &rs, &d) ||
     sources_bind(&rs, &d)) {
    diag_print(&d, stderr);
    return 2;
  }
  r = rules_find(&rs, argv[2]);
  out = calloc(n + 1, sizeof(*out));
  if(!r || !out)
    return 2;
  if(source_of(r)->presence(r, (const char *const *)argv + 3, (const char *const *)argv + 3, n,
                            out, &err)) {
    fprintf(stderr, "imap_presence: %s\n", err.msg);
    status = 1;
  }
  for(size_t i = 0; !status && i < n; i++)
    printf("%s %s\n", argv[3 + i], names[out[i]]);
  free(out);
  ruleset_release(&rs);
  config_release(&cfg);
  diag_release(&d);
  return status;
}
