#!/usr/bin/env python3
"""A real SMTP server for the tests (Debian's python3-aiosmtpd), on
127.0.0.1 only: STARTTLS required with the given certificate, AUTH PLAIN
or LOGIN with one user and password (only after STARTTLS), and every
message received written to OUTDIR/N.eml, after a first line
"X-Envelope-To: ADDR,ADDR". Writes its port to PORTFILE once it answers,
and runs until killed.

usage: smtp_sink.py OUTDIR PORTFILE CERT KEY USER PASSWORD"""
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        # a server restarted on the same directory numbers on
        self.n = len([f for f in os.listdir(outdir) if f.endswith(".eml")])
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            path = os.path.join(self.outdir, "%03d.eml" % self.n)
        with open(path + ".tmp", "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main(outdir, portfile, cert, key, user, password):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok)

    for _ in range(20):
        port = free_port()
        controller = Controller(Sink(outdir), hostname="127.0.0.1", port=port,
                                tls_context=ctx, require_starttls=True,
                                authenticator=authenticator, auth_required=True,
                                auth_require_tls=True)
        try:
            controller.start()
            break
        except Exception:  # the port was taken meanwhile: another
            continue
    else:
        sys.exit("no free port")
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
