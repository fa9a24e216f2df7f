/* Composing a notice before deletion. */
#include "notice_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "report.h"
#include "text.h"
#include "uri.h"

#define BODY_MAX (64u * 1024 * 1024)

/* "2026-12-20 10:00 UTC" from "2026-12-20T10:00:00Z". */
static void shown_date(const char *iso, char out[24])
{
  snprintf(out, 24, "%.10s %.5s UTC", iso, strlen(iso) > 11 ? iso + 11 : "");
}

/* The item's path, decoded and printable, into out (empty when it does not
 * decode). */
static void shown_path(const struct plan_entry *e, struct dynbuf *tmp, struct dynbuf *out)
{
  db_reset(tmp);
  db_reset(out);
  if(!e->path || uri_decode(e->path, tmp) || text_add_printable(out, db_str(tmp), tmp->len))
    db_reset(out);
}

static lethe_rc rule_head(struct dynbuf *b, const struct rule *r)
{
  lethe_rc rc = db_addf(b, "\nRule %s%s%s\n", r->name, r->description ? ": " : "",
                        r->description ? r->description : "");
  if(!rc && r->basis)
    rc = db_addf(b, "  Basis:  %s\n", r->basis);
  if(!rc)
    rc = db_addf(b, "  Source: %s\n\n  %-22s %-9s %s\n", r->source, "May be deleted from",
                 "Size", "Path");
  return rc;
}

static lethe_rc item_line(struct dynbuf *b, const struct plan_entry *e, struct dynbuf *tmp,
                          struct dynbuf *path)
{
  char date[24], size[16];
  shown_date(e->due, date);
  text_size(e->size, size);
  shown_path(e, tmp, path);
  return db_addf(b, "  %-22s %-9s %s\n", date, size, db_str(path));
}

static lethe_rc list_items(const struct notice_msg *m, struct dynbuf *b)
{
  struct dynbuf tmp, path;
  lethe_rc rc = LETHE_OK;
  db_init(&tmp, 1 << 20);
  db_init(&path, 1 << 20);
  for(size_t i = 0; i < m->n && !rc; i++) {
    if(!i || m->items[i].rule_ix != m->items[i - 1].rule_ix)
      rc = rule_head(b, m->p->rules[m->items[i].rule_ix].rule);
    if(!rc)
      rc = item_line(b, &m->items[i].e, &tmp, &path);
  }
  db_release(&tmp);
  db_release(&path);
  return rc;
}

static lethe_rc body(const struct notice_msg *m, bool attached, size_t html_len,
                     struct dynbuf *b)
{
  lethe_rc rc = db_addf(b, "Hello,\n\n%zu item%s kept under the retention rule%s below %s "
                        "reached the end of %s\nretention period. %s in %s notice period "
                        "now, and may be deleted from\nthe date shown.\n", m->n,
                        m->n == 1 ? "" : "s", m->items[m->n - 1].rule_ix !=
                        m->items[0].rule_ix ? "s" : "", m->n == 1 ? "has" : "have",
                        m->n == 1 ? "its" : "their", m->n == 1 ? "It is" : "They are",
                        m->n == 1 ? "its" : "their");
  if(!rc)
    rc = list_items(m, b);
  if(!rc)
    rc = db_adds(b, "\nTo keep an item, move it out of what the rule selects (a recording, for "
                 "example,\ninto the client's confidential folder the rule leaves alone), or "
                 "ask for a\nhold before that date. Nothing needs doing to let it go.\n\n");
  if(!rc && attached)
    rc = db_adds(b, "The attached plan.html lists the same items with the reason for each.\n");
  else if(!rc)
    rc = db_addf(b, "The HTML report of these items (%zu bytes) is larger than the %u bytes "
                 "a notice\nattaches; 'lethe plan --format html' on %s shows it.\n", html_len,
                 NOTICE_ATTACH_MAX, m->host);
  if(!rc)
    rc = db_addf(b, "\n-- \nSent by lethe run on %s: one notice per item and period.\n",
                 m->host);
  return rc;
}

/* The items as a plan of their own, in its HTML report. */
static lethe_rc build_plan(const struct notice_msg *m, struct plan *sub, struct lethe_err *err)
{
  struct plan_rule *pr = NULL;
  lethe_rc rc = plan_init(sub, m->p->now, err);
  sub->notice = true;
  for(size_t i = 0; i < m->n && !rc; i++) {
    const struct plan_rule *orig = &m->p->rules[m->items[i].rule_ix];
    if(!i || m->items[i].rule_ix != m->items[i - 1].rule_ix) {
      rc = i ? plan_end_rule(sub) : LETHE_OK;
      if(!rc)
        rc = plan_begin_rule(sub, orig->rule, &pr);
      if(!rc)
        pr->source_items = orig->source_items;
    }
    if(!rc)
      rc = plan_add_entry(sub, &m->items[i].e);
  }
  if(!rc)
    rc = plan_end_rule(sub);
  if(!rc)
    rc = plan_finish(sub, err);
  return rc;
}

static lethe_rc html_report(const struct notice_msg *m, char **html, size_t *len,
                            struct lethe_err *err)
{
  struct plan sub = { 0 };
  FILE *f;
  lethe_rc rc = build_plan(m, &sub, err);
  *html = NULL;
  *len = 0;
  f = rc ? NULL : open_memstream(html, len);
  if(!rc && !f)
    rc = LETHE_E_NOMEM;
  if(!rc)
    rc = report_write(&sub, REPORT_HTML, f);
  if(f && fclose(f) && !rc)
    rc = LETHE_E_IO;
  plan_release(&sub);
  if(rc && !err->msg[0])
    err_set(err, rc, "cannot write the notice's HTML report: %s", lethe_strerror(rc));
  return rc;
}

static void subject_of(const struct notice_msg *m, char *buf, size_t n)
{
  const char *first = m->items[0].e.due;
  char date[24];
  for(size_t i = 1; i < m->n; i++)
    if(strcmp(m->items[i].e.due, first) < 0)
      first = m->items[i].e.due;
  shown_date(first, date);
  snprintf(buf, n, "Notice before deletion: %zu item%s may be deleted from %.10s", m->n,
           m->n == 1 ? "" : "s", date);
}

lethe_rc notice_compose(const struct notice_msg *m, struct dynbuf *out, bool *attached,
                        struct lethe_err *err)
{
  struct mail_address to = { NULL, m->to };
  struct mail mail = { .from = { "Lethe", m->from }, .to = &to, .n_to = 1,
                       .date = m->p->now };
  char subject[128], *html = NULL;
  size_t html_len = 0;
  struct dynbuf b;
  lethe_rc rc = html_report(m, &html, &html_len, err);
  *attached = !rc && html_len <= NOTICE_ATTACH_MAX;
  db_init(&b, BODY_MAX);
  if(!rc)
    rc = body(m, *attached, html_len, &b);
  subject_of(m, subject, sizeof(subject));
  mail.subject = subject;
  mail.body = db_str(&b);
  if(*attached) {
    mail.attachment = html;
    mail.attachment_len = html_len;
    mail.attachment_name = "plan.html";
    mail.attachment_type = "text/html; charset=utf-8";
  }
  if(!rc)
    rc = mail_compose(&mail, out);
  if(rc && !err->msg[0])
    err_set(err, rc, "cannot compose the notice to %s: %s", m->to, lethe_strerror(rc));
  free(html);
  db_release(&b);
  return rc;
}
