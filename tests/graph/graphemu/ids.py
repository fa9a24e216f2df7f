"""Outlook-style identifiers.

Regular REST ids (what Graph returns by default) change when an item moves to
another folder; immutable ids (returned when the request carries
'Prefer: IdType="ImmutableId"') stay the same while the item stays in the
mailbox.  Containers (mail folders, calendars) have no immutable form: their
regular ids are already constant.  DOCS['immutable-id'].

The emulator computes ids from small integers instead of storing them (200,000
seeded messages would otherwise cost two long strings each), and seals them
with a keyed hash so that a made-up or truncated id is recognised as malformed
(400 ErrorInvalidIdMalformed) rather than merely unknown (404).

Documentation pages cited in this file as DOCS['key']:
  immutable-id             Obtain immutable identifiers for Outlook resources
                           https://learn.microsoft.com/graph/outlook-immutable-id
"""

import base64
import hashlib
import os
import struct

_KEY = os.urandom(16)

# Leading bytes chosen so the base64 text starts like the real thing:
# regular ids look like "AAMkA...", immutable ones like "AAkALgAA..." (the
# example in DOCS['immutable-id']).
_REGULAR = b"\x00\x03\x24\x00"
_IMMUTABLE = b"\x00\x09\x00\x2e\x00\x00"

FOLDER, MESSAGE, EVENT, CALENDAR = b"F", b"M", b"E", b"C"
IMM_MESSAGE, IMM_EVENT = b"m", b"e"

_PAYLOAD = {FOLDER: ">I", CALENDAR: ">I", MESSAGE: ">IIH", EVENT: ">IIH",
            IMM_MESSAGE: ">I", IMM_EVENT: ">I"}


def _mac(data):
    return hashlib.blake2s(data, key=_KEY, digest_size=4).digest()


def encode(kind, mailbox_guid, *nums):
    prefix = _IMMUTABLE if kind in (IMM_MESSAGE, IMM_EVENT) else _REGULAR
    body = prefix + mailbox_guid + kind + struct.pack(_PAYLOAD[kind], *nums)
    return base64.urlsafe_b64encode(body + _mac(body)).decode("ascii")


def decode(text):
    """-> (kind, mailbox_guid_bytes, nums tuple).  ValueError if malformed."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
    except Exception:
        raise ValueError("malformed id")
    for prefix in (_REGULAR, _IMMUTABLE):
        if raw.startswith(prefix):
            break
    else:
        raise ValueError("malformed id")
    if len(raw) < len(prefix) + 16 + 1 + 4:
        raise ValueError("malformed id")
    body, mac = raw[:-4], raw[-4:]
    if _mac(body) != mac:
        raise ValueError("malformed id")
    guid = body[len(prefix):len(prefix) + 16]
    kind = body[len(prefix) + 16:len(prefix) + 17]
    fmt = _PAYLOAD.get(kind)
    if fmt is None:
        raise ValueError("malformed id")
    payload = body[len(prefix) + 17:]
    if len(payload) != struct.calcsize(fmt):
        raise ValueError("malformed id")
    return kind, guid, struct.unpack(fmt, payload)


def change_key(mailbox_guid, seq, counter):
    """A changeKey in the shape Outlook uses (standard base64 of a small blob);
    '@odata.etag' is W/"<changeKey>"."""
    blob = b"\x09\x00\x00\x00\x16\x00\x00\x00" + mailbox_guid[:12] + struct.pack(">II", seq, counter)
    return base64.b64encode(blob).decode("ascii")
