"""Server-driven paging with opaque $skiptoken values.

DOCS['paging']: when more results exist, the response carries
'@odata.nextLink', an absolute URL that holds every query option of the
original request plus a $skiptoken (or $skip) the client must not take apart;
the client sends the whole URL back.  The emulator remembers every token it
issues together with the request it belongs to, and answers 400 to a
$skiptoken it did not issue or to a nextLink whose other parts were changed.

Two position models, chosen per API:
  'skip'     the token holds an offset into the *current* result, so items
             deleted between two pages shift later pages (what the List
             messages page says of Outlook: "This API uses the $skip value to
             keep count of all the items it has gone through").
  'snapshot' the result is frozen at the first page; items that disappear
             later are left out, nothing is skipped (a keyset-style token, as
             OneDrive/SharePoint children tokens behave).

Documentation pages cited in this file as DOCS['key']:
  paging                   Paging Microsoft Graph data in your app
                           https://learn.microsoft.com/graph/paging
"""

import collections
import os
import threading
from urllib.parse import quote

from .common import GraphError, b64url, json_resp
from .odata import parse_top

_SAFE = "$,()'=:/@!*;"


class Pager:
    def __init__(self, cap=200000):
        self._tokens = collections.OrderedDict()
        self._lock = threading.Lock()
        self._cap = cap

    def issue(self, canon, state):
        tok = b64url(os.urandom(24))
        with self._lock:
            self._tokens[tok] = (canon, state)
            while len(self._tokens) > self._cap:
                self._tokens.popitem(last=False)
        return tok

    def resolve(self, tok, canon):
        with self._lock:
            hit = self._tokens.get(tok)
        if hit is None or hit[0] != canon:
            return None
        return hit[1]

    def clear(self):
        with self._lock:
            self._tokens.clear()


def canonical(ctx):
    pairs = sorted((k, v) for k, v in ctx.q_pairs if k.lower() != "$skiptoken")
    return ctx.method + " " + "/".join(ctx.segments).lower() + "?" + "&".join("%s=%s" % p for p in pairs)


def next_link(ctx, token):
    pairs = [(k, v) for k, v in ctx.q_pairs if k.lower() != "$skiptoken"]
    pairs.append(("$skiptoken", token))
    qs = "&".join("%s=%s" % (quote(k, safe="$"), quote(v, safe=_SAFE)) for k, v in pairs)
    return ctx.base_url() + ctx.raw_path + "?" + qs


def page_size(ctx, default, maximum, errs, top_over_max="error"):
    """Size of one page from $top and 'Prefer: odata.maxpagesize' (DOCS['paging'])."""
    size = default
    top = ctx.qget("$top")
    if top is not None:
        size = parse_top(top, errs, maximum if top_over_max == "error" else None)
        if maximum and size > maximum:
            size = maximum
    mps = ctx.prefer.get("odata.maxpagesize")
    if mps is not None:
        try:
            n = int(mps)
        except ValueError:
            n = 0
        if n >= 1:
            size = min(size, n) if top is not None else min(n, maximum or n)
            ctx.applied.append("odata.maxpagesize=%d" % size)
    return size


def serve_page(ctx, pager, compute, render, *, default, maximum, errs, mode, context_url,
               token_error, allow_skip=False, top_over_max="error", count=None):
    """Answer one page of a collection.

    compute()  -> list of handles (the full current result, in order)
    render(h)  -> JSON object, or None when the handle no longer exists
    token_error -> GraphError to raise for a $skiptoken that was not issued
    """
    tok = ctx.qget("$skiptoken")
    snapshot = None
    if tok is not None:
        state = pager.resolve(tok, canonical(ctx))
        if state is None:
            raise token_error
        size, offset, snapshot = state["size"], state["offset"], state.get("snapshot")
        # odata.maxpagesize is a header: the token remembers the size, but a
        # client may repeat the preference; keep it applied in the answer.
        if ctx.prefer.get("odata.maxpagesize") is not None:
            ctx.applied.append("odata.maxpagesize=%d" % size)
    else:
        size = page_size(ctx, default, maximum, errs, top_over_max)
        offset = 0
        if allow_skip and ctx.qget("$skip") is not None:
            try:
                offset = int(ctx.qget("$skip"))
                if offset < 0:
                    raise ValueError
            except ValueError:
                raise errs.bad("Invalid value '%s' for query option $skip." % ctx.qget("$skip"))
    if mode == "snapshot":
        items = snapshot if snapshot is not None else list(compute())
    else:
        items = compute()
    page = items[offset:offset + size]
    values = []
    for h in page:
        obj = render(h)
        if obj is not None:
            values.append(obj)
    body = {"@odata.context": context_url}
    if count is not None or (ctx.qget("$count", "").lower() == "true"):
        body["@odata.count"] = count if count is not None else len(items)
    body["value"] = values
    if offset + size < len(items):
        state = {"size": size, "offset": offset + size}
        if mode == "snapshot":
            state["snapshot"] = items
        body["@odata.nextLink"] = next_link(ctx, pager.issue(canonical(ctx), state))
    headers = {}
    if ctx.applied:
        headers["Preference-Applied"] = ", ".join(ctx.applied)
    return json_resp(200, body, headers)


def bad_token(code, message):
    return GraphError(400, code, message)
