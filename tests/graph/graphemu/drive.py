"""OneDrive and SharePoint: sites, drives, driveItems.

Behaviour and where it comes from:
  * GET /sites/{hostname}:/{server-relative-path} ......... DOCS['site-by-path']
  * GET /users/{u}/drive, /sites/{id}/drive, /sites/{id}/drives, /drives/{id} .. DOCS['get-drive']
  * items by id and by path: /drives/{d}/root:/{path}[:/children|:/content] .. DOCS['get-item']
  * children: $select, $top, $orderby, $expand, $skipToken; default page 200
    items; '@odata.nextLink' ............................ DOCS['list-children']
    $filter is not among the options that page lists; real SharePoint answers
    400 {"code":"notSupported","message":"Operation not supported"}
    (OneDrive/onedrive-api-docs issue 1873), which the emulator gives always.
  * DELETE moves to the recycle bin; If-Match with a stale eTag or cTag -> 412 .. DOCS['delete-item']
    (error code resourceModified, innererror entityTagDoesNotMatch: DOCS['errors'])
  * POST .../permanentDelete: gone, no recycle bin ............ DOCS['item-permanentdelete']
  * GET .../content -> 302 to a pre-authenticated URL that needs no
    Authorization header and is valid a few minutes; Range -> 206 .. DOCS['download']
  * retention label: a relationship, read with $expand=retentionLabel or
    GET .../retentionLabel; retentionSettings.isDeleteAllowed .. DOCS['retention-label']
  * deleting an item on hold (label that does not allow deletion), or a folder
    holding one: 403 {"code":"accessDenied","message":"Request was cancelled by
    event received. If attempting to delete a non-empty folder, it's possible
    that it's on hold"} -- what OneDrive for Business answers
    (abraunegg/onedrive issue 338); the docs give no body for it.

Documentation pages cited in this file as DOCS['key']:
  site-by-path             Get a site resource by path
                           https://learn.microsoft.com/graph/api/site-getbypath
  get-drive                Get Drive
                           https://learn.microsoft.com/graph/api/drive-get
  get-item                 Get a DriveItem resource (addressing by ID or path)
                           https://learn.microsoft.com/graph/api/driveitem-get
  list-children            List children of a driveItem
                           https://learn.microsoft.com/graph/api/driveitem-list-children
  delete-item              Delete a DriveItem
                           https://learn.microsoft.com/graph/api/driveitem-delete
  errors                   Microsoft Graph error responses and resource types
                           https://learn.microsoft.com/graph/errors
  item-permanentdelete     driveItem: permanentDelete
                           https://learn.microsoft.com/graph/api/driveitem-permanentdelete
  download                 Download the contents of a DriveItem
                           https://learn.microsoft.com/graph/api/driveitem-get-content
  retention-label          driveItem: getRetentionLabel / itemRetentionLabel resource type
                           https://learn.microsoft.com/graph/api/driveitem-getretentionlabel
"""

import base64
import hashlib
import os
import time
import uuid
from urllib.parse import quote, unquote

from .common import GraphError, Resp, b64url, fmt_iso, json_resp
from .odata import DRIVE_ERRORS, Schema, parse_expand, parse_orderby, parse_select
from .paging import bad_token, serve_page

HOLD_MESSAGE = ("Request was cancelled by event received. If attempting to delete a non-empty folder, "
                "it's possible that it's on hold")
ITEM_NOT_FOUND = ("itemNotFound", "The resource could not be found.")

_MIME = {".txt": "text/plain", ".pdf": "application/pdf", ".mp4": "video/mp4", ".jpg": "image/jpeg",
         ".png": "image/png", ".csv": "text/csv", ".zip": "application/zip",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         ".eml": "message/rfc822", ".json": "application/json"}


def nf():
    return GraphError(404, *ITEM_NOT_FOUND)


class Item:
    __slots__ = ("id", "drive", "name", "parent", "is_folder", "children", "size", "content", "crt", "mod",
                 "guid", "en", "cn", "label", "key", "by")

    def __init__(self, drive, name, parent, is_folder, size=0, content=None, crt=None, mod=None, key=None, by=None):
        self.id = "01" + base64.b32encode(os.urandom(20)).decode("ascii")
        self.drive, self.name, self.parent, self.is_folder = drive, name, parent, is_folder
        self.children = {} if is_folder else None
        self.size = size
        self.content = content
        now = time.time()
        self.crt = int(crt if crt is not None else now)
        self.mod = int(mod if mod is not None else self.crt)
        self.guid = str(uuid.uuid4()).upper()
        self.en = 1
        self.cn = 1
        self.label = None
        self.key = key
        self.by = by

    @property
    def etag(self):
        return '"{%s},%d"' % (self.guid, self.en)

    @property
    def ctag(self):
        return '"c:{%s},%d"' % (self.guid, self.cn)

    def path(self):
        parts = []
        it = self
        while it.parent is not None:
            parts.append(it.name)
            it = it.parent
        return "/" + "/".join(reversed(parts))

    def bump(self, content=True):
        self.en += 1
        if content:
            self.cn += 1

    def walk(self):
        yield self
        if self.children:
            for c in list(self.children.values()):
                yield from c.walk()

    def held(self):
        lab = self.label
        return bool(lab) and (lab.get("retentionSettings") or {}).get("isDeleteAllowed") is False


class Drive:
    def __init__(self, num, name, drive_type, owner, site=None, web_url=None, key=None):
        self.num = num
        self.id = "b!" + b64url(os.urandom(48))
        self.name, self.drive_type, self.owner, self.site = name, drive_type, owner, site
        self.web_url = web_url
        self.crt = int(time.time())
        self.items = {}
        self.gone = []            # recycled / purged records
        self.key = key
        self.root = Item(self, "root", None, True)
        self.items[self.root.id] = self.root

    def ensure_folder(self, path):
        it = self.root
        for name in [p for p in path.split("/") if p]:
            nxt = it.children.get(name.lower())
            if nxt is None:
                nxt = self.add(it, name, True)
            elif not nxt.is_folder:
                raise ValueError("%s is a file, not a folder" % nxt.path())
            it = nxt
        return it

    def add(self, parent, name, is_folder, **kw):
        if name.lower() in parent.children:
            raise ValueError("%s/%s already exists" % (parent.path().rstrip("/"), name))
        it = Item(self, name, parent, is_folder, **kw)
        parent.children[name.lower()] = it
        self.items[it.id] = it
        return it


class Site:
    def __init__(self, hostname, path, display_name=None, key=None):
        self.hostname = hostname
        self.path = "/" + path.strip("/") if path.strip("/") else ""
        self.display_name = display_name or (self.path.rsplit("/", 1)[-1] or hostname)
        self.id = "%s,%s,%s" % (hostname, uuid.uuid4(), uuid.uuid4())
        self.drives = []
        self.crt = int(time.time())
        self.key = key

    @property
    def web_url(self):
        return "https://%s%s" % (self.hostname, self.path)


ITEM_PROPS = {k: "object" for k in ("id", "name", "eTag", "cTag", "size", "createdDateTime", "lastModifiedDateTime",
                                      "file", "folder", "root", "parentReference", "webUrl", "createdBy",
                                      "lastModifiedBy", "fileSystemInfo", "package", "deleted", "description",
                                      "shared", "specialFolder")}
ITEM_SCHEMA = Schema("driveItem", ITEM_PROPS, sortable=["name", "lastModifiedDateTime", "createdDateTime", "size"],
                     select_extra=["@microsoft.graph.downloadUrl"])
ITEM_DEFAULT = ["@microsoft.graph.downloadUrl", "createdDateTime", "eTag", "id", "lastModifiedDateTime", "name",
                "webUrl", "cTag", "size", "createdBy", "lastModifiedBy", "parentReference", "file", "folder", "root",
                "fileSystemInfo"]
DRIVE_TOKEN_ERROR = bad_token("invalidRequest", "Invalid $skiptoken.")


def mime_for(name):
    for ext, m in _MIME.items():
        if name.lower().endswith(ext):
            return m
    return "application/octet-stream"


def content_of(it):
    if it.content is not None:
        return it.content
    seed = ("%s %s\n" % (it.name, it.guid)).encode("utf-8")
    n = it.size
    return (seed * (n // len(seed) + 1))[:n]


def item_size(it, memo):
    if not it.is_folder:
        return it.size
    hit = memo.get(it.id)
    if hit is None:
        hit = sum(item_size(c, memo) for c in it.children.values())
        memo[it.id] = hit
    return hit


def web_url(d, it):
    base = d.web_url.rstrip("/")
    return base + (quote(it.path()) if it.parent is not None else "")


def render_label(it):
    lab = it.label
    if not lab:
        return None
    rs = {"behaviorDuringRetentionPeriod": "retain", "isDeleteAllowed": False, "isRecordLocked": False,
          "isMetadataUpdateAllowed": False, "isContentUpdateAllowed": False, "isLabelUpdateAllowed": False}
    rs.update(lab.get("retentionSettings") or {})
    return {"name": lab.get("name", "Retention label"), "retentionSettings": rs,
            "isLabelAppliedExplicitly": lab.get("isLabelAppliedExplicitly", True),
            "labelAppliedDateTime": lab.get("labelAppliedDateTime", "2024-01-15T10:00:00.0000000+00:00"),
            "labelAppliedBy": lab.get("labelAppliedBy", {"user": {"id": "00000000-0000-0000-0000-000000000000",
                                                                  "displayName": "Compliance Admin"}})}


def render_item(state, ctx, d, it, select, expand, memo):
    props = select if select is not None else ITEM_DEFAULT
    by = {"user": {"displayName": it.by or "System Account"}}
    out = {}
    for p in props:
        if p == "@microsoft.graph.downloadUrl":
            if not it.is_folder:
                out[p] = state.download_url(ctx, d, it)
        elif p == "createdDateTime":
            out[p] = fmt_iso(it.crt)
        elif p == "lastModifiedDateTime":
            out[p] = fmt_iso(it.mod)
        elif p == "eTag":
            out[p] = it.etag
        elif p == "cTag":
            out[p] = it.ctag
        elif p == "id":
            out[p] = it.id
        elif p == "name":
            out[p] = it.name
        elif p == "webUrl":
            out[p] = web_url(d, it)
        elif p == "size":
            out[p] = item_size(it, memo)
        elif p in ("createdBy", "lastModifiedBy"):
            out[p] = by
        elif p == "parentReference":
            ref = {"driveType": d.drive_type, "driveId": d.id}
            if it.parent is not None:
                ref["id"] = it.parent.id
                if it.parent.parent is not None:
                    ref["name"] = it.parent.name
                ref["path"] = "/drives/%s/root:%s" % (d.id, it.parent.path() if it.parent.parent else "")
            if d.site is not None:
                ref["siteId"] = d.site.id
            out[p] = ref
        elif p == "file":
            if not it.is_folder:
                out[p] = {"mimeType": mime_for(it.name),
                          "hashes": {"quickXorHash": base64.b64encode(
                              hashlib.sha1(it.guid.encode() + bytes([it.cn % 256])).digest()[:20]).decode()}}
        elif p == "folder":
            if it.is_folder:
                out[p] = {"childCount": len(it.children)}
        elif p == "root":
            if it.parent is None:
                out[p] = {}
        elif p == "fileSystemInfo":
            out[p] = {"createdDateTime": fmt_iso(it.crt), "lastModifiedDateTime": fmt_iso(it.mod)}
    if expand and "retentionlabel" in expand:
        out["retentionLabel"] = render_label(it)
    if expand and "children" in expand and it.is_folder:
        kids = sorted(it.children.values(), key=lambda c: c.name.lower())[:200]
        out["children"] = [render_item(state, ctx, d, c, None, None, memo) for c in kids]
    return out


def parse_item_query(ctx):
    sel = ctx.qget("$select")
    if sel and any(s.strip().lower() == "retentionlabel" for s in sel.split(",")):
        raise GraphError(400, "invalidRequest",
                         "retentionLabel is a relationship of driveItem: read it with $expand=retentionLabel "
                         "or GET .../retentionLabel (DOCS: driveItem: getRetentionLabel).")
    select = parse_select(sel, ITEM_SCHEMA, DRIVE_ERRORS) if sel else None
    expand = set()
    exp = ctx.qget("$expand")
    if exp:
        for name, _opts in parse_expand(exp, DRIVE_ERRORS):
            if name.lower() not in ("retentionlabel", "children", "thumbnails", "permissions", "listitem"):
                raise GraphError(400, "invalidRequest", "Could not find a property named '%s' on type "
                                                        "'microsoft.graph.driveItem'." % name)
            expand.add(name.lower())
    return select, expand


def render_drive(d, select=None):
    own = d.owner or {"user": {"displayName": "System Account"}}
    full = {"createdDateTime": fmt_iso(d.crt), "description": "", "id": d.id, "lastModifiedDateTime": fmt_iso(d.crt),
            "name": d.name, "webUrl": d.web_url, "driveType": d.drive_type,
            "createdBy": {"user": {"displayName": "System Account"}}, "owner": own,
            "quota": {"deleted": 0, "remaining": 1099511627776, "state": "normal", "total": 1099511627776,
                      "used": 0}}
    if select:
        return {k: v for k, v in full.items() if k in select or k == "id"}
    return full


def render_site(s):
    return {"createdDateTime": fmt_iso(s.crt), "description": "", "id": s.id, "lastModifiedDateTime": fmt_iso(s.crt),
            "name": s.path.rsplit("/", 1)[-1] if s.path else s.hostname, "webUrl": s.web_url,
            "displayName": s.display_name, "root": {}, "siteCollection": {"hostname": s.hostname}}


def _ctx(ctx, tail):
    return "%s/%s/$metadata#%s" % (ctx.base_url(), ctx.version, tail)


# ---------------------------------------------------------------------------
# addressing

def split_colon_path(raw_segs):
    """raw_segs[0] ends with ':' ('root:' or '{item-id}:' or '{hostname}:').
    -> (decoded path parts, remaining raw segments)."""
    parts, i = [], 1
    while i < len(raw_segs):
        s = raw_segs[i]
        i += 1
        if s.endswith(":"):
            if s[:-1]:
                parts.append(unquote(s[:-1]))
            break
        parts.append(unquote(s))
    return parts, raw_segs[i:]


def find_path(start, parts):
    it = start
    for p in parts:
        if not it.is_folder:
            raise nf()
        it = it.children.get(p.lower())
        if it is None:
            raise nf()
    return it


def resolve_drive_id(state, text):
    d = state.drives_by_id.get(text)
    if d is None:
        if not text.startswith("b!"):
            raise GraphError(400, "invalidRequest",
                             "Provided drive id appears to be malformed, or does not represent a valid drive.")
        raise nf()
    return d


def route_drive(state, ctx, d, raw):
    """raw: raw (still percent-encoded) path segments after the drive."""
    if not raw:
        _need(ctx, "GET")
        sel = ctx.qget("$select")
        obj = render_drive(d, [s.strip() for s in sel.split(",")] if sel else None)
        return json_resp(200, dict({"@odata.context": _ctx(ctx, "drives/$entity")}, **obj))
    head = unquote(raw[0])
    if head == "root":
        return route_item(state, ctx, d, d.root, raw[1:])
    if raw[0].startswith("root:"):
        if raw[0] != "root:":
            raise GraphError(400, "invalidRequest", "Invalid request")
        parts, rest = split_colon_path(raw)
        return route_item(state, ctx, d, find_path(d.root, parts), rest)
    if head.lower() == "items" and len(raw) >= 2:
        seg = raw[1]
        if seg.endswith(":"):
            it = d.items.get(unquote(seg[:-1]))
            if it is None:
                raise nf()
            parts, rest = split_colon_path(raw[1:])
            return route_item(state, ctx, d, find_path(it, parts), rest)
        it = d.items.get(unquote(seg))
        if it is None:
            raise nf()
        return route_item(state, ctx, d, it, raw[2:])
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % head)


def _need(ctx, *methods):
    if ctx.method not in methods:
        raise GraphError(405, "invalidRequest", "The HTTP method '%s' is not allowed for this resource." % ctx.method)


def route_item(state, ctx, d, it, raw):
    if not raw:
        if ctx.method == "GET":
            select, expand = parse_item_query(ctx)
            obj = render_item(state, ctx, d, it, select, expand, {})
            return json_resp(200, dict({"@odata.context": _ctx(ctx, "drives('%s')/items/$entity" % d.id)}, **obj))
        if ctx.method == "DELETE":
            return delete_item(state, ctx, d, it, permanent=False)
        _need(ctx, "GET", "DELETE")
    action = unquote(raw[0]).lower()
    if len(raw) != 1:
        raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % unquote(raw[1]))
    if action == "children":
        _need(ctx, "GET")
        if not it.is_folder:
            return json_resp(200, {"@odata.context": _ctx(ctx, "drives('%s')/items('%s')/children" % (d.id, it.id)),
                                   "value": []})
        return list_children(state, ctx, d, it)
    if action == "content":
        _need(ctx, "GET")
        if it.is_folder:
            raise GraphError(404, "itemNotFound", "The resource could not be found.")
        # DOCS['download']: 302 Found, Location = pre-authenticated URL (the
        # same as @microsoft.graph.downloadUrl).
        return Resp(302, {"Location": state.download_url(ctx, d, it), "Cache-Control": "no-cache"})
    if action == "retentionlabel":
        _need(ctx, "GET")
        lab = render_label(it)
        body = {"@odata.context": _ctx(ctx, "drives('%s')/items('%s')/retentionLabel/$entity" % (d.id, it.id))}
        if lab is None:
            body.update({"name": None, "retentionSettings": None, "isLabelAppliedExplicitly": None,
                         "labelAppliedDateTime": None, "labelAppliedBy": None})
        else:
            body.update(lab)
        return json_resp(200, body)
    if action == "permanentdelete":
        _need(ctx, "POST")
        return delete_item(state, ctx, d, it, permanent=True)
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % unquote(raw[0]))


def list_children(state, ctx, d, folder):
    if ctx.qget("$filter") is not None:
        raise GraphError(400, "notSupported", "Operation not supported")
    select, expand = parse_item_query(ctx)
    ob_text = ctx.qget("$orderby")
    orderby = parse_orderby(ob_text, ITEM_SCHEMA, DRIVE_ERRORS) if ob_text else [("name", False)]
    memo = {}

    def keyf(prop):
        if prop == "name":
            return lambda c: c.name.lower()
        if prop == "size":
            return lambda c: item_size(c, memo)
        if prop == "createdDateTime":
            return lambda c: c.crt
        return lambda c: c.mod

    def compute():
        kids = sorted(folder.children.values(), key=lambda c: c.id)
        for prop, desc in reversed(orderby):
            kids.sort(key=keyf(prop), reverse=desc)
        return [c.id for c in kids]

    def render(iid):
        c = d.items.get(iid)
        if c is None or c.parent is not folder:
            return None
        return render_item(state, ctx, d, c, select, expand, memo)

    return serve_page(ctx, state.pager, compute, render, default=200, maximum=1000, errs=DRIVE_ERRORS,
                      mode="snapshot",
                      context_url=_ctx(ctx, "drives('%s')/items('%s')/children" % (d.id, folder.id)),
                      token_error=DRIVE_TOKEN_ERROR, top_over_max="cap")


def etag_matches(it, value):
    v = value.strip()
    if v == "*":
        return True
    # A list of entity tags; the tags themselves contain commas ("{GUID},2"),
    # so split only on commas outside quotes.
    cands, cur, quoted = [], "", False
    for ch in v:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            cands.append(cur.strip())
            cur = ""
            continue
        cur += ch
    cands.append(cur.strip())
    for c in cands:
        if c.startswith("W/"):
            c = c[2:]
        if c in (it.etag, it.ctag):
            return True
    return False


def delete_item(state, ctx, d, it, permanent):
    if it.parent is None:
        raise GraphError(403, "accessDenied", "Cannot delete the root folder of a drive.")
    im = ctx.headers.get("If-Match")
    if im is not None and not etag_matches(it, im):
        raise GraphError(412, "resourceModified", "ETag does not match current item's value",
                         inner={"code": "entityTagDoesNotMatch"})
    for x in it.walk():
        if x.held():
            raise GraphError(403, "accessDenied", HOLD_MESSAGE)
    now = time.time()
    parent = it.parent
    del parent.children[it.name.lower()]
    parent.bump(content=True)
    how = "purged" if permanent else "recycled"
    for x in list(it.walk()):
        d.items.pop(x.id, None)
        d.gone.append({"id": x.id, "path": x.path(), "name": x.name, "folder": x.is_folder, "state": how,
                       "eTag": x.etag, "key": x.key, "at": fmt_iso(now), "via": it.id})
        state.forget_key(x.key)
    ctx.mutated = True
    return Resp(204, {"Cache-Control": "no-cache"})


# ---------------------------------------------------------------------------

def route_sites(state, ctx, raw):
    if not raw:
        raise GraphError(400, "invalidRequest", "A site id or path is required.")
    first = raw[0]
    if first.endswith(":"):
        host = unquote(first[:-1]).lower()
        parts, rest = split_colon_path(raw)
        path = ("/" + "/".join(parts)) if parts else ""
        s = state.sites_by_path.get((host, path.lower()))
        if s is None:
            raise GraphError(404, "itemNotFound", "Requested site could not be found")
    else:
        key = unquote(first)
        s = state.sites_by_id.get(key.lower())
        if s is None:
            if key.count(",") != 2 and key.lower() != "root":
                raise GraphError(400, "invalidRequest", "Invalid hostname for this tenancy")
            raise GraphError(404, "itemNotFound", "Requested site could not be found")
        rest = raw[1:]
    if not rest:
        _need(ctx, "GET")
        return json_resp(200, dict({"@odata.context": _ctx(ctx, "sites/$entity")}, **render_site(s)))
    head = unquote(rest[0]).lower()
    if head == "drive":
        if not s.drives:
            raise nf()
        return route_drive(state, ctx, s.drives[0], rest[1:])
    if head == "drives":
        if len(rest) == 1:
            _need(ctx, "GET")
            return json_resp(200, {"@odata.context": _ctx(ctx, "drives"),
                                   "value": [render_drive(x) for x in s.drives]})
        d = resolve_drive_id(state, unquote(rest[1]))
        if d not in s.drives:
            raise nf()
        return route_drive(state, ctx, d, rest[2:])
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % unquote(rest[0]))


def serve_download(state, method, parts, range_header):
    """GET /_download/{drive-num}/{item-id}/{expiry}/{mac}: no Authorization needed."""
    if method not in ("GET", "HEAD") or len(parts) != 4:
        return json_resp(404, {"error": {"code": "itemNotFound", "message": "The resource could not be found."}})
    dnum, iid, exp, mac = parts
    if not state.download_ok(dnum, iid, exp, mac):
        return json_resp(401, {"error": {"code": "unauthenticated",
                                         "message": "The pre-authenticated download URL is invalid or expired."}})
    d = state.drives_by_num.get(int(dnum))
    it = d.items.get(iid) if d else None
    if it is None or it.is_folder:
        return json_resp(404, {"error": {"code": "itemNotFound", "message": "The resource could not be found."}})
    data = content_of(it)
    headers = {"Content-Type": mime_for(it.name), "Accept-Ranges": "bytes", "ETag": it.etag,
               "Content-Disposition": "attachment; filename*=UTF-8''%s" % quote(it.name)}
    if range_header and range_header.startswith("bytes="):
        try:
            a, b = range_header[6:].split(",")[0].split("-")
            total = len(data)
            if a == "":
                start, end = max(0, total - int(b)), total - 1
            else:
                start, end = int(a), (int(b) if b else total - 1)
            end = min(end, total - 1)
            if start > end or start >= total:
                return Resp(416, {"Content-Range": "bytes */%d" % total})
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, total)
            return Resp(206, headers, data[start:end + 1])
        except ValueError:
            pass
    return Resp(200, headers, data)
