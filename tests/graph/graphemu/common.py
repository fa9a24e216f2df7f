"""Shared helpers of the Graph emulator: responses, errors, times, headers.

Every behaviour that imitates Microsoft Graph or the Microsoft identity
platform names the page it follows through a key of DOCS, so the README's
table "behaviour -> documentation page" and the code point at the same pages.
"""

import base64
import calendar
import datetime as _dt
import json
import re
import uuid

# Documentation pages the emulator follows (title, URL).  Referenced by key in
# comments all over the package: "DOCS['throttling']" means "this behaviour is
# what the page 'Microsoft Graph throttling guidance' describes".
DOCS = {
    "client-creds": ("Microsoft identity platform and the OAuth 2.0 client credentials flow",
                     "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow"),
    "cert-creds": ("Microsoft identity platform application authentication certificate credentials",
                   "https://learn.microsoft.com/entra/identity-platform/certificate-credentials"),
    "aadsts": ("Microsoft Entra authentication and authorization error codes",
               "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"),
    "errors": ("Microsoft Graph error responses and resource types",
               "https://learn.microsoft.com/graph/errors"),
    "throttling": ("Microsoft Graph throttling guidance",
                   "https://learn.microsoft.com/graph/throttling"),
    "throttling-limits": ("Microsoft Graph service-specific throttling limits (Outlook service limits)",
                          "https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits"),
    "batching": ("Combine multiple HTTP requests using JSON batching",
                 "https://learn.microsoft.com/graph/json-batching"),
    "paging": ("Paging Microsoft Graph data in your app",
               "https://learn.microsoft.com/graph/paging"),
    "query-params": ("Use query parameters to customize responses",
                     "https://learn.microsoft.com/graph/query-parameters"),
    "list-messages": ("List messages",
                      "https://learn.microsoft.com/graph/api/user-list-messages"),
    "get-message": ("Get message (including Get MIME content of a message)",
                    "https://learn.microsoft.com/graph/api/message-get"),
    "update-message": ("Update message", "https://learn.microsoft.com/graph/api/message-update"),
    "move-message": ("message: move", "https://learn.microsoft.com/graph/api/message-move"),
    "delete-message": ("Delete message", "https://learn.microsoft.com/graph/api/message-delete"),
    "message-permanentdelete": ("message: permanentDelete",
                                "https://learn.microsoft.com/graph/api/message-permanentdelete"),
    "immutable-id": ("Obtain immutable identifiers for Outlook resources",
                     "https://learn.microsoft.com/graph/outlook-immutable-id"),
    "mailfolder": ("mailFolder resource type (well-known folder names, hidden mail folders)",
                   "https://learn.microsoft.com/graph/api/resources/mailfolder"),
    "list-mailfolders": ("List mailFolders", "https://learn.microsoft.com/graph/api/user-list-mailfolders"),
    "list-childfolders": ("List childFolders",
                          "https://learn.microsoft.com/graph/api/mailfolder-list-childfolders"),
    "extended-props": ("Get singleValueLegacyExtendedProperty",
                       "https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get"),
    "list-calendars": ("List calendars", "https://learn.microsoft.com/graph/api/user-list-calendars"),
    "list-events": ("List events", "https://learn.microsoft.com/graph/api/calendar-list-events"),
    "delete-calendar": ("Delete calendar", "https://learn.microsoft.com/graph/api/calendar-delete"),
    "calendar-permanentdelete": ("calendar: permanentDelete",
                                 "https://learn.microsoft.com/graph/api/calendar-permanentdelete"),
    "event-delete": ("Delete event", "https://learn.microsoft.com/graph/api/event-delete"),
    "event-permanentdelete": ("event: permanentDelete",
                              "https://learn.microsoft.com/graph/api/event-permanentdelete"),
    "get-drive": ("Get Drive", "https://learn.microsoft.com/graph/api/drive-get"),
    "site-by-path": ("Get a site resource by path",
                     "https://learn.microsoft.com/graph/api/site-getbypath"),
    "get-item": ("Get a DriveItem resource (addressing by ID or path)",
                 "https://learn.microsoft.com/graph/api/driveitem-get"),
    "list-children": ("List children of a driveItem",
                      "https://learn.microsoft.com/graph/api/driveitem-list-children"),
    "delete-item": ("Delete a DriveItem", "https://learn.microsoft.com/graph/api/driveitem-delete"),
    "item-permanentdelete": ("driveItem: permanentDelete",
                             "https://learn.microsoft.com/graph/api/driveitem-permanentdelete"),
    "download": ("Download the contents of a DriveItem",
                 "https://learn.microsoft.com/graph/api/driveitem-get-content"),
    "retention-label": ("driveItem: getRetentionLabel / itemRetentionLabel resource type",
                        "https://learn.microsoft.com/graph/api/driveitem-getretentionlabel"),
}

JSON_CT = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

REASONS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content",
    302: "Found", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 412: "Precondition Failed",
    415: "Unsupported Media Type", 416: "Range Not Satisfiable", 423: "Locked", 424: "Failed Dependency",
    429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
    503: "Service Unavailable",
}


class Resp:
    """One HTTP answer: status, headers (ordered, case kept), body bytes."""

    __slots__ = ("status", "headers", "body", "json")

    def __init__(self, status, headers=None, body=b"", json_obj=None):
        self.status = status
        self.headers = dict(headers or {})
        self.body = body
        self.json = json_obj          # kept for $batch, which embeds JSON bodies as objects

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_resp(status, obj, headers=None, content_type=JSON_CT):
    h = {"Content-Type": content_type, "OData-Version": "4.0", "Cache-Control": "no-cache"}
    if headers:
        h.update(headers)
    return Resp(status, h, dumps(obj), obj)


def now_utc_str():
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def graph_error(status, code, message, headers=None, inner=None, request_id=None):
    """The error body of DOCS['errors']: a single 'error' object with code,
    message and innerError (date, request-id, client-request-id)."""
    rid = request_id or str(uuid.uuid4())
    inner_obj = {"date": now_utc_str(), "request-id": rid, "client-request-id": rid}
    if inner:
        inner_obj.update(inner)
    return json_resp(status, {"error": {"code": code, "message": message, "innerError": inner_obj}},
                     headers, content_type="application/json")


class GraphError(Exception):
    """Raised anywhere in a route to answer with graph_error()."""

    def __init__(self, status, code, message, headers=None, inner=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers, self.inner = status, code, message, headers, inner

    def resp(self):
        return graph_error(self.status, self.code, self.message, self.headers, self.inner)


# ---- times -----------------------------------------------------------------

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})$")


def parse_iso(s, require_offset=True):
    """ISO 8601 date-time -> epoch seconds (float).  Raises ValueError."""
    if not isinstance(s, str):
        raise ValueError("not a string")
    m = _ISO_RE.match(s.strip())
    if not m:
        if not require_offset:
            m2 = re.match(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$", s.strip())
            if m2:
                return parse_iso(s.strip() + "Z")
        raise ValueError("not an ISO 8601 date-time with offset: %r" % s)
    y, mo, d, h, mi, sec, frac, off = m.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), 0, 0, 0))
    if frac:
        t += int(frac) / (10 ** len(frac))
    if off != "Z":
        sign = 1 if off[0] == "+" else -1
        t -= sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
    return t


def fmt_iso(t):
    """Epoch -> '2025-01-02T03:04:05Z', the shape Outlook gives message times."""
    return _dt.datetime.fromtimestamp(int(t), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_iso7(t, tz=None):
    """Epoch -> '2025-01-02T03:04:05.0000000' (no offset), the event start/end shape."""
    d = _dt.datetime.fromtimestamp(int(t), tz or _dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".0000000"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(s):
    s = s.strip()
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# ---- headers ---------------------------------------------------------------

def parse_prefer(values):
    """'Prefer' header(s) -> {lowercased name: value} (quotes stripped).
    Accepts several Prefer headers and comma-separated preferences."""
    out = {}
    for v in values:
        for part in v.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" in part:
                k, val = part.split("=", 1)
                out[k.strip().lower()] = val.strip().strip('"')
            else:
                out[part.lower()] = ""
    return out


class Headers:
    """Case-insensitive multi-valued request headers."""

    def __init__(self, pairs=()):
        self._items = []
        for k, v in pairs:
            self._items.append((k, v))

    def get(self, name, default=None):
        for k, v in self._items:
            if k.lower() == name.lower():
                return v
        return default

    def get_all(self, name):
        return [v for k, v in self._items if k.lower() == name.lower()]

    def add(self, name, value):
        self._items.append((name, value))

    def items(self):
        return list(self._items)
