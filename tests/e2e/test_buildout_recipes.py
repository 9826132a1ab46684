"""The built-in download and cmmi recipes of `minimerge buildout`, against a
real HTTP server on 127.0.0.1 (httpserver.py) and a real configure, make
and patch: the archive's checksums, the download cache (offline too),
unpacking with and without strip-top-level-dir, download-only, patches,
the environment, and ${part:location} seen by another part.

The package built is generated here: a `configure` in POSIX sh that writes
a Makefile honouring --prefix and $GREETING, which installs bin/hello and
share/message.txt."""

import hashlib
import io
import os
import stat
import tarfile

import pytest

import buildoutdir
import httpserver
from mmrun import summary

http_server = httpserver.http_server
bo = buildoutdir.bo

CONFIGURE = '''\
#!/bin/sh
prefix=/usr/local
for a in "$@"; do
    case $a in --prefix=*) prefix=${a#--prefix=} ;; esac
done
echo "configure $*"
printf 'prefix = %s\\ngreeting = %s\\n' "$prefix" "$GREETING" > Makefile
cat Makefile.in >> Makefile
'''

MAKEFILE_IN = '''\
all: hello
hello:
\tprintf '#!/bin/sh\\necho hello $(greeting)\\n' > hello
install: hello
\tmkdir -p $(prefix)/bin $(prefix)/share
\tcp hello $(prefix)/bin/hello
\tchmod 755 $(prefix)/bin/hello
\tcp message.txt $(prefix)/share/message.txt
'''

PATCH = '''\
--- message.txt
+++ message.txt
@@ -1 +1 @@
-unpatched
+patched
'''


def tarball(files, top='hello-1.0'):
    """A .tar.gz of files ({name: (text, mode)}), under top/ unless top is
    None."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as t:
        for name, (text, mode) in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo((top + '/' if top else '') + name)
            info.size, info.mode, info.mtime = len(data), mode, 1700000000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def hello_tarball():
    return tarball({'configure': (CONFIGURE, 0o755), 'Makefile.in': (MAKEFILE_IN, 0o644),
                    'message.txt': ('unpatched\n', 0o644)})


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def md5(data):
    return hashlib.md5(data).hexdigest()


def said(p):
    """What a run said: a failed part on stdout, errors on stderr."""
    return p.stdout + p.stderr


# ---- cmmi ----

def test_cmmi_builds_with_its_environment_and_another_part_uses_its_location(
        bo, http_server):
    data = hello_tarball()
    url = http_server.add('/hello-1.0.tar.gz', data)
    bo.cfg('''
        [buildout]
        parts = check

        [hello]
        recipe = zc.recipe.cmmi
        url = %s
        sha256 = %s
        environment =
            GREETING=big
              world

        [check]
        recipe = plone.recipe.command
        command = test -x ${hello:location}/bin/hello && ${hello:location}/bin/hello > said
        stop-on-error = true
        ''' % (url, sha256(data)))
    p = bo.run()
    assert 'Installing hello.' in p.stdout and 'Installing check.' in p.stdout, p.stdout
    # zc.recipe.cmmi reads a line without NAME= as the value's continuation.
    assert bo.read('said') == 'hello big world\n'
    assert bo.read('parts', 'hello', 'share', 'message.txt') == 'unpatched\n'
    log = bo.read('.minimerge', 'logs', 'part.hello.log')
    assert 'configure --prefix=%s' % bo.path('parts', 'hello') in log, log
    # The build directory goes once the build succeeded.
    assert not os.path.exists(bo.path('parts', 'hello__compile__'))
    assert bo.downloads() and len(http_server.requests('/hello-1.0.tar.gz')) == 1

    p = bo.run()
    assert summary(p)[:4] == (0, 2, 0, 0), p.stdout


def test_cmmi_applies_patches_and_keeps_the_prefix_with_configure_options(
        bo, http_server):
    data = hello_tarball()
    url = http_server.add('/hello-1.0.tar.gz', data)
    bo.write('fix.patch', PATCH)
    bo.one_part('hello', 'hexagonit.recipe.cmmi', url=url, md5sum=md5(data),
                patches='fix.patch', configure_options='--enable-nothing')
    bo.run()
    assert bo.read('parts', 'hello', 'share', 'message.txt') == 'patched\n'
    log = bo.read('.minimerge', 'logs', 'part.hello.log')
    assert 'configure --prefix=%s --enable-nothing' % bo.path('parts', 'hello') in log, log


def test_cmmi_failed_build_keeps_its_build_directory_and_removes_its_location(
        bo, http_server):
    url = http_server.add('/hello-1.0.tar.gz', hello_tarball())
    bo.one_part('hello', 'cmmi', url=url, make_targets='no-such-target')
    p = bo.run(rc=1)
    assert 'make: exit status 2' in said(p), said(p)
    assert 'no-such-target' in bo.read('.minimerge', 'logs', 'part.hello.log')
    assert os.path.isfile(bo.path('parts', 'hello__compile__', 'hello-1.0', 'Makefile'))
    assert not os.path.exists(bo.path('parts', 'hello'))

    # The next attempt starts from a fresh build directory.
    bo.one_part('hello', 'cmmi', url=url)
    bo.run()
    assert os.access(bo.path('parts', 'hello', 'bin', 'hello'), os.X_OK)
    assert not os.path.exists(bo.path('parts', 'hello__compile__'))


def test_cmmi_builds_a_local_tree_and_zc_configure_options_replace_the_prefix(bo):
    with tarfile.open(fileobj=io.BytesIO(hello_tarball())) as t:
        t.extractall(bo.path('checkout'))
    bo.one_part('hello', 'zc.recipe.cmmi', path='checkout/hello-1.0',
                configure_options='--prefix=${buildout:directory}/opt')
    bo.run()
    assert os.access(bo.path('opt', 'bin', 'hello'), os.X_OK)
    log = bo.read('.minimerge', 'logs', 'part.hello.log')
    assert '$ ./configure --prefix=%s\n' % bo.path('opt') in log, log
    # Configured and made where it is, not unpacked anywhere.
    assert os.path.isfile(bo.path('checkout', 'hello-1.0', 'Makefile'))
    assert os.path.isfile(bo.path('checkout', 'hello-1.0', 'hello'))


def test_cmmi_without_url_is_a_config_error_at_its_section(bo):
    bo.one_part('hello', 'zc.recipe.cmmi', configure_options='--foo')
    bo.config_error(4, 'part hello: no url')


def test_cmmi_bad_checksum_and_bad_environment_are_config_errors(bo):
    bo.one_part('hello', 'zc.recipe.cmmi', url='http://127.0.0.1:9/x.tar.gz', md5sum='1234')
    bo.config_error(7, 'part hello: md5sum = 1234')
    bo.one_part('hello', 'zc.recipe.cmmi', url='http://127.0.0.1:9/x.tar.gz',
                environment='not-a-setting')
    bo.config_error(7, "part hello: environment: 'not-a-setting' is not NAME=VALUE")


# ---- download ----

def two_top_entries():
    return tarball({'a/one.txt': ('one\n', 0o644), 'b.txt': ('b\n', 0o644)}, top=None)


def test_download_unpacks_with_and_without_its_top_directory(bo, http_server):
    data = hello_tarball()
    # The first transfer pauses half-way, so the second part's fetch of
    # the same URL surely starts while it is under way.
    url = http_server.add('/dist/hello-1.0.tar.gz', data, stall_after=len(data) // 2,
                          stall_seconds=0.5)
    bo.cfg('''
        [buildout]
        parts = whole stripped check

        [whole]
        recipe = hexagonit.recipe.download
        url = %(url)s
        md5sum = %(md5)s

        [stripped]
        recipe = hexagonit.recipe.download
        url = %(url)s
        sha256 = %(sha)s
        strip-top-level-dir = true
        destination = src/hello

        [check]
        recipe = plone.recipe.command
        command = test -x ${stripped:location}/configure && echo ${stripped:destination} > said
        stop-on-error = true
        ''' % dict(url=url, md5=md5(data), sha=sha256(data)))
    p = bo.run('-j2')
    assert 'Installing whole.' in p.stdout and 'Installing stripped.' in p.stdout
    assert os.access(bo.path('parts', 'whole', 'hello-1.0', 'configure'), os.X_OK)
    assert os.listdir(bo.path('parts', 'whole')) == ['hello-1.0']
    assert sorted(os.listdir(bo.path('src', 'hello'))) == [
        'Makefile.in', 'configure', 'message.txt']
    assert bo.read('said') == bo.path('src', 'hello') + '\n'
    # Both parts fetch the one URL at once: one waits for the other, then
    # takes the file from the cache.
    assert len(http_server.requests('/dist/hello-1.0.tar.gz')) == 1
    assert not [n for n in os.listdir(bo.path('src')) if 'unpack' in n]


def test_download_strip_needs_a_single_top_directory(bo, http_server):
    url = http_server.add('/two.tar.gz', two_top_entries())
    bo.one_part('two', 'download', url=url, strip_top_level_dir='true')
    p = bo.run(rc=1)
    assert 'strip-top-level-dir: %s does not hold a single directory' % url in said(p)
    assert not os.path.exists(bo.path('parts', 'two'))


def test_download_refuses_an_entry_outside_the_tree(bo, http_server):
    url = http_server.add('/evil.tar.gz', tarball({'../escaped.txt': ('x\n', 0o644)},
                                                  top=None))
    bo.one_part('evil', 'hexagonit.recipe.download', url=url)
    p = bo.run(rc=1)
    assert 'cannot unpack' in said(p), said(p)
    assert not os.path.exists(bo.path('parts', 'escaped.txt'))
    assert os.listdir(bo.path('parts')) == []


def test_download_only_copies_the_file_under_its_name(bo, http_server):
    data = b'#!/bin/sh\necho tool\n'
    url = http_server.add('/bin/tool.sh?v=2', data)
    bo.cfg('''
        [buildout]
        parts = plain named

        [plain]
        recipe = hexagonit.recipe.download
        url = %(url)s
        download-only = true

        [named]
        recipe = gocept.download
        url = %(url)s
        md5sum = %(md5)s
        download-only = true
        filename = run-tool
        mode = 0750
        destination = ${buildout:directory}/tools
        ''' % dict(url=url, md5=md5(data)))
    bo.run()
    with open(bo.path('parts', 'plain', 'tool.sh'), 'rb') as f:
        assert f.read() == data
    with open(bo.path('tools', 'run-tool'), 'rb') as f:
        assert f.read() == data
    assert stat.S_IMODE(os.stat(bo.path('tools', 'run-tool')).st_mode) == 0o750
    assert os.listdir(bo.path('tools')) == ['run-tool']


@pytest.mark.parametrize('recipe,option,digest', [
    ('zc.recipe.cmmi', 'sha256', sha256),
    ('hexagonit.recipe.download', 'md5sum', md5),
])
def test_a_wrong_checksum_fails_naming_both(bo, http_server, recipe, option, digest):
    data = hello_tarball()
    url = http_server.add('/hello-1.0.tar.gz', data)
    wrong = digest(b'something else')
    bo.one_part('p', recipe, url=url, **{option: wrong.upper()})
    p = bo.run(rc=1)
    assert wrong in said(p) and digest(data) in said(p), said(p)
    assert not os.path.exists(bo.path('parts', 'p'))


def test_download_comes_from_the_cache_once_the_server_is_gone(bo, http_server):
    data = hello_tarball()
    url = http_server.add('/hello-1.0.tar.gz', data)

    def cfg(url, destination):
        bo.one_part('dl', 'hexagonit.recipe.download', url=url, sha256=sha256(data),
                    destination=destination)
    cfg(url, 'first')
    bo.run()
    assert len(http_server.requests()) == 1
    http_server.stop()

    # Changed, so installed again: from the cache, online or not.
    cfg(url, 'second')
    p = bo.run()
    assert 'Uninstalling dl.' in p.stdout and 'Installing dl.' in p.stdout, p.stdout
    assert not os.path.exists(bo.path('first'))
    assert os.path.isfile(bo.path('second', 'hello-1.0', 'configure'))
    cfg(url, 'third')
    bo.run('-o')
    assert os.path.isfile(bo.path('third', 'hello-1.0', 'configure'))

    # Offline, what the cache does not have fails the part, and says so.
    cfg(url + '.other', 'third')
    p = bo.run('-o', rc=1)
    assert '%s.other: not in the download cache (offline)' % url in said(p), said(p)


def test_download_cache_directory_is_the_configs(bo, http_server):
    data = hello_tarball()
    url = http_server.add('/hello-1.0.tar.gz', data)
    bo.one_part('dl', 'hexagonit.recipe.download',
                buildout='download-cache = ${buildout:directory}/cache', url=url)
    bo.run()
    assert len(os.listdir(bo.path('cache'))) == 1
    assert not os.path.exists(bo.path('downloads'))


def test_download_into_an_existing_directory_keeps_what_was_there(bo, http_server):
    url = http_server.add('/two.tar.gz', two_top_entries())
    os.makedirs(bo.path('shared'))
    bo.write('shared/b.txt', 'mine\n')
    cfg = '''
        [buildout]
        parts = %s

        [two]
        recipe = hexagonit.recipe.download
        url = %s
        destination = shared
        %s
        '''
    bo.cfg(cfg % ('two', url, ''))
    p = bo.run(rc=1)
    assert '%s is already there' % bo.path('shared', 'b.txt') in said(p), said(p)
    # Refused: what was there is as it was, and nothing was added beside it.
    assert bo.read('shared', 'b.txt') == 'mine\n'
    assert os.listdir(bo.path('shared')) == ['b.txt']

    bo.cfg(cfg % ('two', url, 'ignore-existing = true'))
    bo.run()
    assert bo.read('shared', 'b.txt') == 'mine\n'
    assert bo.read('shared', 'a', 'one.txt') == 'one\n'

    # Uninstalled: what it put there goes, what was there stays.
    bo.cfg(cfg % ('', url, 'ignore-existing = true'))
    bo.run()
    assert os.listdir(bo.path('shared')) == ['b.txt']


def test_download_without_url_is_a_config_error(bo):
    bo.one_part('dl', 'hexagonit.recipe.download', destination='x')
    bo.config_error(4, 'part dl: no url')
