"""extends over HTTP: fetched with libcurl from a real server on 127.0.0.1,
relative names resolved against the URL, and the offline and download
errors."""

import http.server
import json
import os
import subprocess
import threading

import pytest


@pytest.fixture
def served(tmp_path):
    """A directory served over HTTP on 127.0.0.1; yields (dir, base URL)."""
    root = tmp_path / 'www'
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def run(minimerge, cwd, *args):
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(cwd))
    return subprocess.run([minimerge, 'config', '-U', *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=60)


def test_extends_url_and_relative_to_it(minimerge, served, tmp_path):
    root, url = served
    (root / 'sub').mkdir()
    (root / 'sub' / 'base.cfg').write_text(
        '[buildout]\nextends = common.cfg\nparts = web\n'
        '[web]\nrecipe = r\nport = 80\nlist =\n    a\n    b\n')
    (root / 'sub' / 'common.cfg').write_text('[web]\nuser = www\n')
    (tmp_path / 'buildout.cfg').write_text(
        '[buildout]\nextends = %s/sub/base.cfg\n[web]\nlist += c\nport = 8080\n' % url)
    p = run(minimerge, tmp_path, '--json')
    assert p.returncode == 0, p.stderr
    web = json.loads(p.stdout)['web']
    assert web == {'recipe': 'r', 'port': '8080', 'list': 'a\nb\nc', 'user': 'www'}


def test_extends_url_offline_is_an_error(minimerge, served, tmp_path):
    root, url = served
    (root / 'base.cfg').write_text('[buildout]\nparts =\n')
    (tmp_path / 'buildout.cfg').write_text('[buildout]\nextends = %s/base.cfg\n' % url)
    p = run(minimerge, tmp_path, '-o')
    assert p.returncode == 2
    assert "Couldn't download '%s/base.cfg' in offline mode." % url in p.stderr
    assert p.stderr.startswith('minimerge: %s:2: error: ' % (tmp_path / 'buildout.cfg'))


def test_extends_url_missing_names_the_url(minimerge, served, tmp_path):
    _, url = served
    (tmp_path / 'buildout.cfg').write_text('[buildout]\nextends = %s/nosuch.cfg\n' % url)
    p = run(minimerge, tmp_path)
    assert p.returncode == 2
    assert 'Error downloading extends for URL %s/nosuch.cfg' % url in p.stderr
    assert '404' in p.stderr


def test_root_file_offline_decides_downloads(minimerge, served, tmp_path):
    root, url = served
    (root / 'base.cfg').write_text('[buildout]\nparts =\n')
    (tmp_path / 'buildout.cfg').write_text(
        '[buildout]\noffline = true\nextends = %s/base.cfg\n' % url)
    p = run(minimerge, tmp_path)
    assert p.returncode == 2
    assert "Couldn't download '%s/base.cfg' in offline mode." % url in p.stderr
    # The command line wins over the file, as in buildout.
    p = run(minimerge, tmp_path, 'buildout:offline=false', '--json')
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)['buildout']['offline'] == 'false'


def test_root_file_bad_offline_before_download(minimerge, served, tmp_path):
    _, url = served
    (tmp_path / 'buildout.cfg').write_text(
        '[buildout]\noffline = yes\nextends = %s/base.cfg\n' % url)
    p = run(minimerge, tmp_path)
    assert p.returncode == 2
    assert "Invalid value for 'offline' option: 'yes'" in p.stderr


def loaded_libraries(minimerge, cwd, *args):
    """The shared objects the dynamic loader opened during a run."""
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(cwd), LD_DEBUG='files')
    p = subprocess.run([minimerge, 'config', '-U', *args], cwd=str(cwd), env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stderr


def test_libcurl_is_loaded_only_when_a_url_is_fetched(minimerge, served, tmp_path):
    # libcurl and its thirty libraries cost 4 ms at start; a config without
    # URLs must not pay for them.
    root, url = served
    (tmp_path / 'local.cfg').write_text('[buildout]\nparts =\n')
    assert 'libcurl.so' not in loaded_libraries(minimerge, tmp_path, '-c', 'local.cfg')
    (root / 'base.cfg').write_text('[buildout]\nparts =\n')
    (tmp_path / 'remote.cfg').write_text('[buildout]\nextends = %s/base.cfg\n' % url)
    assert 'libcurl.so' in loaded_libraries(minimerge, tmp_path, '-c', 'remote.cfg')
