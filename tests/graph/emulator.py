#!/usr/bin/python3
"""Loopback Microsoft Graph emulator for Lethe's tests.

Serves HTTPS on 127.0.0.1 (port chosen by the OS, written to --port-file):
  POST /{tenant}/oauth2/v2.0/token       Microsoft identity platform, client credentials
  /v1.0/... and /beta/...                Microsoft Graph: mail, calendars, drives, $batch
  GET  /_download/...                    pre-authenticated download URLs (no Authorization)
  /_emu/...                              test control (never part of Graph; no auth)

See README.md beside this file for the seed format, the control API and the
table of behaviours and the documentation page each one follows.
Python 3.11 standard library; python3-cryptography for certificate credentials.
"""

import argparse
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

sys.dont_write_bytecode = True      # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from graphemu.common import REASONS, GraphError, Headers, Resp, dumps, json_resp  # noqa: E402
from graphemu.context import Ctx  # noqa: E402
from graphemu.drive import serve_download  # noqa: E402
from graphemu.graph import execute, run_batch  # noqa: E402
from graphemu.state import SeedError, State  # noqa: E402


def plain_json(status, obj):
    return Resp(status, {"Content-Type": "application/json; charset=utf-8"}, dumps(obj), obj)


# ---------------------------------------------------------------------------
# test control API (/_emu/...)

def control(server, method, path, query, body):
    state = server.state
    q = dict(parse_qsl(query, keep_blank_values=True))
    name = path[len("/_emu/"):].strip("/")
    try:
        spec = json.loads(body.decode("utf-8")) if body else {}
    except ValueError as e:
        return plain_json(400, {"error": "body is not JSON: %s" % e})
    try:
        if name == "health":
            return plain_json(200, {"ok": True, "port": state.port, "pid": os.getpid()})
        if name == "seed" and method == "POST":
            return plain_json(200, {"loaded": state.load_seed(spec, q.get("base", "."))})
        if name == "reset" and method == "POST":
            state.reset()
            return plain_json(200, {"reset": True})
        if name == "state" and method == "GET":
            return plain_json(200, state.dump(q))
        if name == "lookup" and method == "GET":
            hit = state.lookup(q.get("key", ""))
            return plain_json(200 if hit else 404, hit or {"error": "unknown key %r" % q.get("key")})
        if name == "modify" and method == "POST":
            return plain_json(200, state.modify(spec))
        if name == "hold" and method == "POST":
            return plain_json(200, state.hold(spec))
        if name == "expire-tokens" and method == "POST":
            return plain_json(200, {"expired": state.auth.expire_all()})
        if name == "throttle":
            if method == "POST":
                state.throttle.add_storm(spec)
                return plain_json(200, state.throttle.describe())
            if method == "DELETE":
                state.throttle.clear()
                return plain_json(200, state.throttle.describe())
            return plain_json(200, state.throttle.describe())
        if name in ("config", "latency"):
            if method == "POST":
                if name == "latency":
                    spec = {"latency_ms": spec.get("ms", spec.get("latency_ms", 0))}
                apply_config(state, spec)
            return plain_json(200, current_config(state))
        if name == "cut":
            if method == "POST":
                mode = spec.get("mode", "after")
                if mode not in ("after", "before"):
                    return plain_json(400, {"error": "mode is 'after' (processed, answer lost) or 'before'"})
                with state.lock:
                    state.cut = {"after": int(spec.get("after", 0)), "count": int(spec.get("count", 1)),
                                 "mode": mode, "match": spec.get("match") or None,
                                 "then_all": bool(spec.get("then_all"))}
            elif method == "DELETE":
                with state.lock:
                    state.cut = None
            return plain_json(200, {"cut": state.cut})
        if name == "log" and method == "GET":
            since = int(q.get("since", 0))
            with state.log_lock:
                entries = [e for e in state.log_mem if e["n"] > since]
            return plain_json(200, {"entries": entries, "last": state.log_seq})
        if name == "shutdown" and method == "POST":
            threading.Thread(target=server.shutdown, daemon=True).start()
            return plain_json(200, {"shutdown": True})
    except (SeedError, ValueError, KeyError, TypeError) as e:
        return plain_json(400, {"error": "%s: %s" % (type(e).__name__, e)})
    except GraphError as e:
        return plain_json(400, {"error": e.message})
    return plain_json(404, {"error": "no control endpoint %s %s" % (method, path)})


CONFIG_KEYS = {"latency_ms": float, "batch_item_latency_ms": float, "batch_parallelism": int,
               "outlook_paging": str, "batch_throttled_status": int, "download_ttl": int}


def apply_config(state, spec):
    for k, v in spec.items():
        if k in CONFIG_KEYS:
            if v is None and k == "batch_item_latency_ms":
                state.cfg[k] = None
                continue
            v = CONFIG_KEYS[k](v)
            if k == "outlook_paging" and v not in ("skip", "snapshot"):
                raise ValueError("outlook_paging is 'skip' or 'snapshot'")
            if k == "batch_parallelism" and not 1 <= v <= 20:
                raise ValueError("batch_parallelism is 1..20")
            state.cfg[k] = v
        elif k == "mailbox_concurrency":
            state.throttle.mailbox_concurrency = int(v)
        elif k == "rate_limit":
            state.throttle.rate_limit = int(v)
        elif k == "rate_window":
            state.throttle.rate_window = float(v)
        elif k == "token_lifetime":
            state.auth.lifetime = float(v)
        elif k == "max_assertion_lifetime":
            state.auth.max_assertion_lifetime = float(v)
        else:
            raise ValueError("unknown config key %r" % k)


def current_config(state):
    c = dict(state.cfg)
    c.update(mailbox_concurrency=state.throttle.mailbox_concurrency, rate_limit=state.throttle.rate_limit,
             rate_window=state.throttle.rate_window, token_lifetime=state.auth.lifetime,
             max_assertion_lifetime=state.auth.max_assertion_lifetime)
    return c


# ---------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive: libcurl reuses connections
    server_version = "lethe-graph-emulator/1.0"
    sys_version = ""
    timeout = 120                      # idle keep-alive connections are closed after this

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("emulator: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                out += self.rfile.read(size)
                self.rfile.readline(65537)
            return bytes(out)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _cut(self):
        """Close the socket without answering (a network cut)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def version_string(self):
        return self.server_version

    def _send(self, resp, rid, crid):
        err = resp.json.get("error") if isinstance(resp.json, dict) else None
        if isinstance(err, dict) and isinstance(err.get("innerError"), dict):
            # The ids in the error body are those of the response headers.
            err["innerError"]["request-id"] = rid
            err["innerError"]["client-request-id"] = crid
            resp.body = dumps(resp.json)
        self.send_response(resp.status, REASONS.get(resp.status, ""))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("request-id", rid)
        self.send_header("client-request-id", crid)
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        body = resp.body or b""
        if resp.status in (204, 304) or 100 <= resp.status < 200:
            body = b""         # RFC 9110: no Content-Length, no body
        else:
            self.send_header("Content-Length", str(len(body)))
        if self.command == "HEAD":
            body = b""
        # Headers and body leave in one write (one TLS record when small): two
        # writes would meet Nagle's algorithm and the client's delayed ACK.
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def dispatch(self):
        t0 = time.time()
        server, state = self.server, self.server.state
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        parts = urlsplit(self.path)
        path = parts.path
        hdrs = Headers(self.headers.items())
        host = self.headers.get("Host") or "127.0.0.1:%d" % state.port
        rid = str(uuid.uuid4())
        crid = self.headers.get("client-request-id") or rid
        entry = {"method": self.command, "path": path, "query": parts.query}
        mutated = throttled = False
        try:
            if path == "/_emu" or path.startswith("/_emu/"):
                entry["kind"] = "control"
                resp = control(server, self.command, path, parts.query, body)
            elif path.count("/") == 4 and path.endswith("/oauth2/v2.0/token"):
                entry["kind"] = "token"
                tenant = path.split("/")[1]
                hosts = {host, "127.0.0.1:%d" % state.port, "localhost:%d" % state.port}
                resp = state.auth.token_endpoint(self.command, tenant, hdrs, body, hosts)
            elif path.startswith("/_download/"):
                entry["kind"] = "download"
                resp = serve_download(state, self.command, path.split("/")[2:], self.headers.get("Range"))
            elif path in ("/v1.0", "/beta") or path.startswith(("/v1.0/", "/beta/")):
                entry["kind"] = "graph"
                cut = state.take_cut(self.command, path, body)
                if cut == "before":
                    self._cut()
                    state.log(dict(entry, status=None, cut="before", mutating=False,
                                   ms=int((time.time() - t0) * 1000)))
                    return
                resp, mutated, throttled, cid = self._graph(hdrs, body, host)
                entry["client_id"] = cid
                if cut == "after":
                    self._cut()
                    state.log(dict(entry, status=resp.status, cut="after", mutating=mutated, throttled=throttled,
                                   ms=int((time.time() - t0) * 1000)))
                    return
            else:
                entry["kind"] = "unknown"
                resp = json_resp(404, {"error": {"code": "BadRequest", "message": "Invalid version."}},
                                 content_type="application/json")
        except Exception:
            traceback.print_exc(file=sys.stderr)
            resp = plain_json(500, {"error": "emulator failure (see its stderr)"})
        try:
            self._send(resp, rid, crid)
        except OSError:
            self.close_connection = True
        entry.update(status=resp.status, mutating=bool(mutated), throttled=throttled,
                     ms=int((time.time() - t0) * 1000))
        state.log(entry)

    def _graph(self, hdrs, body, host):
        state = self.server.state
        try:
            # HEAD is answered as GET without the body (see _send).
            ctx = Ctx("GET" if self.command == "HEAD" else self.command, self.path, hdrs, body, host)
        except GraphError as e:
            return e.resp(), False, False, None
        cid, err = state.auth.check_bearer(hdrs.get("Authorization"))
        if err is not None:
            return err, False, False, None
        ctx.client_id = cid
        ctx.token = hdrs.get("Authorization")
        if [s.lower() for s in ctx.segments] == ["$batch"]:
            resp, mutated = run_batch(state, ctx)
            return resp, mutated, resp.status == 429, cid
        resp, throttled = execute(state, ctx, "top")
        return resp, ctx.mutated, throttled, cid


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, addr, ssl_ctx, state, verbose=False):
        self.ssl_ctx, self.state, self.verbose = ssl_ctx, state, verbose
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's own thread, so a slow or
        # broken client never holds up the accept loop.
        request.settimeout(30)
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        try:
            conn = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            if self.verbose:
                sys.stderr.write("emulator: TLS handshake failed: %s\n" % e)
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (ConnectionError, ssl.SSLError, socket.timeout, OSError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.verbose:
            traceback.print_exc(file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Loopback Microsoft Graph emulator (Lethe tests)")
    ap.add_argument("--cert", required=True, help="server certificate (PEM), for 127.0.0.1 / localhost")
    ap.add_argument("--key", required=True, help="server private key (PEM)")
    ap.add_argument("--port-file", required=True, help="file the chosen port is written to")
    ap.add_argument("--port", type=int, default=0, help="port (default 0: chosen by the OS)")
    ap.add_argument("--log", help="request log, one JSON object a line (appended)")
    ap.add_argument("--seed", action="append", default=[], help="seed JSON file (repeatable)")
    ap.add_argument("--latency-ms", type=float, default=0, help="delay of every Graph request")
    ap.add_argument("--token-lifetime", type=float, default=3599, help="access token lifetime, seconds")
    ap.add_argument("--mailbox-concurrency", type=int, default=4,
                    help="concurrent requests per app and mailbox before 429 (0: no limit)")
    ap.add_argument("--batch-parallelism", type=int, default=4, help="$batch items run at once")
    ap.add_argument("--outlook-paging", choices=("skip", "snapshot"), default="skip")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)

    state = State(a.token_lifetime, a.log)
    apply_config(state, {"latency_ms": a.latency_ms, "mailbox_concurrency": a.mailbox_concurrency,
                         "batch_parallelism": a.batch_parallelism, "outlook_paging": a.outlook_paging})
    t0 = time.time()
    for path in a.seed:
        with open(path, encoding="utf-8") as fh:
            try:
                counts = state.load_seed(json.load(fh), os.path.dirname(os.path.abspath(path)))
            except SeedError as e:
                sys.exit("emulator: seed %s: %s" % (path, e))
        if a.verbose:
            sys.stderr.write("emulator: seeded %s from %s in %.2fs\n" % (counts, path, time.time() - t0))
    if not state.auth.tenants:
        state.load_seed({})

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    ctx.set_alpn_protocols(["http/1.1"])   # libcurl offers h2 too; this server speaks HTTP/1.1
    # Loopback only, never any other address.
    server = Server(("127.0.0.1", a.port), ctx, state, a.verbose)
    state.port = server.server_address[1]
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("%d\n" % state.port)
    os.replace(tmp, a.port_file)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.verbose:
        sys.stderr.write("emulator: listening on https://127.0.0.1:%d\n" % state.port)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        try:
            os.unlink(a.port_file)
        except OSError:
            pass


if __name__ == "__main__":
    main()
