/* lethe show's renderings (see show_render.h). */
#include "show_render.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "text.h"
#include "uri.h"

static const char *get(struct json_object *o, const char *key)
{
  struct json_object *v;
  if(!o || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return NULL;
  return json_object_get_string(v);
}

static unsigned long long num(struct json_object *o, const char *key)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, key, &v) ? (unsigned long long)
         json_object_get_uint64(v) : 0;
}

static struct json_object *sub(struct json_object *o, const char *key)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* How many part files a lethe-certificate/2 certificate lists. */
static size_t parts_of(struct json_object *doc)
{
  struct json_object *parts = sub(doc, "parts");
  return parts && json_object_is_type(parts, json_type_array) ? json_object_array_length(parts)
                                                              : 0;
}

/* s made printable (valid UTF-8, no control characters); a URI decoded
 * first so that people read the path. Valid until the next call. */
static const char *clean(struct show_out *o, const char *s, bool is_uri)
{
  db_reset(&o->clean);
  if(!s)
    return "";
  db_reset(&o->raw);
  if(is_uri && !uri_decode(s, &o->raw))
    s = db_str(&o->raw);
  if(text_add_printable(&o->clean, s, strlen(s)))
    db_reset(&o->clean);
  return db_str(&o->clean);
}

/* The i-th approval of the plan (lethe approve) as "WHO (FINGERPRINT) at
 * TIME" in buf; false past the last. */
static bool approval_text(struct json_object *doc, size_t i, char *buf, size_t n)
{
  struct json_object *list = sub(doc, "approvals"), *a;
  if(!list || !json_object_is_type(list, json_type_array) ||
     i >= json_object_array_length(list))
    return false;
  a = json_object_array_get_idx(list, i);
  snprintf(buf, n, "%s (%s) at %s", get(a, "principal") ? get(a, "principal") : "?",
           get(a, "fingerprint") ? get(a, "fingerprint") : "?",
           get(a, "approved_at") ? get(a, "approved_at") : "?");
  return true;
}

/* ---- text ---------------------------------------------------------------- */

static void text_field(struct show_out *b, const char *label, const char *value)
{
  if(value)
    printf("  %-12s %s\n", label, clean(b, value, false));
}

static void text_header(struct json_object *doc, struct show_out *b, const char *file)
{
  char sig[4200];
  printf("Certificate of deletion %s\n", clean(b, get(doc, "id"), false));
  text_field(b, "schema", get(doc, "schema"));
  text_field(b, "issued", get(doc, "issued_at"));
  text_field(b, "host", get(doc, "host"));
  text_field(b, "operator", get(doc, "operator"));
  printf("  %-12s lethe %s\n", "agent", clean(b, get(doc, "agent_version"), false));
  text_field(b, "started", get(doc, "started"));
  text_field(b, "finished", get(doc, "finished"));
  text_field(b, "status", get(doc, "status"));
  if(json_object_get_boolean(sub(doc, "recovered")))
    text_field(b, "recovered", "yes: the run was interrupted and completed by recovery");
  text_field(b, "plan", get(doc, "plan_hash") ? get(doc, "plan_hash") : "none");
  for(size_t i = 0; approval_text(doc, i, sig, sizeof(sig)); i++)
    text_field(b, "approved by", sig);
  text_field(b, "previous", get(doc, "previous") ? get(doc, "previous")
                                                 : "none (the first in its ledger)");
  snprintf(sig, sizeof(sig), "%s.sig", file);
  text_field(b, "signature", access(sig, F_OK) ? "no .sig file beside it"
                                               : "in the .sig file beside it (lethe verify "
                                                 "checks it)");
  if(parts_of(doc)) {
    snprintf(sig, sizeof(sig), "%zu files beside it (ID.part-NNNN.json), each with its .sig",
             parts_of(doc));
    text_field(b, "items in", sig);
  }
}

static void text_totals(struct json_object *doc)
{
  struct json_object *t = sub(doc, "totals");
  char size[16];
  text_size(num(t, "bytes_deleted"), size);
  printf("\nTotals: %llu item%s: %llu deleted (%s), %llu failed, %llu skipped, %llu held\n",
         num(t, "items"), num(t, "items") == 1 ? "" : "s", num(t, "deleted"), size,
         num(t, "failed"), num(t, "skipped"), num(t, "held"));
}

static void text_rules(struct json_object *doc, struct show_out *b)
{
  struct json_object *rules = sub(doc, "rules");
  for(size_t i = 0; rules && i < json_object_array_length(rules); i++) {
    struct json_object *r = json_object_array_get_idx(rules, i);
    printf("\nRule %s\n", clean(b, get(r, "name"), false));
    text_field(b, "description", get(r, "description"));
    text_field(b, "basis", get(r, "basis"));
    text_field(b, "source", get(r, "source"));
    text_field(b, "retain", get(r, "retain"));
    text_field(b, "clock", get(r, "clock"));
    text_field(b, "action", get(r, "action"));
    text_field(b, "method", get(r, "method"));
  }
}

/* Print s made printable. */
static void tput(struct show_out *b, const char *s, bool is_uri)
{
  fputs(clean(b, s, is_uri), stdout);
}

static void text_item(struct show_out *b, const struct cert_item *it)
{
  const char *why = it->error ? it->error : it->reason;
  char size[16];
  text_size(it->size, size);
  printf("  %-8s ", clean(b, it->result, false));
  tput(b, it->uri, true);
  fputs("\n           rule ", stdout);
  tput(b, it->rule, false);
  printf(", %s, %s", clean(b, it->kind ? it->kind : "item", false), size);
  if(it->clock_name || it->clock_value) {
    printf(", clock %s ", clean(b, it->clock_name, false));
    tput(b, it->clock_value ? it->clock_value : "unknown", false);
  }
  if(it->deleted_at) {
    printf("\n           deleted %s by ", clean(b, it->deleted_at, false));
    tput(b, it->plugin ? it->plugin : "?", false);
    printf(": %s", clean(b, it->method, false));
  }
  printf("\n           level %s", clean(b, it->level, false));
  if(it->level_reason)
    printf(": %s", clean(b, it->level_reason, false));
  putchar('\n');
  if(why)
    printf("           %s: %s\n", it->error ? "error" : "reason", clean(b, why, false));
  if(it->recovered)
    puts("           outcome established by recovery");
}

/* ---- HTML ---------------------------------------------------------------- */

static const char style[] =
  "body{font-family:sans-serif;margin:2em;color:#111}"
  "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.5em}"
  "table{border-collapse:collapse;width:100%}"
  "th,td{border:1px solid #888;padding:.25em .5em;text-align:left;vertical-align:top;"
  "font-size:.85em}"
  "th{background:#eee}table.meta th{width:12em}"
  ".mono{font-family:monospace;overflow-wrap:anywhere}.num{text-align:right;white-space:nowrap}"
  "table.items th:nth-child(2){width:30%}"
  ".deleted{color:#060}.failed{color:#a00;font-weight:bold}.skipped,.held{color:#850}"
  "p.foot{font-size:.8em;margin-top:2em;color:#444}"
  "@media print{body{margin:1cm}tr{page-break-inside:avoid}th{background:#ddd}}";

/* Printable, then HTML-escaped. */
static void html_put(struct show_out *b, const char *s, bool is_uri)
{
  text_put_html(stdout, clean(b, s, is_uri));
}

static void html_row(struct show_out *b, const char *label, const char *value, bool mono)
{
  if(!value)
    return;
  printf("<tr><th>%s</th><td%s>", label, mono ? " class=\"mono\"" : "");
  html_put(b, value, false);
  fputs("</td></tr>\n", stdout);
}

static void html_header(struct json_object *doc, struct show_out *b)
{
  char approved[1024];
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        "Certificate of deletion ", stdout);
  html_put(b, get(doc, "id"), false);
  printf("</title>\n<style>%s</style>\n</head>\n<body>\n<h1>Certificate of deletion</h1>\n"
         "<table class=\"meta\">\n", style);
  html_row(b, "Certificate", get(doc, "id"), true);
  html_row(b, "Schema", get(doc, "schema"), false);
  html_row(b, "Issued", get(doc, "issued_at"), false);
  html_row(b, "Host", get(doc, "host"), false);
  html_row(b, "Operator", get(doc, "operator"), false);
  html_row(b, "Agent", get(doc, "agent_version"), false);
  html_row(b, "Run started", get(doc, "started"), false);
  html_row(b, "Run finished", get(doc, "finished"), false);
  html_row(b, "Status", get(doc, "status"), false);
  if(json_object_get_boolean(sub(doc, "recovered")))
    html_row(b, "Recovered", "yes: the run was interrupted and completed by recovery", false);
  html_row(b, "Plan", get(doc, "plan_hash") ? get(doc, "plan_hash") : "none", true);
  for(size_t i = 0; approval_text(doc, i, approved, sizeof(approved)); i++)
    html_row(b, "Approved by", approved, false);
  html_row(b, "Previous certificate", get(doc, "previous") ? get(doc, "previous")
                                                           : "none (the first in its ledger)",
           true);
  fputs("</table>\n", stdout);
}

static void html_totals(struct json_object *doc)
{
  struct json_object *t = sub(doc, "totals");
  char size[16];
  text_size(num(t, "bytes_deleted"), size);
  printf("<h2>Totals</h2>\n<p>%llu item%s: %llu deleted (%s), %llu failed, %llu skipped, "
         "%llu held.</p>\n", num(t, "items"), num(t, "items") == 1 ? "" : "s",
         num(t, "deleted"), size, num(t, "failed"), num(t, "skipped"), num(t, "held"));
}

static void html_rules(struct json_object *doc, struct show_out *b)
{
  struct json_object *rules = sub(doc, "rules");
  fputs("<h2>Rules</h2>\n<table>\n<tr><th>Rule</th><th>Description and basis</th>"
        "<th>Source</th><th>Retain</th><th>Action and method</th></tr>\n", stdout);
  for(size_t i = 0; rules && i < json_object_array_length(rules); i++) {
    struct json_object *r = json_object_array_get_idx(rules, i);
    fputs("<tr><td>", stdout);
    html_put(b, get(r, "name"), false);
    fputs("</td><td>", stdout);
    html_put(b, get(r, "description"), false);
    fputs("<br>Basis: ", stdout);
    html_put(b, get(r, "basis") ? get(r, "basis") : "not given", false);
    fputs("</td><td class=\"mono\">", stdout);
    html_put(b, get(r, "source"), false);
    fputs("</td><td>", stdout);
    html_put(b, get(r, "retain"), false);
    fputs(" (clock ", stdout);
    html_put(b, get(r, "clock"), false);
    fputs(")</td><td>", stdout);
    html_put(b, get(r, "action"), false);
    fputs(": ", stdout);
    html_put(b, get(r, "method"), false);
    fputs("</td></tr>\n", stdout);
  }
  fputs("</table>\n", stdout);
}

static void html_item(struct show_out *b, const struct cert_item *it)
{
  const char *why = it->error ? it->error : it->reason;
  char size[16];
  text_size(it->size, size);
  fputs("<tr><td class=\"", stdout);
  html_put(b, it->result, false);
  fputs("\">", stdout);
  html_put(b, it->result, false);
  fputs("</td><td class=\"mono\">", stdout);
  html_put(b, it->uri, true);
  printf("</td><td class=\"num\">%s</td><td>", size);
  html_put(b, it->rule, false);
  fputs("</td><td>", stdout);
  html_put(b, it->deleted_at ? it->deleted_at : "", false);
  fputs("</td><td>", stdout);
  html_put(b, it->method, false);
  fputs("</td><td>", stdout);
  html_put(b, it->level, false);
  if(it->level_reason) {
    fputs(": ", stdout);
    html_put(b, it->level_reason, false);
  }
  fputs("</td><td>", stdout);
  html_put(b, why ? why : "", false);
  fputs("</td></tr>\n", stdout);
}

/* ---- the three steps ------------------------------------------------------ */

void show_out_init(struct show_out *o, bool html)
{
  memset(o, 0, sizeof(*o));
  o->html = html;
  db_init(&o->clean, 64 * 1024 * 1024);
  db_init(&o->raw, 16 * 1024 * 1024);
}

void show_out_release(struct show_out *o)
{
  db_release(&o->clean);
  db_release(&o->raw);
}

void show_begin(struct show_out *o, const struct cert_reader *head, const char *file)
{
  struct json_object *doc = head->meta;
  if(o->html) {
    html_header(doc, o);
    html_totals(doc);
    html_rules(doc, o);
    fputs("<h2>Items</h2>\n<table class=\"items\">\n<tr><th>Result</th><th>Item</th><th>Size</th>"
          "<th>Rule</th><th>Deleted at</th><th>Method</th><th>Sanitization level</th>"
          "<th>Error or reason</th></tr>\n", stdout);
    return;
  }
  text_header(doc, o, file);
  text_totals(doc);
  text_rules(doc, o);
  printf("\nItems\n");
}

lethe_rc show_item(void *ctx, const struct cert_item *it)
{
  struct show_out *o = ctx;
  o->items++;
  if(o->html)
    html_item(o, it);
  else
    text_item(o, it);
  return ferror(stdout) ? LETHE_E_IO : LETHE_OK;
}

void show_end(struct show_out *o)
{
  if(!o->html) {
    if(!o->items)
      puts("  none: this run deleted nothing, and the certificate records that it ran");
    return;
  }
  if(!o->items)
    fputs("<tr><td colspan=\"8\">None: this run deleted nothing; the certificate records "
          "that it ran.</td></tr>\n", stdout);
  fputs("</table>\n<p class=\"foot\">This page renders the certificate; its proof is the "
        "SSH signature beside it in the ledger. Check it with <code>lethe verify</code>, or "
        "<code>ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n certificate@lethe "
        "-s ID.json.sig &lt; ID.json</code> (and the same for each ID.part-NNNN.json of a "
        "certificate in parts).</p>\n</body>\n</html>\n", stdout);
}
