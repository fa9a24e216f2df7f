/* lethe show's two renderings of a certificate, text and one printable
 * HTML page, written to stdout piece by piece: the run (from the top level
 * a cert_reader keeps), then each item as it streams, then the end. */
#ifndef LETHE_SHOW_RENDER_H
#define LETHE_SHOW_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "cert_read.h"

struct show_out {
  bool html;
  struct dynbuf clean;        /* scratch: a value made printable */
  struct dynbuf raw;          /* scratch: a URI decoded */
  uint64_t items;             /* rendered so far */
};

void show_out_init(struct show_out *o, bool html);
void show_out_release(struct show_out *o);

/* The run, its totals and rules, and the items' heading. file is the
 * certificate's path (its .sig is looked for beside it). */
void show_begin(struct show_out *o, const struct cert_reader *head, const char *file);

/* One item (a cert_item_fn). */
lethe_rc show_item(void *o, const struct cert_item *it);

/* After the last item. */
void show_end(struct show_out *o);

#endif
