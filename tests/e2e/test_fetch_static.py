"""src_type = static: a source archive downloaded with libcurl from a real
HTTP server on 127.0.0.1 (httpserver.py, which fails on purpose), checked,
kept in <root>/downloads, unpacked into the package's home and built.

Each test builds a one-package root from stackgen's generated package,
packed as NAME-1.0.tar.gz with a single top directory (flattened, as
minitage does)."""

import glob
import hashlib
import io
import os
import re
import subprocess
import tarfile
import time
import zipfile

import httpserver
import stackgen
from mmrun import env_for, mm, summary
from terminal import run_on_pty

http_server = httpserver.http_server


def pack(stack, name, fmt='tar.gz', top=True, extra=()):
    """The bytes of an archive of name's generated source; extra:
    (tarinfo, bytes) members added as they are (hostile ones)."""
    src = stack.source(name)
    prefix = stack.full(name) + '/' if top else ''
    buf = io.BytesIO()
    if fmt == 'zip':
        with zipfile.ZipFile(buf, 'w') as z:
            for f in sorted(os.listdir(src)):
                info = zipfile.ZipInfo(prefix + f)
                info.external_attr = (os.stat(os.path.join(src, f)).st_mode & 0o777) << 16
                with open(os.path.join(src, f), 'rb') as fh:
                    z.writestr(info, fh.read())
        return buf.getvalue()
    mode = {'tar.gz': 'w:gz', 'tar.bz2': 'w:bz2', 'tar.xz': 'w:xz', 'tar': 'w'}[fmt]
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for f in sorted(os.listdir(src)):
            t.add(os.path.join(src, f), prefix + f)
        for info, data in extra:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def static_stack(tmp_path, srv, fmt='tar.gz', checksum='sha256', big=False, **behaviour):
    """A root with one package, leaf0, fetched from srv; big: its archive
    is about 100 kB, not 1."""
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    if big:
        stack.write_data('leaf0', os.urandom(100000).hex() + '\n')
    data = pack(stack, 'leaf0', fmt)
    url = srv.add('/dl/leaf0-1.0.' + fmt, data, **behaviour)
    keys = {'src_type': 'static', 'src_uri': url}
    if checksum == 'sha256':
        keys['src_sha256'] = hashlib.sha256(data).hexdigest()
    elif checksum == 'md5':
        keys['src_md5'] = hashlib.md5(data).hexdigest()
    elif checksum:
        keys[checksum[0]] = checksum[1]
    stack.write_minibuild('leaf0', **keys)
    return stack, url, data


def fetch_log(stack):
    with open(stack.log('fetch', 'leaf0')) as f:
        return f.read()


def downloads(stack):
    return sorted(os.listdir(os.path.join(stack.root, 'downloads')))


def assert_installed_from(minimerge, stack, data):
    """Installs leaf0, whose archive is data, and checks that it was
    downloaded, kept, unpacked and built."""
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (3, 0, 0, 0, ''), r.stdout
    assert 'package leaf0' in stack.lib_text('leaf0')
    # Flattened into the home, beside parts/.
    assert sorted(os.listdir(stack.home('leaf0'))) == ['Makefile', 'configure', 'data.txt', 'parts']
    [name] = downloads(stack)
    assert name.endswith('-leaf0-1.0.tar.gz')
    with open(os.path.join(stack.root, 'downloads', name), 'rb') as f:
        assert f.read() == data


def test_download_unpack_build_then_nothing(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server)
    assert_installed_from(minimerge, stack, data)
    assert len(http_server.requests('/dl/leaf0-1.0.tar.gz')) == 1
    assert url in fetch_log(stack)
    # Nothing changed: nothing runs, nothing is asked of the server.
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout
    assert len(http_server.requests('/dl/leaf0-1.0.tar.gz')) == 1


def test_a_lost_source_comes_from_the_download_cache(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    subprocess.run(['rm', '-rf', stack.home('leaf0')], check=True)
    mm(minimerge, stack, 'cache', 'clear')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (3, 0, 0, 0, ''), r.stdout
    assert len(http_server.requests('/dl/leaf0-1.0.tar.gz')) == 1
    assert 'in the download cache' in fetch_log(stack)


def test_a_new_checksum_fetches_again_and_the_build_reruns(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    [name] = downloads(stack)
    stack.write_data('leaf0', 'data, second release\n')
    data2 = pack(stack, 'leaf0')
    http_server.add('/dl/leaf0-1.0.tar.gz', data2)
    stack.write_minibuild('leaf0', src_type='static', src_uri=url,
                          src_sha256=hashlib.sha256(data2).hexdigest())
    r = mm(minimerge, stack, 'install', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'option src_sha256 changed' in r.stdout, r.stdout
    assert 'data, second release' in stack.lib_text('leaf0')
    assert len(http_server.requests('/dl/leaf0-1.0.tar.gz')) == 2
    # The new bytes, where the old ones were.
    assert downloads(stack) == [name]
    with open(os.path.join(stack.root, 'downloads', name), 'rb') as f:
        assert f.read() == data2


def test_checksum_mismatch_is_an_error_and_nothing_is_kept(minimerge, tmp_path, http_server):
    for key, digits in (('src_sha256', 64), ('src_md5', 32)):
        stack, url, data = static_stack(tmp_path / key, http_server,
                                        checksum=(key, 'a' * digits))
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 1, r.stdout + r.stderr
        actual = (hashlib.sha256 if key == 'src_sha256' else hashlib.md5)(data).hexdigest()
        assert '%s is %s' % (key, 'a' * digits) in r.stdout + r.stderr
        assert actual in r.stdout + r.stderr
        assert url in r.stdout + r.stderr
        assert downloads(stack) == []
        assert not os.path.exists(os.path.join(stack.home('leaf0'), 'configure'))


def test_bad_checksum_text_is_bad_input(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, checksum=('src_sha256', 'XYZ'))
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 2
    assert 'src_sha256 = XYZ: not 64 lowercase hexadecimal digits' in r.stderr
    assert http_server.requests() == []


def test_no_checksum_is_a_warning(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, checksum=None)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    warnings = [line for line in r.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and 'no src_sha256 or src_md5' in warnings[0], r.stderr


def test_server_errors_are_retried(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, fail_first=[500, 503, 429])
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert [q.status for q in http_server.requests('/dl/leaf0-1.0.tar.gz')] == [
        500, 503, 429, 200]
    assert 'HTTP 500; trying again' in fetch_log(stack)


def test_a_cut_transfer_resumes_with_a_range(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, big=True, drop_after=1000)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    reqs = http_server.requests('/dl/leaf0-1.0.tar.gz')
    assert len(reqs) == 2
    assert reqs[1].header('Range') == 'bytes=1000-'
    assert reqs[1].status == 206


def test_a_body_of_many_write_buffers_is_kept_whole_across_a_cut(
        minimerge, tmp_path, http_server):
    # About 1.2 MB, uncompressed: several of the 256 KiB pieces the .part
    # file is written in, cut past the first of them and not on a boundary.
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    stack.write_data('leaf0', os.urandom(600000).hex() + '\n')
    data = pack(stack, 'leaf0', 'tar')
    assert len(data) > 4 * 256 * 1024
    url = http_server.add('/dl/leaf0-1.0.tar', data, drop_after=700001)
    stack.write_minibuild('leaf0', src_type='static', src_uri=url,
                          src_sha256=hashlib.sha256(data).hexdigest())
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    reqs = http_server.requests('/dl/leaf0-1.0.tar')
    assert [q.header('Range') for q in reqs] == [None, 'bytes=700001-']
    [name] = downloads(stack)
    with open(os.path.join(stack.root, 'downloads', name), 'rb') as f:
        assert f.read() == data


def test_a_server_without_ranges_is_read_again_whole(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, big=True, drop_after=1000,
                                    no_ranges=True)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'package leaf0' in stack.lib_text('leaf0')
    # Cut; asked to resume, which the server answers whole (200), so
    # libcurl gives up on it; asked again from the start, at once.
    reqs = http_server.requests('/dl/leaf0-1.0.tar.gz')
    assert [q.range for q in reqs] == [None, 'bytes=1000-', None], reqs
    assert reqs[-1].complete, reqs
    log = fetch_log(stack)
    assert log.count('trying again') == 1, log
    assert 'the server does not resume; starting over' in log, log


def test_permanent_failures_fail_at_once(minimerge, tmp_path, http_server):
    for status in (404, 403):
        stack, url, data = static_stack(tmp_path / str(status), http_server, status=status)
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 1
        assert '%s: HTTP %d' % (url, status) in r.stdout, r.stdout
        # Asked once, not again: no pause, no retry.
        assert [q.status for q in http_server.requests()] == [status]
        assert 'trying again' not in fetch_log(stack)
        http_server.clear()
    stack = stackgen.Stack(tmp_path / 'host' / 'root', stackgen.leaves(1))
    stack.write_minibuild('leaf0', src_type='static',
                          src_uri='http://no-such-host.invalid/leaf0.tar.gz')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1
    assert 'FAILED: %s: http://no-such-host.invalid/leaf0.tar.gz: ' % stack.action(
        'fetch', 'leaf0') in r.stdout, r.stdout
    assert 'trying again' not in fetch_log(stack)


def test_offline_uses_the_cache_and_names_what_is_missing(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server)
    r = mm(minimerge, stack, 'install', '-o', stack.full('leaf0'))
    assert r.returncode == 1
    assert '%s: not in the download cache (offline)' % url in r.stderr, r.stderr
    assert http_server.requests() == []
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    subprocess.run(['rm', '-rf', stack.home('leaf0')], check=True)
    mm(minimerge, stack, 'cache', 'clear')
    with open(os.path.join(stack.root, 'etc', 'minimerge.cfg'), 'w') as f:
        f.write('[minimerge]\noffline = true\n')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(http_server.requests()) == 1
    # offline = true is -o: with the download gone too, the run fails,
    # naming what it misses, and asks the server nothing.
    subprocess.run(['rm', '-rf', stack.home('leaf0'), os.path.join(stack.root, 'downloads')],
                   check=True)
    mm(minimerge, stack, 'cache', 'clear')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1, r.stdout + r.stderr
    assert 'minimerge: error: %s: not in the download cache (offline)\n' % url in r.stderr, \
        r.stderr
    assert len(http_server.requests()) == 1


def test_file_urls_and_formats(minimerge, tmp_path, http_server):
    for fmt in ('tar', 'tar.bz2', 'tar.xz', 'zip'):
        stack, url, data = static_stack(tmp_path / fmt.replace('.', '_'), http_server, fmt=fmt)
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 0, fmt + r.stdout + r.stderr
        assert 'package leaf0' in stack.lib_text('leaf0')
    stack = stackgen.Stack(tmp_path / 'file' / 'root', stackgen.leaves(1))
    data = pack(stack, 'leaf0', top=False)
    path = tmp_path / 'file' / 'leaf0.tar.gz'
    path.write_bytes(data)
    stack.write_minibuild('leaf0', src_type='static', src_uri='file://%s' % path,
                          src_sha256=hashlib.sha256(data).hexdigest())
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'package leaf0' in stack.lib_text('leaf0')


def test_hostile_archives_are_refused(minimerge, tmp_path, http_server):
    def member(name, kind=tarfile.REGTYPE, target=''):
        """(tarinfo, bytes) for pack's extra: a file holds 'x'."""
        info = tarfile.TarInfo(name)
        info.type, info.linkname = kind, target
        data = b'x' if kind == tarfile.REGTYPE else None
        info.size = len(data or b'')
        return info, data

    # (the entry refused, the members added to the package's own)
    absolute = str(tmp_path / 'absolute')
    cases = [('../escape', [member('../escape')]),
             (absolute, [member(absolute)]),
             ('link', [member('link', tarfile.SYMTYPE, '/etc')]),
             ('hard', [member('hard', tarfile.LNKTYPE, '/etc/passwd')]),
             ('dev', [member('dev', tarfile.CHRTYPE)]),
             # A file written through a symlink.
             ('link/passwd', [member('link', tarfile.SYMTYPE, str(tmp_path / 'outside')),
                              member('link/passwd')])]
    for i, (name, extra) in enumerate(cases):
        stack = stackgen.Stack(tmp_path / str(i) / 'root', stackgen.leaves(1))
        body = pack(stack, 'leaf0', top=False, extra=extra)
        url = http_server.add('/hostile%d.tar.gz' % i, body)
        stack.write_minibuild('leaf0', src_type='static', src_uri=url,
                              src_sha256=hashlib.sha256(body).hexdigest())
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 1, name + r.stdout + r.stderr
        # "cannot unpack ARCHIVE: ENTRY: why", the entry as the archive
        # names it.
        assert ': %s: ' % name in r.stderr, name + r.stderr
        # Nothing left, in the home's place or beside it: where ../escape
        # would have landed either.
        assert os.listdir(os.path.dirname(stack.home('leaf0'))) == [], name
    assert not (tmp_path / 'outside').exists()
    assert not os.path.exists(absolute)


def test_fetch_command_fetches_and_builds_nothing(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server)
    r = mm(minimerge, stack, 'fetch', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (1, 0, 0, 0, ''), r.stdout
    assert os.path.exists(os.path.join(stack.home('leaf0'), 'configure'))
    assert not os.path.exists(stack.prefix('leaf0'))
    r = mm(minimerge, stack, 'fetch', stack.full('leaf0'))
    assert summary(r) == (0, 1, 0, 0, ''), r.stdout
    # The install finds its source in place.
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (2, 1, 0, 0, ''), r.stdout
    assert len(http_server.requests('/dl/leaf0-1.0.tar.gz')) == 1
    # install -F is fetch.
    subprocess.run(['rm', '-rf', stack.home('leaf0')], check=True)
    r = mm(minimerge, stack, 'install', '-F', stack.full('leaf0'))
    assert summary(r) == (1, 0, 0, 0, ''), r.stdout
    assert not os.path.exists(stack.prefix('leaf0'))


def test_fetch_first_fails_before_anything_builds(minimerge, tmp_path, http_server):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.chain(2))
    for name, status in (('c0', None), ('c1', 404)):
        data = pack(stack, name)
        extra = {'status': status} if status else {}
        url = http_server.add('/%s.tar.gz' % name, data, **extra)
        stack.write_minibuild(name, src_type='static', src_uri=url,
                              src_sha256=hashlib.sha256(data).hexdigest())
    r = mm(minimerge, stack, 'install', '--fetch-first', '-k', '0', stack.full('c1'))
    assert r.returncode == 1
    assert 'HTTP 404' in r.stdout
    assert summary(r)[:4] == (1, 0, 0, 1), r.stdout
    assert not os.path.exists(stack.prefix('c0'))
    # Without it, what does not need the failed fetch is built.
    r = mm(minimerge, stack, 'install', '-k', '0', stack.full('c1'))
    assert r.returncode == 1
    assert os.path.exists(stack.prefix('c0'))


def test_a_sparse_bomb_is_cut_off_by_the_unpack_limit(minimerge, tmp_path, http_server):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    src = tmp_path / 'bomb'
    src.mkdir()
    subprocess.run(['cp', '-R', stack.source('leaf0') + '/.', str(src)], check=True)
    with open(src / 'zeros', 'wb') as f:
        f.truncate(1 << 30)  # a gigabyte of hole
    archive = tmp_path / 'bomb.tar.gz'
    subprocess.run(['tar', '--sparse', '-czf', str(archive), '-C', str(src), '.'], check=True)
    data = archive.read_bytes()
    assert len(data) < 1 << 20
    url = http_server.add('/bomb.tar.gz', data)
    stack.write_minibuild('leaf0', src_type='static', src_uri=url,
                          src_sha256=hashlib.sha256(data).hexdigest())
    with open(os.path.join(stack.root, 'etc', 'minimerge.cfg'), 'w') as f:
        f.write('[minimerge]\nunpack-limit = 100M\n')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1, r.stdout + r.stderr
    assert 'zeros: the archive unpacks to more than 104857600 bytes, the limit' in r.stderr
    assert not os.path.exists(stack.home('leaf0'))
    assert glob.glob(stack.home('leaf0') + '.*') == []
    with open(os.path.join(stack.root, 'etc', 'minimerge.cfg'), 'w') as f:
        f.write('[minimerge]\nunpack-limit = lots\n')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 2
    assert 'unpack-limit = lots: a size such as 500M or 8G' in r.stderr


def test_bad_fetch_settings_are_bad_input(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    for setting, message in (('offline = maybe', 'offline = maybe: true or false'),
                             ('stall-timeout = 0',
                              'stall-timeout = 0: a number of seconds, 1 or more'),
                             ('unpack-limit = 12Q', 'unpack-limit = 12Q: a size such as')):
        with open(os.path.join(stack.root, 'etc', 'minimerge.cfg'), 'w') as f:
            f.write('[minimerge]\n%s\n' % setting)
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 2, setting + r.stderr
        assert 'minimerge.cfg:2: error: ' + message in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(stack.root, '.minimerge'))


def test_a_cached_download_is_hashed_again_only_when_its_stat_changed(
        minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    [name] = downloads(stack)
    cached = os.path.join(stack.root, 'downloads', name)
    # Older than a second: its stat can be trusted.
    os.utime(cached, (1500000000, 1500000000))

    trace = str(tmp_path / 'openat.log')

    def refetch():
        """The fetch log, and how often the run opened the cached file."""
        subprocess.run(['rm', '-rf', stack.home('leaf0')], check=True)
        mm(minimerge, stack, 'cache', 'clear')
        # LeakSanitizer cannot run under ptrace (an ASan build's leaks are
        # the other tests' to find).
        env = env_for(stack.root)
        env['ASAN_OPTIONS'] = env.get('ASAN_OPTIONS', '') + ':detect_leaks=0'
        r = subprocess.run(['strace', '-f', '-qq', '-e', 'trace=openat', '-o', trace,
                            minimerge, '-C', stack.root, 'install', stack.full('leaf0')],
                           cwd=stack.root, env=env, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        with open(trace) as f:
            opens = sum(1 for line in f if re.search(r'[/"]%s", ' % re.escape(name), line)
                        and ' = -1 ' not in line)
        return fetch_log(stack), opens
    time.sleep(1.1)  # the utime changed its ctime: let that age too
    text, hashed = refetch()  # hashed, and kept
    assert 'in the download cache' in text and 'verified before' not in text, text
    text, opens = refetch()
    assert 'verified before, and unchanged since' in text
    # Opened once, to unpack it: neither its content hash nor its
    # checksums read it again (the run before opened it for those too, and
    # to sync it before keeping the record).
    assert opens == 1 and hashed >= 3, (hashed, opens)
    # The same size, other bytes, the time put back: the ctime tells.
    with open(cached, 'r+b') as f:
        f.seek(100)
        f.write(b'X')
    os.utime(cached, (1500000000, 1500000000))
    text, _ = refetch()
    assert 'verified before' not in text
    assert 'fetching it again' in text
    assert len(http_server.requests('/dl/leaf0-1.0.tar.gz')) == 2


def test_a_part_left_by_an_earlier_run_is_resumed_and_checked(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, big=True)
    # The cache's name for the URL: whatever a first download makes.
    assert mm(minimerge, stack, 'install', '-F', stack.full('leaf0')).returncode == 0
    [name] = downloads(stack)
    part = os.path.join(stack.root, 'downloads', name + '.part')
    subprocess.run(['rm', '-rf', stack.home('leaf0'), os.path.join(stack.root, 'downloads', name)],
                   check=True)
    mm(minimerge, stack, 'cache', 'clear')
    with open(part, 'wb') as f:
        f.write(data[:5000])
    http_server.clear()
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    [req] = http_server.requests('/dl/leaf0-1.0.tar.gz')
    assert req.header('Range') == 'bytes=5000-'
    # A part that is not the file's start: the whole is checked, refused.
    subprocess.run(['rm', '-rf', stack.home('leaf0'), os.path.join(stack.root, 'downloads', name)],
                   check=True)
    mm(minimerge, stack, 'cache', 'clear')
    with open(part, 'wb') as f:
        f.write(b'x' * 5000)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1
    assert 'src_sha256 is %s' % hashlib.sha256(data).hexdigest() in r.stdout, r.stdout
    assert downloads(stack) == []


def test_a_stalled_transfer_is_cut_off_and_resumed(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, big=True, stall_after=2000)
    with open(os.path.join(stack.root, 'etc', 'minimerge.cfg'), 'w') as f:
        f.write('[minimerge]\nstall-timeout = 1\n')
    t0 = time.monotonic()
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert time.monotonic() - t0 < 30
    reqs = http_server.requests('/dl/leaf0-1.0.tar.gz')
    assert len(reqs) == 2
    assert reqs[1].header('Range') == 'bytes=2000-'
    log = fetch_log(stack)
    assert 'trying again' in log, log


def test_downloads_from_one_server_share_a_connection(minimerge, tmp_path, http_server):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(3))
    for name in ('leaf0', 'leaf1', 'leaf2'):
        data = pack(stack, name)
        url = http_server.add('/%s.tar.gz' % name, data)
        stack.write_minibuild(name, src_type='static', src_uri=url,
                              src_sha256=hashlib.sha256(data).hexdigest())
    r = mm(minimerge, stack, 'fetch', '--fetch-jobs', '1', '-j1',
           *[stack.full(n) for n in ('leaf0', 'leaf1', 'leaf2')])
    assert r.returncode == 0, r.stdout + r.stderr
    reqs = http_server.requests()
    assert sorted(q.path for q in reqs) == ['/leaf0.tar.gz', '/leaf1.tar.gz', '/leaf2.tar.gz']
    # One after the other, over the connection the first one opened.
    assert len({q.client_port for q in reqs}) == 1, reqs


def test_the_status_line_shows_bytes_total_and_rate(minimerge, tmp_path, http_server):
    # 50,000 bytes, then nothing for two and a half seconds: the status
    # line shows what came, of how much, and at what rate.
    stack, url, data = static_stack(tmp_path, http_server, big=True, stall_after=50000,
                                    stall_seconds=2.5)
    env = env_for(stack.root, TERM='xterm')
    rc, out, err = run_on_pty([minimerge, '-C', stack.root, 'fetch', stack.full('leaf0')],
                              env, stack.root)
    assert rc == 0, (out, err)
    total = '%.1f KiB' % (len(data) / 1024)
    assert b' 48.8 KiB/%s ' % total.encode() in out, out
    assert re.search(rb'48\.8 KiB/[0-9.]+ KiB \d+(\.\d)? (B|KiB)/s', out), out


def test_without_a_checksum_the_content_hash_tells_a_changed_file(minimerge, tmp_path,
                                                                  http_server):
    stack, url, data = static_stack(tmp_path, http_server, checksum=None)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout
    # The download cache lost, the same file: fetched again, nothing rebuilt.
    subprocess.run(['rm', '-rf', os.path.join(stack.root, 'downloads')], check=True)
    r = mm(minimerge, stack, 'install', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (1, 2, 0, 0, ''), r.stdout
    fetch = stack.action('fetch', 'leaf0')
    assert re.search(r'explain: %s: download changed \([0-9a-f]{32} -> \(not downloaded\)\)'
                     % re.escape(fetch), r.stdout), r.stdout
    assert 'explain: %s: after it ran: as last time' % fetch in r.stdout, r.stdout
    # The server's file changed: the content hash says so, and the build
    # runs again on the new source.
    stack.write_data('leaf0', 'data, changed on the server\n')
    http_server.add('/dl/leaf0-1.0.tar.gz', pack(stack, 'leaf0'))
    subprocess.run(['rm', '-rf', os.path.join(stack.root, 'downloads')], check=True)
    r = mm(minimerge, stack, 'install', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (3, 0, 0, 0, ''), r.stdout
    m = re.search(r'explain: %s: after it ran: download changed \(([0-9a-f]{32}) -> '
                  r'([0-9a-f]{32})\)' % re.escape(fetch), r.stdout)
    assert m and m.group(1) != m.group(2), r.stdout
    assert 'explain: %s: dependency %s changed' % (stack.action('build', 'leaf0'), fetch) \
        in r.stdout, r.stdout
    assert 'changed on the server' in open(os.path.join(stack.home('leaf0'), 'data.txt')).read()


def test_offline_lists_every_missing_source_before_anything_runs(minimerge, tmp_path,
                                                                 http_server):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(3))
    urls = {}
    for name in ('leaf0', 'leaf1', 'leaf2'):
        data = pack(stack, name)
        urls[name] = http_server.add('/%s.tar.gz' % name, data)
        stack.write_minibuild(name, src_type='static', src_uri=urls[name],
                              src_sha256=hashlib.sha256(data).hexdigest())
    every = [stack.full(n) for n in ('leaf0', 'leaf1', 'leaf2')]
    assert mm(minimerge, stack, 'fetch', stack.full('leaf0')).returncode == 0
    http_server.clear()
    r = mm(minimerge, stack, 'install', '-o', '-k', '0', *every)
    assert r.returncode == 1, r.stdout + r.stderr
    missing = [line for line in r.stderr.splitlines() if 'not in the download cache' in line]
    assert sorted(missing) == sorted('minimerge: error: %s: not in the download cache (offline)'
                                     % urls[n] for n in ('leaf1', 'leaf2')), r.stderr
    assert 'offline, and 2 sources are not at hand: nothing ran' in r.stderr, r.stderr
    # Nothing ran, not even what had its source.
    assert not os.path.exists(stack.prefix('leaf0'))
    assert http_server.requests() == []
    # Online, all is built; then with the downloads and the sources gone,
    # the installs come back from the cache: no source is missing, since
    # none is needed.
    assert mm(minimerge, stack, 'install', *every).returncode == 0
    subprocess.run(['rm', '-rf', os.path.join(stack.root, 'downloads')] +
                   [stack.home(n) for n in ('leaf0', 'leaf1', 'leaf2')], check=True)
    http_server.clear()
    r = mm(minimerge, stack, 'install', '-o', *every)
    assert r.returncode == 0, r.stdout + r.stderr
    ran, skipped, restored, failed, tail = summary(r)
    assert (ran, restored, failed, tail) == (0, 3, 0, ''), r.stdout
    assert http_server.requests() == []


def test_a_redirect_is_followed_and_kept_under_the_first_url(minimerge, tmp_path, http_server):
    stack, url, data = static_stack(tmp_path, http_server, redirect_to='/mirror/leaf0.tar.gz')
    http_server.add('/mirror/leaf0.tar.gz', data)
    assert_installed_from(minimerge, stack, data)
    assert [q.status for q in http_server.requests('/dl/leaf0-1.0.tar.gz')] == [302]
    assert [q.status for q in http_server.requests('/mirror/leaf0.tar.gz')] == [200]
