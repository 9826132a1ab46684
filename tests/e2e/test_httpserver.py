"""The test HTTP server itself (httpserver.py), checked with urllib,
http.client and raw sockets, so that the downloader's tests can trust it."""

import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request

import pytest

import httpserver
from httpserver import HTTPServer

# The fixture, assigned rather than imported: flake8 does not flag the tests'
# parameters as redefinitions (F811) then.
http_server = httpserver.http_server

BODY = bytes(range(256)) * 40  # 10240 bytes


def server_threads():
    return [t for t in threading.enumerate() if t.name.startswith('httpserver')]


def get(url, headers=None, timeout=5, context=None):
    """(status, headers, body) through urllib, HTTP errors included."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def raw(srv, path, timeout=2.0):
    """Sends a GET on a fresh socket; reads the whole announced body, or
    until EOF or a timeout.  Returns (status, headers dict lowercased, body
    bytes, 'eof'|'timeout')."""
    def parse(data):
        head, _, body = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        hdrs = {k.strip().lower(): v.strip()
                for k, _, v in (ln.partition(':') for ln in lines[1:])}
        return int(lines[0].split()[1]), hdrs, body

    s = socket.create_connection(('127.0.0.1', srv.port), timeout=timeout)
    try:
        s.sendall(b'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' % path.encode())
        data = b''
        how = 'eof'
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                how = 'timeout'
                break
            if not chunk:
                break
            data += chunk
            if b'\r\n\r\n' in data:
                _, hdrs, body = parse(data)
                if len(body) >= int(hdrs.get('content-length', 1 << 62)):
                    break
    finally:
        s.close()
    return parse(data) + (how,)


# --- life ---

def test_with_block_starts_and_stops_cleanly():
    with HTTPServer() as srv:
        port = srv.port
        assert port > 0
        assert srv.url('/x') == 'http://127.0.0.1:%d/x' % port
        assert srv.url('x') == srv.url('/x')
        srv.add('/x', b'abc')
        assert get(srv.url('/x'))[2] == b'abc'
    assert server_threads() == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(('127.0.0.1', port), timeout=1).close()


def test_fixture(http_server):
    url = http_server.add('/f', 'text body')
    assert url == http_server.url('/f')
    assert get(url)[2] == b'text body'


def test_stop_with_stalled_and_idle_clients_is_quick():
    srv = HTTPServer().start()
    srv.add('/big', b'x' * (8 << 20))
    srv.add('/stall', BODY, stall_after=10)
    # A client that never reads a big body (the server blocks in send),
    # one idle on a connection it opened, one that got a stalled answer.
    no_reader = socket.create_connection(('127.0.0.1', srv.port))
    no_reader.sendall(b'GET /big HTTP/1.1\r\nHost: x\r\n\r\n')
    idle = socket.create_connection(('127.0.0.1', srv.port))
    stalled = socket.create_connection(('127.0.0.1', srv.port), timeout=2)
    stalled.sendall(b'GET /stall HTTP/1.1\r\nHost: x\r\n\r\n')
    got = b''
    while not got.endswith(BODY[:10]):
        got += stalled.recv(65536)
    time.sleep(0.1)
    t0 = time.monotonic()
    srv.stop()
    assert time.monotonic() - t0 < 1.5
    assert server_threads() == []
    assert stalled.recv(65536) == b''          # closed, not left hanging
    for s in (no_reader, idle, stalled):
        s.close()
    srv.stop()                                  # a second stop is harmless


# --- serving ---

def test_default_get(http_server):
    url = http_server.add('/a.tgz', BODY)
    status, headers, body = get(url)
    assert status == 200
    assert body == BODY
    assert headers['Content-Length'] == str(len(BODY))
    assert headers['Accept-Ranges'] == 'bytes'


def test_unknown_path_is_404(http_server):
    status, _, body = get(http_server.url('/nope'))
    assert status == 404
    assert body == b'404 Not Found\n'
    assert [r.status for r in http_server.requests('/nope')] == [404]


def test_ranges(http_server):
    url = http_server.add('/r', BODY)
    n = len(BODY)
    status, headers, body = get(url, {'Range': 'bytes=1000-'})
    assert (status, body) == (206, BODY[1000:])
    assert headers['Content-Range'] == 'bytes 1000-%d/%d' % (n - 1, n)
    assert headers['Content-Length'] == str(n - 1000)
    status, headers, body = get(url, {'Range': 'bytes=10-19'})
    assert (status, body) == (206, BODY[10:20])
    assert headers['Content-Range'] == 'bytes 10-19/%d' % n
    status, headers, body = get(url, {'Range': 'bytes=-5'})
    assert (status, body) == (206, BODY[-5:])
    status, headers, body = get(url, {'Range': 'bytes=%d-' % (n - 1)})
    assert (status, body) == (206, BODY[-1:])
    # Out of range: 416.
    for r in ('bytes=%d-' % n, 'bytes=%d-' % (n + 100), 'bytes=-0'):
        status, headers, _ = get(url, {'Range': r})
        assert status == 416, r
        assert headers['Content-Range'] == 'bytes */%d' % n
    # Malformed or multiple ranges are ignored.
    for r in ('bytes=x-', 'lines=1-', 'bytes=5-2', 'bytes=0-1,5-6'):
        assert get(url, {'Range': r})[:3:2] == (200, BODY), r


def test_head(http_server):
    http_server.add('/h', BODY)
    c = http.client.HTTPConnection('127.0.0.1', http_server.port, timeout=5)
    c.request('HEAD', '/h')
    r = c.getresponse()
    assert r.status == 200
    assert r.getheader('Content-Length') == str(len(BODY))
    assert r.getheader('Accept-Ranges') == 'bytes'
    assert r.read() == b''
    c.request('HEAD', '/h', headers={'Range': 'bytes=100-'})
    r = c.getresponse()
    assert r.status == 206
    assert r.read() == b''
    # The same connection still works for a GET (keep-alive).
    c.request('GET', '/h')
    assert c.getresponse().read() == BODY
    c.close()
    assert [(r.method, r.status, r.sent) for r in http_server.requests('/h')] == [
        ('HEAD', 200, 0), ('HEAD', 206, 0), ('GET', 200, len(BODY))]


@pytest.mark.parametrize('code', [404, 403, 410, 500, 418])
def test_status(http_server, code):
    url = http_server.add('/s', BODY, status=code)
    status, headers, body = get(url)
    assert status == code
    assert body.startswith(b'%d ' % code)
    assert headers['Content-Length'] == str(len(body))
    assert [r.status for r in http_server.requests('/s')] == [code]


def test_fail_first_then_success(http_server):
    url = http_server.add('/ff', BODY, fail_first=[500, 503, 429])
    answers = [get(url) for _ in range(5)]
    assert [a[0] for a in answers] == [500, 503, 429, 200, 200]
    assert answers[3][2] == BODY
    assert [r.status for r in http_server.requests('/ff')] == [500, 503, 429, 200, 200]


def test_fail_first_then_status(http_server):
    url = http_server.add('/ff', BODY, fail_first=[500], status=404)
    assert [get(url)[0] for _ in range(3)] == [500, 404, 404]


def test_drop_after_then_range_completes(http_server):
    http_server.add('/d', BODY, drop_after=1000)
    status, headers, body, how = raw(http_server, '/d')
    assert (status, how) == (200, 'eof')
    assert headers['content-length'] == str(len(BODY))   # the whole length announced
    assert body == BODY[:1000]
    # http.client sees an interrupted transfer too... but the drop was once:
    # the resumed request completes the body.
    status, headers, rest = get(http_server.url('/d'), {'Range': 'bytes=1000-'})
    assert status == 206
    assert body + rest == BODY
    reqs = http_server.requests('/d')
    assert [(r.status, r.sent, r.complete) for r in reqs] == [
        (200, 1000, False), (206, len(BODY) - 1000, True)]
    assert reqs[1].range == 'bytes=1000-'


def test_drop_after_seen_by_http_client(http_server):
    http_server.add('/d', BODY, drop_after=300)
    c = http.client.HTTPConnection('127.0.0.1', http_server.port, timeout=5)
    c.request('GET', '/d')
    r = c.getresponse()
    with pytest.raises(http.client.IncompleteRead) as e:
        r.read()
    assert e.value.partial == BODY[:300]
    c.close()


def test_drop_after_with_no_ranges(http_server):
    http_server.add('/d', BODY, drop_after=1000, no_ranges=True)
    assert raw(http_server, '/d')[2] == BODY[:1000]
    status, headers, body = get(http_server.url('/d'), {'Range': 'bytes=1000-'})
    assert (status, body) == (200, BODY)
    assert 'Accept-Ranges' not in headers


def test_stall_and_client_timeout(http_server):
    http_server.add('/st', BODY, stall_after=100)
    t0 = time.monotonic()
    status, headers, body, how = raw(http_server, '/st', timeout=0.3)
    assert (status, how) == (200, 'timeout')
    assert headers['content-length'] == str(len(BODY))
    assert body == BODY[:100]
    assert time.monotonic() - t0 < 2
    # Once only by default: the next request is served whole.
    assert raw(http_server, '/st')[2:] == (BODY, 'eof')
    reqs = http_server.requests('/st')
    assert [(r.status, r.sent) for r in reqs] == [(200, 100), (200, len(BODY))]


def test_stall_seconds_then_rest(http_server):
    http_server.add('/st', BODY, stall_after=100, stall_seconds=0.3)
    t0 = time.monotonic()
    status, _, body = get(http_server.url('/st'))
    assert (status, body) == (200, BODY)
    assert time.monotonic() - t0 >= 0.3


def test_stall_then_drop(http_server):
    http_server.add('/sd', BODY, stall_after=10, stall_seconds=0.1, drop_after=20)
    status, _, body, how = raw(http_server, '/sd')
    assert (body, how) == (BODY[:20], 'eof')


def test_no_ranges(http_server):
    url = http_server.add('/n', BODY, no_ranges=True)
    status, headers, body = get(url, {'Range': 'bytes=1000-'})
    assert (status, body) == (200, BODY)
    assert 'Accept-Ranges' not in headers
    assert 'Content-Range' not in headers
    assert get(url, {'Range': 'bytes=999999-'})[0] == 200
    assert http_server.requests('/n')[0].range == 'bytes=1000-'


def test_redirect(http_server):
    http_server.add('/target', BODY)
    url = http_server.add('/old', redirect_to='/target')
    status, _, body = get(url)
    assert (status, body) == (200, BODY)
    c = http.client.HTTPConnection('127.0.0.1', http_server.port, timeout=5)
    c.request('GET', '/old')
    r = c.getresponse()
    assert r.status == 302
    assert r.getheader('Location') == http_server.url('/target')
    r.read()
    c.close()
    assert [r.status for r in http_server.requests('/old')] == [302, 302]
    assert [r.status for r in http_server.requests('/target')] == [200]


def test_redirect_chain(http_server):
    http_server.add('/c', BODY)
    http_server.add('/b', redirect_to='/c')
    url = http_server.add('/a', redirect_to='/b', fail_first=[503])
    assert get(url)[0] == 503
    assert get(url)[::2] == (200, BODY)


def test_extra_headers(http_server):
    url = http_server.add('/e', BODY, status=401, headers={'WWW-Authenticate': 'Basic'})
    assert get(url)[1]['WWW-Authenticate'] == 'Basic'
    url = http_server.add('/e2', BODY, headers={'X-Test': 'yes'})
    assert get(url)[1]['X-Test'] == 'yes'


# --- bookkeeping ---

def test_bookkeeping_three_requests_third_with_range(http_server):
    http_server.add('/pkg.tgz', BODY, fail_first=[503], drop_after=1000)
    url = http_server.url('/pkg.tgz')
    assert get(url)[0] == 503
    assert raw(http_server, '/pkg.tgz')[2] == BODY[:1000]
    assert get(url, {'Range': 'bytes=1000-'})[2] == BODY[1000:]
    reqs = http_server.requests('/pkg.tgz')
    assert len(reqs) == 3
    assert [r.method for r in reqs] == ['GET'] * 3
    assert [r.status for r in reqs] == [503, 200, 206]
    assert [r.range for r in reqs] == [None, None, 'bytes=1000-']
    assert reqs[2].headers['range'] == 'bytes=1000-'     # case-insensitive
    assert reqs[0].time <= reqs[1].time <= reqs[2].time
    # A query string is recorded but matched by the path too.
    get(url + '?x=1')
    assert http_server.requests('/pkg.tgz')[-1].target == '/pkg.tgz?x=1'
    assert len(http_server.requests('/pkg.tgz?x=1')) == 1
    assert len(http_server.requests()) == 4
    http_server.clear()
    assert http_server.requests() == []
    assert get(url)[0] == 503            # fail_first counts again


# --- TLS ---

@pytest.fixture(scope='module')
def cert(tmp_path_factory):
    return httpserver.self_signed(tmp_path_factory.mktemp('tls'))


def test_tls_serves_https_with_the_same_behaviour(cert):
    with HTTPServer(tls=cert) as srv:
        url = srv.add('/t', BODY, fail_first=[503])
        assert url == 'https://127.0.0.1:%d/t' % srv.port
        assert srv.base == 'https://127.0.0.1:%d' % srv.port
        ctx = ssl.create_default_context(cafile=cert[0])
        for status, body in ((503, b'503 Service Unavailable\n'), (200, BODY)):
            assert get(url, context=ctx)[::2] == (status, body)
        assert [q.status for q in srv.requests('/t')] == [503, 200]
        assert srv.connections == 2  # urllib closes each
    assert server_threads() == []


def test_tls_refused_certificate_records_a_connection_and_no_request(cert, capfd):
    with HTTPServer(tls=cert) as srv:
        url = srv.add('/t', BODY)
        with pytest.raises(urllib.error.URLError) as e:
            urllib.request.urlopen(url, timeout=5,
                                   context=ssl.create_default_context()).close()
        assert isinstance(e.value.reason, ssl.SSLCertVerificationError)
        time.sleep(0.1)
        assert srv.connections == 1
        assert srv.requests() == []
    assert server_threads() == []
    assert capfd.readouterr() == ('', '')


def test_tls_stop_with_a_client_that_never_handshakes_is_quick(cert):
    srv = HTTPServer(tls=cert).start()
    silent = socket.create_connection(('127.0.0.1', srv.port))
    time.sleep(0.1)
    t0 = time.monotonic()
    srv.stop()
    assert time.monotonic() - t0 < 1.5
    assert server_threads() == []
    silent.settimeout(2)
    assert silent.recv(100) == b''
    silent.close()


# --- robustness ---

def test_early_disconnect_is_silent(capfd):
    with HTTPServer() as srv:
        srv.add('/big', b'y' * (4 << 20))
        srv.add('/st', BODY, stall_after=10, stall_seconds=0.2)
        for path in ('/big', '/st'):
            s = socket.create_connection(('127.0.0.1', srv.port))
            s.sendall(b'GET %s HTTP/1.1\r\nHost: x\r\n\r\n' % path.encode())
            s.recv(100)
            # Reset, not a polite close.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            s.close()
        s = socket.create_connection(('127.0.0.1', srv.port))
        s.sendall(b'FROB / HTTP/1.1\r\n\r\n')
        assert s.recv(100).startswith(b'HTTP/1.1 501 ')
        s.close()
        socket.create_connection(('127.0.0.1', srv.port)).close()
        time.sleep(0.4)
        srv.add('/ok', b'fine')
        assert get(srv.url('/ok'))[2] == b'fine'
        assert [r.complete for r in srv.requests('/big')] == [False]
    out, err = capfd.readouterr()
    assert (out, err) == ('', '')


def test_verbose_logs_to_stderr(capfd):
    with HTTPServer(verbose=True) as srv:
        srv.add('/v', b'v')
        get(srv.url('/v'))
    assert 'GET /v' in capfd.readouterr().err
