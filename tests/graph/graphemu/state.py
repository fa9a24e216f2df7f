"""Everything the emulator holds in memory, its seed format, dump and the
test-control operations (none of this is Graph).

Documentation pages cited in this file as DOCS['key']:
  throttling-limits        Microsoft Graph service-specific throttling limits (Outlook service limits)
                           https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
  batching                 Combine multiple HTTP requests using JSON batching
                           https://learn.microsoft.com/graph/json-batching
"""

import collections
import hashlib
import re
import json
import os
import random
import threading
import time
import uuid

from .auth import Auth
from .common import fmt_iso, parse_iso
from .drive import Drive, Site
from .mail import Event, Mailbox, Message, msg_imid, msg_subject
from .paging import Pager
from .throttle import Throttle
from . import ids

DEFAULT_TENANT = {"id": "11111111-2222-3333-4444-555555555555", "domains": ["example.org"]}

DEFAULT_CONFIG = {
    "latency_ms": 0,               # every Graph request (and every $batch item) sleeps this long
    "batch_item_latency_ms": None,  # None: same as latency_ms
    "batch_parallelism": 4,        # $batch items run 4 at a time (DOCS['throttling-limits'], JSON batching)
    "outlook_paging": "skip",      # 'skip' (offset, as Outlook) or 'snapshot'
    "batch_throttled_status": 200,  # status of a $batch whose items were throttled (200 per DOCS['batching'])
    "download_ttl": 300,           # seconds a pre-authenticated download URL lives
}


class SeedError(Exception):
    pass


def _t(v, default):
    if v is None:
        return default
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return parse_iso(v)
    except ValueError:
        raise SeedError("bad date-time %r (ISO 8601 with Z or an offset expected)" % v)


def _label(spec):
    if spec is None or spec is False:
        return None
    spec = dict(spec)
    rs = dict(spec.pop("retentionSettings", {}) or {})
    for k in ("isDeleteAllowed", "behaviorDuringRetentionPeriod", "isRecordLocked", "isMetadataUpdateAllowed",
              "isContentUpdateAllowed", "isLabelUpdateAllowed"):
        if k in spec:
            rs[k] = spec.pop(k)
    rs.setdefault("isDeleteAllowed", False)
    spec["retentionSettings"] = rs
    return spec


class State:
    def __init__(self, token_lifetime=3599, log_path=None):
        self.lock = threading.RLock()
        self.cfg = dict(DEFAULT_CONFIG)
        self.auth = Auth(token_lifetime)
        self.throttle = Throttle()
        self.pager = Pager()
        self.secret = os.urandom(16)
        self.mailboxes = {}          # upn (lower) -> Mailbox
        self.mailboxes_by_id = {}    # user id (lower) -> Mailbox
        self.drives_by_id = {}
        self.drives_by_num = {}
        self.user_drives = {}        # upn (lower) -> [Drive]
        self.sites_by_id = {}
        self.sites_by_path = {}
        self.keys = {}               # test handle -> (kind, container, ref)
        self.log_lock = threading.Lock()
        self.log_mem = collections.deque(maxlen=20000)
        self.log_seq = 0
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        self.cut = None
        self.port = None
        self.mb_num = 0
        self.drive_num = 0

    # -- request log ------------------------------------------------------------
    def log(self, entry):
        with self.log_lock:
            self.log_seq += 1
            # One reading of the clock for seconds and milliseconds alike: two
            # could straddle a second and log the instant a second early.
            now = time.time()
            entry = dict({"n": self.log_seq, "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
                          + ".%03dZ" % (int(now * 1000) % 1000)}, **entry)
            self.log_mem.append(entry)
            if self.log_file:
                self.log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self.log_file.flush()

    # -- connection cut ---------------------------------------------------------
    def take_cut(self, method=None, path="", body=b""):
        """Called once per top-level Graph request: -> None, 'before' or 'after'.
        With a "match" ({"method": M, "path": REGEX, "body": REGEX}) only the
        requests that match count (e.g. the $batch POSTs that delete); with
        "then_all", once a matching request is cut every later one counts."""
        with self.lock:
            c = self.cut
            if not c:
                return None
            m = c.get("match") or {}
            if m.get("method") and (method or "").upper() != m["method"].upper():
                return None
            if m.get("path") and not re.search(m["path"], path or ""):
                return None
            if m.get("body") and not re.search(m["body"], (body or b"").decode("utf-8", "replace")):
                return None
            if c["after"] > 0:
                c["after"] -= 1
                return None
            c["count"] -= 1
            if c.get("then_all"):
                c["match"] = None
            if c["count"] <= 0:
                self.cut = None
            return c["mode"]

    # -- downloads ---------------------------------------------------------------
    def _dmac(self, dnum, iid, exp):
        return hashlib.blake2s(("%s/%s/%s" % (dnum, iid, exp)).encode(), key=self.secret, digest_size=12).hexdigest()

    def download_url(self, ctx, d, it):
        exp = int(time.time() + self.cfg["download_ttl"])
        return "%s/_download/%d/%s/%d/%s" % (ctx.base_url(), d.num, it.id, exp, self._dmac(d.num, it.id, exp))

    def download_ok(self, dnum, iid, exp, mac):
        try:
            if int(exp) < time.time():
                return False
        except ValueError:
            return False
        return self._dmac(dnum, iid, exp) == mac

    # -- lookups --------------------------------------------------------------------
    def mailbox(self, ident):
        low = ident.lower()
        mb = self.mailboxes.get(low) or self.mailboxes_by_id.get(low)
        return mb

    def forget_key(self, key):
        pass          # keys stay: lookup reports purged / recycled from the records

    def _register(self, key, kind, container, ref):
        if key is None:
            return
        if key in self.keys:
            raise SeedError("duplicate key %r" % key)
        self.keys[key] = (kind, container, ref)

    # -- seeding -----------------------------------------------------------------
    def load_seed(self, seed, base_dir="."):
        with self.lock:
            return self._load(seed, base_dir)

    def _load(self, seed, base_dir):
        if not isinstance(seed, dict):
            raise SeedError("a seed is a JSON object")
        t = seed.get("tenant")
        if t is None and not self.auth.tenants:
            t = DEFAULT_TENANT
        if t is not None:
            self.auth.add_tenant(t["id"], t.get("domains", []))
            self.tenant_id = t["id"]
        tenant_id = getattr(self, "tenant_id", DEFAULT_TENANT["id"])
        counts = collections.Counter()
        for app in seed.get("apps", []):
            secrets = list(app.get("client_secrets", []))
            if app.get("client_secret"):
                secrets.append(app["client_secret"])
            pems = []
            for c in app.get("certificates", []):
                if "-----BEGIN" in c:
                    pems.append(c.encode())
                else:
                    with open(os.path.join(base_dir, c), "rb") as fh:
                        pems.append(fh.read())
            self.auth.add_app(app.get("tenant", tenant_id), app["client_id"], secrets, pems, app.get("name"))
            counts["apps"] += 1
        for mspec in seed.get("mailboxes", []):
            mb = self._mailbox(mspec)
            counts["mailboxes"] += 1
            for f in mspec.get("folders", []):
                if isinstance(f, str):
                    f = {"path": f}
                folder = mb.ensure_path(f["path"], hidden=bool(f.get("hidden")))
                if f.get("hidden"):
                    folder.hidden = True
                self._register(f.get("key"), "folder", mb, folder.num)
                counts["folders"] += 1
            for m in mspec.get("messages", []):
                self._message(mb, m)
                counts["messages"] += 1
            gens = mspec.get("generate", [])
            for g in (gens if isinstance(gens, list) else [gens]):
                counts["messages"] += self._generate(mb, g)
            for c in mspec.get("calendars", []):
                counts["events"] += self._calendar(mb, c)
                counts["calendars"] += 1
        gens = seed.get("generate", [])
        for g in (gens if isinstance(gens, list) else [gens]):
            if "mailbox" not in g:
                raise SeedError("a top-level generate needs 'mailbox'")
            mb = self._mailbox({"upn": g["mailbox"]})
            counts["messages"] += self._generate(mb, g)
        for s in seed.get("sites", []):
            site = Site(s["hostname"].lower(), s.get("path", ""), s.get("displayName"), s.get("key"))
            if s.get("id"):
                site.id = s["id"]
            self.sites_by_id[site.id.lower()] = site
            self.sites_by_path[(site.hostname, site.path.lower())] = site
            self._register(s.get("key"), "site", site, None)
            for dspec in s.get("drives", [{"name": "Documents"}]):
                d = self._drive(dspec, "documentLibrary",
                                {"group": {"displayName": site.display_name + " Owners"}}, site,
                                "%s/%s" % (site.web_url, (dspec.get("name") or "Shared Documents").replace(" ", "%20")))
                site.drives.append(d)
                counts["drives"] += 1
                counts["items"] += self._items(d, dspec)
            counts["sites"] += 1
        for dspec in seed.get("drives", []):
            owner = dspec.get("owner")
            if not owner:
                raise SeedError("a drive in 'drives' needs 'owner' (a user principal name)")
            mb = self._mailbox({"upn": owner})
            personal = owner.lower().replace("@", "_").replace(".", "_")
            host = owner.split("@")[1].split(".")[0] if "@" in owner else "tenant"
            d = self._drive(dspec, "business", {"user": {"displayName": mb.display_name, "id": mb.user_id,
                                                          "email": mb.upn}}, None,
                            "https://%s-my.sharepoint.com/personal/%s/Documents" % (host, personal))
            self.user_drives.setdefault(mb.upn.lower(), []).append(d)
            counts["drives"] += 1
            counts["items"] += self._items(d, dspec)
        return dict(counts)

    def _mailbox(self, spec):
        upn = spec["upn"]
        mb = self.mailboxes.get(upn.lower())
        if mb is None:
            self.mb_num += 1
            mb = Mailbox(upn, self.mb_num, spec.get("displayName"), spec.get("id"),
                         uuid.UUID(spec["guid"]) if spec.get("guid") else None)
            self.mailboxes[upn.lower()] = mb
            self.mailboxes_by_id[mb.user_id.lower()] = mb
        return mb

    def _folder_for(self, mb, spec):
        if spec is None:
            return mb.folders[mb.wk["inbox"]]
        if isinstance(spec, str) and spec.lower() in mb.wk:
            return mb.folders[mb.wk[spec.lower()]]
        if isinstance(spec, str) and spec.lower().startswith("recoverable items/"):
            return mb.folders[mb.wk["recoverableitemsdeletions"]]
        return mb.ensure_path(spec)

    def _message(self, mb, spec):
        folder = self._folder_for(mb, spec.get("folder"))
        now = time.time()
        rcv = _t(spec.get("receivedDateTime"), now - 86400)
        snt = _t(spec.get("sentDateTime"), rcv - 60)
        crt = _t(spec.get("createdDateTime"), rcv)
        mod = _t(spec.get("lastModifiedDateTime"), crt)
        extra = {}
        for k in ("subject", "from", "toRecipients", "ccRecipients", "internetMessageId", "categories",
                  "importance", "hasAttachments", "isDraft", "bodyPreview", "flag", "conversationId"):
            if k in spec:
                extra[k] = spec[k]
        if "body" in spec:
            extra["body_text"] = spec["body"]
        seq = mb.next_seq
        mb.next_seq += 1
        m = Message(seq, folder.num, int(rcv), int(snt), int(crt), int(mod), spec.get("size"), {}, extra,
                    spec.get("key"), bool(spec.get("isRead", False)))
        mb.add_message(m, folder)
        self._register(spec.get("key"), "message", mb, seq)
        return m

    def _generate(self, mb, g):
        """Many messages at once: {"folder": ..., "count": N, "received_from": ISO,
        "received_to": ISO, "subject_prefix": ..., "from": ..., "size": ..., "random": seed}"""
        folder = self._folder_for(mb, g.get("folder"))
        n = int(g.get("count", 0))
        now = time.time()
        t0 = _t(g.get("received_from"), now - 365 * 86400)
        t1 = _t(g.get("received_to"), now)
        tmpl = {"subject_prefix": g.get("subject_prefix", "Message")}
        if g.get("from"):
            tmpl["from"] = g["from"]
        if g.get("categories"):
            tmpl["categories"] = list(g["categories"])
        size = g.get("size")
        read = bool(g.get("isRead", False))
        rng = random.Random(g["random"]) if g.get("random") is not None else None
        step = (t1 - t0) / max(n, 1)
        items, ipm = folder.items, folder.ipm
        mbm, mbi = mb.messages, mb.ipm.items
        seq = mb.next_seq
        for i in range(n):
            r = int(t0 + (rng.random() * (t1 - t0) if rng else i * step))
            m = Message(seq, folder.num, r, r - 60, r + 5, r + 5, size, tmpl, None, None, read)
            mbm[seq] = m
            items[seq] = m
            if ipm:
                mbi[seq] = m
            seq += 1
        mb.next_seq = seq
        folder.added()
        if ipm:
            mb.ipm.added()
        return n

    def _calendar(self, mb, spec):
        c = None
        if spec.get("default"):
            c = next((x for x in mb.calendars.values() if x.default), None)
            if c is not None and spec.get("name"):
                c.name = spec["name"]
        if c is None:
            c = mb.add_calendar(spec.get("name", "Calendar"), bool(spec.get("default")), None,
                                spec.get("color", "auto"))
        if spec.get("key"):
            c.key = spec["key"]
            self._register(spec["key"], "calendar", mb, c.num)
        n = 0
        now = time.time()
        for e in spec.get("events", []):
            start = _t(e.get("start"), now + 86400)
            end = _t(e.get("end"), start + 3600)
            crt = _t(e.get("createdDateTime"), start - 7 * 86400)
            extra = {k: e[k] for k in ("subject", "categories", "location", "bodyPreview", "organizer", "importance",
                                       "sensitivity", "showAs", "timeZone") if k in e}
            self._add_event(mb, c, start, end, crt, extra, e.get("key"), bool(e.get("isAllDay")))
            n += 1
        g = spec.get("generate")
        if g:
            cnt = int(g.get("count", 0))
            t0 = _t(g.get("start_from"), now - 365 * 86400)
            t1 = _t(g.get("start_to"), now)
            step = (t1 - t0) / max(cnt, 1)
            for i in range(cnt):
                s = t0 + i * step
                self._add_event(mb, c, s, s + 3600, s - 86400,
                                {"subject": "%s #%d" % (g.get("subject_prefix", "Event"), i + 1)}, None, False)
            n += cnt
        return n

    def _add_event(self, mb, c, start, end, crt, extra, key, all_day):
        seq = mb.next_seq
        mb.next_seq += 1
        e = Event(seq, c.num, int(start), int(end), int(crt), extra, key, all_day)
        mb.events[seq] = e
        c.items[seq] = e
        c.added()
        self._register(key, "event", mb, seq)
        return e

    def _drive(self, spec, dtype, owner, site, url):
        self.drive_num += 1
        d = Drive(self.drive_num, spec.get("name", "OneDrive" if dtype == "business" else "Documents"), dtype,
                  owner, site, url, spec.get("key"))
        if spec.get("id"):
            d.id = spec["id"]
        self.drives_by_id[d.id] = d
        self.drives_by_num[d.num] = d
        self._register(spec.get("key"), "drive", d, None)
        return d

    def _items(self, d, spec):
        n = 0
        now = time.time()
        for it in spec.get("items", []):
            path = it["path"]
            parent_path, _, name = path.rstrip("/").rpartition("/")
            parent = d.ensure_folder(parent_path)
            crt = _t(it.get("createdDateTime"), now - 30 * 86400)
            mod = _t(it.get("lastModifiedDateTime"), crt)
            if it.get("folder"):
                x = parent.children.get(name.lower()) or d.add(parent, name, True, crt=crt, mod=mod, key=it.get("key"))
            else:
                content = it.get("content")
                if content is not None:
                    content = content.encode("utf-8")
                size = len(content) if content is not None else int(it.get("size", 1024))
                x = d.add(parent, name, False, size=size, content=content, crt=crt, mod=mod, key=it.get("key"),
                          by=it.get("by"))
            x.label = _label(it.get("retentionLabel"))
            self._register(it.get("key"), "item", d, x.id)
            n += 1
        gens = spec.get("generate", [])
        for g in (gens if isinstance(gens, list) else [gens]):
            folder = d.ensure_folder(g.get("folder", "/"))
            cnt = int(g.get("count", 0))
            t0 = _t(g.get("modified_from"), now - 365 * 86400)
            t1 = _t(g.get("modified_to"), now)
            step = (t1 - t0) / max(cnt, 1)
            width = len(str(cnt))
            for i in range(cnt):
                name = "%s%0*d%s" % (g.get("name_prefix", "file-"), width, i + 1, g.get("ext", ".txt"))
                mod = t0 + i * step
                d.add(folder, name, False, size=int(g.get("size", 1024)), crt=mod, mod=mod)
            n += cnt
        return n

    # -- dump ------------------------------------------------------------------------
    def dump(self, q):
        with self.lock:
            want_mb = (q.get("mailbox") or "").lower()
            only_counts = q.get("counts") in ("1", "true")
            with_msgs = q.get("messages", "1") not in ("0", "false")
            state_filter = q.get("state")
            out = {"mailboxes": {}, "drives": {}, "sites": {}, "counts": collections.Counter()}
            for upn, mb in self.mailboxes.items():
                if want_mb and want_mb != upn:
                    continue
                rid = mb.wk["recoverableitemsdeletions"]
                c = out["counts"]
                box = {"id": mb.user_id, "displayName": mb.display_name, "folders": [], "messages": [],
                       "purged": mb.purged if not only_counts else len(mb.purged), "calendars": [], "events": []}
                for f in mb.folders.values():
                    box["folders"].append({"id": mb.folder_id(f), "path": self.folder_display_path(mb, f),
                                           "wellKnownName": f.wkn, "hidden": f.hidden, "count": len(f.items)})
                for m in mb.messages.values():
                    st = "recoverable" if m.folder == rid else "present"
                    c["messages_" + st] += 1
                    if only_counts or not with_msgs or (state_filter and state_filter != st):
                        continue
                    box["messages"].append(self.describe_message(mb, m))
                c["messages_purged"] += len([p for p in mb.purged if p["kind"] == "message"])
                for cal in mb.calendars.values():
                    box["calendars"].append({"id": mb.cal_id(cal), "name": cal.name, "default": cal.default,
                                             "state": cal.state, "key": cal.key, "events": len(cal.items)})
                for e in mb.events.values():
                    c["events_" + e.state] += 1
                    if not only_counts:
                        box["events"].append(self.describe_event(mb, e))
                box["calendars_gone"] = mb.cal_gone
                if only_counts:
                    box = {"folders": len(box["folders"]), "calendars": len(box["calendars"])}
                out["mailboxes"][mb.upn] = box
            want_drive = q.get("drive")
            for d in self.drives_by_id.values():
                if want_drive and want_drive not in (d.id, d.name, d.key):
                    continue
                items, n_items = [], 0
                for it in d.root.walk():
                    if it.parent is None:
                        continue
                    n_items += 1
                    out["counts"]["items_present"] += 1
                    if not only_counts and (not state_filter or state_filter == "present"):
                        items.append(self.describe_item(d, it))
                for g in d.gone:
                    out["counts"]["items_" + g["state"]] += 1
                owner = d.owner.get("user", {}).get("email") if d.owner else None
                out["drives"][d.id] = {"name": d.name, "driveType": d.drive_type, "owner": owner,
                                       "site": d.site.id if d.site else None, "key": d.key,
                                       "rootId": d.root.id,
                                       "items": items if not only_counts else n_items,
                                       "gone": [g for g in d.gone if not state_filter or g["state"] == state_filter]
                                       if not only_counts else len(d.gone)}
            for s in self.sites_by_id.values():
                out["sites"][s.id] = {"hostname": s.hostname, "path": s.path, "drives": [d.id for d in s.drives]}
            out["counts"] = dict(out["counts"])
            return out

    def folder_display_path(self, mb, f):
        if f.ipm:
            return mb.folder_path(f) or "(Top of Information Store)"
        parts = []
        x = f
        while x is not None and x.wkn != "root":
            parts.append(x.name)
            x = mb.folders.get(x.parent) if x.parent else None
        return "/".join(reversed(parts)) or "(Root)"

    def describe_message(self, mb, m):
        rid = mb.wk["recoverableitemsdeletions"]
        return {"key": m.key, "seq": m.seq, "state": "recoverable" if m.folder == rid else "present",
                "folder": self.folder_display_path(mb, mb.folders[m.folder]),
                "id": mb.msg_id(m), "immutableId": mb.msg_id(m, True),
                "changeKey": ids.change_key(mb.guid, m.seq, m.ck), "subject": msg_subject(m),
                "internetMessageId": msg_imid(mb, m), "receivedDateTime": fmt_iso(m.rcv),
                "lastModifiedDateTime": fmt_iso(m.mod), "categories": list(m.prop("categories") or []),
                "isRead": m.read}

    def describe_event(self, mb, e):
        return {"key": e.key, "seq": e.seq, "state": e.state,
                "calendar": mb.calendars[e.cal].name if e.cal in mb.calendars else None,
                "id": mb.event_id(e), "immutableId": mb.event_id(e, True),
                "changeKey": ids.change_key(mb.guid, 0x80000000 | e.seq, e.ck),
                "subject": e.extra.get("subject", "Event %d" % e.seq), "start": fmt_iso(e.start)}

    def describe_item(self, d, it):
        return {"key": it.key, "id": it.id, "path": it.path(), "name": it.name, "folder": it.is_folder,
                "state": "present", "eTag": it.etag, "cTag": it.ctag, "size": it.size if not it.is_folder else None,
                "held": it.held(), "retentionLabel": (it.label or {}).get("name"),
                "lastModifiedDateTime": fmt_iso(it.mod)}

    def lookup(self, key):
        with self.lock:
            hit = self.keys.get(key)
            if hit is None:
                return None
            kind, cont, ref = hit
            if kind == "message":
                m = cont.messages.get(ref)
                if m is None:
                    rec = next((p for p in cont.purged if p["kind"] == "message" and p["seq"] == ref), None)
                    return {"kind": kind, "mailbox": cont.upn, "state": "purged", "record": rec}
                return dict(self.describe_message(cont, m), kind=kind, mailbox=cont.upn)
            if kind == "event":
                e = cont.events.get(ref)
                if e is None:
                    return {"kind": kind, "mailbox": cont.upn, "state": "purged"}
                return dict(self.describe_event(cont, e), kind=kind, mailbox=cont.upn)
            if kind == "calendar":
                c = cont.calendars[ref]
                return {"kind": kind, "mailbox": cont.upn, "id": cont.cal_id(c), "name": c.name, "state": c.state,
                        "default": c.default}
            if kind == "folder":
                f = cont.folders[ref]
                return {"kind": kind, "mailbox": cont.upn, "id": cont.folder_id(f),
                        "path": self.folder_display_path(cont, f)}
            if kind == "item":
                it = cont.items.get(ref)
                if it is None:
                    rec = next((g for g in cont.gone if g["id"] == ref), None)
                    return {"kind": kind, "driveId": cont.id, "state": rec["state"] if rec else "unknown",
                            "record": rec}
                return dict(self.describe_item(cont, it), kind=kind, driveId=cont.id)
            if kind == "drive":
                return {"kind": kind, "driveId": cont.id, "name": cont.name, "rootId": cont.root.id}
            if kind == "site":
                return {"kind": kind, "siteId": cont.id, "hostname": cont.hostname, "path": cont.path}
            return {"kind": kind}

    # -- control operations ----------------------------------------------------------
    def modify(self, spec):
        """Bump changeKey / eTag (and lastModifiedDateTime) of a seeded item,
        optionally changing properties ('set')."""
        with self.lock:
            hit = self.keys.get(spec.get("key"))
            if hit is None:
                raise SeedError("unknown key %r" % spec.get("key"))
            kind, cont, ref = hit
            now = time.time()
            sets = spec.get("set") or {}
            if kind == "message":
                m = cont.messages.get(ref)
                if m is None:
                    raise SeedError("message %r is purged" % spec["key"])
                ex = m.own_extra()
                for k, v in sets.items():
                    if k in ("receivedDateTime", "sentDateTime", "createdDateTime"):
                        setattr(m, {"receivedDateTime": "rcv", "sentDateTime": "snt", "createdDateTime": "crt"}[k],
                                int(_t(v, now)))
                    elif k == "isRead":
                        m.read = bool(v)
                    elif k == "size":
                        m.size = int(v)
                    else:
                        ex[k] = v
                m.ck += 1
                m.mod = int(_t(sets.get("lastModifiedDateTime"), now))
                cont.touched(m)
                return self.describe_message(cont, m)
            if kind == "event":
                e = cont.events.get(ref)
                if e is None:
                    raise SeedError("event %r is purged" % spec["key"])
                for k, v in sets.items():
                    if k in ("start", "end"):
                        setattr(e, k, int(_t(v, now)))
                    else:
                        e.extra[k] = v
                e.ck += 1
                e.mod = int(now)
                if e.cal in cont.calendars:
                    cont.calendars[e.cal].added()
                return self.describe_event(cont, e)
            if kind == "item":
                it = cont.items.get(ref)
                if it is None:
                    raise SeedError("item %r is gone" % spec["key"])
                if "content" in sets:
                    it.content = sets["content"].encode("utf-8")
                    it.size = len(it.content)
                if "size" in sets:
                    it.size = int(sets["size"])
                    it.content = None
                it.bump(content=True)
                it.mod = int(_t(sets.get("lastModifiedDateTime"), now))
                return self.describe_item(cont, it)
            if kind == "calendar":
                c = cont.calendars[ref]
                c.ck += 1
                return {"id": cont.cal_id(c), "name": c.name}
            raise SeedError("cannot modify a %s" % kind)

    def hold(self, spec):
        """Set or clear the retention label of a drive item.  A label changes the
        item's eTag; with "touch": false it does not, which stands for a hold
        that comes from outside the item (a retention policy or an eDiscovery
        hold on the site): the item is unchanged, and deleting it is refused
        with 403 all the same."""
        with self.lock:
            it = d = None
            if spec.get("key"):
                hit = self.keys.get(spec["key"])
                if hit is None or hit[0] != "item":
                    raise SeedError("no drive item with key %r" % spec["key"])
                d, it = hit[1], hit[1].items.get(hit[2])
            else:
                dsel = spec.get("drive")
                d = self.drives_by_id.get(dsel) or next((x for x in self.drives_by_id.values()
                                                         if dsel in (x.name, x.key)), None)
                if d is None:
                    raise SeedError("unknown drive %r" % dsel)
                from .drive import find_path
                it = find_path(d.root, [p for p in spec.get("path", "").split("/") if p])
            if it is None:
                raise SeedError("item is gone")
            if spec.get("clear"):
                it.label = None
            else:
                it.label = _label(spec.get("label") or {"name": "Legal hold", "isDeleteAllowed": False})
            if spec.get("touch", True):
                it.bump(content=False)
            return self.describe_item(d, it)

    def reset(self):
        with self.lock:
            log_file, port = self.log_file, self.port
            lifetime = self.auth.lifetime
            self.__init__(lifetime)
            self.log_file, self.port = log_file, port
