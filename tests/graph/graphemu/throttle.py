"""Throttling: injected storms, Retry-After penalties, Outlook's per-mailbox
concurrency and request-rate limits.

DOCS['throttling']: a throttled request fails with 429 and a Retry-After
header (seconds); "If the request fails again with a 429 error code, you are
still being throttled"; Graph "continues to log resource usage while a client
is being throttled" -- so a retry sent before its Retry-After has elapsed is
throttled again, with the time that is left.

DOCS['throttling-limits'] (Outlook service limits): per app ID and mailbox,
4 concurrent requests and 10,000 requests in 10 minutes.  The 429 body of
those limits is not on the page; real Graph answers
{"error":{"code":"ApplicationThrottled","message":"Application is over its
MailboxConcurrency limit."}} (github.com/magodo/terraform-provider-outlook
issue 21, github.com/alcionai/corso issue 3695) and, per Microsoft Q&A,
MailboxConcurrency "is not time-based": its Retry-After is 1.

DOCS['batching']: "Requests in a batch are evaluated individually against the
applicable throttling limits and if any request exceeds the limits, it fails
with a status of 429."  Batch items therefore go through the same checks and
hold a mailbox slot while they run.

Documentation pages cited in this file as DOCS['key']:
  throttling               Microsoft Graph throttling guidance
                           https://learn.microsoft.com/graph/throttling
  throttling-limits        Microsoft Graph service-specific throttling limits (Outlook service limits)
                           https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
  batching                 Combine multiple HTTP requests using JSON batching
                           https://learn.microsoft.com/graph/json-batching
  errors                   Microsoft Graph error responses and resource types
                           https://learn.microsoft.com/graph/errors
"""

import collections
import math
import random
import re
import threading
import time

from .common import graph_error


def _fmt_retry(v):
    v = float(v)
    return str(int(v)) if v == int(v) else ("%g" % v)


class Storm:
    def __init__(self, spec):
        self.remaining = spec.get("next")
        self.percent = spec.get("percent")
        if self.remaining is None and self.percent is None:
            raise ValueError("a storm needs 'next' (count) or 'percent'")
        dur = spec.get("duration")
        self.until = time.time() + float(dur) if dur is not None else None
        self.retry_after = float(spec.get("retry_after", 1))
        self.status = int(spec.get("status", 429))
        if self.status not in (429, 503):
            raise ValueError("status must be 429 or 503")
        self.applies_to = set(spec.get("applies_to", ["top", "item"]))
        bad = self.applies_to - {"top", "item", "batch"}
        if bad:
            raise ValueError("applies_to takes top, item, batch; got %s" % sorted(bad))
        m = spec.get("match") or {}
        self.method = m.get("method")
        self.path_re = re.compile(m["path"]) if m.get("path") else None
        self.penalty_scope = spec.get("penalty_scope", "request")
        if self.penalty_scope not in ("request", "resource", "none"):
            raise ValueError("penalty_scope takes request, resource or none")
        self.rng = random.Random(spec.get("seed", 1))
        self.spec = dict(spec)

    def expired(self, now):
        if self.until is not None and now >= self.until:
            return True
        return self.remaining is not None and self.remaining <= 0

    def wants(self, ctx, where):
        if where not in self.applies_to:
            return False
        if self.method and ctx.method != self.method.upper():
            return False
        if self.path_re and not self.path_re.search(ctx.raw_path):
            return False
        return True

    def fire(self):
        if self.remaining is not None:
            self.remaining -= 1
            return True
        return self.rng.random() * 100 < float(self.percent)


class Throttle:
    def __init__(self):
        self.lock = threading.Lock()
        self.storms = []
        self.penalties = {}
        self.inflight = collections.Counter()
        self.rate = {}
        self.mailbox_concurrency = 4
        self.rate_limit = 0            # requests per window per app+mailbox; 0 = off
        self.rate_window = 600.0
        self.stats = collections.Counter()

    # -- control --------------------------------------------------------------
    def add_storm(self, spec):
        st = Storm(spec)
        with self.lock:
            self.storms.append(st)
        return st

    def clear(self):
        with self.lock:
            self.storms.clear()
            self.penalties.clear()
            self.rate.clear()

    def describe(self):
        now = time.time()
        with self.lock:
            return {
                "storms": [dict(s.spec, remaining=s.remaining) for s in self.storms if not s.expired(now)],
                "penalties": len([1 for v in self.penalties.values() if v[0] > now]),
                "inflight": {"%s|%s" % k: v for k, v in self.inflight.items() if v},
                "mailbox_concurrency": self.mailbox_concurrency,
                "rate_limit": self.rate_limit, "rate_window": self.rate_window,
                "stats": dict(self.stats),
            }

    # -- responses --------------------------------------------------------------
    @staticmethod
    def _body(status, family, retry_after, reason=None):
        h = {"Retry-After": _fmt_retry(retry_after)}
        if reason:
            return graph_error(429, "ApplicationThrottled", "Application is over its %s limit." % reason, h)
        if status == 503:
            return graph_error(503, "serviceNotAvailable", "The service is temporarily unavailable.", h)
        if family == "drive":
            # Shape seen from OneDrive/SharePoint (Microsoft Q&A 648796); the
            # codes are those of DOCS['errors'] (activityLimitReached,
            # innererror throttledRequest).
            return graph_error(429, "activityLimitReached", "The request has been throttled", h,
                               inner={"code": "throttledRequest"})
        # The sample response of DOCS['throttling'].
        return graph_error(429, "TooManyRequests", "Please retry again later.", h,
                           inner={"code": "429", "message": "Please retry after", "status": "429"})

    # -- checks -----------------------------------------------------------------
    def check(self, ctx, where, scope, family):
        """Storms, penalties, request rate.  -> Resp (throttled) or None."""
        now = time.time()
        req_key = (ctx.client_id, ctx.method, ctx.raw_path.lower(), ctx.raw_query)
        res_key = (ctx.client_id, scope)
        with self.lock:
            for key in (req_key, res_key):
                pen = self.penalties.get(key)
                if pen and pen[0] > now:
                    self.stats["penalty"] += 1
                    left = max(1, math.ceil(pen[0] - now))
                    return self._body(pen[1], family, left)
            for st in list(self.storms):
                if st.expired(now):
                    self.storms.remove(st)
                    continue
                if st.wants(ctx, where) and st.fire():
                    self.stats["storm"] += 1
                    if st.penalty_scope != "none":
                        key = req_key if st.penalty_scope == "request" else res_key
                        self.penalties[key] = (now + st.retry_after, st.status)
                    if st.expired(now):
                        self.storms.remove(st)
                    return self._body(st.status, family, st.retry_after)
            if self.rate_limit and scope and scope[0] == "mailbox" and where != "batch":
                dq = self.rate.setdefault(res_key, collections.deque())
                while dq and dq[0] <= now - self.rate_window:
                    dq.popleft()
                if len(dq) >= self.rate_limit:
                    self.stats["rate"] += 1
                    wait = max(1, math.ceil(dq[0] + self.rate_window - now))
                    return self._body(429, family, wait, reason="RequestRate")
                dq.append(now)
        return None

    def acquire(self, ctx, scope):
        """Take a mailbox slot.  -> (Resp, None) when over the limit, else (None, key)."""
        if not scope or scope[0] != "mailbox" or not self.mailbox_concurrency:
            return None, None
        key = (ctx.client_id, scope[1])
        with self.lock:
            if self.inflight[key] >= self.mailbox_concurrency:
                self.stats["concurrency"] += 1
                return self._body(429, "outlook", 1, reason="MailboxConcurrency"), None
            self.inflight[key] += 1
        return None, key

    def release(self, key):
        if key is None:
            return
        with self.lock:
            self.inflight[key] -= 1
            if self.inflight[key] <= 0:
                del self.inflight[key]
