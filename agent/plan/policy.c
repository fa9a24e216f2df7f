#include "policy.h"

#include <stdio.h>
#include <string.h>

#include "events.h"
#include "glob.h"
#include "isotime.h"
#include "findings_text.h"
#include "namedate.h"
#include "walk.h"

static const char *const names[] = {
  [DECISION_KEEP] = "keep", [DECISION_DELETE] = "delete", [DECISION_HELD] = "held",
  [DECISION_GRACE] = "grace", [DECISION_SKIP] = "skip", [DECISION_REPORT] = "report",
};

const char *decision_name(enum decision d)
{
  return names[d];
}

bool decision_parse(const char *name, enum decision *out)
{
  for(size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if(!strcmp(names[i], name)) {
      *out = (enum decision)i;
      return true;
    }
  }
  return false;
}

const struct hold *policy_find_hold(const struct ruleset *rs, const char *uri, size_t uri_len,
                                    int64_t now)
{
  for(size_t i = 0; i < rs->n_holds; i++) {
    const struct hold *h = rs->holds[i];
    if(h->has_until && h->until <= now)
      continue;
    for(size_t j = 0; j < h->match.n; j++)
      if(glob_match(h->match.v[j], uri, uri_len))
        return h;
  }
  return NULL;
}

static const enum item_time time_of_clock[] = {
  [CLOCK_MTIME] = TIME_MTIME, [CLOCK_BTIME] = TIME_BTIME, [CLOCK_CTIME] = TIME_CTIME,
  [CLOCK_ATIME] = TIME_ATIME, [CLOCK_INTERNALDATE] = TIME_INTERNALDATE,
  [CLOCK_SENTDATE] = TIME_SENTDATE, [CLOCK_RECEIVED] = TIME_RECEIVED,
  [CLOCK_SENT] = TIME_SENT, [CLOCK_CREATED] = TIME_CREATED, [CLOCK_MODIFIED] = TIME_MODIFIED,
  [CLOCK_END] = TIME_END,
};

/* The key an events CSV is searched by: the subject, else the path. */
static void events_key(const struct rule *r, const struct item *it, const char **key,
                       size_t *len)
{
  if(r->subject && it->subject) {
    *key = it->subject;
    *len = it->subject_len;
  }
  else {
    *key = it->rel;
    *len = it->rel_len;
  }
}

/* Read the item's clock; on failure write why into out->reason. */
static bool read_clock(const struct rule *r, const struct item *it,
                       const struct subject_info *subj, struct verdict *out)
{
  const char *key;
  size_t len;
  switch(r->clock) {
  case CLOCK_NAME:
    if(namedate_find(it->name, &out->clock))
      return true;
    snprintf(out->reason, sizeof(out->reason), "clock unreadable: no date in the name");
    return false;
  case CLOCK_NEWEST:
    if(subj && subj->has_newest) {
      out->clock = subj->newest;
      return true;
    }
    snprintf(out->reason, sizeof(out->reason), "clock unreadable: no file inside the "
             "subject to date it");
    return false;
  case CLOCK_EVENTS:
    events_key(r, it, &key, &len);
    if(events_lookup(r->events, key, len, &out->clock))
      return true;
    snprintf(out->reason, sizeof(out->reason), "clock unreadable: no event for '%.*s' in %s",
             (int)(len > 200 ? 200 : len), key, r->events_path);
    return false;
  default:
    if((size_t)r->clock < sizeof(time_of_clock) / sizeof(time_of_clock[0]) &&
       it->has_time[time_of_clock[r->clock]]) {
      out->clock = it->times[time_of_clock[r->clock]];
      return true;
    }
    snprintf(out->reason, sizeof(out->reason), "clock unreadable: %s not available here",
             clock_name(r->clock));
    return false;
  }
}

static bool find_hold(const struct ruleset *rs, const struct item *it, const char *uri,
                      size_t uri_len, int64_t now, struct verdict *out)
{
  const struct hold *h = policy_find_hold(rs, uri, uri_len, now);
  if(h) {
    out->hold = h->name;
    out->hold_reason = h->reason;
    return true;
  }
  if(it->hold_dir) {
    out->hold = WALK_HOLD_MARKER;
    out->hold_reason = it->hold_dir;
    return true;
  }
  if(it->held_by) {
    out->hold = it->held_by;
    out->hold_reason = NULL; /* held_by is the whole phrase */
    return true;
  }
  return false;
}

/* deleted:RULE: when the ledger certifies that RULE deleted the item's
 * subject, matched by the subject's last component (history.h). A subject
 * it never deleted is kept, and not listed: backups of live clients are
 * not the plan's business. */
static bool deleted_clock(const struct rule *r, const struct item *it, struct verdict *out)
{
  const char *last;
  size_t n = it->subject_len;
  if(!it->subject || !r->events) {
    out->decision = DECISION_KEEP;
    return false;
  }
  last = memrchr(it->subject, '/', n);
  last = last ? last + 1 : it->subject;
  if(events_lookup(r->events, last, n - (size_t)(last - it->subject), &out->clock))
    return true;
  out->decision = DECISION_KEEP;
  snprintf(out->reason, sizeof(out->reason), "the ledger certifies no deletion of '%.*s' by "
           "rule %s", (int)(n - (size_t)(last - it->subject)), last, r->deleted_by);
  return false;
}

/* Put the hold first in the reason; what the rule alone would have done
 * follows it (cut to fit). */
static void describe_hold(struct verdict *out, const char *then)
{
  char rest[sizeof(out->reason)];
  memcpy(rest, out->reason, sizeof(rest));
  if(!out->hold_reason)
    snprintf(out->reason, sizeof(out->reason), "held: %.200s%s%.300s", out->hold, then, rest);
  else if(!strcmp(out->hold, WALK_HOLD_MARKER))
    snprintf(out->reason, sizeof(out->reason), "held: marker %s in '%.200s'%s%.300s",
             WALK_HOLD_MARKER, *out->hold_reason ? out->hold_reason : "the source root",
             then, rest);
  else
    snprintf(out->reason, sizeof(out->reason), "held by [hold %.100s]: %.200s%s%.300s",
             out->hold, out->hold_reason, then, rest);
}

/* "<verdict>: CLOCK C + PERIOD = E <op> now N", the arithmetic a person can
 * check, assembled by hand: every item of a plan gets one, and snprintf
 * cost a plan 5% of its time. The parts are short and fit out->reason. */
static void arithmetic(struct verdict *out, const char *verdict, const char *clock,
                       const char *c, const char *period, const char *e, const char *op,
                       const char *n)
{
  const char *parts[] = { verdict, ": ", clock, " ", c, " + ", period, " = ", e, " ", op,
                          " now ", n };
  char *p = out->reason, *end = out->reason + sizeof(out->reason) - 1;
  for(size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    size_t len = strlen(parts[i]);
    if(len > (size_t)(end - p))
      len = (size_t)(end - p);
    memcpy(p, parts[i], len);
    p += len;
  }
  *p = '\0';
}

static void decide(const struct rule *r, const struct ruleset *rs, const struct item *it,
                   const char *uri, size_t uri_len, const struct subject_info *subj,
                   int64_t now, struct verdict *out);

/* "now" and the period are the same for every item of a rule, yet were
 * formatted for each (with snprintf, for the period): a tenth of a large
 * plan's user time. The last text of each is kept, per thread. */
static _Thread_local struct {
  bool has_now, has_period;
  int64_t now;
  struct duration period;
  char now_text[ISOTIME_LEN];
  char period_text[DURATION_TEXT_LEN];
} texts;

static const char *now_text(int64_t now)
{
  if(!texts.has_now || texts.now != now) {
    isotime_format(now, texts.now_text);
    texts.now = now;
    texts.has_now = true;
  }
  return texts.now_text;
}

static const char *period_text(const struct duration *d)
{
  if(!texts.has_period || texts.period.count != d->count || texts.period.unit != d->unit) {
    duration_format(d, texts.period_text);
    texts.period = *d;
    texts.has_period = true;
  }
  return texts.period_text;
}

/* contains =: what the scanner found comes first in the reason. action =
 * report: what would be due is listed as "report", never deleted. */
void policy_decide(const struct rule *r, const struct ruleset *rs, const struct item *it,
                   const char *uri, size_t uri_len, const struct subject_info *subj,
                   int64_t now, struct verdict *out)
{
  char rest[sizeof(out->reason)], found[512];
  decide(r, rs, it, uri, uri_len, subj, now, out);
  if(r->report && (out->decision == DECISION_DELETE || out->decision == DECISION_GRACE))
    out->decision = DECISION_REPORT;
  if(out->decision == DECISION_KEEP || (!it->findings && !r->report))
    return;
  memcpy(rest, out->reason, sizeof(rest));
  if(r->retain_implied && out->decision == DECISION_REPORT) {
    /* no period: the arithmetic of "+ 0 days" would only be noise */
    if(it->findings)
      findings_describe(it->findings, found, sizeof(found));
    snprintf(out->reason, sizeof(out->reason), "%s%.500s%s", it->findings ? "holds " : "",
             it->findings ? found : "", it->findings ? "" : "reported (never deleted)");
  }
  else if(it->findings) {
    findings_describe(it->findings, found, sizeof(found));
    snprintf(out->reason, sizeof(out->reason), "holds %.500s; %.250s", found, rest);
  }
  else if(out->decision == DECISION_REPORT) {
    snprintf(out->reason, sizeof(out->reason), "reported (never deleted); %.700s", rest);
  }
}

static void decide(const struct rule *r, const struct ruleset *rs, const struct item *it,
                   const char *uri, size_t uri_len, const struct subject_info *subj,
                   int64_t now, struct verdict *out)
{
  char d[ISOTIME_LEN], grace[DURATION_TEXT_LEN];
  const char *c = out->clock_text, *e = out->expires_text, *n, *period;
  bool held;

  memset(out, 0, sizeof(*out));
  held = find_hold(rs, it, uri, uri_len, now, out);
  if(it->problem) {
    out->decision = held ? DECISION_HELD : DECISION_SKIP;
    snprintf(out->reason, sizeof(out->reason), "%s", it->problem);
    if(held)
      describe_hold(out, "; also: ");
    return;
  }
  if(r->clock == CLOCK_DELETED && !deleted_clock(r, it, out))
    return; /* a subject never certified deleted: nothing to purge */
  out->has_clock = r->clock == CLOCK_DELETED || read_clock(r, it, subj, out);
  if(!out->has_clock) {
    out->decision = held ? DECISION_HELD : DECISION_SKIP;
    if(held)
      describe_hold(out, "; also: ");
    return;
  }
  if(duration_add(out->clock, &r->retain, &out->expires)) {
    out->decision = DECISION_KEEP; /* beyond year 9999: never due */
    return;
  }
  out->has_expires = true;
  out->due = out->expires;
  if(r->has_grace && duration_add(out->expires, &r->grace, &out->due))
    out->due = INT64_MAX;
  isotime_format(out->clock, out->clock_text);
  isotime_format(out->expires, out->expires_text);
  n = now_text(now);
  period = period_text(&r->retain);
  if(out->expires > now) {
    out->decision = DECISION_KEEP;
    arithmetic(out, "not due", clock_name(r->clock), c, period, e, ">", n);
    return;
  }
  arithmetic(out, "expired", clock_name(r->clock), c, period, e, "<=", n);
  if(held) {
    out->decision = DECISION_HELD;
    describe_hold(out, "; otherwise ");
    return;
  }
  if(out->due > now) {
    char expired[sizeof(out->reason)];
    memcpy(expired, out->reason, sizeof(expired));
    duration_format(&r->grace, grace);
    isotime_format(out->due, d);
    out->decision = DECISION_GRACE;
    snprintf(out->reason, sizeof(out->reason), "in grace: %.600s; may be deleted from %s "
             "(grace %s)", expired, d, grace);
    return;
  }
  out->decision = DECISION_DELETE;
}
