"""One Graph request as the routes see it (top-level or inside a $batch).

Documentation pages cited in this file as DOCS['key']:
  immutable-id             Obtain immutable identifiers for Outlook resources
                           https://learn.microsoft.com/graph/outlook-immutable-id
"""

import json
from urllib.parse import parse_qsl, unquote, urlsplit

from .common import GraphError, Headers, parse_prefer


class Ctx:
    def __init__(self, method, target, headers, body, host, kind="graph", client_id=None, token=None):
        self.method = method.upper()
        parts = urlsplit(target)
        self.raw_path = parts.path
        self.raw_query = parts.query
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.body = body or b""
        self.host = host
        self.kind = kind                  # 'graph' | 'batch-item'
        self.client_id = client_id
        self.token = token
        self.mutated = False              # set by routes that change state (for the request log)
        self.applied = []                 # Preference-Applied values
        self.batch = None                 # (batch seq, item id) for batch items
        self.prefer = parse_prefer(self.headers.get_all("Prefer"))
        # Query: '+' is a space, %XX decoded; '$' may arrive as %24.  A system
        # query option given twice is an error in OData.
        self.q_pairs = parse_qsl(parts.query, keep_blank_values=True)
        self.q = {}
        for k, v in self.q_pairs:
            if k in self.q and k.startswith("$"):
                raise GraphError(400, "BadRequest",
                                 "Query option '%s' was specified more than once, but it must be "
                                 "specified at most once." % k)
            self.q[k] = v
        segs = [s for s in self.raw_path.split("/") if s != ""]
        self.version = segs[0] if segs else ""
        self.raw_segments = segs[1:]
        self.segments = [unquote(s) for s in self.raw_segments]

    def qget(self, name, default=None):
        """Query option, with or without the '$' (beta accepts both)."""
        if name in self.q:
            return self.q[name]
        return default

    def json_body(self):
        if not self.body:
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure "
                                                "Content-Type header is set and payload is of valid JSON format.")

    @property
    def immutable_ids(self):
        # DOCS['immutable-id']: 'Prefer: IdType="ImmutableId"' applies only to
        # the request that carries it.
        return self.prefer.get("idtype", "").lower() == "immutableid"

    def base_url(self):
        return "https://" + (self.host or "127.0.0.1")

    def describe(self):
        return "%s %s" % (self.method, self.raw_path + ("?" + self.raw_query if self.raw_query else ""))
