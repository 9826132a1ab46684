"""Minilays, minibuilds and the package graph (issue 3): search order, root
discovery, versions, dependencies-<os>, variables, and the graph commands
(graph, -p/install -p, list, show) on minitage's m0-m13 fixture and others.
Each test builds its own root in tmp_path."""

import json
import os
import platform
import shutil
import subprocess
import time

import pytest

OK = '[minibuild]\ninstall_method = cmmi\n'


def minibuild(*deps, **keys):
    text = '[minibuild]\n'
    if deps:
        text += 'dependencies = %s\n' % ' '.join(deps)
    keys.setdefault('install_method', 'cmmi')
    for k, v in keys.items():
        text += '%s = %s\n' % (k, v)
    return text


def make_root(path, files):
    """Writes files ({relative path: text}) under path; returns it, real."""
    root = os.path.realpath(str(path))
    for rel, text in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w', encoding='utf-8') as f:
            f.write(text)
    return root


def env_for(home, **extra):
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(home), LC_ALL='C.UTF-8')
    for k in ('MINILAYS', 'MINIMERGE_ROOT', 'NO_COLOR'):
        env.pop(k, None)
    env.update(extra)
    return env


def mm(minimerge, root, *args, cwd=None, env=None, C=True, timeout=30):
    """Runs minimerge [-C root] args; returns the CompletedProcess (text)."""
    argv = [minimerge] + (['-C', root] if C else []) + list(args)
    return subprocess.run(argv, cwd=cwd or root, env=env or env_for(root),
                          capture_output=True, text=True, timeout=timeout)


def ok(p):
    assert p.returncode == 0, 'exit %d: %s' % (p.returncode, p.stderr[:2000])
    return p


def fail(p):
    """The command failed with exit 2, one error line, nothing on stdout."""
    assert p.returncode == 2, 'exit %d, stdout %r, stderr %r' % (p.returncode, p.stdout[:500],
                                                                  p.stderr[:500])
    assert p.stdout == ''
    assert p.stderr.startswith('minimerge: ')
    return p.stderr


def pretend_names(p):
    return [line.split()[0] for line in ok(p).stdout.splitlines()]


def graph_order(minimerge, root, *args):
    return json.loads(ok(mm(minimerge, root, 'graph', '--json', *args)).stdout)['order']


# minitage's test_minimerge fixture (research/minitage.md section 6).
FIXTURE = {
    'm0': (), 'm1': ('m0',), 'm2': ('m4', 'm1'), 'm3': ('m2',), 'm4': ('m0',),
    'm5': ('m7',), 'm6': ('m5',), 'm7': ('m6',), 'm8': ('m8',), 'm9': ('m0', 'm3'),
    'm10': ('m11',), 'm11': ('m12',), 'm12': ('m13',), 'm13': ('m10',),
}


@pytest.fixture
def fixture_root(tmp_path):
    return make_root(tmp_path, {'minilays/test/' + n: minibuild(*d) for n, d in FIXTURE.items()})


M3 = ['m0', 'm4', 'm1', 'm2', 'm3']
M9 = ['m0', 'm4', 'm1', 'm2', 'm3', 'm9']


def test_fixture_orders(minimerge, fixture_root):
    root = fixture_root
    assert graph_order(minimerge, root, 'm3') == M3
    assert graph_order(minimerge, root, 'm9') == M9
    assert pretend_names(mm(minimerge, root, '-p', 'm3')) == M3
    assert pretend_names(mm(minimerge, root, '-p', 'm9')) == M9
    assert pretend_names(mm(minimerge, root, 'install', '-p', 'm9')) == M9
    p = ok(mm(minimerge, root, 'graph', 'm3'))
    assert p.stdout == 'm0:\nm4: m0\nm1: m0\nm2: m4 m1\nm3: m2\n'
    order = json.loads(ok(mm(minimerge, root, '-p', '--json', 'm9')).stdout)
    assert [o['name'] for o in order] == M9
    # The order does not depend on the order the targets are named in.
    orders = {tuple(graph_order(minimerge, root, *t))
              for t in (['m3', 'm1', 'm2'], ['m1', 'm2', 'm3'], ['m2', 'm3', 'm1'])}
    assert len(orders) == 1 and sorted(orders.pop()) == sorted(M3)


@pytest.mark.parametrize('target, cycle, culprit', [
    ('m6', 'm6 -> m5 -> m7 -> m6', 'm6'),
    ('m8', 'm8 -> m8', 'm8'),
    ('m13', 'm13 -> m10 -> m11 -> m12 -> m13', 'm13'),
])
def test_fixture_cycles(minimerge, fixture_root, target, cycle, culprit):
    for args in (['graph', target], ['-p', target], ['graph', '--json', target]):
        err = fail(mm(minimerge, fixture_root, *args))
        assert err == 'minimerge: %s/minilays/test/%s:2: error: Circular dependency: %s\n' % (
            fixture_root, culprit, cycle)


def test_cycle_entered_from_outside(minimerge, fixture_root):
    """A package needing a cycle is not part of it: the error shows the
    cycle alone, named from where the walk met it."""
    make_root(fixture_root, {'minilays/test/t': minibuild('m0', 'm6')})
    err = fail(mm(minimerge, fixture_root, '-p', 't'))
    assert err == 'minimerge: %s/minilays/test/m6:2: error: Circular dependency: ' \
        'm6 -> m5 -> m7 -> m6\n' % fixture_root


def test_fixture_options(minimerge, fixture_root):
    root = fixture_root
    assert graph_order(minimerge, root, '--jump', 'm2', 'm3') == ['m2', 'm3']
    assert graph_order(minimerge, root, '--jump=m2', 'm3') == ['m2', 'm3']
    # minitage's own case: -j m2 over [m1, m2, m3].
    assert pretend_names(mm(minimerge, root, '-p', '--jump', 'm2', 'm1', 'm2', 'm3')) == [
        'm2', 'm3']
    assert graph_order(minimerge, root, '-N', 'm3') == ['m3']
    assert graph_order(minimerge, root, '--nodeps', 'm9') == ['m9']
    assert sorted(pretend_names(mm(minimerge, root, '-p', '-N', 'm3', 'm1'))) == ['m1', 'm3']
    # -N takes a cycle's member alone: nothing is ordered.
    assert graph_order(minimerge, root, '-N', 'm8') == ['m8']
    assert graph_order(minimerge, root, '--only-dependencies', 'm3') == M3[:-1]
    assert pretend_names(mm(minimerge, root, '-p', '--only-dependencies', 'm9')) == M9[:-1]
    assert graph_order(minimerge, root, '--only-dependencies', 'm0') == []
    err = fail(mm(minimerge, root, 'graph', '--jump', 'm2', '-N', 'm3'))
    assert '--jump' in err and 'nodeps' in err
    err = fail(mm(minimerge, root, '-p', '-N', '--jump', 'm2', 'm3'))
    assert '--jump' in err
    err = fail(mm(minimerge, root, 'graph', '--jump', 'm9', 'm3'))
    assert 'm9' in err


def test_missing_target_suggests(minimerge, fixture_root):
    err = fail(mm(minimerge, fixture_root, 'graph', 'm33'))
    assert "The minibuild 'm33' was not found" in err
    assert "(did you mean " in err and "'m3'" in err.split('did you mean')[1]


def test_missing_dependency_names_file_and_suggests(minimerge, tmp_path):
    root = make_root(tmp_path, {'minilays/a/app': minibuild('zlibb'),
                                'minilays/a/zlib': OK, 'minilays/b/zlib': OK})
    err = fail(mm(minimerge, root, '-p', 'app'))
    assert err.startswith('minimerge: %s/minilays/a/app:2: error: ' % root)
    assert "The minibuild 'zlibb' was not found in 2 minilays (did you mean 'zlib'?)" in err


# ---- minilays: search order, shadowing, ignored files


def test_search_order(minimerge, tmp_path):
    files = {}
    for where in ('minilays/b', 'minilays/a', 'extra', 'env1', 'env2'):
        files[where + '/pkg'] = minibuild(description=where)
    files['minilays/b/only-b'] = OK
    root = make_root(tmp_path, files)

    def show(**env):
        p = ok(mm(minimerge, root, 'show', '--json', 'pkg', env=env_for(root, **env)))
        o = json.loads(p.stdout)
        return o['keys']['description'], [os.path.relpath(s, root) for s in o['shadows']]

    # The subdirectories of minilays/, sorted.
    assert show() == ('minilays/a', ['minilays/b'])
    p = ok(mm(minimerge, root, 'list', '--all', '--json'))
    assert [(o['name'], os.path.relpath(o['minilay'], root), o['shadowed'])
            for o in json.loads(p.stdout)] == [
        ('only-b', 'minilays/b', False),
        ('pkg', 'minilays/a', False), ('pkg', 'minilays/b', True)]
    p = ok(mm(minimerge, root, 'list'))
    assert [line.split() for line in p.stdout.splitlines()] == [
        ['only-b', 'minilays/b'], ['pkg', 'minilays/a']]
    p = ok(mm(minimerge, root, 'list', '--all'))
    assert [line.split() for line in p.stdout.splitlines()] == [
        ['only-b', 'minilays/b'], ['pkg', 'minilays/a'], ['pkg', 'minilays/b', '(shadowed)']]
    assert ok(mm(minimerge, root, 'list', 'only*')).stdout.split() == ['only-b', 'minilays/b']
    # [minimerge] minilays of etc/minimerge.cfg, relative to the root, first.
    make_root(root, {'etc/minimerge.cfg': '[minimerge]\nminilays = extra\n'})
    assert show() == ('extra', ['minilays/a', 'minilays/b'])
    # $MINILAYS (space separated, relative to the root or absolute) before all.
    assert show(MINILAYS='env2 %s/env1' % root) == (
        'env2', ['env1', 'extra', 'minilays/a', 'minilays/b'])
    p = ok(mm(minimerge, root, 'show', 'pkg', env=env_for(root, MINILAYS='env1')))
    assert 'file:         %s/env1/pkg\n' % root in p.stdout
    assert 'shadows:      extra\n' in p.stdout
    p = ok(mm(minimerge, root, 'list', '--all', env=env_for(root, MINILAYS='env1')))
    assert [line.split() for line in p.stdout.splitlines()] == [
        ['only-b', 'minilays/b'], ['pkg', 'env1'], ['pkg', 'extra', '(shadowed)'],
        ['pkg', 'minilays/a', '(shadowed)'], ['pkg', 'minilays/b', '(shadowed)']]


def test_ignored_files(minimerge, tmp_path):
    ignored = ['.hidden', 'readme', 'readme.txt', 'pkg.svn', 'pkg.sav', 'myignore', 'pkg~',
               '.svn']
    files = {'minilays/a/' + n: OK for n in ignored}
    files['minilays/a/pkg'] = OK
    files['minilays/.hiddenlay/hidden'] = OK
    root = make_root(tmp_path, files)
    p = ok(mm(minimerge, root, 'list', '--all', '--json'))
    assert [o['name'] for o in json.loads(p.stdout)] == ['pkg']
    assert ok(mm(minimerge, root, 'graph')).stdout == 'pkg:\n'
    fail(mm(minimerge, root, 'show', 'pkg~'))


# minitage's 19 valid names, and four more of research section 1, with the
# version each carries (None: no version).
VALID_NAMES = [
    ('meta-toto', None), ('test-toto', None), ('toto', None), ('test-1.0', '1.0'),
    ('test-test-1.0', '1.0'), ('test-1.0.3', '1.0.3'), ('test-1.0_beta444', '1.0_beta444'),
    ('test-1.0_py2.4', '1.0_py2.4'), ('test-1.0_py2.5', '1.0_py2.5'),
    ('test-1.0_beta444_pre20071024', '1.0_beta444_pre20071024'),
    ('test-1.0_alpha44', '1.0_alpha44'), ('test-1.0_alpha44_pre20071024', '1.0_alpha44_pre20071024'),
    ('test-1.0_pre20071024', '1.0_pre20071024'), ('test-1.0_branch10', '1.0_branch10'),
    ('test-1.0_branchHEAD10', '1.0_branchHEAD10'), ('test-1.0_tagHEAD10', '1.0_tagHEAD10'),
    ('test-1.0_r1', '1.0_r1'), ('test-1.0_rHEAD', '1.0_rHEAD'), ('test-1.0_rTIP', '1.0_rTIP'),
    ('python-2.7', '2.7'), ('openssl-0.9.7m', '0.9.7m'), ('mapnik-0.6.0-r847', '0.6.0-r847'),
    ('postgresql-8.2.4_py2.5', '8.2.4_py2.5'),
]


def test_valid_names(minimerge, tmp_path):
    files = {'minilays/a/' + n: OK for n, _ in VALID_NAMES}
    files['minilays/a/app'] = minibuild(*[n for n, _ in VALID_NAMES])
    root = make_root(tmp_path, files)
    order = json.loads(ok(mm(minimerge, root, '-p', '--json', 'app')).stdout)
    assert [(o['name'], o['version']) for o in order] == VALID_NAMES + [('app', None)]
    assert [o['meta'] for o in order] == [True] + [False] * len(VALID_NAMES)


# ---- the root


def test_root_discovery(minimerge, tmp_path):
    base = os.path.realpath(str(tmp_path))
    a = make_root(os.path.join(base, 'a'), {'minilays/l/pa': OK})
    b = make_root(os.path.join(base, 'b'), {'etc/minimerge.cfg': '[minimerge]\nminilays = lay\n',
                                           'lay/pb': OK, 'sub/deep/.keep': ''})
    plain = make_root(os.path.join(base, 'plain'), {'.keep': ''})

    def root_of(cwd, *pre, **env):
        p = subprocess.run([minimerge, *pre, 'graph', '--json'], cwd=cwd,
                           env=env_for(base, **env), capture_output=True, text=True, timeout=30)
        return json.loads(ok(p).stdout)['root']

    assert root_of(base, '-C', a) == a
    assert root_of(plain, '-C', os.path.join(a, 'minilays')) == os.path.join(a, 'minilays')
    assert root_of(plain, MINIMERGE_ROOT=a) == a
    assert root_of(plain, '-C', b, MINIMERGE_ROOT=a) == b  # -C first
    # Upward: etc/minimerge.cfg or minilays/ marks a root.
    assert root_of(os.path.join(b, 'sub', 'deep')) == b
    assert root_of(os.path.join(a, 'minilays', 'l')) == a
    assert root_of(os.path.join(b, 'sub', 'deep'), MINIMERGE_ROOT=a) == a  # env first
    # Nothing upward: the current directory.
    assert root_of(plain) == plain
    p = subprocess.run([minimerge, 'list'], cwd=os.path.join(b, 'sub', 'deep'),
                       env=env_for(base), capture_output=True, text=True, timeout=30)
    assert ok(p).stdout.split() == ['pb', 'lay']
    p = subprocess.run([minimerge, '-p', 'pa'], cwd=os.path.join(a, 'minilays'),
                       env=env_for(base), capture_output=True, text=True, timeout=30)
    assert pretend_names(p) == ['pa']
    p = subprocess.run([minimerge, '-C', os.path.join(base, 'nope'), 'list'], cwd=base,
                       env=env_for(base), capture_output=True, text=True, timeout=30)
    assert fail(p).startswith('minimerge: %s/nope: error: ' % base)


def test_root_marker_is_a_directory(minimerge, tmp_path):
    """A root holds minilays/, a directory: a plain file named minilays
    upward does not make a root."""
    base = make_root(tmp_path, {'minilays': 'a file\n', 'sub/.keep': ''})
    sub = os.path.join(base, 'sub')
    p = subprocess.run([minimerge, 'graph', '--json'], cwd=sub, env=env_for(base),
                       capture_output=True, text=True, timeout=30)
    assert json.loads(ok(p).stdout)['root'] == sub


# ---- versions


ZLIBS = {'minilays/a/zlib-1.2.3': OK, 'minilays/a/zlib-1.2.13': OK,
         'minilays/a/zlib-1.3_rc1': OK, 'minilays/a/app': minibuild('zlib')}


def pretend_rows(p):
    return [line.split() for line in ok(p).stdout.splitlines()]


def test_version_pick(minimerge, tmp_path):
    # Gentoo's order (src/pkgname.h): 1.2.3 < 1.2.13 (numbers as numbers)
    # < 1.3_rc1 (a release candidate of 1.3, newer than any 1.2).
    root = make_root(tmp_path, ZLIBS)
    assert pretend_rows(mm(minimerge, root, '-p', 'app')) == [
        ['zlib-1.3_rc1', '1.3_rc1', 'minilays/a', 'picked'], ['app', '-', 'minilays/a']]
    order = json.loads(ok(mm(minimerge, root, '-p', '--json', 'app')).stdout)
    assert [(o['name'], o['version'], o['choice'], o['requested_as']) for o in order] == [
        ('zlib-1.3_rc1', '1.3_rc1', 'picked', 'zlib'), ('app', None, 'named', None)]
    assert order[1]['dependencies'] == ['zlib-1.3_rc1']
    # A target may be a base name too; an exact versioned name is "named".
    assert pretend_rows(mm(minimerge, root, '-p', 'zlib')) == [
        ['zlib-1.3_rc1', '1.3_rc1', 'minilays/a', 'picked']]
    assert pretend_rows(mm(minimerge, root, '-p', 'zlib-1.2.3')) == [
        ['zlib-1.2.3', '1.2.3', 'minilays/a']]
    p = ok(mm(minimerge, root, 'show', 'zlib'))
    assert p.stdout.startswith('zlib-1.3_rc1 (picked for zlib)\n')
    assert 'needed by:    app\n' in p.stdout
    o = json.loads(ok(mm(minimerge, root, 'show', '--json', 'zlib')).stdout)
    assert (o['name'], o['choice'], o['needed_by']) == ('zlib-1.3_rc1', 'picked', ['app'])


@pytest.mark.parametrize('names, best', [
    (['openssl-0.9.7', 'openssl-0.9.7m', 'openssl-0.9.8_beta1', 'openssl-0.9.7a'],
     'openssl-0.9.8_beta1'),
    (['foo-1.0_rc1', 'foo-1.0', 'foo-1.0_p1', 'foo-1.0_rc2'], 'foo-1.0_p1'),
    (['foo-1.0_alpha2', 'foo-1.0_pre3', 'foo-1.0_beta1', 'foo-1.0_rc1'], 'foo-1.0_rc1'),
    (['foo-1.0_alpha10', 'foo-1.0_alpha9'], 'foo-1.0_alpha10'),
    (['foo-2', 'foo-10', 'foo-9.9.9'], 'foo-10'),
    (['foo-1.0', 'foo-1.0_r1', 'foo-1.0_r2'], 'foo-1.0_r2'),
    (['foo-1.0.0', 'foo-1.0'], 'foo-1.0.0'),
])
def test_version_order(minimerge, tmp_path, names, best):
    files = {'minilays/a/' + n: OK for n in names}
    files['minilays/a/app'] = minibuild(best.split('-')[0])
    root = make_root(tmp_path, files)
    assert pretend_rows(mm(minimerge, root, '-p', '--only-dependencies', 'app'))[0][::3] == [
        best, 'picked']


def test_version_pin_and_exact_name(minimerge, tmp_path):
    root = make_root(tmp_path, dict(ZLIBS, **{'etc/minimerge.cfg': '[versions]\nzlib = 1.2.3\n'}))
    assert pretend_rows(mm(minimerge, root, '-p', 'app')) == [
        ['zlib-1.2.3', '1.2.3', 'minilays/a', 'pinned'], ['app', '-', 'minilays/a']]
    order = json.loads(ok(mm(minimerge, root, '-p', '--json', 'app')).stdout)
    assert (order[0]['choice'], order[0]['requested_as']) == ('pinned', 'zlib')
    # A file named exactly zlib wins over versions, pinned or not.
    make_root(tmp_path, {'minilays/b/zlib': OK})
    assert pretend_rows(mm(minimerge, root, '-p', 'app')) == [
        ['zlib', '-', 'minilays/b'], ['app', '-', 'minilays/a']]
    order = json.loads(ok(mm(minimerge, root, '-p', '--json', 'app')).stdout)
    assert (order[0]['name'], order[0]['choice']) == ('zlib', 'named')


def test_allow_picked_versions_false(minimerge, tmp_path):
    files = dict(ZLIBS, **{
        'minilays/a/foo-1': OK, 'minilays/a/foo-2': OK, 'minilays/a/bar-0.1': OK,
        'minilays/a/app': minibuild('zlib', 'foo', 'bar'),
        'etc/minimerge.cfg': '[minimerge]\nallow-picked-versions = false\n'})
    root = make_root(tmp_path, files)
    for args in (['-p', 'app'], ['graph', 'app'], ['graph', '--json', 'app']):
        p = mm(minimerge, root, *args)
        assert p.returncode == 2 and p.stdout == ''
        assert p.stderr.startswith('minimerge: %s/etc/minimerge.cfg:2: error: ' % root)
        assert 'allow-picked-versions' in p.stderr
        for pick in ('zlib = 1.3_rc1', 'foo = 2', 'bar = 0.1'):  # every pick
            assert pick in p.stderr
    # Pinned, they are fine.
    with open(os.path.join(root, 'etc', 'minimerge.cfg'), 'a') as f:
        f.write('[versions]\nzlib = 1.2.13\nfoo = 1\nbar = 0.1\n')
    assert pretend_rows(mm(minimerge, root, '-p', 'app')) == [
        ['zlib-1.2.13', '1.2.13', 'minilays/a', 'pinned'],
        ['foo-1', '1', 'minilays/a', 'pinned'], ['bar-0.1', '0.1', 'minilays/a', 'pinned'],
        ['app', '-', 'minilays/a']]


def test_pin_to_missing_version(minimerge, tmp_path):
    root = make_root(tmp_path, dict(ZLIBS, **{'etc/minimerge.cfg': '[versions]\nzlib = 1.4\n'}))
    err = fail(mm(minimerge, root, '-p', 'app'))
    assert err.startswith('minimerge: %s/etc/minimerge.cfg:2: error: ' % root)
    assert "'zlib' is pinned to version 1.4" in err
    assert '%s/minilays/a/app' % root in err  # who needs it


# ---- keys: dependencies-<os>, variables, unknown keys


def test_dependencies_os(minimerge, tmp_path):
    osname = platform.system().lower()
    root = make_root(tmp_path, {
        'minilays/a/a': OK, 'minilays/a/b': OK, 'minilays/a/c': OK, 'minilays/a/d': OK,
        'minilays/a/x': minibuild('a', 'b', **{'dependencies-' + osname: 'c b',
                                             'dependencies-nosuchos': 'd'}),
        'minilays/a/y': minibuild('a', 'b', **{'dependencies-%s-replace' % osname: 'd',
                                             'dependencies-' + osname: 'c'}),
        'minilays/a/z': minibuild(**{'dependencies-' + osname: 'd'}),
        'minilays/a/w': minibuild('a', **{'dependencies-nosuchos-replace': 'd'}),
    })
    deps = lambda n: json.loads(ok(mm(minimerge, root, 'show', '--json', n)).stdout)[
        'dependencies']
    assert deps('x') == ['c', 'b', 'a']
    assert deps('y') == ['d']
    assert deps('z') == ['d']
    assert deps('w') == ['a']
    assert graph_order(minimerge, root, 'x') == ['c', 'b', 'a', 'x']
    assert graph_order(minimerge, root, 'y') == ['d', 'y']


def test_variables(minimerge, tmp_path):
    root = make_root(tmp_path, {
        'etc/minimerge.cfg': '[minitage.variables]\nmirror = http://mirror.example\n'
                             'stable = ${mirror}/stable\nlib = zlib\n',
        'minilays/a/z': '[minibuild]\ninstall_method = cmmi\ncategory = dependencies\n'
                        'src_type = static\nsrc_uri = ${stable}/z-1.0.tgz\n'
                        'url = ${nosuch}/x\ndescription = ${mirror} and ${mirror\n',
        'minilays/a/app': minibuild('${lib}'),
        'minilays/a/zlib-1.0': OK,
    })
    assert graph_order(minimerge, root, 'app') == ['zlib-1.0', 'app']
    o = json.loads(ok(mm(minimerge, root, 'show', '--json', 'z')).stdout)
    assert o['keys'] == {
        'category': 'dependencies', 'src_type': 'static',
        'src_uri': 'http://mirror.example/stable/z-1.0.tgz', 'install_method': 'cmmi',
        'url': '${nosuch}/x', 'description': 'http://mirror.example and ${mirror'}
    p = ok(mm(minimerge, root, 'show', 'z'))
    assert 'src_uri = http://mirror.example/stable/z-1.0.tgz\n' in p.stdout


def test_unknown_key_warns(minimerge, tmp_path):
    root = make_root(tmp_path, {'minilays/a/x': OK + 'src_uir = http://x.example/\n'
                                                    'zzzzzzzz = 1\n'})
    p = ok(mm(minimerge, root, '-p', 'x'))
    assert pretend_names(p) == ['x']
    assert p.stderr.splitlines() == [
        "minimerge: %s/minilays/a/x:3: warning: unknown key 'src_uir' in [minibuild] "
        "(did you mean 'src_uri'?)" % root,
        "minimerge: %s/minilays/a/x:4: warning: unknown key 'zzzzzzzz' in [minibuild]" % root]


def test_json_is_utf8_whatever_bytes_the_paths_hold(minimerge, tmp_path):
    root = make_root(tmp_path / 'ok', {'minilays/a/zlib': OK})
    bad = os.path.join(os.fsencode(str(tmp_path)), b'r\xffoot')
    os.rename(os.fsencode(root), bad)
    p = subprocess.run([minimerge, '-C', bad, 'graph', '--json'], cwd=bad,
                       env=env_for(str(tmp_path)), capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout.decode('utf-8'))
    assert doc['root'] == str(tmp_path) + '/r\ufffdoot'
    assert doc['packages'][0]['path'] == doc['root'] + '/minilays/a/zlib'


def test_loading_all_keeps_messages_in_file_order(minimerge, tmp_path):
    """graph without targets loads every minibuild, half of them on
    a second thread from the last up: its warnings and errors still come
    once each, in file order, and only for what is taken."""
    n = 400
    files = {'minilays/a/p%03d' % i: OK for i in range(n)}
    warned = [0, 1, 199, 200, 201, 398, 399]
    for i in warned:
        files['minilays/a/p%03d' % i] = OK + 'zzz%d = 1\n' % i
    root = make_root(tmp_path, files)
    want = ["minimerge: %s/minilays/a/p%03d:3: warning: unknown key 'zzz%d' in [minibuild]"
            % (root, i, i) for i in warned]
    for _ in range(5):
        p = ok(mm(minimerge, root, 'graph', '--json'))
        assert len(json.loads(p.stdout)['packages']) == n
        assert p.stderr.splitlines() == want
    # A broken one near the end (the thread's side): its error, once, after
    # the warnings of the files before it, and nothing after it.
    with open(os.path.join(root, 'minilays/a/p390'), 'w') as f:
        f.write('no section here\n')
    for _ in range(5):
        p = mm(minimerge, root, 'graph')
        assert p.returncode == 2 and p.stdout == ''
        lines = p.stderr.splitlines()
        assert lines[:-1] == want[:-2]
        assert lines[-1].startswith('minimerge: %s/minilays/a/p390:' % root)
        assert ': error: ' in lines[-1]


# ---- graph formats


def test_graph_json(minimerge, fixture_root):
    root = fixture_root
    doc = json.loads(ok(mm(minimerge, root, 'graph', '--json', 'm9', 'm3')).stdout)
    assert set(doc) >= {'root', 'targets', 'order', 'packages'}
    assert doc['root'] == root
    assert doc['targets'] == ['m3', 'm9']
    assert doc['order'] == M9
    assert [p['name'] for p in doc['packages']] == M9
    deps = {p['name']: p['dependencies'] for p in doc['packages']}
    assert deps == {n: list(FIXTURE[n]) for n in M9}
    m2 = doc['packages'][3]
    assert m2['path'] == os.path.join(root, 'minilays', 'test', 'm2')
    assert m2['minilay'] == os.path.join(root, 'minilays', 'test')
    assert (m2['version'], m2['choice'], m2['meta'], m2['installed']) == (
        None, 'named', False, False)
    # No target: every package, needs first (the cycles make it fail).
    err = fail(mm(minimerge, root, 'graph', '--json'))
    assert 'Circular dependency' in err


def test_graph_dot_renders(minimerge, fixture_root, tmp_path):
    dot = shutil.which('dot', path='/usr/bin:/bin:/usr/local/bin')
    assert dot, 'Graphviz is needed: apt-get install graphviz'
    p = ok(mm(minimerge, fixture_root, 'graph', '--dot', 'm9'))
    assert p.stdout.startswith('digraph')
    for u, vs in FIXTURE.items():
        if u in M9:
            assert '"%s";' % u in p.stdout
            for v in vs:
                assert '"%s" -> "%s";' % (u, v) in p.stdout
    r = subprocess.run([dot, '-Tsvg'], input=p.stdout, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    assert '<svg' in r.stdout and r.stderr == ''
    for n in M9:
        assert '<title>%s</title>' % n in r.stdout


def test_installed_is_a_directory_or_a_link_to_one(minimerge, tmp_path):
    root = make_root(tmp_path, {
        'minilays/a/app': minibuild('dir', 'file', 'link', 'broken', 'none', category='apps'),
        'minilays/a/dir': minibuild(category='dependencies'),
        'minilays/a/file': minibuild(category='dependencies'),
        'minilays/a/link': minibuild(category='dependencies'),
        'minilays/a/broken': minibuild(category='dependencies'),
        'minilays/a/none': minibuild(category='eggs'),
        'dependencies/dir/.keep': '',
        'dependencies/file': '',
        'elsewhere/.keep': '',
    })
    os.symlink(os.path.join(root, 'elsewhere'), os.path.join(root, 'dependencies', 'link'))
    os.symlink(os.path.join(root, 'gone'), os.path.join(root, 'dependencies', 'broken'))
    p = ok(mm(minimerge, root, 'graph', '--json', 'app'))
    assert {o['name']: o['installed'] for o in json.loads(p.stdout)['packages']} == {
        'dir': True, 'file': False, 'link': True, 'broken': False, 'none': False,
        'app': False}
    assert 'installed:    yes' in ok(mm(minimerge, root, 'show', 'link')).stdout
    assert 'installed:    no' in ok(mm(minimerge, root, 'show', 'file')).stdout


def test_graph_tree_marks_installed(minimerge, tmp_path):
    root = make_root(tmp_path, {
        'minilays/a/app': minibuild('lib', 'zlib', category='apps'),
        'minilays/a/lib': minibuild('zlib', category='dependencies'),
        'minilays/a/zlib': minibuild(category='dependencies'),
        'minilays/a/meta-all': '[minibuild]\ndependencies = app\n',
        'dependencies/zlib/.keep': '',
        # A file of a package's name is not an installed package.
        'dependencies/lib': '',
    })
    p = ok(mm(minimerge, root, 'graph', '--tree', 'meta-all'))
    assert p.stdout == (' -  meta-all\n'
                        ' -      ^app\n'
                        ' -          ^lib\n'
                        '[+]             ^zlib\n')
    p = ok(mm(minimerge, root, '-p', '--json', 'app'))
    assert [(o['name'], o['installed']) for o in json.loads(p.stdout)] == [
        ('zlib', True), ('lib', False), ('app', False)]
    assert ok(mm(minimerge, root, '-p', 'meta-all')).stdout.splitlines()[-1].split() == [
        'meta-all', '-', 'minilays/a', 'meta']


def test_graph_tree_dense(minimerge, tmp_path):
    """p00 needs every later one, p01 every later one, ...: the tree walks
    each package once (many pending visits of one package must not overrun
    anything)."""
    n = 24
    root = make_root(tmp_path, {'minilays/a/p%02d' % i: minibuild(
        *['p%02d' % j for j in range(i + 1, n)]) for i in range(n)})
    p = ok(mm(minimerge, root, 'graph', '--tree', 'p00'))
    assert p.stdout == ''.join(' -  %s%s%s\n' % (' ' * 4 * i, '^' if i else '', 'p%02d' % i)
                               for i in range(n))
    assert graph_order(minimerge, root, 'p00') == ['p%02d' % i for i in reversed(range(n))]


# ---- scale


def test_chain_of_10000(minimerge, tmp_path):
    n = 10000
    lay = os.path.join(os.path.realpath(str(tmp_path)), 'minilays', 'a')
    os.makedirs(lay)
    for i in range(n):
        with open(os.path.join(lay, 'm%d' % i), 'w') as f:
            f.write(minibuild('m%d' % (i - 1)) if i else OK)
    root = os.path.dirname(os.path.dirname(lay))
    start = time.monotonic()
    want = ['m%d' % i for i in range(n)]
    assert graph_order(minimerge, root, 'm%d' % (n - 1)) == want
    assert pretend_names(mm(minimerge, root, '-p', 'm%d' % (n - 1))) == want
    assert len(ok(mm(minimerge, root, 'graph', '--dot', 'm%d' % (n - 1))).stdout.splitlines()) \
        == 2 * n + 2
    assert graph_order(minimerge, root, '--jump', 'm9990', 'm9999') == want[9990:]
    o = json.loads(ok(mm(minimerge, root, 'show', '--json', 'm5000')).stdout)
    assert (o['dependencies'], o['needed_by']) == (['m4999'], ['m5001'])
    assert ok(mm(minimerge, root, 'graph')).stdout.count('\n') == n
    # The chain closed into a cycle of 10,000.
    with open(os.path.join(lay, 'm0'), 'w') as f:
        f.write(minibuild('m%d' % (n - 1)))
    err = fail(mm(minimerge, root, 'graph', 'm5000'))
    assert 'Circular dependency: m5000 -> m4999 -> ' in err
    assert err.count(' -> ') == n
    assert time.monotonic() - start < 20


# ---- JSON with names that are not UTF-8


def test_list_json_non_utf8_name(minimerge, tmp_path):
    """A file whose name is not UTF-8 cannot be a JSON string: it must not
    leave an object without its name."""
    root = make_root(tmp_path, {'minilays/a/ok': OK})
    with open(os.path.join(root.encode(), b'minilays', b'a', b'caf\xe9'), 'w') as f:
        f.write(OK)
    p = mm(minimerge, root, 'list', '--json')
    if p.returncode == 0:
        for o in json.loads(p.stdout):
            assert set(o) == {'name', 'minilay', 'shadowed'}, o
    else:
        fail(p)
