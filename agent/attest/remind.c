/* Composing and sending reminders. */
#include "remind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "mail.h"
#include "remind_state.h"

#define KIND_DUE "due"
#define KIND_OVERDUE "overdue"
#define BODY_MAX (1024 * 1024)

struct reminder {
  const struct remind_opts *o;
  struct remind_state state;
  remind_note_fn note;
  void *ctx;
  struct remind_counts *counts;
  struct lethe_err *err;
};

/* The period a reminder is about: the due date, or "never". */
static void period_of(const struct standing *s, char *buf)
{
  if(s->has_due)
    isotime_format_date(s->due, buf);
  else
    strcpy(buf, "never");
}

static bool project_scope(const struct standing *s)
{
  return strcmp(s->row->scope, ROSTER_SCOPE_ALL) != 0;
}

static lethe_rc person_body(const struct standing *s, struct dynbuf *b)
{
  char due[ISODATE_LEN], last[ISODATE_LEN];
  lethe_rc rc = db_addf(b, "Dear %s,\n\n", s->row->name);
  if(!rc && project_scope(s))
    rc = db_addf(b, "Your confirmation that you no longer hold personal data from \"%s\" ",
                 s->row->scope);
  else if(!rc)
    rc = db_adds(b, "Your confirmation that you hold no personal data ");
  if(!rc && s->has_due) {
    isotime_format_date(s->due, due);
    rc = db_addf(b, "%s on %s.\n", s->state == STANDING_OVERDUE ? "was due" : "is due", due);
  } else if(!rc) {
    rc = db_adds(b, "is due now.\n");
  }
  if(!rc && s->last) {
    isotime_format_date(s->last->s.attested_at, last);
    rc = db_addf(b, "Your last confirmation was made on %s.\n", last);
  } else if(!rc) {
    rc = db_adds(b, "We have no confirmation from you yet.\n");
  }
  if(!rc)
    rc = db_addf(b, "\nOn each computer you use for this work, run\n\n    lethe confirm%s%s%s\n\n"
                 "It looks for personal data in your Downloads, Desktop and Documents\n"
                 "folders, deletes what you choose, and sends your signed confirmation.\n"
                 "See 'man lethe-trainers' for how.\n\n"
                 "-- \nSent by lethe attestations for the data protection officer.\n",
                 project_scope(s) ? " --project \"" : "", project_scope(s) ? s->row->scope : "",
                 project_scope(s) ? "\"" : "");
  return rc;
}

static lethe_rc send_one(struct reminder *r, const struct mail_address *to, const char *subject,
                         const char *body, const struct standing *about)
{
  struct mail m = { .from = { "Lethe", r->o->from }, .to = to, .n_to = 1,
                    .subject = subject, .body = body, .date = r->o->now };
  struct lethe_err e = { 0 };
  struct dynbuf msg;
  const char *rcpt[1] = { to->addr };
  lethe_rc rc;
  db_init(&msg, BODY_MAX * 2);
  rc = mail_compose(&m, &msg);
  if(rc)
    err_set(&e, rc, "cannot compose the message: %s", lethe_strerror(rc));
  else
    rc = smtp_send(r->o->smtp, r->o->from, rcpt, 1, msg.mem, msg.len, &e);
  db_release(&msg);
  if(rc)
    r->counts->failed++;
  else
    r->counts->sent++;
  if(r->note)
    r->note(r->ctx, to->addr, about, rc ? e.msg : NULL);
  return rc;
}

static lethe_rc remind_person(struct reminder *r, const struct standing *s)
{
  char period[ISODATE_LEN + 8], subject[200];
  struct mail_address to = { s->row->name, s->row->email };
  struct dynbuf body;
  lethe_rc rc;
  period_of(s, period);
  if(remind_state_sent(&r->state, KIND_DUE, s->row->email, s->row->scope, period)) {
    r->counts->already++;
    return LETHE_OK;
  }
  snprintf(subject, sizeof(subject), "%sPlease confirm that you hold no personal data%s%s",
           s->state == STANDING_OVERDUE ? "Overdue: " : "", s->has_due ? " (due " : "",
           s->has_due ? period : "");
  if(s->has_due)
    strcat(subject, ")");
  db_init(&body, BODY_MAX);
  rc = person_body(s, &body);
  if(!rc && !send_one(r, &to, subject, db_str(&body), s))
    rc = remind_state_add(&r->state, KIND_DUE, s->row->email, s->row->scope, period,
                          r->o->now, r->err);
  db_release(&body);
  return rc;
}

static lethe_rc digest_line(struct dynbuf *b, const struct standing *s)
{
  char date[ISODATE_LEN];
  lethe_rc rc = db_addf(b, "  %s <%s>", s->row->name, s->row->email);
  if(!rc && project_scope(s))
    rc = db_addf(b, ", scope \"%s\"", s->row->scope);
  if(!rc && s->last) {
    isotime_format_date(s->last->s.attested_at, date);
    rc = db_addf(b, ": last confirmed %s", date);
  } else if(!rc) {
    rc = db_adds(b, ": never confirmed");
  }
  if(!rc && s->has_due) {
    isotime_format_date(s->due, date);
    rc = db_addf(b, ", due %s", date);
  }
  return rc ? rc : db_adds(b, "\n");
}

/* One message to the DPO naming everyone who became overdue since the
 * last; recorded per person once it is sent. */
static lethe_rc remind_dpo(struct reminder *r, const struct standing *v, size_t n)
{
  struct mail_address to = { "Data protection officer", r->o->dpo };
  char period[ISODATE_LEN + 8], subject[200];
  struct dynbuf body;
  size_t news = 0;
  lethe_rc rc;
  db_init(&body, BODY_MAX);
  rc = db_adds(&body, "These confirmations that no personal data is held are overdue:\n\n");
  for(size_t i = 0; i < n && !rc; i++) {
    period_of(&v[i], period);
    if(v[i].state != STANDING_OVERDUE)
      continue;
    if(remind_state_sent(&r->state, KIND_OVERDUE, v[i].row->email, v[i].row->scope, period)) {
      r->counts->already++;
      continue;
    }
    news++;
    rc = digest_line(&body, &v[i]);
  }
  if(!rc)
    rc = db_adds(&body, "\nEach has been sent a reminder. 'lethe attestations' lists everyone.\n"
                 "\n-- \nSent by lethe attestations.\n");
  snprintf(subject, sizeof(subject), "Overdue confirmations: %zu %s", news,
           news == 1 ? "person" : "people");
  if(!rc && news && !send_one(r, &to, subject, db_str(&body), NULL))
    for(size_t i = 0; i < n && !rc; i++) {
      period_of(&v[i], period);
      if(v[i].state == STANDING_OVERDUE &&
         !remind_state_sent(&r->state, KIND_OVERDUE, v[i].row->email, v[i].row->scope, period))
        rc = remind_state_add(&r->state, KIND_OVERDUE, v[i].row->email, v[i].row->scope,
                              period, r->o->now, r->err);
    }
  db_release(&body);
  return rc;
}

lethe_rc remind_send(const struct remind_opts *o, const struct standing *v, size_t n,
                     remind_note_fn note, void *ctx, struct remind_counts *counts,
                     struct lethe_err *err)
{
  struct reminder r = { .o = o, .note = note, .ctx = ctx, .counts = counts, .err = err };
  lethe_rc rc;
  memset(counts, 0, sizeof(*counts));
  err_clear(err);
  rc = remind_state_load(&r.state, o->state_dir, err);
  for(size_t i = 0; i < n && !rc; i++)
    if(v[i].state != STANDING_OK)
      rc = remind_person(&r, &v[i]);
  if(!rc && o->dpo)
    rc = remind_dpo(&r, v, n);
  remind_state_release(&r.state);
  return rc;
}
