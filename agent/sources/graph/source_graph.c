#include "source_graph.h"

static void graph_finish_rule(struct rule *r, struct diag *d)
{
  (void)r;
  (void)d;
}

static lethe_rc graph_scan(const struct rule *r, int64_t now, item_sink sink, void *ctx,
                           struct scan_stats *stats, struct lethe_err *err)
{
  (void)r;
  (void)now;
  (void)sink;
  (void)ctx;
  (void)stats;
  return err_set(err, LETHE_E_IO, "this build cannot scan graph:// sources yet");
}

static lethe_rc graph_uris(const struct rule *r, const struct item *it, struct dynbuf *raw,
                           struct dynbuf *encoded, size_t *path_off)
{
  (void)r;
  (void)it;
  (void)raw;
  (void)encoded;
  (void)path_off;
  return LETHE_E_PARSE;
}

static lethe_rc graph_identity(const char *text, struct lethe_identity *out)
{
  (void)text;
  (void)out;
  return LETHE_E_PARSE;
}

static const char *const graph_schemes[] = { "graph://", NULL };
static const char *const graph_keys[] = { "credentials", "tls", "hold-keyword", NULL };

const struct source_ops source_graph_ops = {
  .name = "graph",
  .schemes = graph_schemes,
  .store = LETHE_STORE_GRAPH,
  .clocks = SOURCE_CLOCK(CLOCK_RECEIVED) | SOURCE_CLOCK(CLOCK_SENT) |
            SOURCE_CLOCK(CLOCK_CREATED) | SOURCE_CLOCK(CLOCK_MODIFIED) | SOURCE_CLOCK(CLOCK_END),
  .default_clock = CLOCK_RECEIVED,
  .keys = graph_keys,
  .finish_rule = graph_finish_rule,
  .scan = graph_scan,
  .uris = graph_uris,
  .identity = graph_identity,
};
