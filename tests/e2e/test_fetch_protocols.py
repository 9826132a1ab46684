"""src_type = static over FTP and HTTPS: real servers on 127.0.0.1, no
mocks.

FTP: an anonymous, read-only pyftpdlib server (python3-pyftpdlib) on a temp
directory, run by a thread of the test, passive data connections on
ephemeral ports.  HTTPS: httpserver.py in its TLS mode, with a self-signed
certificate for 127.0.0.1 made by the openssl command; minimerge is told
where it is by CURL_CA_BUNDLE, SSL_CERT_FILE or SSL_CERT_DIR, as curl's tool
is.

The packages are test_fetch_static's: stackgen's leaf0, packed as
leaf0-1.0.tar.gz with a single top directory."""

import hashlib
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import warnings

import pytest

import httpserver
import stackgen
from mmrun import mm, summary
from test_fetch_static import assert_installed_from, downloads, fetch_log, pack, static_stack

with warnings.catch_warnings():
    # pyftpdlib 1.5 is built on asyncore and asynchat (deprecated).
    warnings.simplefilter('ignore', DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import IOLoop
    from pyftpdlib.servers import FTPServer as _PyFTPServer

# pyftpdlib configures logging to stderr, at INFO, when nothing else has a
# handler: a handler of its own keeps it quiet (its warnings still reach
# pytest's capture).
logging.getLogger('pyftpdlib').addHandler(logging.NullHandler())

# A permanent failure retried DOWNLOAD_RETRIES (5) times would take at least
# 250 + 500 + 1000 + 2000 + 4000 ms of pauses.
AT_ONCE = 3.0

CA_VARIABLES = ('CURL_CA_BUNDLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR')


# --- FTP ---

class Command:
    """One command an FTP client sent: cmd (upper case), arg, and the
    replies the server sent to it (strings such as '550 No such file')."""

    def __init__(self, cmd, arg):
        self.cmd = cmd
        self.arg = arg
        self.replies = []

    def __repr__(self):
        return '<Command %s %s %r>' % (self.cmd, self.arg, self.replies)


class FTPServer:
    """An anonymous, read-only FTP server on 127.0.0.1 (an ephemeral port)
    serving the directory root, on a thread of its own; passive data
    connections on ephemeral ports.  add(path, data) puts a file there and
    returns its URL; connections counts the control connections accepted,
    commands(cmd) lists the commands received.  stop() closes every socket
    and joins the thread."""

    def __init__(self, root):
        self.root = str(root)
        self.connections = 0
        self._commands = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None

    def start(self):
        owner = self
        authorizer = DummyAuthorizer()
        authorizer.add_anonymous(self.root)  # perm 'elr': read only

        class Handler(FTPHandler):
            def on_connect(self):
                with owner._lock:
                    owner.connections += 1

            def pre_process_command(self, line, cmd, arg):
                self._command = Command(cmd, arg)
                with owner._lock:
                    owner._commands.append(self._command)
                super().pre_process_command(line, cmd, arg)

            def respond(self, resp, *args, **kwargs):
                command = getattr(self, '_command', None)
                if command is not None:
                    with owner._lock:
                        command.replies.append(resp)
                super().respond(resp, *args, **kwargs)

        Handler.authorizer = authorizer
        self._server = _PyFTPServer(('127.0.0.1', 0), Handler, ioloop=IOLoop())
        self.port = self._server.address[1]
        self._thread = threading.Thread(target=self._serve, name='ftpserver :%d' % self.port,
                                        daemon=True)
        self._thread.start()
        return self

    def _serve(self):
        ioloop = self._server.ioloop
        try:
            while not self._stopping.is_set():
                ioloop.loop(timeout=0.05, blocking=False)
        finally:
            self._server.close_all()  # every socket: listening, control, data

    def stop(self):
        if self._server is None:
            return
        self._stopping.set()
        self._thread.join(5)
        if self._thread.is_alive():
            raise RuntimeError('ftpserver: thread still alive after stop')
        self._server = None

    def url(self, path):
        return 'ftp://127.0.0.1:%d%s' % (self.port, path)

    def add(self, path, data):
        """Writes data to root/path (directories made); returns its URL."""
        dest = os.path.join(self.root, path.lstrip('/'))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, 'wb') as f:
            f.write(data)
        return self.url(path)

    def commands(self, cmd=None):
        with self._lock:
            return [c for c in self._commands if cmd is None or c.cmd == cmd]


@pytest.fixture
def ftp_server(tmp_path_factory):
    srv = FTPServer(tmp_path_factory.mktemp('ftp')).start()
    try:
        yield srv
    finally:
        srv.stop()
    # Nothing lingers: no thread, the port is closed.
    assert [t for t in threading.enumerate() if t.name.startswith('ftpserver')] == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(('127.0.0.1', srv.port), timeout=2).close()


def complete(retr):
    """The RETR's file was sent whole: 125 or 150 (the transfer starts),
    then 226."""
    return [x[:3] for x in retr.replies] in (['125', '226'], ['150', '226'])


def test_ftp_download_unpack_build_then_nothing(minimerge, tmp_path, ftp_server):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    data = pack(stack, 'leaf0')
    url = ftp_server.add('/leaf0-1.0.tar.gz', data)
    assert url == 'ftp://127.0.0.1:%d/leaf0-1.0.tar.gz' % ftp_server.port
    stack.write_minibuild('leaf0', src_type='static', src_uri=url,
                          src_sha256=hashlib.sha256(data).hexdigest())
    assert_installed_from(minimerge, stack, data)
    [retr] = ftp_server.commands('RETR')
    assert retr.arg == 'leaf0-1.0.tar.gz'
    assert complete(retr), retr
    assert url in fetch_log(stack)
    # Nothing changed: nothing runs, nothing is asked of the server.
    connections = ftp_server.connections
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout
    assert ftp_server.connections == connections
    assert len(ftp_server.commands('RETR')) == 1


def test_ftp_missing_file_fails_at_once(minimerge, tmp_path, ftp_server):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    url = ftp_server.url('/leaf0-1.0.tar.gz')  # not there
    stack.write_minibuild('leaf0', src_type='static', src_uri=url, src_sha256='a' * 64)
    t0 = time.monotonic()
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    elapsed = time.monotonic() - t0
    assert r.returncode == 1, r.stdout + r.stderr
    # The URL, then libcurl's words for the server's 550.
    assert 'FAILED: fetch %s: %s: FTP 550: The file does not exist\n' % (
        stack.place('leaf0'), url) in r.stdout, r.stdout
    # Asked for once (libcurl asks its SIZE first, and stops at the 550),
    # not five times more.
    [ask] = [c for c in ftp_server.commands() if c.arg == 'leaf0-1.0.tar.gz']
    assert ask.cmd in ('SIZE', 'RETR') and ask.replies[0].startswith('550 '), ask
    assert ftp_server.connections == 1
    assert elapsed < AT_ONCE, elapsed
    assert 'trying again' not in fetch_log(stack)
    assert downloads(stack) == []
    assert not os.path.exists(os.path.join(stack.home('leaf0'), 'configure'))


def test_ftp_checksum_mismatch_keeps_nothing(minimerge, tmp_path, ftp_server):
    stack, url, data = static_stack(tmp_path, ftp_server, checksum=('src_sha256', 'a' * 64))
    assert url == ftp_server.url('/dl/leaf0-1.0.tar.gz')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "%s: src_sha256 is %s, the download's sha256 is %s" % (
        url, 'a' * 64, hashlib.sha256(data).hexdigest()) in r.stdout, r.stdout
    # The whole file came (a mismatch is not the transfer's fault: not
    # fetched again), and went.
    [retr] = ftp_server.commands('RETR')
    assert complete(retr), retr
    assert downloads(stack) == []
    assert not os.path.exists(os.path.join(stack.home('leaf0'), 'configure'))


# --- HTTPS ---

@pytest.fixture(scope='module')
def certs(tmp_path_factory):
    """{'good': (cert, key) of the server, 'other': (cert, key) of no
    server, 'dir': a directory of hashed links to good's certificate, as
    SSL_CERT_DIR wants (openssl rehash)}."""
    d = tmp_path_factory.mktemp('certs')
    good = httpserver.self_signed(d, 'good')
    other = httpserver.self_signed(d, 'other')
    certdir = d / 'certdir'
    certdir.mkdir()
    shutil.copy(good[0], certdir / 'good.pem')
    subprocess.run(['openssl', 'rehash', str(certdir)], check=True, capture_output=True)
    assert len(os.listdir(certdir)) == 2  # good.pem and its HASH.0
    return {'good': good, 'other': other, 'dir': str(certdir)}


@pytest.fixture
def https_server(certs):
    with httpserver.HTTPServer(tls=certs['good']) as srv:
        yield srv


@pytest.fixture
def ca(monkeypatch):
    """ca(VARIABLE=value, ...): minimerge's environment (os.environ, which
    mmrun.env_for starts from) gets these and none of CA_VARIABLES
    otherwise."""
    def setenv(**variables):
        for name in CA_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
    return setenv


def check_https_install(minimerge, tmp_path, srv):
    stack, url, data = static_stack(tmp_path, srv)
    assert url.startswith('https://127.0.0.1:%d/' % srv.port)
    assert_installed_from(minimerge, stack, data)
    assert [q.status for q in srv.requests('/dl/leaf0-1.0.tar.gz')] == [200]
    return stack


def test_https_with_curl_ca_bundle(minimerge, tmp_path, https_server, certs, ca):
    ca(CURL_CA_BUNDLE=certs['good'][0])
    stack = check_https_install(minimerge, tmp_path, https_server)
    # Nothing changed: not even a connection.
    https_server.clear()
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout
    assert https_server.connections == 0


def test_https_with_ssl_cert_file(minimerge, tmp_path, https_server, certs, ca):
    ca(SSL_CERT_FILE=certs['good'][0])
    check_https_install(minimerge, tmp_path, https_server)


def test_https_with_ssl_cert_dir(minimerge, tmp_path, https_server, certs, ca):
    ca(SSL_CERT_DIR=certs['dir'])
    check_https_install(minimerge, tmp_path, https_server)


def test_https_curl_ca_bundle_comes_before_ssl_cert_file(minimerge, tmp_path, https_server,
                                                         certs, ca):
    ca(CURL_CA_BUNDLE=certs['good'][0], SSL_CERT_FILE=certs['other'][0])
    check_https_install(minimerge, tmp_path / 'first', https_server)
    ca(CURL_CA_BUNDLE=certs['other'][0], SSL_CERT_FILE=certs['good'][0])
    stack, url, data = static_stack(tmp_path / 'second', https_server)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(re.escape(url) + r': .*certificate', r.stdout), r.stdout


def test_https_untrusted_certificate_fails_at_once(minimerge, tmp_path, https_server, ca):
    ca()  # the system's CAs, which do not know this certificate
    stack, url, data = static_stack(tmp_path, https_server)
    t0 = time.monotonic()
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    elapsed = time.monotonic() - t0
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(r'FAILED: fetch %s: %s: SSL certificate problem: ' % (
        re.escape(stack.place('leaf0')), re.escape(url)), r.stdout), r.stdout
    # One handshake, refused: no request, no retry.
    assert https_server.connections == 1
    assert https_server.requests() == []
    assert elapsed < AT_ONCE, elapsed
    assert 'trying again' not in fetch_log(stack)
    # The download cache was made, and holds nothing (not even a .part).
    assert downloads(stack) == []
    assert not os.path.exists(os.path.join(stack.home('leaf0'), 'configure'))
