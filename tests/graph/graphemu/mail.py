"""Mailboxes: mail folders, messages, calendars and events (the Outlook APIs).

Behaviour and where it comes from:
  * folder tree, well-known folder names, hidden folders ........ DOCS['mailfolder'],
    DOCS['list-mailfolders'], DOCS['list-childfolders'] (includeHiddenFolders=true)
  * list messages: $top 1..1000 (default 10), $select, $filter, $orderby,
    $count, the $filter/$orderby rule answered with 400 InefficientFilter
    ("The restriction or sort order is too complex for this operation.") .. DOCS['list-messages']
  * DELETE moves the message to Recoverable Items\\Deletions; permanentDelete
    purges it ........................................ DOCS['delete-message'],
    DOCS['message-permanentdelete'] ("place it in the Purges folder in the dumpster")
  * deleting inside recoverableitemsdeletions is refused: {"code":"ErrorCannotDeleteObject",
    "message":"Object cannot be deleted."} (microsoftgraph/microsoft-graph-docs issue 2894)
  * regular ids change on move, immutable ids do not ........ DOCS['immutable-id']
  * message size as PidTagMessageSize through
    $expand=singleValueExtendedProperties($filter=id eq 'Integer 0x0E08') .. DOCS['extended-props']
  * GET .../$value returns the MIME text ............... DOCS['get-message']
  * calendars, events, Prefer: outlook.timezone (UTC when absent) .. DOCS['list-calendars'], DOCS['list-events']
  * DELETE of the default calendar is refused ........ DOCS['delete-calendar'] ("Delete a
    calendar other than the default calendar"); the error body is not documented
  * calendar and event permanentDelete ............. DOCS['calendar-permanentdelete'],
    DOCS['event-permanentdelete']

Documentation pages cited in this file as DOCS['key']:
  mailfolder               mailFolder resource type (well-known folder names, hidden mail folders)
                           https://learn.microsoft.com/graph/api/resources/mailfolder
  list-mailfolders         List mailFolders
                           https://learn.microsoft.com/graph/api/user-list-mailfolders
  list-childfolders        List childFolders
                           https://learn.microsoft.com/graph/api/mailfolder-list-childfolders
  list-messages            List messages
                           https://learn.microsoft.com/graph/api/user-list-messages
  delete-message           Delete message
                           https://learn.microsoft.com/graph/api/message-delete
  message-permanentdelete  message: permanentDelete
                           https://learn.microsoft.com/graph/api/message-permanentdelete
  immutable-id             Obtain immutable identifiers for Outlook resources
                           https://learn.microsoft.com/graph/outlook-immutable-id
  extended-props           Get singleValueLegacyExtendedProperty
                           https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get
  get-message              Get message (including Get MIME content of a message)
                           https://learn.microsoft.com/graph/api/message-get
  list-calendars           List calendars
                           https://learn.microsoft.com/graph/api/user-list-calendars
  list-events              List events
                           https://learn.microsoft.com/graph/api/calendar-list-events
  delete-calendar          Delete calendar
                           https://learn.microsoft.com/graph/api/calendar-delete
  calendar-permanentdelete calendar: permanentDelete
                           https://learn.microsoft.com/graph/api/calendar-permanentdelete
  event-permanentdelete    event: permanentDelete
                           https://learn.microsoft.com/graph/api/event-permanentdelete
  move-message             message: move
                           https://learn.microsoft.com/graph/api/message-move
  update-message           Update message
                           https://learn.microsoft.com/graph/api/message-update
  event-delete             Delete event
                           https://learn.microsoft.com/graph/api/event-delete
"""

import bisect
import re
import datetime as _dt
import time
import uuid
from urllib.parse import quote

from . import ids
from .common import GraphError, Resp, fmt_iso, fmt_iso7, json_resp, parse_iso
from .odata import OUTLOOK_ERRORS, Filter, Schema, parse_expand, parse_orderby, parse_select
from .paging import bad_token, serve_page

try:
    import zoneinfo
except ImportError:  # pragma: no cover
    zoneinfo = None

NOT_FOUND = ("ErrorItemNotFound", "The specified object was not found in the store.")
INF = float("inf")


def not_found():
    return GraphError(404, *NOT_FOUND)


def malformed():
    return GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")


# ---------------------------------------------------------------------------
# model

class Coll:
    """A set of items that can be listed, with a sorted index per sort field
    built on demand and a small cache of query results.  'version' changes on
    every change of membership or of an item; 'struct' only when an item is
    added or a sort field changes -- removals leave the index usable (dead
    entries are skipped), which keeps deleting 200,000 messages linear."""

    __slots__ = ("items", "version", "struct", "idx", "rcache")

    def __init__(self):
        self.items = {}
        self.version = 0
        self.struct = 0
        self.idx = {}
        self.rcache = {}

    def added(self):
        self.version += 1
        self.struct += 1

    def removed(self):
        self.version += 1

    def index(self, attr):
        hit = self.idx.get(attr)
        # Reuse the index while only removals happened, until more than half
        # of it is dead entries; then rebuild (compact) it.
        if hit is not None and hit[0] == self.struct and len(self.items) * 2 >= len(hit[1]):
            return hit[1]
        lst = sorted((getattr(m, attr), m.seq) for m in self.items.values())
        self.idx[attr] = (self.struct, lst)
        return lst


class Folder(Coll):
    __slots__ = ("num", "name", "parent", "hidden", "wkn", "children", "ipm", "counts")

    def __init__(self, num, name, parent, hidden=False, wkn=None, ipm=True):
        super().__init__()
        self.num, self.name, self.parent, self.hidden, self.wkn = num, name, parent, hidden, wkn
        self.children = []
        self.ipm = ipm
        self.counts = None


class Message:
    __slots__ = ("seq", "folder", "gen", "rcv", "snt", "crt", "mod", "ck", "read", "size", "tmpl", "extra", "key")

    def __init__(self, seq, folder, rcv, snt, crt, mod, size, tmpl, extra=None, key=None, read=False):
        self.seq, self.folder, self.gen = seq, folder, 0
        self.rcv, self.snt, self.crt, self.mod = rcv, snt, crt, mod
        self.ck, self.read, self.size, self.tmpl, self.extra, self.key = 1, read, size, tmpl, extra, key

    def prop(self, name, default=None):
        if self.extra is not None and name in self.extra:
            return self.extra[name]
        return self.tmpl.get(name, default)

    def own_extra(self):
        if self.extra is None:
            self.extra = {}
        return self.extra


class Calendar(Coll):
    __slots__ = ("num", "name", "default", "ck", "state", "key", "color")

    def __init__(self, num, name, default=False, key=None, color="auto"):
        super().__init__()
        self.num, self.name, self.default, self.ck, self.state, self.key = num, name, default, 1, "present", key
        self.color = color


class Event:
    __slots__ = ("seq", "cal", "gen", "start", "end", "crt", "mod", "ck", "extra", "key", "state", "all_day")

    def __init__(self, seq, cal, start, end, crt, extra, key=None, all_day=False):
        self.seq, self.cal, self.gen = seq, cal, 0
        self.start, self.end, self.crt, self.mod = start, end, crt, crt
        self.ck, self.extra, self.key, self.state, self.all_day = 1, extra, key, "present", all_day


# Default folders of a mailbox: (well-known name, display name, parent wkn, hidden, ipm)
DEFAULT_FOLDERS = [
    ("root", "Root", None, False, False),
    ("msgfolderroot", "Top of Information Store", "root", False, True),
    ("inbox", "Inbox", "msgfolderroot", False, True),
    ("drafts", "Drafts", "msgfolderroot", False, True),
    ("sentitems", "Sent Items", "msgfolderroot", False, True),
    ("deleteditems", "Deleted Items", "msgfolderroot", False, True),
    ("junkemail", "Junk Email", "msgfolderroot", False, True),
    ("outbox", "Outbox", "msgfolderroot", False, True),
    ("archive", "Archive", "msgfolderroot", False, True),
    ("conversationhistory", "Conversation History", "msgfolderroot", False, True),
    # DOCS['list-mailfolders'] example 2: "Clutter" is the hidden folder it shows.
    ("clutter", "Clutter", "msgfolderroot", True, True),
    ("scheduled", "Scheduled", "msgfolderroot", False, True),
    ("syncissues", "Sync Issues", "msgfolderroot", False, True),
    ("conflicts", "Conflicts", "syncissues", False, True),
    ("localfailures", "Local Failures", "syncissues", False, True),
    ("serverfailures", "Server Failures", "syncissues", False, True),
    ("searchfolders", "Finder", "root", False, False),
    ("recoverableitemsroot", "Recoverable Items", "root", False, False),
    ("recoverableitemsdeletions", "Deletions", "recoverableitemsroot", False, False),
    ("recoverableitemspurges", "Purges", "recoverableitemsroot", False, False),
    ("recoverableitemsversions", "Versions", "recoverableitemsroot", False, False),
]
# The names DOCS['mailfolder'] documents for v1.0 (others are accepted too).
DOCUMENTED_WKN = {"archive", "clutter", "conflicts", "conversationhistory", "deleteditems", "drafts", "inbox",
                  "junkemail", "localfailures", "msgfolderroot", "outbox", "recoverableitemsdeletions",
                  "scheduled", "searchfolders", "sentitems", "serverfailures", "syncissues"}


class Mailbox:
    def __init__(self, upn, num, display_name=None, user_id=None, guid=None):
        self.upn = upn
        self.num = num
        self.display_name = display_name or upn.split("@")[0]
        self.user_id = user_id or str(uuid.uuid4())
        self.guid = (guid or uuid.uuid4()).bytes
        self.folders = {}
        self.wk = {}
        self.messages = {}        # seq -> Message (present or in Recoverable Items)
        self.ipm = Coll()         # messages under Top of Information Store (what /messages lists)
        self.purged = []          # records of permanently deleted messages and events
        self.next_seq = 1
        self.next_folder = 1
        self.calendars = {}
        self.events = {}          # seq -> Event (any state but purged)
        self.cal_gone = []        # records of deleted / purged calendars
        for wkn, name, parent, hidden, ipm in DEFAULT_FOLDERS:
            self.add_folder(name, self.wk[parent] if parent else None, hidden, wkn, ipm)
        self.add_calendar("Calendar", default=True)

    # -- folders ------------------------------------------------------------
    def add_folder(self, name, parent_num, hidden=False, wkn=None, ipm=None):
        num = self.next_folder
        self.next_folder += 1
        if ipm is None:
            ipm = self.folders[parent_num].ipm if parent_num else False
        f = Folder(num, name, parent_num, hidden, wkn, ipm)
        self.folders[num] = f
        if wkn:
            self.wk[wkn] = num
        if parent_num:
            self.folders[parent_num].children.append(num)
        return f

    def folder_id(self, f):
        return ids.encode(ids.FOLDER, self.guid, f.num)

    def folder_path(self, f):
        parts = []
        while f is not None and f.wkn not in ("msgfolderroot", "root"):
            parts.append(f.name)
            f = self.folders.get(f.parent) if f.parent else None
        return "/".join(reversed(parts))

    def ensure_path(self, path, hidden=False):
        """'Inbox/Clients/Réclamations' (or a list of names) under Top of
        Information Store; a first part that is a well-known name or an
        existing display name is used as is.  Missing folders are created."""
        names = path if isinstance(path, list) else [p for p in path.split("/") if p]
        f = self.folders[self.wk["msgfolderroot"]]
        for i, name in enumerate(names):
            if i == 0 and name.lower() in self.wk and name.lower() != "root":
                f = self.folders[self.wk[name.lower()]]
                continue
            nxt = None
            for c in f.children:
                if self.folders[c].name.lower() == name.lower():
                    nxt = self.folders[c]
                    break
            if nxt is None:
                nxt = self.add_folder(name, f.num, hidden=hidden and i == len(names) - 1)
            f = nxt
        return f

    def resolve_folder(self, text):
        num = self.wk.get(text.lower())
        if num is not None:
            return self.folders[num]
        try:
            kind, guid, nums = ids.decode(text)
        except ValueError:
            raise malformed()
        if kind != ids.FOLDER or guid != self.guid or nums[0] not in self.folders:
            raise not_found()
        return self.folders[nums[0]]

    # -- messages -------------------------------------------------------------
    def add_message(self, m, folder):
        m.folder = folder.num
        self.messages[m.seq] = m
        folder.items[m.seq] = m
        folder.added()
        if folder.ipm:
            self.ipm.items[m.seq] = m
            self.ipm.added()

    def detach(self, m):
        f = self.folders[m.folder]
        f.items.pop(m.seq, None)
        f.removed()
        if f.ipm:
            self.ipm.items.pop(m.seq, None)
            self.ipm.removed()

    def touched(self, m):
        f = self.folders[m.folder]
        f.added()
        if f.ipm:
            self.ipm.added()

    def move(self, m, folder, now):
        self.detach(m)
        m.gen = (m.gen + 1) & 0xFFFF
        m.ck += 1
        m.mod = int(now)
        m.folder = folder.num
        folder.items[m.seq] = m
        folder.added()
        if folder.ipm:
            self.ipm.items[m.seq] = m
            self.ipm.added()

    def msg_id(self, m, immutable=False):
        if immutable:
            return ids.encode(ids.IMM_MESSAGE, self.guid, m.seq)
        return ids.encode(ids.MESSAGE, self.guid, m.folder, m.seq, m.gen)

    def resolve_message(self, text):
        try:
            kind, guid, nums = ids.decode(text)
        except ValueError:
            raise malformed()
        if guid != self.guid:
            raise not_found()
        if kind == ids.MESSAGE:
            folder, seq, gen = nums
            m = self.messages.get(seq)
            if m is None or m.folder != folder or m.gen != gen:
                raise not_found()
            return m
        if kind == ids.IMM_MESSAGE:
            m = self.messages.get(nums[0])
            if m is None:
                raise not_found()
            return m
        raise not_found()

    # -- calendars and events ------------------------------------------------
    def add_calendar(self, name, default=False, key=None, color="auto"):
        num = self.next_folder
        self.next_folder += 1
        c = Calendar(num, name, default, key, color)
        self.calendars[num] = c
        return c

    def default_calendar(self):
        for c in self.calendars.values():
            if c.default and c.state == "present":
                return c
        raise not_found()

    def cal_id(self, c):
        return ids.encode(ids.CALENDAR, self.guid, c.num)

    def resolve_calendar(self, text):
        try:
            kind, guid, nums = ids.decode(text)
        except ValueError:
            raise malformed()
        c = self.calendars.get(nums[0]) if kind == ids.CALENDAR and guid == self.guid else None
        if c is None or c.state != "present":
            raise not_found()
        return c

    def event_id(self, e, immutable=False):
        if immutable:
            return ids.encode(ids.IMM_EVENT, self.guid, e.seq)
        return ids.encode(ids.EVENT, self.guid, e.cal or 0, e.seq, e.gen)

    def resolve_event(self, text):
        try:
            kind, guid, nums = ids.decode(text)
        except ValueError:
            raise malformed()
        if guid != self.guid:
            raise not_found()
        if kind == ids.EVENT:
            cal, seq, gen = nums
            e = self.events.get(seq)
            if e is None or (e.cal or 0) != cal or e.gen != gen:
                raise not_found()
            return e
        if kind == ids.IMM_EVENT:
            e = self.events.get(nums[0])
            if e is None:
                raise not_found()
            return e
        raise not_found()


# ---------------------------------------------------------------------------
# schemas

MESSAGE_PROPS = {
    "id": "string", "createdDateTime": "datetime", "lastModifiedDateTime": "datetime", "changeKey": "string",
    "categories": "collection", "receivedDateTime": "datetime", "sentDateTime": "datetime",
    "hasAttachments": "bool", "internetMessageId": "string", "subject": "string", "bodyPreview": "string",
    "importance": "string", "parentFolderId": "string", "conversationId": "string",
    "conversationIndex": "string", "isDeliveryReceiptRequested": "bool", "isReadReceiptRequested": "bool",
    "isRead": "bool", "isDraft": "bool", "webLink": "string", "inferenceClassification": "string",
    "body": "object", "uniqueBody": "object", "sender": "object", "from": "object", "toRecipients": "object",
    "ccRecipients": "object", "bccRecipients": "object", "replyTo": "object", "flag": "object",
    "internetMessageHeaders": "object",
    "from/emailAddress/address": "string", "sender/emailAddress/address": "string",
    "from/emailAddress/name": "string", "flag/flagStatus": "string",
}
MESSAGE_DEFAULT = ["createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
                   "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
                   "parentFolderId", "conversationId", "conversationIndex", "isDeliveryReceiptRequested",
                   "isReadReceiptRequested", "isRead", "isDraft", "webLink", "inferenceClassification", "body",
                   "sender", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "flag"]
MESSAGE_SCHEMA = Schema(
    "message", MESSAGE_PROPS,
    sortable=["receivedDateTime", "sentDateTime", "createdDateTime", "lastModifiedDateTime", "subject",
              "importance", "isRead", "hasAttachments", "from/emailAddress/address", "from/emailAddress/name"],
    filterable=["receivedDateTime", "sentDateTime", "createdDateTime", "lastModifiedDateTime", "subject",
                "importance", "isRead", "hasAttachments", "isDraft", "categories", "internetMessageId",
                "conversationId", "parentFolderId", "from/emailAddress/address", "sender/emailAddress/address",
                "from/emailAddress/name", "flag/flagStatus", "inferenceClassification"])
DATE_ATTR = {"receivedDateTime": "rcv", "sentDateTime": "snt", "createdDateTime": "crt",
             "lastModifiedDateTime": "mod"}

FOLDER_PROPS = {"id": "string", "displayName": "string", "parentFolderId": "string",
                "childFolderCount": "number", "unreadItemCount": "number", "totalItemCount": "number",
                "isHidden": "bool", "wellKnownName": "string"}
FOLDER_SCHEMA = Schema("mailFolder", FOLDER_PROPS, sortable=["displayName", "totalItemCount"],
                       filterable=["displayName", "isHidden", "totalItemCount", "childFolderCount"])

CAL_PROPS = {"id": "string", "name": "string", "color": "string", "hexColor": "string",
             "isDefaultCalendar": "bool", "changeKey": "string", "canShare": "bool",
             "canViewPrivateItems": "bool", "canEdit": "bool", "allowedOnlineMeetingProviders": "collection",
             "defaultOnlineMeetingProvider": "string", "isTallyingResponses": "bool", "isRemovable": "bool",
             "owner": "object"}
CAL_SCHEMA = Schema("calendar", CAL_PROPS, sortable=["name"], filterable=["name", "isDefaultCalendar"])

EVENT_PROPS = {
    "id": "string", "createdDateTime": "datetime", "lastModifiedDateTime": "datetime", "changeKey": "string",
    "categories": "collection", "transactionId": "string", "originalStartTimeZone": "string",
    "originalEndTimeZone": "string", "iCalUId": "string", "reminderMinutesBeforeStart": "number",
    "isReminderOn": "bool", "hasAttachments": "bool", "subject": "string", "bodyPreview": "string",
    "importance": "string", "sensitivity": "string", "isAllDay": "bool", "isCancelled": "bool",
    "isOrganizer": "bool", "responseRequested": "bool", "seriesMasterId": "string", "showAs": "string",
    "type": "string", "webLink": "string", "onlineMeetingUrl": "string", "isOnlineMeeting": "bool",
    "onlineMeetingProvider": "string", "allowNewTimeProposals": "bool", "isDraft": "bool",
    "hideAttendees": "bool", "recurrence": "object", "responseStatus": "object", "body": "object",
    "start": "object", "end": "object", "location": "object", "locations": "object", "attendees": "object",
    "organizer": "object", "onlineMeeting": "object",
    "start/dateTime": "string", "end/dateTime": "string",
}
EVENT_DEFAULT = [k for k in EVENT_PROPS if "/" not in k and k != "id"]
EVENT_SCHEMA = Schema("event", EVENT_PROPS,
                      sortable=["start/dateTime", "end/dateTime", "createdDateTime", "lastModifiedDateTime",
                                "subject"],
                      filterable=["start/dateTime", "end/dateTime", "createdDateTime", "lastModifiedDateTime",
                                  "subject", "categories", "isCancelled", "type", "isAllDay"])
EVENT_ATTR = {"createdDateTime": "crt", "lastModifiedDateTime": "mod", "start/dateTime": "start",
              "end/dateTime": "end"}

# Extended properties the emulator knows (DOCS['extended-props']).  The id
# is echoed in Exchange's normalised form ("Integer 0xe08").
EXT_PROPS = {0x0E08: ("Integer", "size"), 0x001A: ("String", "class"), 0x1035: ("String", "imid")}


# ---------------------------------------------------------------------------
# rendering

def _addr(v):
    if isinstance(v, dict):
        return v
    if isinstance(v, str):
        name = v.split("@")[0]
        return {"emailAddress": {"name": name, "address": v}}
    return None


def msg_subject(m):
    s = m.prop("subject")
    if s is None:
        s = "%s #%d" % (m.tmpl.get("subject_prefix", "Message"), m.seq)
    return s


def msg_from(m):
    f = m.prop("from")
    if f is None:
        f = "sender%d@example.net" % (m.seq % 97)
    return _addr(f)


def msg_imid(mb, m):
    v = m.prop("internetMessageId")
    if v is None:
        v = "<%d.%d.%s@lethe-emulator.example>" % (m.seq, mb.num, ids.change_key(mb.guid, m.seq, 0)[12:20]
                                                   .replace("/", "x").replace("+", "y"))
    return v


def msg_cats(m):
    return list(m.prop("categories") or [])


def msg_get(m, prop):
    """Value of a filterable / sortable property (for $filter and $orderby)."""
    attr = DATE_ATTR.get(prop)
    if attr:
        return getattr(m, attr)
    if prop == "subject":
        return msg_subject(m)
    if prop == "isRead":
        return m.read
    if prop == "categories":
        return msg_cats(m)
    if prop == "importance":
        return m.prop("importance", "normal")
    if prop == "hasAttachments":
        return bool(m.prop("hasAttachments", False))
    if prop == "isDraft":
        return bool(m.prop("isDraft", False))
    if prop in ("from/emailAddress/address", "sender/emailAddress/address"):
        return (msg_from(m) or {}).get("emailAddress", {}).get("address")
    if prop == "from/emailAddress/name":
        return (msg_from(m) or {}).get("emailAddress", {}).get("name")
    if prop == "flag/flagStatus":
        return (m.prop("flag") or {}).get("flagStatus", "notFlagged")
    if prop == "inferenceClassification":
        return m.prop("inferenceClassification", "focused")
    return m.prop(prop)


def mime_of(mb, m):
    frm = (msg_from(m) or {}).get("emailAddress", {})
    date = _dt.datetime.fromtimestamp(m.snt, _dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = m.prop("body_text") or ("Body of message %d.\r\n" % m.seq)
    lines = [
        "Received: from mail.example.net by lethe-emulator; %s" % date,
        "From: %s <%s>" % (frm.get("name", ""), frm.get("address", "")),
        "To: %s <%s>" % (mb.display_name, mb.upn),
        "Subject: %s" % msg_subject(m),
        "Date: %s" % date,
        "Message-ID: %s" % msg_imid(mb, m),
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
    ]
    return "\r\n".join(lines).encode("utf-8")


def msg_size(mb, m):
    if m.size is not None:
        return m.size
    return len(mime_of(mb, m))


def parse_ext_expand(ctx, allowed):
    """$expand for Outlook items -> list of (type, tag) extended properties
    asked for, plus flags for other expansions.  DOCS['extended-props']."""
    text = ctx.qget("$expand")
    if not text:
        return None
    want = {"ext": [], "attachments": False}
    for name, opts in parse_expand(text, OUTLOOK_ERRORS):
        low = name.lower()
        if low == "singlevalueextendedproperties":
            flt = opts.get("$filter")
            if not flt:
                raise GraphError(400, "BadRequest", "An $expand of singleValueExtendedProperties needs a "
                                                    "$filter on id (DOCS: Get singleValueLegacyExtendedProperty).")
            for clause in [c.strip() for c in flt.replace(" or ", "\n").split("\n")]:
                mm = re.match(r"^\(?\s*id\s+eq\s+'([^']*)'\s*\)?$", clause, re.I)
                if not mm:
                    raise GraphError(400, "BadRequest", "Invalid filter clause: unsupported filter '%s' on "
                                                        "singleValueExtendedProperties." % flt)
                want["ext"].append(_parse_prop_id(mm.group(1)))
        elif low == "multivalueextendedproperties":
            pass
        elif low in allowed:
            want[low] = True
        else:
            raise GraphError(400, "RequestBroker--ParseUri",
                             "Could not find a navigation property named '%s'." % name)
    return want


def _parse_prop_id(text):
    parts = text.split()
    if len(parts) != 2:
        # named properties ('String {guid} Name X') are valid ids the emulator does not hold
        return (parts[0] if parts else "", None)
    typ, tag = parts
    try:
        num = int(tag, 16) if tag.lower().startswith("0x") else int(tag)
    except ValueError:
        raise GraphError(400, "BadRequest",
                         "The extended property id '%s' is not valid." % text)
    return (typ, num)


def render_message(mb, m, ctx, select, ext, now=None):
    imm = ctx.immutable_ids
    mid = mb.msg_id(m, imm)
    ck = ids.change_key(mb.guid, m.seq, m.ck)
    out = {"@odata.etag": 'W/"%s"' % ck, "id": mid}
    props = select if select is not None else MESSAGE_DEFAULT
    for p in props:
        if p == "id":
            continue
        out[p] = _msg_prop(mb, m, p, ck, mid)
    if ext:
        vals = []
        for typ, tag in ext.get("ext", []):
            known = EXT_PROPS.get(tag)
            if known is None:
                continue
            if tag == 0x0E08:
                if typ.lower() not in ("integer", "long"):
                    continue
            elif typ.lower() != known[0].lower():
                continue
            kind = known[1]
            v = str(msg_size(mb, m)) if kind == "size" else ("IPM.Note" if kind == "class" else msg_imid(mb, m))
            vals.append({"id": "%s 0x%x" % (typ[:1].upper() + typ[1:].lower(), tag), "value": v})
        if vals:
            out["singleValueExtendedProperties"] = vals
        if ext.get("attachments"):
            out["attachments"] = []
    return out


def _msg_prop(mb, m, p, ck, mid):
    if p in DATE_ATTR:
        return fmt_iso(getattr(m, DATE_ATTR[p]))
    if p == "changeKey":
        return ck
    if p == "categories":
        return msg_cats(m)
    if p == "subject":
        return msg_subject(m)
    if p == "internetMessageId":
        return msg_imid(mb, m)
    if p == "parentFolderId":
        return mb.folder_id(mb.folders[m.folder])
    if p == "from" or p == "sender":
        return msg_from(m)
    if p == "toRecipients":
        to = m.prop("toRecipients")
        return [_addr(x) for x in to] if to else [_addr(mb.upn)]
    if p in ("ccRecipients", "bccRecipients", "replyTo"):
        return [_addr(x) for x in (m.prop(p) or [])]
    if p == "isRead":
        return m.read
    if p == "bodyPreview":
        return m.prop("bodyPreview", "Body of message %d." % m.seq)
    if p in ("body", "uniqueBody"):
        return {"contentType": "html",
                "content": "<html><head></head><body>%s</body></html>" % m.prop("body_text", "Body of message %d."
                                                                                % m.seq)}
    if p == "importance":
        return m.prop("importance", "normal")
    if p == "flag":
        return m.prop("flag") or {"flagStatus": "notFlagged"}
    if p == "conversationId":
        return m.prop("conversationId") or ids.encode(ids.IMM_MESSAGE, mb.guid, m.seq).replace("AAkAL", "AAQkA", 1)
    if p == "conversationIndex":
        return m.prop("conversationIndex", "AQHZ" + ck[:20])
    if p == "webLink":
        return "https://outlook.office365.com/owa/?ItemID=%s&exvsurl=1&viewmodel=ReadMessageItem" % quote(mid, safe="")
    if p == "inferenceClassification":
        return m.prop("inferenceClassification", "focused")
    if p in ("hasAttachments", "isDraft", "isDeliveryReceiptRequested", "isReadReceiptRequested"):
        return bool(m.prop(p, False))
    if p == "internetMessageHeaders":
        return [{"name": "Message-ID", "value": msg_imid(mb, m)}]
    if "/" in p:
        return None
    return m.prop(p)


def render_folder(mb, f, select, beta):
    if f.counts is None or f.counts[0] != f.version:
        unread = sum(1 for x in f.items.values() if not x.read)
        f.counts = (f.version, len(f.items), unread)
    full = {
        "id": mb.folder_id(f),
        "displayName": f.name,
        "parentFolderId": mb.folder_id(mb.folders[f.parent]) if f.parent else mb.folder_id(f),
        "childFolderCount": len(f.children),
        "unreadItemCount": f.counts[2],
        "totalItemCount": f.counts[1],
        "isHidden": f.hidden,
    }
    if beta:
        full["wellKnownName"] = f.wkn if f.wkn in DOCUMENTED_WKN else None
    if select is None:
        return full
    return {k: full[k] for k in ["id"] + [s for s in select if s != "id"] if k in full}


def render_calendar(mb, c, select):
    ck = ids.change_key(mb.guid, 0xC0000000 | c.num, c.ck)
    full = {
        "@odata.etag": 'W/"%s"' % ck,
        "id": mb.cal_id(c), "name": c.name, "color": c.color, "hexColor": "",
        "isDefaultCalendar": c.default, "changeKey": ck, "canShare": True, "canViewPrivateItems": True,
        "canEdit": True, "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness", "isTallyingResponses": True,
        "isRemovable": not c.default,
        "owner": {"name": mb.display_name, "address": mb.upn},
    }
    if select is None:
        return full
    return {k: full[k] for k in ["@odata.etag", "id"] + [s for s in select if s != "id"] if k in full}


_WINDOWS_TZ = {"utc": "UTC", "pacific standard time": "America/Los_Angeles",
               "eastern standard time": "America/New_York", "w. europe standard time": "Europe/Berlin",
               "romance standard time": "Europe/Paris", "gmt standard time": "Europe/London",
               "central europe standard time": "Europe/Budapest"}


def event_tz(ctx):
    """DOCS['list-events']: 'Prefer: outlook.timezone' sets the time zone of
    start and end; without it they are in UTC."""
    name = ctx.prefer.get("outlook.timezone")
    if not name:
        return "UTC", _dt.timezone.utc
    if name.upper() == "UTC":
        ctx.applied.append('outlook.timezone="UTC"')
        return "UTC", _dt.timezone.utc
    iana = _WINDOWS_TZ.get(name.lower(), name)
    if zoneinfo is not None:
        try:
            tz = zoneinfo.ZoneInfo(iana)
            ctx.applied.append('outlook.timezone="%s"' % name)
            return name, tz
        except Exception:
            pass
    return "UTC", _dt.timezone.utc


def render_event(mb, e, ctx, select, tz):
    tzname, tzobj = tz
    ck = ids.change_key(mb.guid, 0x80000000 | e.seq, e.ck)
    eid = mb.event_id(e, ctx.immutable_ids)
    x = e.extra

    def prop(p):
        if p == "createdDateTime":
            return fmt_iso(e.crt)
        if p == "lastModifiedDateTime":
            return fmt_iso(e.mod)
        if p == "changeKey":
            return ck
        if p == "start":
            return {"dateTime": fmt_iso7(e.start, tzobj), "timeZone": tzname}
        if p == "end":
            return {"dateTime": fmt_iso7(e.end, tzobj), "timeZone": tzname}
        if p == "subject":
            return x.get("subject", "Event %d" % e.seq)
        if p == "categories":
            return list(x.get("categories") or [])
        if p == "isAllDay":
            return e.all_day
        if p == "organizer":
            return _addr(x.get("organizer") or mb.upn)
        if p == "iCalUId":
            return x.get("iCalUId") or ("040000008200E00074C5B7101A82E008%032X" % (e.seq * 7919 + mb.num))
        if p == "type":
            return "singleInstance"
        if p in ("originalStartTimeZone", "originalEndTimeZone"):
            return x.get("timeZone", "UTC")
        if p in ("seriesMasterId", "recurrence", "onlineMeetingUrl", "onlineMeeting", "transactionId"):
            return None
        if p == "webLink":
            return "https://outlook.office365.com/owa/?itemid=%s&exvsurl=1&path=/calendar/item" % quote(eid, safe="")
        if p == "bodyPreview":
            return x.get("bodyPreview", "")
        if p == "body":
            return {"contentType": "html", "content": "<html><body>%s</body></html>" % x.get("bodyPreview", "")}
        if p == "responseStatus":
            return {"response": "organizer", "time": "0001-01-01T00:00:00Z"}
        if p == "location":
            return {"displayName": x.get("location", ""), "locationType": "default"}
        if p in ("locations", "attendees"):
            return []
        defaults = {"reminderMinutesBeforeStart": 15, "isReminderOn": True, "hasAttachments": False,
                    "importance": "normal", "sensitivity": "normal", "isCancelled": False, "isOrganizer": True,
                    "responseRequested": True, "showAs": "busy", "isOnlineMeeting": False,
                    "onlineMeetingProvider": "unknown", "allowNewTimeProposals": True, "isDraft": False,
                    "hideAttendees": False}
        return x.get(p, defaults.get(p))

    out = {"@odata.etag": 'W/"%s"' % ck, "id": eid}
    for p in (select if select is not None else EVENT_DEFAULT):
        if p != "id" and "/" not in p:
            out[p] = prop(p)
    return out


def event_get(e, prop):
    attr = EVENT_ATTR.get(prop)
    if attr in ("start", "end"):
        return fmt_iso7(getattr(e, attr))          # start/dateTime compares as a string (UTC)
    if attr:
        return getattr(e, attr)
    if prop == "subject":
        return e.extra.get("subject", "Event %d" % e.seq)
    if prop == "categories":
        return list(e.extra.get("categories") or [])
    if prop == "isAllDay":
        return e.all_day
    if prop == "type":
        return "singleInstance"
    return e.extra.get(prop)


# ---------------------------------------------------------------------------
# queries

def check_inefficient(flt, orderby):
    """DOCS['list-messages'], 'Using filter and orderby in the same query':
    1. properties in $orderby must also appear in $filter;
    2. in the same order as in $filter;
    3. before any property that is not in $orderby.
    Otherwise 400 InefficientFilter."""
    names = [p for p, _ in orderby]
    if flt.props_in_order[:len(names)] != names:
        raise GraphError(400, "InefficientFilter", "The restriction or sort order is too complex for this operation.")


def _range_of(idx, lo, lo_incl, hi, hi_incl):
    i = 0 if lo is None else (bisect.bisect_left(idx, (lo,)) if lo_incl else bisect.bisect_right(idx, (lo, INF)))
    j = len(idx) if hi is None else (bisect.bisect_right(idx, (hi, INF)) if hi_incl else bisect.bisect_left(idx, (hi,)))
    return i, j


def run_query(coll, flt, orderby, getter, attr_map, default_order, cache_key):
    """-> list of item keys (seq) in answer order, cached per collection version."""
    hit = coll.rcache.get(cache_key)
    if hit is not None and hit[0] == coll.version:
        return hit[1]
    order = orderby or [default_order]
    prim, desc = order[0]
    attr = attr_map.get(prim)
    items = coll.items
    if attr is not None:
        idx = coll.index(attr)
        lo = hi = None
        lo_incl = hi_incl = True
        if flt is not None and attr not in ("start", "end"):
            lo, lo_incl, hi, hi_incl = flt.range_for(prim)
        i, j = _range_of(idx, lo, lo_incl, hi, hi_incl)
        rng = idx[i:j]
        if desc:
            rng.reverse()
        if flt is None:
            out = [s for v, s in rng if s in items and getattr(items[s], attr) == v]
        else:
            out = []
            for v, s in rng:
                it = items.get(s)
                if it is None or getattr(it, attr) != v:
                    continue
                if flt.matches(it, getter):
                    out.append(s)
    else:
        cand = [it for it in items.values() if flt is None or flt.matches(it, getter)]
        cand.sort(key=lambda it: (_sortable(getter(it, prim)), it.seq), reverse=desc)
        out = [it.seq for it in cand]
    if len(order) > 1:
        objs = [items[s] for s in out]
        for prop, d in reversed(order):
            objs.sort(key=lambda it: _sortable(getter(it, prop)), reverse=d)
        out = [it.seq for it in objs]
    coll.rcache[cache_key] = (coll.version, out)
    if len(coll.rcache) > 8:
        coll.rcache.pop(next(iter(coll.rcache)))
    return out


def _sortable(v):
    if v is None:
        return (0, "")
    if isinstance(v, bool):
        return (1, int(v))
    if isinstance(v, (int, float)):
        return (1, v)
    return (2, str(v).lower())


# ---------------------------------------------------------------------------
# routes

OUTLOOK_TOKEN_ERROR = bad_token("ErrorInvalidUrlQuery", "The value of the $skiptoken query option is not valid.")


def _select(ctx, schema):
    s = ctx.qget("$select")
    return parse_select(s, schema, OUTLOOK_ERRORS) if s else None


def _ctx_url(ctx, tail):
    return "%s/%s/$metadata#users('%s')/%s" % (ctx.base_url(), ctx.version, quote(ctx.segments[1], safe="@"), tail)


def route_user(state, ctx, mb, rest):
    """rest: path segments after /users/{id|upn}."""
    m, seg = ctx.method, rest
    if not seg:
        if m != "GET":
            raise GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        return json_resp(200, {"@odata.context": "%s/%s/$metadata#users/$entity" % (ctx.base_url(), ctx.version),
                               "id": mb.user_id, "userPrincipalName": mb.upn, "displayName": mb.display_name,
                               "mail": mb.upn})
    head = seg[0].lower()
    if head == "mailfolders":
        return _route_folders(state, ctx, mb, seg[1:])
    if head == "messages":
        if len(seg) == 1:
            _need(ctx, "GET")
            return _list_messages(state, ctx, mb, mb.ipm, "messages")
        return _route_message(state, ctx, mb, mb.resolve_message(seg[1]), seg[2:])
    if head == "calendars":
        if len(seg) == 1:
            _need(ctx, "GET")
            return _list_calendars(state, ctx, mb)
        return _route_calendar(state, ctx, mb, mb.resolve_calendar(seg[1]), seg[2:])
    if head == "calendar":
        return _route_calendar(state, ctx, mb, mb.default_calendar(), seg[1:])
    if head == "events":
        if len(seg) == 1:
            _need(ctx, "GET")
            return _list_events(state, ctx, mb, mb.default_calendar())
        return _route_event(state, ctx, mb, mb.resolve_event(seg[1]), seg[2:])
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % seg[0])


def _need(ctx, *methods):
    if ctx.method not in methods:
        raise GraphError(405, "BadRequest",
                         "The OData request is not supported: method %s." % ctx.method)


def _route_folders(state, ctx, mb, seg):
    beta = ctx.version == "beta"
    if not seg:
        _need(ctx, "GET")
        return _list_folders(state, ctx, mb, mb.folders[mb.wk["msgfolderroot"]], "mailFolders")
    f = mb.resolve_folder(seg[0])
    seg = seg[1:]
    while len(seg) >= 2 and seg[0].lower() == "childfolders":
        f = mb.resolve_folder(seg[1])
        seg = seg[2:]
    if not seg:
        _need(ctx, "GET")
        obj = render_folder(mb, f, _select(ctx, FOLDER_SCHEMA), beta)
        obj = dict({"@odata.context": _ctx_url(ctx, "mailFolders/$entity")}, **obj)
        return json_resp(200, obj)
    head = seg[0].lower()
    if head == "childfolders" and len(seg) == 1:
        _need(ctx, "GET")
        return _list_folders(state, ctx, mb, f, "mailFolders('%s')/childFolders" % mb.folder_id(f))
    if head == "messages":
        if len(seg) == 1:
            _need(ctx, "GET")
            return _list_messages(state, ctx, mb, f, "mailFolders('%s')/messages" % mb.folder_id(f))
        return _route_message(state, ctx, mb, mb.resolve_message(seg[1]), seg[2:])
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % seg[0])


def _list_folders(state, ctx, mb, parent, tail):
    select = _select(ctx, FOLDER_SCHEMA)
    # DOCS['list-childfolders']: hidden folders only with includeHiddenFolders=true.
    hidden_ok = (ctx.qget("includeHiddenFolders") or "").lower() == "true"
    flt_text = ctx.qget("$filter")
    flt = Filter(flt_text, FOLDER_SCHEMA) if flt_text else None
    beta = ctx.version == "beta"

    def fget(f, p):
        return {"displayName": f.name, "isHidden": f.hidden, "totalItemCount": len(f.items),
                "childFolderCount": len(f.children)}.get(p)

    def compute():
        kids = [mb.folders[c] for c in parent.children]
        kids = [f for f in kids if (hidden_ok or not f.hidden) and (flt is None or flt.matches(f, fget))]
        kids.sort(key=lambda f: (f.name.lower(), f.num))
        return [f.num for f in kids]

    return serve_page(ctx, state.pager, compute,
                      lambda n: render_folder(mb, mb.folders[n], select, beta) if n in mb.folders else None,
                      default=10, maximum=1000, errs=OUTLOOK_ERRORS, mode=state.cfg["outlook_paging"],
                      context_url=_ctx_url(ctx, tail), token_error=OUTLOOK_TOKEN_ERROR, allow_skip=True)


def _list_messages(state, ctx, mb, coll, tail):
    select = _select(ctx, MESSAGE_SCHEMA)
    ext = parse_ext_expand(ctx, {"attachments"})
    if ctx.qget("$search") is not None and (ctx.qget("$filter") or ctx.qget("$orderby")):
        raise GraphError(400, "ErrorInvalidUrlQuery", "The query parameter '$search' cannot be combined with "
                                                      "'$filter' or '$orderby'.")
    flt_text, ob_text = ctx.qget("$filter"), ctx.qget("$orderby")
    flt = Filter(flt_text, MESSAGE_SCHEMA) if flt_text else None
    orderby = parse_orderby(ob_text, MESSAGE_SCHEMA) if ob_text else None
    if flt is not None and orderby:
        check_inefficient(flt, orderby)
    if ctx.immutable_ids:
        ctx.applied.append('IdType="ImmutableId"')
    key = (flt_text, ob_text)

    def compute():
        return run_query(coll, flt, orderby, msg_get, DATE_ATTR, ("receivedDateTime", True), key)

    def render(seq):
        m = mb.messages.get(seq)
        if m is None or seq not in coll.items:
            return None
        return render_message(mb, m, ctx, select, ext)

    return serve_page(ctx, state.pager, compute, render, default=10, maximum=1000, errs=OUTLOOK_ERRORS,
                      mode=state.cfg["outlook_paging"], context_url=_ctx_url(ctx, tail + _sel_suffix(select)),
                      token_error=OUTLOOK_TOKEN_ERROR, allow_skip=True)


def _sel_suffix(select):
    return "(%s)" % ",".join(select) if select else ""


def _route_message(state, ctx, mb, m, seg):
    now = time.time()
    if ctx.immutable_ids:
        ctx.applied.append('IdType="ImmutableId"')
    if not seg:
        if ctx.method == "GET":
            obj = render_message(mb, m, ctx, _select(ctx, MESSAGE_SCHEMA), parse_ext_expand(ctx, {"attachments"}))
            return json_resp(200, dict({"@odata.context": _ctx_url(ctx, "messages/$entity")}, **obj))
        if ctx.method == "PATCH":
            return _patch_message(state, ctx, mb, m, now)
        if ctx.method == "DELETE":
            rid = mb.folders[mb.wk["recoverableitemsdeletions"]]
            if m.folder == rid.num:
                raise GraphError(400, "ErrorCannotDeleteObject", "Object cannot be deleted.")
            mb.move(m, rid, now)
            ctx.mutated = True
            return Resp(204, {"Cache-Control": "no-cache"})
        _need(ctx, "GET", "PATCH", "DELETE")
    head = seg[0].lower()
    if head == "$value" and len(seg) == 1:
        _need(ctx, "GET")
        return Resp(200, {"Content-Type": "text/plain"}, mime_of(mb, m))
    if head == "permanentdelete" and len(seg) == 1:
        _need(ctx, "POST")
        purge_message(mb, m, now, state)
        ctx.mutated = True
        return Resp(204, {"Cache-Control": "no-cache"})
    if head == "move" and len(seg) == 1:
        # DOCS['move-message']: 201 Created with the moved message, whose
        # regular id is new (DOCS['immutable-id']).
        _need(ctx, "POST")
        body = ctx.json_body() or {}
        dest = body.get("destinationId") if isinstance(body, dict) else None
        if not dest:
            raise GraphError(400, "BadRequest",
                             "The 'destinationId' parameter is required.")
        f = mb.resolve_folder(dest)
        if f.num != m.folder:
            mb.move(m, f, now)
        ctx.mutated = True
        obj = render_message(mb, m, ctx, None, None)
        return json_resp(201, dict({"@odata.context": _ctx_url(ctx, "messages/$entity")}, **obj))
    if head == "attachments" and len(seg) == 1:
        _need(ctx, "GET")
        return json_resp(200, {"@odata.context": _ctx_url(ctx, "messages('%s')/attachments" % mb.msg_id(m)),
                               "value": []})
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % seg[0])


WRITABLE_MESSAGE = {"categories", "isread", "flag", "importance", "inferenceclassification",
                    "isdeliveryreceiptrequested", "isreadreceiptrequested"}


def _patch_message(state, ctx, mb, m, now):
    """DOCS['update-message']: writable properties of a received message.
    changeKey and lastModifiedDateTime change with every update."""
    body = ctx.json_body()
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
    for k, v in body.items():
        low = k.lower()
        if low in ("subject", "body", "torecipients", "ccrecipients", "bccrecipients", "from", "sender",
                   "replyto", "internetmessageid") and not m.prop("isDraft", False):
            raise GraphError(400, "ErrorInvalidPropertyUpdateSentMessage",
                             "Update operation is invalid for property of a sent message.")
        if low not in WRITABLE_MESSAGE and not m.prop("isDraft", False):
            raise GraphError(400, "ErrorInvalidProperty", "The property '%s' is read-only and cannot be set." % k)
    ex = m.own_extra()
    for k, v in body.items():
        low = k.lower()
        if low == "categories":
            if not isinstance(v, list) or not all(isinstance(c, str) for c in v):
                raise GraphError(400, "BadRequest", "Invalid value for property 'categories'.")
            ex["categories"] = list(v)
        elif low == "isread":
            m.read = bool(v)
        else:
            ex[{"flag": "flag", "importance": "importance"}.get(low, k)] = v
    m.ck += 1
    m.mod = int(now)
    mb.touched(m)
    ctx.mutated = True
    obj = render_message(mb, m, ctx, None, None)
    return json_resp(200, dict({"@odata.context": _ctx_url(ctx, "messages/$entity")}, **obj))


def purge_message(mb, m, now, state):
    rec = {"kind": "message", "seq": m.seq, "immutableId": mb.msg_id(m, True), "lastId": mb.msg_id(m),
           "subject": msg_subject(m), "internetMessageId": msg_imid(mb, m), "key": m.key,
           "from_folder": mb.folder_path(mb.folders[m.folder]), "purgedAt": fmt_iso(now)}
    mb.detach(m)
    del mb.messages[m.seq]
    mb.purged.append(rec)
    state.forget_key(m.key)


# -- calendars -----------------------------------------------------------------

def _list_calendars(state, ctx, mb):
    """DOCS['list-calendars']: id, name, changeKey, isDefaultCalendar, ..."""
    select = _select(ctx, CAL_SCHEMA)
    flt_text = ctx.qget("$filter")
    flt = Filter(flt_text, CAL_SCHEMA) if flt_text else None

    def cget(c, p):
        return {"name": c.name, "isDefaultCalendar": c.default}.get(p)

    def compute():
        cs = [c for c in mb.calendars.values() if c.state == "present" and (flt is None or flt.matches(c, cget))]
        cs.sort(key=lambda c: (not c.default, c.num))
        return [c.num for c in cs]

    def render(n):
        c = mb.calendars.get(n)
        return render_calendar(mb, c, select) if c is not None and c.state == "present" else None

    return serve_page(ctx, state.pager, compute, render, default=10, maximum=1000, errs=OUTLOOK_ERRORS,
                      mode=state.cfg["outlook_paging"], context_url=_ctx_url(ctx, "calendars"),
                      token_error=OUTLOOK_TOKEN_ERROR, allow_skip=True)


def _route_calendar(state, ctx, mb, c, seg):
    now = time.time()
    if not seg:
        if ctx.method == "GET":
            obj = render_calendar(mb, c, _select(ctx, CAL_SCHEMA))
            return json_resp(200, dict({"@odata.context": _ctx_url(ctx, "calendars/$entity")}, **obj))
        if ctx.method == "DELETE":
            if c.default:
                # DOCS['delete-calendar'] deletes "a calendar other than the
                # default calendar"; the code is Exchange's for a default
                # (distinguished) folder.
                raise GraphError(400, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
            _drop_calendar(state, mb, c, "deleted", now)
            ctx.mutated = True
            return Resp(204, {"Cache-Control": "no-cache"})
        _need(ctx, "GET", "DELETE")
    head = seg[0].lower()
    if head == "permanentdelete" and len(seg) == 1:
        _need(ctx, "POST")
        if c.default:
            raise GraphError(400, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
        _drop_calendar(state, mb, c, "purged", now)
        ctx.mutated = True
        return Resp(204, {"Cache-Control": "no-cache"})
    if head == "events":
        if len(seg) == 1:
            _need(ctx, "GET")
            return _list_events(state, ctx, mb, c)
        e = mb.resolve_event(seg[1])
        return _route_event(state, ctx, mb, e, seg[2:])
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % seg[0])


def _drop_calendar(state, mb, c, how, now):
    """DOCS['calendar-permanentdelete']: the calendar folder and its events are
    removed from the mailbox.  A plain DELETE keeps them as 'deleted'."""
    c.state = how
    evs = list(c.items.values())
    for e in evs:
        if how == "purged":
            _purge_event(state, mb, e, now)
        else:
            e.state = "deleted-with-calendar"
    mb.cal_gone.append({"kind": "calendar", "name": c.name, "id": mb.cal_id(c), "state": how, "key": c.key,
                        "events": len(evs), "at": fmt_iso(now)})


def _list_events(state, ctx, mb, c):
    select = _select(ctx, EVENT_SCHEMA)
    tz = event_tz(ctx)
    flt_text, ob_text = ctx.qget("$filter"), ctx.qget("$orderby")
    flt = Filter(flt_text, EVENT_SCHEMA) if flt_text else None
    orderby = parse_orderby(ob_text, EVENT_SCHEMA) if ob_text else None
    if ctx.immutable_ids:
        ctx.applied.append('IdType="ImmutableId"')
    key = ("ev", flt_text, ob_text)

    def compute():
        return run_query(c, flt, orderby, event_get, EVENT_ATTR, ("start/dateTime", False), key)

    def render(seq):
        e = mb.events.get(seq)
        if e is None or seq not in c.items:
            return None
        return render_event(mb, e, ctx, select, tz)

    return serve_page(ctx, state.pager, compute, render, default=10, maximum=1000, errs=OUTLOOK_ERRORS,
                      mode=state.cfg["outlook_paging"],
                      context_url=_ctx_url(ctx, "calendars('%s')/events%s" % (mb.cal_id(c), _sel_suffix(select))),
                      token_error=OUTLOOK_TOKEN_ERROR, allow_skip=True)


def _route_event(state, ctx, mb, e, seg):
    now = time.time()
    if ctx.immutable_ids:
        ctx.applied.append('IdType="ImmutableId"')
    if e.state != "present":
        # A deleted event is reachable only by its immutable id (its regular id
        # changed with the move), and only to be read or purged.
        if not ((not seg and ctx.method == "GET") or (seg and seg[0].lower() == "permanentdelete")):
            raise not_found()
    if not seg:
        if ctx.method == "GET":
            obj = render_event(mb, e, ctx, _select(ctx, EVENT_SCHEMA), event_tz(ctx))
            return json_resp(200, dict({"@odata.context": _ctx_url(ctx, "events/$entity")}, **obj))
        if ctx.method == "PATCH":
            body = ctx.json_body()
            if not isinstance(body, dict):
                raise GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")
            for k, v in body.items():
                low = k.lower()
                if low in ("subject", "categories", "bodypreview", "location", "importance", "sensitivity",
                           "showas", "isreminderon", "reminderminutesbeforestart"):
                    e.extra[{"bodypreview": "bodyPreview"}.get(low, k)] = v
                elif low in ("start", "end") and isinstance(v, dict):
                    try:
                        t = parse_iso(v.get("dateTime", ""), require_offset=False)
                    except ValueError:
                        raise GraphError(400, "BadRequest", "Invalid dateTime in '%s'." % k)
                    setattr(e, low, int(t))
                else:
                    raise GraphError(400, "ErrorInvalidProperty", "The property '%s' is read-only and cannot be "
                                                                  "set." % k)
            e.ck += 1
            e.mod = int(now)
            mb.calendars[e.cal].added()
            ctx.mutated = True
            obj = render_event(mb, e, ctx, None, event_tz(ctx))
            return json_resp(200, dict({"@odata.context": _ctx_url(ctx, "events/$entity")}, **obj))
        if ctx.method == "DELETE":
            # DOCS['event-delete']: 204.  Like a message, the event leaves its
            # folder for Recoverable Items (its regular id changes).
            cal = mb.calendars[e.cal]
            cal.items.pop(e.seq, None)
            cal.removed()
            e.state = "recoverable"
            e.cal = None
            e.gen = (e.gen + 1) & 0xFFFF
            e.ck += 1
            ctx.mutated = True
            return Resp(204, {"Cache-Control": "no-cache"})
        _need(ctx, "GET", "PATCH", "DELETE")
    if seg[0].lower() == "permanentdelete" and len(seg) == 1:
        _need(ctx, "POST")
        _purge_event(state, mb, e, now)
        ctx.mutated = True
        return Resp(204, {"Cache-Control": "no-cache"})
    raise GraphError(400, "BadRequest", "Resource not found for the segment '%s'." % seg[0])


def _purge_event(state, mb, e, now):
    if e.cal is not None and e.cal in mb.calendars:
        cal = mb.calendars[e.cal]
        cal.items.pop(e.seq, None)
        cal.removed()
    mb.events.pop(e.seq, None)
    mb.purged.append({"kind": "event", "seq": e.seq, "immutableId": mb.event_id(e, True),
                      "subject": e.extra.get("subject", "Event %d" % e.seq), "key": e.key, "purgedAt": fmt_iso(now)})
    state.forget_key(e.key)
