"""The Graph side: routing, the per-request pipeline (throttling, mailbox
slots, latency) and JSON batching.

Documentation pages cited in this file as DOCS['key']:
  throttling-limits        Microsoft Graph service-specific throttling limits (Outlook service limits)
                           https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
  batching                 Combine multiple HTTP requests using JSON batching
                           https://learn.microsoft.com/graph/json-batching
"""

import base64
import concurrent.futures
import json
import sys
import time
import traceback

from . import drive, mail
from .common import GraphError, graph_error, json_resp
from .context import Ctx

OUTLOOK_SEGS = {"messages", "mailfolders", "calendars", "calendar", "events", "calendarview", "calendargroups",
                "contacts", "contactfolders", "mailboxsettings", "inferenceclassification", "outlook"}


def classify(state, ctx):
    """-> (scope, family).  scope keys throttling state: ('mailbox', upn) for
    Outlook resources (DOCS['throttling-limits']: limits are per app ID and
    mailbox), ('drive', id) for files, None otherwise."""
    s = [x.lower() for x in ctx.segments]
    if len(s) >= 3 and s[0] == "users" and s[2] in OUTLOOK_SEGS:
        mb = state.mailbox(ctx.segments[1])
        return ("mailbox", mb.upn.lower() if mb else s[1]), "outlook"
    if len(s) >= 3 and s[0] == "users" and s[2] in ("drive", "drives"):
        return ("drive", "user:" + s[1]), "drive"
    if len(s) >= 2 and s[0] in ("drives", "sites"):
        return ("drive", s[1]), "drive"
    return None, "graph"


def route(state, ctx):
    segs = ctx.segments
    if not segs:
        raise GraphError(400, "BadRequest", "Invalid version.")
    head = segs[0].lower()
    if head == "me":
        # App-only tokens (client credentials) have no signed-in user.
        raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
    if head == "users":
        if len(segs) == 1:
            if ctx.method != "GET":
                raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
            return json_resp(200, {"@odata.context": "%s/%s/$metadata#users" % (ctx.base_url(), ctx.version),
                                   "value": [{"id": mb.user_id, "userPrincipalName": mb.upn,
                                              "displayName": mb.display_name, "mail": mb.upn}
                                             for mb in state.mailboxes.values()]})
        mb = state.mailbox(segs[1])
        rest = segs[2:]
        if mb is None:
            if rest and rest[0].lower() in OUTLOOK_SEGS:
                raise GraphError(404, "ErrorInvalidUser", "The requested user '%s' is invalid." % segs[1])
            raise GraphError(404, "Request_ResourceNotFound",
                             "Resource '%s' does not exist or one of its queried reference-property objects are "
                             "not present." % segs[1])
        if rest and rest[0].lower() == "drive":
            drives = state.user_drives.get(mb.upn.lower())
            if not drives:
                raise GraphError(404, "itemNotFound", "The resource could not be found.")
            return drive.route_drive(state, ctx, drives[0], ctx.raw_segments[3:])
        if rest and rest[0].lower() == "drives":
            drives = state.user_drives.get(mb.upn.lower(), [])
            if len(rest) == 1:
                return json_resp(200, {"@odata.context": "%s/%s/$metadata#drives" % (ctx.base_url(), ctx.version),
                                       "value": [drive.render_drive(d) for d in drives]})
            d = drive.resolve_drive_id(state, rest[1])
            if d not in drives:
                raise GraphError(404, "itemNotFound", "The resource could not be found.")
            return drive.route_drive(state, ctx, d, ctx.raw_segments[4:])
        return mail.route_user(state, ctx, mb, rest)
    if head == "drives":
        if len(segs) < 2:
            raise GraphError(400, "BadRequest", "Unsupported request: /drives needs a drive id.")
        d = drive.resolve_drive_id(state, segs[1])
        return drive.route_drive(state, ctx, d, ctx.raw_segments[2:])
    if head == "sites":
        return drive.route_sites(state, ctx, ctx.raw_segments[1:])
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % segs[0])


def _sleep(state, where):
    ms = state.cfg["latency_ms"]
    if where == "item" and state.cfg.get("batch_item_latency_ms") is not None:
        ms = state.cfg["batch_item_latency_ms"]
    if ms:
        time.sleep(ms / 1000.0)


def execute(state, ctx, where):
    """One Graph operation (top-level or a $batch item).  -> (Resp, throttled)"""
    scope, family = classify(state, ctx)
    r = state.throttle.check(ctx, where, scope, family)
    if r is not None:
        _sleep(state, where)
        return r, True
    r, slot = state.throttle.acquire(ctx, scope)
    if r is not None:
        _sleep(state, where)
        return r, True
    try:
        _sleep(state, where)
        with state.lock:
            try:
                resp = route(state, ctx)
            except GraphError as e:
                resp = e.resp()
            except Exception:
                traceback.print_exc(file=sys.stderr)
                resp = graph_error(500, "generalException", "An unspecified error has occurred.")
    finally:
        state.throttle.release(slot)
    if ctx.applied and resp.header("Preference-Applied") is None:
        resp.headers["Preference-Applied"] = ", ".join(dict.fromkeys(ctx.applied))
    return resp, False


# ---------------------------------------------------------------------------
# JSON batching: DOCS['batching']

MAX_BATCH = 20


def _bad(msg):
    return graph_error(400, "BadRequest", msg)


def run_batch(state, ctx):
    """POST /v1.0/$batch.  -> (Resp, mutated)"""
    if ctx.method != "POST":
        return graph_error(405, "BadRequest", "The $batch endpoint only accepts POST."), False
    r = state.throttle.check(ctx, "batch", None, "graph")
    if r is not None:
        _sleep(state, "top")
        return r, False
    _sleep(state, "top")
    try:
        payload = json.loads(ctx.body.decode("utf-8")) if ctx.body else None
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("requests"), list):
        return _bad("Invalid batch payload format."), False
    reqs = payload["requests"]
    # "JSON batch requests are currently limited to 20 individual requests."
    if len(reqs) > MAX_BATCH:
        return _bad("Unable to deserialize batch request: the number of requests (%d) exceeds the limit of %d."
                    % (len(reqs), MAX_BATCH)), False
    if not reqs:
        return _bad("Unable to deserialize batch request: the batch contains no requests."), False
    seen = {}
    for rq in reqs:
        if not isinstance(rq, dict):
            return _bad("Invalid batch payload format."), False
        for f in ("id", "method", "url"):
            if not isinstance(rq.get(f), str) or not rq.get(f):
                return _bad("Unable to deserialize batch request: every request needs '%s'." % f), False
        # "id ... Not case-sensitive. Must be unique in the batch, otherwise,
        # the batch request fails with a 400 error code."
        low = rq["id"].lower()
        if low in seen:
            return _bad("Unable to deserialize batch request: the request id '%s' is used more than once."
                        % rq["id"]), False
        seen[low] = rq
        hdrs = rq.get("headers") or {}
        if not isinstance(hdrs, dict):
            return _bad("Invalid batch payload format: 'headers' must be an object."), False
        # "When a body is included with the request, the headers object must
        # contain a value for Content-Type."
        if "body" in rq and not any(k.lower() == "content-type" for k in hdrs):
            return _bad("Write request id : %s does not contain Content-Type header or body." % rq["id"]), False
        dep = rq.get("dependsOn")
        if dep is not None and (not isinstance(dep, list) or not all(isinstance(x, str) for x in dep)):
            return _bad("Invalid batch payload format: 'dependsOn' must be an array of ids."), False
    for rq in reqs:
        for dep in rq.get("dependsOn") or []:
            if dep.lower() not in seen or dep.lower() == rq["id"].lower():
                return _bad("Unable to deserialize batch request: request '%s' depends on unknown request '%s'."
                            % (rq["id"], dep)), False
    order = _topo(reqs, seen)
    if order is None:
        return _bad("Unable to deserialize batch request: the dependsOn chain has a cycle."), False
    with state.lock:
        state.batch_seq = getattr(state, "batch_seq", 0) + 1
        bseq = state.batch_seq
    sequential = any(rq.get("dependsOn") for rq in reqs)
    results = []
    mutated = [False]

    def one(rq):
        t0 = time.time()
        item_ctx = None
        throttled = False
        try:
            item_ctx, err = _item_ctx(ctx, rq)
            if err is not None:
                resp = err
            else:
                resp, throttled = execute(state, item_ctx, "item")
        except GraphError as e:
            resp = e.resp()
        except Exception:
            traceback.print_exc(file=sys.stderr)
            resp = graph_error(500, "generalException", "An unspecified error has occurred.")
        m = bool(item_ctx and item_ctx.mutated)
        if m:
            mutated[0] = True
        state.log({"kind": "batch-item", "batch": bseq, "item": rq["id"], "method": rq["method"].upper(),
                   "path": (item_ctx.raw_path if item_ctx else rq["url"]),
                   "query": (item_ctx.raw_query if item_ctx else ""), "status": resp.status, "mutating": m,
                   "throttled": throttled, "client_id": ctx.client_id, "ms": int((time.time() - t0) * 1000)})
        return _item_resp(rq["id"], resp)

    if not sequential:
        workers = max(1, min(int(state.cfg["batch_parallelism"]), len(reqs)))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futs = [pool.submit(one, rq) for rq in reqs]
            for f in concurrent.futures.as_completed(futs):
                results.append(f.result())
    else:
        status = {}
        for rq in order:
            failed = [d for d in rq.get("dependsOn") or [] if status.get(d.lower(), 200) >= 400]
            if failed:
                # "If an individual request fails, any request that depends on
                # that request fails with status code 424 (Failed Dependency)."
                res = _item_resp(rq["id"], graph_error(424, "BadRequest", "Failed dependency"))
                state.log({"kind": "batch-item", "batch": bseq, "item": rq["id"], "method": rq["method"].upper(),
                           "path": rq["url"], "query": "", "status": 424, "mutating": False, "throttled": False,
                           "client_id": ctx.client_id, "ms": 0})
            else:
                res = one(rq)
            status[rq["id"].lower()] = res["status"]
            results.append(res)
    code = 200
    if any(r["status"] == 429 for r in results):
        code = int(state.cfg["batch_throttled_status"])
    return json_resp(code, {"responses": results}, content_type="application/json"), mutated[0]


def _topo(reqs, by_id):
    done, out, busy = set(), [], set()

    def visit(rq):
        k = rq["id"].lower()
        if k in done:
            return True
        if k in busy:
            return False
        busy.add(k)
        for d in rq.get("dependsOn") or []:
            if not visit(by_id[d.lower()]):
                return False
        busy.discard(k)
        done.add(k)
        out.append(rq)
        return True

    for rq in reqs:
        if not visit(rq):
            return None
    return out


def _item_ctx(env, rq):
    url = rq["url"]
    if url.lower().startswith(("http://", "https://")):
        return None, _bad("The url of request '%s' must be relative (for example /users)." % rq["id"])
    hdrs = [(k, str(v)) for k, v in (rq.get("headers") or {}).items()]
    body = b""
    if "body" in rq:
        ctype = next((v for k, v in hdrs if k.lower() == "content-type"), "")
        b = rq["body"]
        if isinstance(b, str) and "json" not in ctype.lower():
            try:
                body = base64.urlsafe_b64decode(b + "=" * (-len(b) % 4))
            except Exception:
                body = b.encode("utf-8")
        else:
            body = json.dumps(b).encode("utf-8")
    target = "/" + env.version + "/" + url.lstrip("/")
    ictx = Ctx(rq["method"], target, hdrs, body, env.host, kind="batch-item", client_id=env.client_id,
               token=env.token)
    if ictx.segments and ictx.segments[0].lower() == "$batch":
        return ictx, _bad("A $batch request cannot contain another $batch request.")
    return ictx, None


def _item_resp(item_id, resp):
    out = {"id": item_id, "status": resp.status}
    hdrs = {k: v for k, v in resp.headers.items() if k.lower() not in ("content-length", "connection")}
    out["headers"] = hdrs
    if resp.json is not None:
        out["body"] = resp.json
    elif resp.body:
        out["body"] = base64.b64encode(resp.body).decode("ascii")
    return out
