#!/usr/bin/env python3
"""Print a received message (smtp_sink.py's N.eml) as a test reads it:
the Subject line, the plain-text part, then for each attachment a line
"ATTACHMENT NAME TYPE" and its content decoded. Exits 1 when the
message is not well-formed MIME.

usage: read_mail.py EML"""
import email
import email.policy
import sys


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    raw = raw.split(b"\r\n", 1)[1]  # smtp_sink's X-Envelope-To line
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.defects:
        sys.exit("defects: %r" % msg.defects)
    print("Subject: " + str(msg["Subject"]))
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_filename():
            print("ATTACHMENT %s %s" % (part.get_filename(), part.get_content_type()))
            print(part.get_content().replace("\r\n", "\n"))
        else:
            print(part.get_content().replace("\r\n", "\n"))


if __name__ == "__main__":
    main(sys.argv[1])
