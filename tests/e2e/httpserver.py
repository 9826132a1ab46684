"""A real HTTP/1.1 server on 127.0.0.1 for the downloader's tests, able to
fail on purpose; or an HTTPS one, with tls=(certfile, keyfile).

    with HTTPServer() as srv:
        url = srv.add('/pkg.tgz', data, fail_first=[503])
        ...  # run minimerge on url
        reqs = srv.requests('/pkg.tgz')
        assert [r.status for r in reqs] == [503, 200]

or the fixture http_server (a fresh server per test, stopped after), made
available to a test module by assigning it (an import would make flake8
flag each test's parameter as a redefinition, F811):

    import httpserver

    http_server = httpserver.http_server

    def test_x(http_server):
        url = http_server.add('/a', b'...')

With tls=(certfile, keyfile) (PEM files, such as those self_signed(DIR)
makes with `openssl req -x509` for 127.0.0.1), every connection speaks TLS,
its handshake done by the connection's thread, and url() and base give
https://127.0.0.1:PORT/...; all the rest is the same.  A connection whose
handshake fails (the client refused the certificate) records no request, but
counts in srv.connections.

Each connection is served by its own thread (keep-alive as HTTP/1.1 wants).
stop() -- called by the with block and by the fixture -- releases stalls,
shuts down every open connection (a stalled client, one that does not
read, one that sends nothing) and joins every thread, then closes the
listening socket: nothing lingers.  Nothing is printed unless
verbose=True (requests and tracebacks then go to stderr).

A resource's answer, in order:

1. fail_first=[500, 503, ...]: the first len(fail_first) requests of the
   resource (any method) get these statuses, with a small body;
2. status=CODE: every other request gets CODE with a small body (no body for
   1xx, 204 and 304);
3. redirect_to=PATH (or a full URL): 302 with Location: srv.url(PATH);
4. the body, with Content-Length, Accept-Ranges: bytes and Range support:
   bytes=N-, bytes=N-M, bytes=-S give 206 with Content-Range, an
   unsatisfiable range 416 with Content-Range: bytes */LEN; a malformed
   Range or several ranges are ignored (200).  no_ranges=True: Range is
   always ignored and no Accept-Ranges is sent.  HEAD gets the same
   headers and no body.
   - stall_after=N: after N bytes of the body, stop sending (the connection
     stays open) for stall_seconds (None: until stop(), which then closes
     the connection), then send the rest;
   - drop_after=N: after N bytes of the body, close the connection (the
     headers announced the whole length: an interrupted transfer);
   both count bytes of this response's body (from the range's start), and
   both apply to the first GET answer with a body only, so that a retry or
   a resumed request then succeeds.  With both, the stall comes first when
   stall_after <= drop_after.

headers={...} adds headers to every answer of the resource.

An unregistered path gets 404.  Every request is recorded (see Request) and
srv.requests(path) lists them, in arrival order; srv.connections counts the
connections accepted (TLS handshakes done or not).
"""

import http
import http.server
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

SMALL_STATUSES_WITHOUT_BODY = (204, 304)
CHUNK = 64 * 1024


class Request:
    """One request received: method, target (as sent), path (its path part,
    unquoted as sent, without the query), headers (an http.client.HTTPMessage:
    .get() is case-insensitive), time (time.monotonic() at arrival), status
    (the status answered, None if none was: the client went away or the
    server stopped first), sent (bytes of the body handed to the socket),
    complete (the whole announced body was handed to the socket) and error
    (None, or why writing failed: the client went away).

    The bookkeeping is done before the bytes go out, so that a client that
    received an answer finds it recorded; the client may have received less
    than sent when error is set."""

    def __init__(self, method, target, path, headers, client_port):
        self.method = method
        self.client_port = client_port  # the same on one connection
        self.target = target
        self.path = path
        self.headers = headers
        self.time = time.monotonic()
        self.status = None
        self.sent = 0
        self.complete = False
        self.error = None

    @property
    def range(self):
        """The Range header received, or None."""
        return self.headers.get('Range')

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def __repr__(self):
        return '<Request %s %s range=%r status=%r sent=%d%s%s>' % (
            self.method, self.target, self.range, self.status, self.sent,
            '' if self.complete else ' incomplete',
            '' if self.error is None else ' error=%r' % self.error)


class Resource:
    """A registered path and how it answers (see the module's docstring)."""

    def __init__(self, path, body, status=None, fail_first=(), drop_after=None,
                 stall_after=None, stall_seconds=None, no_ranges=False, redirect_to=None,
                 headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.path = path
        self.body = bytes(body or b'')
        self.status = status
        self.fail_first = list(fail_first or ())
        self.drop_after = drop_after
        self.stall_after = stall_after
        self.stall_seconds = stall_seconds
        self.no_ranges = no_ranges
        self.redirect_to = redirect_to
        self.headers = dict(headers or {})
        # Counters, under the server's lock.
        self.hits = 0          # requests received
        self.drops = 0         # drops done
        self.stalls = 0        # stalls done


def parse_range(value, length):
    """(start, end) inclusive for a single satisfiable byte range, 'unsatisfiable',
    or None when the header is to be ignored (malformed, several ranges)."""
    value = value.strip()
    unit, sep, spec = value.partition('=')
    if not sep or unit.strip().lower() != 'bytes':
        return None
    spec = spec.strip()
    if ',' in spec:
        return None
    first, sep, last = spec.partition('-')
    first, last = first.strip(), last.strip()
    if not sep or (first and not first.isdigit()) or (last and not last.isdigit()):
        return None
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or length == 0:
            return 'unsatisfiable'
        return (max(0, length - suffix), length - 1)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= length:
        return 'unsatisfiable'
    end = length - 1 if not last else min(int(last), length - 1)
    return (start, end)


class _Stopped(Exception):
    """The server is stopping: close the connection, answer nothing more."""


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'minimerge-test-httpd/1'
    # A safety net only: stop() shuts the sockets down anyway.
    timeout = 60

    def setup(self):
        # A TLS connection's handshake, on the connection's own thread (the
        # accept loop only wraps the socket); a failure (ssl.SSLError) ends
        # the connection before any request.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.owner.verbose:
            sys.stderr.write('httpserver: %s - %s\n' % (self.address_string(), fmt % args))

    def handle(self):
        try:
            super().handle()
        except _Stopped:
            self.close_connection = True
        except OSError:
            # The client went away (reset, broken pipe) or stop() shut the
            # connection down.
            self.close_connection = True
            if self.server.owner.verbose:
                traceback.print_exc()

    def do_GET(self):
        self._guarded()

    def do_HEAD(self):
        self._guarded()

    def _guarded(self):
        self._rec = None
        try:
            self._answer()
        except OSError as e:
            if self._rec is not None:
                self._rec.complete = False
                self._rec.error = '%s: %s' % (type(e).__name__, e)
            raise

    # --- writing ---

    def _write(self, data):
        self.wfile.write(data)

    def _simple(self, rec, res, status, extra=(), body=None):
        """An answer with a small text body (none for 1xx, 204, 304, HEAD)."""
        if body is None:
            try:
                phrase = http.HTTPStatus(status).phrase
            except ValueError:
                phrase = 'Status'
            body = ('%d %s\n' % (status, phrase)).encode()
        if status < 200 or status in SMALL_STATUSES_WITHOUT_BODY:
            body = b''
        rec.status = status
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain')
        if not (status < 200 or status in SMALL_STATUSES_WITHOUT_BODY):
            self.send_header('Content-Length', str(len(body)))
        if res is not None:
            for k, v in res.headers.items():
                self.send_header(k, str(v))
        for k, v in extra:
            self.send_header(k, v)
        if self.command != 'HEAD' and body:
            rec.sent = len(body)
        rec.complete = True
        self.end_headers()
        if self.command != 'HEAD' and body:
            self._write(body)

    def _wait(self, seconds):
        """Waits, or raises _Stopped if the server stops meanwhile."""
        if self.server.owner._stopping.wait(seconds):
            raise _Stopped()

    # --- the answer ---

    def _answer(self):
        owner = self.server.owner
        # Discard a request body, if any, to keep the connection usable.
        n = self.headers.get('Content-Length')
        if n and n.isdigit() and int(n) > 0:
            self.rfile.read(int(n))
        split = urllib.parse.urlsplit(self.path)
        rec = self._rec = Request(self.command, self.path, split.path or '/', self.headers,
                                  self.client_address[1])
        with owner._lock:
            owner._requests.append(rec)
            res = owner._resources.get(self.path) or owner._resources.get(rec.path)
            hit = None
            if res is not None:
                hit = res.hits
                res.hits += 1
        if res is None:
            self._simple(rec, None, 404)
            return
        if hit < len(res.fail_first):
            self._simple(rec, res, res.fail_first[hit])
            return
        if res.status is not None and res.status != 200:
            self._simple(rec, res, res.status)
            return
        if res.redirect_to is not None:
            to = res.redirect_to
            if '://' not in to:
                to = owner.url(to)
            self._simple(rec, res, 302, [('Location', to)])
            return
        self._serve_body(rec, res)

    def _serve_body(self, rec, res):
        owner = self.server.owner
        body = res.body
        length = len(body)
        start, end = 0, length - 1
        status = 200
        rng = self.headers.get('Range')
        if rng is not None and not res.no_ranges:
            r = parse_range(rng, length)
            if r == 'unsatisfiable':
                self._simple(rec, res, 416, [('Content-Range', 'bytes */%d' % length),
                                             ('Accept-Ranges', 'bytes')])
                return
            if r is not None:
                start, end = r
                status = 206
        part = body[start:end + 1]

        # Faults, decided now (counted only for GETs that send a body).
        stall = drop = None
        if self.command == 'GET' and part:
            with owner._lock:
                if res.stall_after is not None and res.stalls == 0:
                    res.stalls += 1
                    stall = res.stall_after
                if res.drop_after is not None and res.drops == 0:
                    res.drops += 1
                    drop = res.drop_after

        rec.status = status
        self.send_response(status)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(part)))
        if not res.no_ranges:
            self.send_header('Accept-Ranges', 'bytes')
        if status == 206:
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, end, length))
        for k, v in res.headers.items():
            self.send_header(k, str(v))
        if self.command == 'HEAD' or not part:
            rec.complete = True
            self.end_headers()
            return
        self.end_headers()

        # The body, with its stall and drop points.
        points = []
        if stall is not None:
            points.append((min(stall, len(part)), 'stall'))
        if drop is not None:
            points.append((min(drop, len(part)), 'drop'))
        points.sort(key=lambda p: (p[0], p[1] != 'stall'))
        pos = 0
        for at, what in points:
            pos = self._send(rec, part, pos, at)
            if what == 'stall':
                self._wait(res.stall_seconds)
            else:
                self.close_connection = True
                return
        self._send(rec, part, pos, len(part))

    def _send(self, rec, part, pos, upto):
        while pos < upto:
            chunk = part[pos:min(upto, pos + CHUNK)]
            rec.sent = pos + len(chunk)
            if rec.sent == len(part):
                rec.complete = True
            self._write(chunk)
            pos += len(chunk)
        return pos


class _TCPServer(socketserver.TCPServer):
    allow_reuse_address = True

    def __init__(self, owner, address):
        self.owner = owner
        super().__init__(address, _Handler)

    def get_request(self):
        sock, addr = super().get_request()
        with self.owner._lock:
            self.owner.connections += 1
        if self.owner._tls is not None:
            # No I/O here: the handshake is the connection thread's.
            sock = self.owner._tls.wrap_socket(sock, server_side=True,
                                               do_handshake_on_connect=False)
        return sock, addr

    def process_request(self, request, client_address):
        owner = self.owner
        t = threading.Thread(target=self._thread, args=(request, client_address),
                             name='httpserver-conn %s:%d' % client_address, daemon=True)
        with owner._lock:
            if owner._stopping.is_set():
                self.shutdown_request(request)
                return
            owner._conns[t] = request
        t.start()

    def _thread(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self.owner._lock:
                self.owner._conns.pop(threading.current_thread(), None)

    def handle_error(self, request, client_address):
        if self.owner.verbose:
            sys.stderr.write('httpserver: error serving %s:%d\n' % client_address)
            traceback.print_exc()


class HTTPServer:
    """An HTTP/1.1 server on 127.0.0.1 (an ephemeral port), started by
    start() or a with block, stopped by stop(); HTTPS with
    tls=(certfile, keyfile)."""

    join_timeout = 5.0

    def __init__(self, verbose=False, tls=None):
        self.verbose = verbose
        self.scheme = 'http'
        self._tls = None
        if tls is not None:
            certfile, keyfile = tls
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(certfile, keyfile)
            self.scheme = 'https'
        self.connections = 0  # accepted, under _lock
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._resources = {}
        self._requests = []
        self._conns = {}
        self._server = None
        self._thread = None

    # --- life ---

    def start(self):
        if self._server is not None:
            raise RuntimeError('httpserver: already started')
        self._stopping.clear()
        self._server = _TCPServer(self, ('127.0.0.1', 0))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={'poll_interval': 0.05},
                                        name='httpserver-accept :%d' % self.port,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stops accepting, releases stalls, shuts every open connection
        down, joins every thread and closes the port.  Raises RuntimeError
        if a thread is still alive after join_timeout."""
        if self._server is None:
            return
        server, self._server = self._server, None
        self._stopping.set()
        server.shutdown()                 # the accept loop ends
        self._thread.join(self.join_timeout)
        with self._lock:
            conns = dict(self._conns)
        for sock in conns.values():
            try:
                # The socket's own shutdown, also for a TLS one: that of
                # ssl.SSLSocket would drop its TLS state under the thread
                # reading it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + self.join_timeout
        for t in conns:
            t.join(max(0.0, deadline - time.monotonic()))
        server.server_close()
        alive = [t.name for t in [self._thread, *conns] if t.is_alive()]
        if alive:
            raise RuntimeError('httpserver: threads still alive after stop: %s' % alive)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        try:
            self.stop()
        except RuntimeError:
            if exc_type is None:
                raise

    # --- resources ---

    def url(self, path='/'):
        """http://127.0.0.1:PORT/path (https://... with tls; a leading / is
        added if missing)."""
        if not path.startswith('/'):
            path = '/' + path
        return self.base + path

    @property
    def base(self):
        return '%s://127.0.0.1:%d' % (self.scheme, self.port)

    def add(self, path, body=b'', **behaviour):
        """Registers (or replaces) path, served with body (bytes or str) and
        behaviour (see the module's docstring); returns its URL."""
        if not path.startswith('/'):
            path = '/' + path
        res = Resource(path, body, **behaviour)
        with self._lock:
            self._resources[path] = res
        return self.url(path)

    # --- bookkeeping ---

    def requests(self, path=None):
        """The requests received for path (its path part, or the exact
        target with its query), all of them if path is None, in order."""
        with self._lock:
            reqs = list(self._requests)
        if path is None:
            return reqs
        return [r for r in reqs if r.path == path or r.target == path]

    def clear(self):
        """Forgets the requests received (and resets fail_first, drop and
        stall counters, and connections)."""
        with self._lock:
            self._requests.clear()
            self.connections = 0
            for res in self._resources.values():
                res.hits = res.drops = res.stalls = 0


def self_signed(directory, name='cert'):
    """Makes a self-signed certificate for 127.0.0.1 (subjectAltName
    IP:127.0.0.1) and its key with the openssl command, as directory/NAME.pem
    and directory/NAME.key; returns (certfile, keyfile)."""
    cert = os.path.join(str(directory), name + '.pem')
    key = os.path.join(str(directory), name + '.key')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-keyout', key, '-out', cert],
                   check=True, capture_output=True, timeout=60)
    return cert, key


try:
    import pytest
except ImportError:  # pragma: no cover - usable without pytest
    pytest = None

if pytest is not None:
    @pytest.fixture
    def http_server():
        """A started HTTPServer, stopped after the test."""
        with HTTPServer() as srv:
            yield srv
