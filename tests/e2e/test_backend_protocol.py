"""pkgme's backend protocol (issue 8; research/pkgme.md §1-4, §6): external
backends as directories of real scripts made in temporary directories,
asked by `minimerge info`, `minitagify` and `debianize`.  The scenarios are
pkgme's own tests: discovery, `want`, selection, both info modes and the
written files."""

import json
import os
import subprocess
import time

import pytest

from mmrun import env_for, ok, show, summary

# A marker no built-in backend knows: only the external ones want the tree.
MARKER = 'is_pkgme_test'


class Backends:
    """A directory of backends, each a directory of scripts."""

    def __init__(self, path):
        self.path = str(path)
        os.makedirs(self.path, exist_ok=True)

    def script(self, backend, name, body, executable=True):
        d = os.path.join(self.path, backend)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name)
        with open(path, 'w') as f:
            f.write('#!/bin/sh\n' + body + '\n')
        os.chmod(path, 0o755 if executable else 0o644)
        return path

    def want(self, backend, body, **kw):
        return self.script(backend, 'want', body, **kw)


@pytest.fixture
def tree(tmp_path):
    """(backends, project): a backends directory and a project holding the
    marker."""
    project = tmp_path / 'project'
    project.mkdir()
    (project / MARKER).write_text('')
    return Backends(tmp_path / 'backends'), str(project)


def run(minimerge, *args, paths=None, env=None, cwd=None, timeout=60):
    e = env_for(cwd or os.getcwd())
    e.pop('MINIMERGE_BACKEND_PATHS', None)
    e.pop('PKGME_BACKEND_PATHS', None)
    e.pop('DEBEMAIL', None)
    if paths is not None:
        e['MINIMERGE_BACKEND_PATHS'] = paths
    e.update(env or {})
    return subprocess.run([minimerge] + list(args), env=e, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def which(minimerge, b, project, **kw):
    return run(minimerge, 'info', '--which-backends', project, paths=b.path, **kw)


def error_of(p):
    assert p.returncode == 2, show(p)
    assert p.stderr.startswith('minimerge: error: '), show(p)
    return p.stderr[len('minimerge: error: '):].rstrip('\n')


# ---- want ----

def test_want_integer(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    p = which(minimerge, b, project)
    assert p.returncode == 0, show(p)
    assert p.stdout == 'dummy (10)\n'


@pytest.mark.parametrize('body,said', [
    ('', "returned invalid JSON from 'want' script: ''"),
    ('echo foo', "returned invalid JSON from 'want' script: 'foo'"),
    ('echo \'{"score": "foo", "reason": "r"}\'',
     "returned non-integer score from 'want' script: 'foo'"),
    ('echo \'{"reason": "r"}\'', 'did not return a score from \'want\' script: {"reason":"r"}'),
    ('echo \'["what", "could"]\'',
     'returned invalid score from \'want\' script: ["what","could"]'),
    ('echo \'[1, 2, 3]\'', "returned invalid score from 'want' script: [1,2,3]"),
    ('echo null', "returned invalid score from 'want' script: null"),
])
def test_want_malformed(minimerge, tree, body, said):
    b, project = tree
    b.want('dummy', body)
    p = which(minimerge, b, project)
    assert error_of(p) == 'Backend dummy (%s/dummy) %s' % (b.path, said)


def test_want_with_reason_and_without(minimerge, tree):
    b, project = tree
    b.want('scored', 'echo \'{"score": 10}\'')
    b.want('reasoned', 'echo \'{"score": 20, "reason": "knows it"}\'')
    b.want('text', 'echo \'"7"\'')
    b.want('real', 'echo 5.9')
    p = which(minimerge, b, project)
    assert p.stdout == 'reasoned (20), scored (10), text (7), real (5)\n', show(p)
    b.script('reasoned', 'package_name', 'echo reasoned')
    p = run(minimerge, 'info', project, paths=b.path)
    assert p.stdout.splitlines()[0] == 'backend: reasoned (score 20: knows it)', show(p)


def test_want_user_error(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo "this project is not for me"\nexit 42')
    assert error_of(which(minimerge, b, project)) == 'this project is not for me'


def test_want_missing(minimerge, tree):
    b, project = tree
    os.makedirs(os.path.join(b.path, 'empty'))
    assert error_of(which(minimerge, b, project)) == \
        "Backend empty (%s/empty) has no 'want' script" % b.path


def test_want_not_executable(minimerge, tree):
    b, project = tree
    path = b.want('dummy', 'echo 10', executable=False)
    assert error_of(which(minimerge, b, project)) == (
        "Backend dummy (%s/dummy) has no usable 'want' script: permission denied trying "
        "to execute %s, is it executable?" % (b.path, path))


def test_want_fails(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo out\necho err >&2\nexit 3')
    assert error_of(which(minimerge, b, project)) == (
        '%s/dummy/want failed with returncode 3. Output:\n | out\n | err' % b.path)


def test_want_runs_in_the_project(minimerge, tree):
    b, project = tree
    b.want('dummy', '[ "$(pwd)" = "%s" ] && echo 10 || echo "called in $(pwd)"' % project)
    p = which(minimerge, b, project, cwd='/')
    assert p.stdout == 'dummy (10)\n', show(p)


def test_want_stderr_kept_apart(minimerge, tree):
    """pkgme merges stderr into stdout, which spoils the JSON; minimerge
    keeps it for -v and for the message when the script fails."""
    b, project = tree
    b.want('dummy', 'echo "thinking hard" >&2\necho 10')
    b.script('dummy', 'package_name', 'echo dummy')
    p = which(minimerge, b, project)
    assert p.stdout == 'dummy (10)\n' and 'thinking' not in p.stderr, show(p)
    p = run(minimerge, 'info', '-v', project, paths=b.path)
    assert p.returncode == 0, show(p)
    assert '%s/dummy/want: stderr:\nthinking hard\n' % b.path in p.stderr


def test_want_timeout(minimerge, tree):
    b, project = tree
    b.want('slow', 'sleep 30\necho 10')
    t0 = time.monotonic()
    p = which(minimerge, b, project, env={'MINIMERGE_BACKEND_TIMEOUT': '0.5'})
    assert time.monotonic() - t0 < 10
    assert error_of(p).startswith('%s/slow/want timed out after 0.5 s' % b.path)


def test_bad_timeout(minimerge, tree):
    b, project = tree
    p = which(minimerge, b, project, env={'MINIMERGE_BACKEND_TIMEOUT': 'soon'})
    assert 'MINIMERGE_BACKEND_TIMEOUT=soon' in error_of(p)


# ---- selection ----

def test_highest_wins_ties_by_name(minimerge, tree):
    b, project = tree
    b.want('b', 'echo 10')
    b.want('a', 'echo 10')
    b.want('c', 'echo 5')
    b.want('zero', 'echo 0')
    b.want('negative', 'echo -3')
    p = which(minimerge, b, project)
    assert p.stdout == 'a (10), b (10), c (5)\n', show(p)
    b.script('a', 'package_name', 'echo from-a')
    b.script('b', 'package_name', 'echo from-b')
    dump = json.loads(run(minimerge, 'info', '--dump', project, paths=b.path).stdout)
    assert dump['selected_backend'] == 'a'
    assert dump['eligible_backends'] == ['a', 'b', 'c']
    assert dump['package_name'] == 'from-a'


def test_none_eligible(minimerge, tree):
    b, project = tree
    b.want('a', 'echo \'{"score": 0, "reason": "no marker a"}\'')
    b.want('no-reason', 'echo 0')
    err = error_of(which(minimerge, b, project))
    assert err.startswith('No eligible backends for %s. Tried a (0: no marker a), '
                          'autoconf (0: ' % project), err
    assert 'no-reason (0)' in err
    # Sorted by name, built-in ones among them.
    names = [t.split(' (')[0] for t in err.split('Tried ', 1)[1].split('), ')]
    assert names == sorted(names) and 'cmake' in names


# ---- discovery ----

def test_two_directories_first_wins(minimerge, tmp_path, tree):
    b1, project = tree
    b2 = Backends(tmp_path / 'more')
    b1.want('same', 'echo 10')
    b2.want('same', 'echo 20')
    b2.want('other', 'echo 5')
    paths = '%s:%s:%s' % (b1.path, tmp_path / 'missing', b2.path)
    p = run(minimerge, 'info', '--which-backends', project, paths=paths)
    assert p.stdout == 'same (10), other (5)\n', show(p)


def test_files_and_dot_names_skipped(minimerge, tree):
    b, project = tree
    b.want('.hidden', 'echo 99')
    with open(os.path.join(b.path, 'file'), 'w') as f:
        f.write('not a backend')
    b.want('real', 'echo 1')
    assert which(minimerge, b, project).stdout == 'real (1)\n'


def test_pkgme_variable(minimerge, tmp_path, tree):
    b, project = tree
    b.want('theirs', 'echo 10')
    ours = Backends(tmp_path / 'ours')
    ours.want('ours', 'echo 10')
    p = run(minimerge, 'info', '--which-backends', project,
            env={'PKGME_BACKEND_PATHS': b.path})
    assert p.stdout == 'theirs (10)\n', show(p)
    p = run(minimerge, 'info', '--which-backends', project, paths=ours.path,
            env={'PKGME_BACKEND_PATHS': b.path})
    assert p.stdout == 'ours (10)\n', show(p)


def test_external_replaces_builtin(minimerge, tmp_path):
    project = tmp_path / 'project'
    project.mkdir()
    (project / 'CMakeLists.txt').write_text('project(hello)\n')
    p = run(minimerge, 'info', '--which-backends', str(project), paths='')
    assert p.stdout == 'cmake (20)\n', show(p)
    b = Backends(tmp_path / 'backends')
    b.want('cmake', 'echo 3')
    p = run(minimerge, 'info', '--which-backends', str(project), paths=b.path)
    assert p.stdout == 'cmake (3)\n', show(p)


# ---- info ----

def test_per_key_scripts(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo ".+Foo_Bar-Baz"')
    b.script('dummy', 'version', '[ "$(pwd)" = "%s" ] && echo 1.2 || echo wrong' % project)
    b.script('dummy', 'build_depends', 'echo "zlib, libfoo"')
    dump = json.loads(run(minimerge, 'info', '--dump', project, paths=b.path).stdout)
    assert dump['package_name'] == 'foobar-baz'
    assert dump['version'] == '1.2'
    assert dump['build_depends'] == ['zlib', 'libfoo']
    assert dump['homepage'] is None and dump['buildsystem'] is None
    assert (dump['architecture'], dump['section'], dump['license'], dump['description'],
            dump['distribution']) == ('any', 'misc', 'unknown', 'a package', 'UNRELEASED')
    assert dump['maintainer'] == 'A Person <someone@example.com>'


def test_per_key_failure(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo foo')
    b.script('dummy', 'version', 'echo broken\nexit 1')
    err = error_of(run(minimerge, 'info', project, paths=b.path))
    assert err == ('backend dummy: %s/dummy/version failed with returncode 1. Output:\n'
                   ' | broken' % b.path)


@pytest.mark.parametrize('name,said', [
    (None, "The backend didn't provide a value for 'package_name'"),
    ('x_', "Package name must be at least two characters long: 'x_'"),
])
def test_package_name_required(minimerge, tree, name, said):
    b, project = tree
    b.want('dummy', 'echo 10')
    if name:
        b.script('dummy', 'package_name', 'echo %s' % name)
    assert error_of(run(minimerge, 'info', project, paths=b.path)) == 'backend dummy: ' + said


def test_all_info_gets_the_keys_once(minimerge, tree, tmp_path):
    b, project = tree
    seen = tmp_path / 'stdin'
    b.want('dummy', 'echo 10')
    b.script('dummy', 'all_info',
             'cat >> %s\necho >> %s\n'
             'echo \'{"package_name": "Foo", "version": 1.0, "homepage": null,'
             ' "build_depends": ["zlib", "openssl"], "extra": "ignored"}\'' % (seen, seen))
    # A per-key script beside all_info is not asked: it would leave a
    # marker and fail.
    ran = tmp_path / 'version-ran'
    b.script('dummy', 'version', 'touch %s\necho 9\nexit 1' % ran)
    p = ok(run(minimerge, 'info', '--dump', project, paths=b.path))
    assert not ran.exists()
    dump = json.loads(p.stdout)
    assert dump['package_name'] == 'foo' and dump['version'] == '1.0'
    assert dump['homepage'] is None
    assert dump['build_depends'] == ['zlib', 'openssl']
    asked = seen.read_text().splitlines()
    assert len(asked) == 1
    keys = json.loads(asked[0])
    assert keys[:3] == ['extra_files', 'extra_files_from_paths', 'package_name']
    assert set(keys) >= {'version', 'maintainer', 'build_depends', 'buildsystem',
                         'description', 'license', 'homepage', 'architecture'}
    assert 'extra' not in dump


def test_all_info_garbage(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    path = b.script('dummy', 'all_info', 'echo "not json"')
    assert error_of(run(minimerge, 'info', project, paths=b.path)) == \
        "backend dummy: %s didn't return valid JSON: 'not json\\n'" % path


def test_maintainer_from_debemail(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo foo')
    for debemail, shown in [('Jane Doe <jane@example.org>', 'Jane Doe <jane@example.org>'),
                            ('jane@example.org', 'jane@example.org <jane@example.org>'),
                            ('Jane Doe', 'Jane Doe <person@example.com>')]:
        p = run(minimerge, 'info', '--dump', project, paths=b.path,
                env={'DEBEMAIL': debemail})
        assert json.loads(p.stdout)['maintainer'] == shown


def test_usage_errors(minimerge, tree, tmp_path):
    b, project = tree
    assert 'no such directory' in error_of(run(minimerge, 'info', str(tmp_path / 'nope')))
    assert 'unknown option' in error_of(run(minimerge, 'info', '--bogus'))
    assert 'one directory at most' in error_of(run(minimerge, 'info', project, project))
    assert 'exclude each other' in error_of(
        run(minimerge, 'info', '--dump', '--which-backends', project))


# ---- written files ----

def full_backend(b, **extra):
    info = {'package_name': 'hello', 'version': '2.1', 'section': 'devel',
            'architecture': 'all', 'homepage': 'https://example.org/hello',
            'description': 'says hello\nA program that says hello.\n\nTo everyone.',
            'build_depends': ['libz-dev', 'cmake'], 'depends': '${misc:Depends}',
            'license': 'GPL-3', 'maintainer': 'Jane Doe <jane@example.org>',
            'buildsystem': 'cmake', 'extra_control_binary_fields': 'XB-Extra: yes'}
    info.update(extra)
    b.want('dummy', 'echo 10')
    b.script('dummy', 'all_info', "cat > /dev/null\ncat <<'EOF'\n%s\nEOF" % json.dumps(info))


def debianize(minimerge, b, project, *args):
    p = run(minimerge, 'debianize', *args, project, paths=b.path,
            env={'SOURCE_DATE_EPOCH': '1700000000'})
    assert p.returncode == 0, show(p)
    return p


def read(project, name):
    with open(os.path.join(project, 'debian', name)) as f:
        return f.read()


def test_info_text_whole(minimerge, tree):
    b, project = tree
    full_backend(b, description='says hello\n\nTo everyone.')
    p = run(minimerge, 'info', project, paths=b.path)
    assert p.returncode == 0, show(p)
    # Keys with a value, one a line, in the order project_info keeps; a
    # long value's next lines are indented (a blank one too, so the value
    # ends where the indent does); lists as words.
    assert p.stdout == (
        'backend: dummy (score 10)\n'
        'package_name: hello\n'
        'version: 2.1\n'
        'architecture: all\n'
        'section: devel\n'
        'maintainer: Jane Doe <jane@example.org>\n'
        'distribution: UNRELEASED\n'
        'description: says hello\n'
        '  \n'
        '  To everyone.\n'
        'license: GPL-3\n'
        'homepage: https://example.org/hello\n'
        'depends: ${misc:Depends}\n'
        'build_depends: libz-dev cmake\n'
        'buildsystem: cmake\n'
        'extra_control_binary_fields: XB-Extra: yes\n'), p.stdout


def test_debianize_files(minimerge, tree):
    b, project = tree
    full_backend(b)
    p = debianize(minimerge, b, project)
    assert p.stdout.splitlines() == ['wrote %s/debian/%s' % (project, n) for n in (
        'control', 'rules', 'changelog', 'compat', 'copyright', 'source/format')]
    assert read(project, 'compat') == '7\n'
    assert read(project, 'source/format') == '3.0 (quilt)\n'
    assert read(project, 'rules') == '#!/usr/bin/make -f\n%:\n\tdh $@ --buildsystem=cmake \n'
    assert os.stat(os.path.join(project, 'debian', 'rules')).st_mode & 0o111
    assert read(project, 'changelog') == (
        'hello (2.1) UNRELEASED; urgency=low\n'
        '\n'
        '  * Initial release\n'
        '\n'
        ' -- Jane Doe <jane@example.org>  Tue, 14 Nov 2023 22:13:20 +0000\n')
    assert read(project, 'control') == (
        'Source: hello\n'
        'Section: devel\n'
        'Priority: extra\n'
        'Maintainer: Jane Doe <jane@example.org>\n'
        'Build-Depends: libz-dev, cmake, debhelper (>= 7)\n'
        'Homepage: https://example.org/hello\n'
        '\n'
        'Package: hello\n'
        'Section: devel\n'
        'Priority: extra\n'
        'Architecture: all\n'
        'Depends: ${misc:Depends}\n'
        'XB-Extra: yes\n'
        'Description: says hello\n'
        ' A program that says hello.\n'
        ' .\n'
        ' To everyone.\n')
    assert read(project, 'copyright') == (
        'Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n'
        'Upstream-Name: hello\n'
        'Upstream-Contact: Jane Doe <jane@example.org>\n'
        '\n'
        'Files: *\n'
        'Copyright: 2023 Jane Doe <jane@example.org>\n'
        'License: GPL-3\n'
        " The full text of the license can be found in the file "
        "'/usr/share/common-licenses/GPL-3'.\n"
        '\n'
        'Files: debian/*\n'
        'Copyright: 2023 The friendly minimerge robot\n'
        'License: public-domain\n')


def test_debianize_defaults_and_variants(minimerge, tree, tmp_path):
    b, project = tree
    src = tmp_path / 'from-path'
    src.write_text('copied\n')
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo tiny')
    b.script('dummy', 'debhelper_addons', 'echo python2')
    b.script('dummy', 'extra_targets', 'printf "override_dh_auto_test:\\n\\ttrue\\n"')
    b.script('dummy', 'explicit_copyright', 'printf "2001 Someone\\n2002 Someone Else"')
    b.script('dummy', 'build_depends', 'echo "debhelper (>= 9), zlib"')
    b.script('dummy', 'extra_files', 'echo \'{"debian/tiny.install": "usr/bin"}\'')
    b.script('dummy', 'extra_files_from_paths', 'echo \'{"debian/docs": "%s"}\'' % src)
    debianize(minimerge, b, project, '-d', 'bookworm')
    assert read(project, 'rules') == ('#!/usr/bin/make -f\n%:\n\tdh $@ --with=python2 \n'
                                      'override_dh_auto_test:\n\ttrue')
    control = read(project, 'control')
    assert 'Build-Depends: debhelper (>= 9), zlib\n' in control
    assert 'Homepage' not in control and 'Depends: ' not in control.split('\n\n')[1]
    assert control.endswith('Architecture: any\nDescription: a package\n')
    assert read(project, 'changelog').startswith('tiny (0) bookworm; urgency=low\n')
    assert (' -- A Person <someone@example.com>  Tue, 14 Nov 2023 22:13:20 +0000\n'
            in read(project, 'changelog'))
    copyright = read(project, 'copyright')
    assert 'Copyright: 2001 Someone\n 2002 Someone Else\nLicense: unknown\n\nFiles: debian/*' \
        in copyright
    assert 'common-licenses' not in copyright
    assert read(project, 'tiny.install') == 'usr/bin'
    assert read(project, 'docs') == 'copied\n'


def test_debianize_refuses_escaping_extra_file(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo tiny')
    b.script('dummy', 'extra_files', 'echo \'{"../escape": "x"}\'')
    p = run(minimerge, 'debianize', project, paths=b.path)
    assert "'../escape' is not a path inside the project" in error_of(p)
    assert not os.path.exists(os.path.join(project, 'debian'))
    assert not os.path.exists(os.path.join(os.path.dirname(project), 'escape'))


def test_minitagify(minimerge, tree, tmp_path):
    b, project = tree
    full_backend(b, build_depends=['ZLIB', 'libnowhere'])
    root = tmp_path / 'root'
    (root / 'minilays' / 'base').mkdir(parents=True)
    (root / 'minilays' / 'base' / 'zlib-1.2.13').write_text(
        '[minibuild]\ninstall_method = none\ndependencies = \ncategory = dependencies\n')
    out = tmp_path / 'out'
    out.mkdir()
    p = run(minimerge, '-C', str(root), 'minitagify', '-o', '-', project, paths=b.path)
    assert p.returncode == 0, show(p)
    assert p.stdout == (
        '# Written by minimerge minitagify: backend dummy (score 10).\n'
        '[minibuild]\n'
        'dependencies = zlib\n'
        '# Needed too, but no minilay has them: libnowhere\n'
        'src_type = path\n'
        'src_uri = %s\n'
        'install_method = auto\n'
        'category = dependencies\n'
        'homepage = https://example.org/hello\n'
        'license = GPL-3\n'
        'description = says hello\n' % project)
    # Written in the current directory (which -C would change).
    rooted = {'MINIMERGE_ROOT': str(root)}
    p = run(minimerge, 'minitagify', project, paths=b.path, cwd=str(out), env=rooted)
    assert p.stdout == 'wrote hello-2.1\n', show(p)
    assert (out / 'hello-2.1').read_text().startswith('# Written by minimerge')
    # A file that is there is kept as it is.
    (out / 'hello-2.1').write_text('sentinel\n')
    p = run(minimerge, 'minitagify', project, paths=b.path, cwd=str(out), env=rooted)
    assert p.returncode == 2
    assert p.stderr == 'minimerge: hello-2.1: error: already exists (--force replaces it)\n'
    assert (out / 'hello-2.1').read_text() == 'sentinel\n'
    # --dump names the minibuilds the build needs, as minitagify writes them.
    p = run(minimerge, '-C', str(root), 'info', '--dump', project, paths=b.path)
    assert p.returncode == 0, show(p)
    assert json.loads(p.stdout)['minibuild_depends'] == ['zlib']
    # A category is what a minibuild accepts: letters and digits.
    p = run(minimerge, '-C', str(root), 'minitagify', '--category', 'my-deps', '-o', '-',
            project, paths=b.path)
    assert p.returncode == 2 and p.stdout == ''
    assert p.stderr == ('minimerge: error: minitagify: --category my-deps: letters and '
                        'digits only\n')
    lay = root / 'minilays' / 'base'
    p = run(minimerge, '-C', str(root), 'minitagify', '--category', 'apps2', '-o',
            str(lay / 'hello-2.1'), project, paths=b.path)
    assert p.returncode == 0, show(p)
    p = run(minimerge, '-C', str(root), 'show', 'hello-2.1')
    assert p.returncode == 0 and 'category = apps2' in p.stdout, show(p)


# ---- what review found ----

@pytest.mark.parametrize('relative', [False, True])
def test_helpers_on_path(minimerge, tmp_path, relative):
    """pkgme appends <backends>/../helpers to the scripts' PATH.  The scripts
    run in the project: a relative entry is taken from where minimerge was
    started, and a trailing slash still finds the helpers."""
    project = tmp_path / 'project'
    project.mkdir()
    b = Backends(tmp_path / 'share' / 'backends')
    helpers = tmp_path / 'share' / 'helpers'
    helpers.mkdir()
    (helpers / 'score-it').write_text('#!/bin/sh\necho 15\n')
    (helpers / 'score-it').chmod(0o755)
    b.want('helped', 'score-it')
    p = run(minimerge, 'info', '--which-backends', str(project),
            paths='share/backends/' if relative else b.path, cwd=str(tmp_path))
    assert p.stdout == 'helped (15)\n', show(p)


def test_timeout_wins_over_exit_status(minimerge, tree):
    b, project = tree
    b.want('stubborn', "trap 'echo 10; exit 0' TERM\nsleep 30 & wait")
    p = which(minimerge, b, project, env={'MINIMERGE_BACKEND_TIMEOUT': '0.5'})
    assert error_of(p).startswith('%s/stubborn/want timed out after 0.5 s' % b.path)


def test_output_cut_off(minimerge, tree):
    b, project = tree
    b.want('chatty', 'head -c 5000000 /dev/zero | tr "\\0" " "\necho 10')
    assert error_of(which(minimerge, b, project)) == \
        '%s/chatty/want printed more than 4194304 bytes' % b.path


def test_user_error_from_info(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'all_info', 'cat >/dev/null\necho "no metadata file"\nexit 42')
    assert error_of(run(minimerge, 'info', project, paths=b.path)) == 'no metadata file'


def test_values_stay_on_their_line(minimerge, tree):
    b, project = tree
    # printf's %s, not dash's echo: the JSON's \\n must reach it as written.
    b.want('dummy', 'printf "%s\\n" \'{"score": 10, "reason": "two\\nlines"}\'')
    b.script('dummy', 'all_info', 'cat >/dev/null\nprintf "%s\\n" \'{"package_name": "pp", '
             '"homepage": "http://x\\ninstall_method = cmmi"}\'')
    p = run(minimerge, 'minitagify', '-o', '-', project, paths=b.path)
    assert p.returncode == 0, show(p)
    assert p.stdout.splitlines()[0] == \
        '# Written by minimerge minitagify: backend dummy (score 10: two lines).'
    assert 'homepage = http://x install_method = cmmi\n' in p.stdout
    assert p.stdout.count('install_method') == 2


def test_extra_files_must_be_an_object(minimerge, tree):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo tiny')
    b.script('dummy', 'extra_files', 'echo \'["debian/x"]\'')
    assert error_of(run(minimerge, 'info', project, paths=b.path)) == \
        "backend dummy: the backend's value for 'extra_files' is not an object of paths"


def test_debianize_bad_date_and_links(minimerge, tree, tmp_path):
    b, project = tree
    b.want('dummy', 'echo 10')
    b.script('dummy', 'package_name', 'echo tiny')
    p = run(minimerge, 'debianize', project, paths=b.path,
            env={'SOURCE_DATE_EPOCH': '99999999999999999999'})
    assert 'SOURCE_DATE_EPOCH=99999999999999999999: not a number' in error_of(p)
    assert not os.path.exists(os.path.join(project, 'debian'))
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    os.symlink(str(elsewhere), os.path.join(project, 'debian'))
    p = run(minimerge, 'debianize', project, paths=b.path)
    assert error_of(p) == ('debianize: %s/debian is a symbolic link: debian/control would '
                           'not be written inside %s' % (project, project))
    assert os.listdir(str(elsewhere)) == []


def test_changed_backend_rebuilds(minimerge, tmp_path):
    """An auto build's key has the external backends' trees and their
    helpers: a changed script builds again, and explain says why."""
    root = tmp_path / 'root'
    (root / 'minilays' / 'm').mkdir(parents=True)
    src = root / 'src' / 'mk'
    src.mkdir(parents=True)
    (src / 'Makefile').write_text('all:\n\ttrue\ninstall:\n\tmkdir -p $(PREFIX)/bin\n')
    (root / 'minilays' / 'm' / 'mk').write_text(
        '[minibuild]\ncategory = dependencies\ninstall_method = auto\nsrc_type = path\n'
        'src_uri = src/mk\n')
    b = Backends(tmp_path / 'share' / 'backends')
    helpers = tmp_path / 'share' / 'helpers'
    helpers.mkdir()
    (helpers / 'which-system').write_text('#!/bin/sh\necho makefile\n')
    (helpers / 'which-system').chmod(0o755)
    b.want('mine', 'echo 50')
    b.script('mine', 'buildsystem', 'which-system')
    p = run(minimerge, '-C', str(root), 'install', '--explain', 'mk', paths=b.path)
    assert p.returncode == 0, show(p)
    assert 'explain: build dependencies/mk: backend mine (score 50), build system makefile\n' \
        in p.stdout
    # fetch, build and install; the second run is ok and skips them all.
    assert summary(p)[:4] == (3, 0, 0, 0), show(p)
    p = ok(run(minimerge, '-C', str(root), 'install', 'mk', paths=b.path))
    assert summary(p)[:4] == (0, 3, 0, 0), show(p)
    b.want('mine', 'echo 50 # thought again')
    p = run(minimerge, '-C', str(root), 'install', '--explain', 'mk', paths=b.path)
    assert p.returncode == 0, show(p)
    assert 'explain: build dependencies/mk: backends changed' in p.stdout, show(p)
    ran, _, _, failed, _ = summary(p)
    assert ran >= 1 and failed == 0, show(p)
    # A helper the scripts run is part of the backend too.
    (helpers / 'which-system').write_text('#!/bin/sh\n# thought again\necho makefile\n')
    p = ok(run(minimerge, '-C', str(root), 'install', '--explain', 'mk', paths=b.path))
    assert 'explain: build dependencies/mk: backends changed' in p.stdout, show(p)
    assert summary(p)[0] >= 1, show(p)
