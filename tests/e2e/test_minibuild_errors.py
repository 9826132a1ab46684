"""Broken minibuilds and minilay layouts: each gives exit 2 and one error
line naming the file (and its line, where there is one), nothing on stdout.

The corpus is data, one directory per case in tests/fixtures/minibuilds/:

  root/     the root the command runs in (copied to a temp dir first)
  expect    `key: value` lines ('#' starts a comment):
              args:   the command line after `minimerge -C ROOT`
              file:   the file the error names, relative to the root
                      (or a literal such as $MINILAYS)
              line:   optional: the line it names; without it the error may
                      name a line or not
              error:  a regex the message after `error: ` must match;
                      {root} stands for the root (escaped)
              env:    optional, repeatable: NAME=VALUE ({root} is filled in)
              setup:  optional, repeatable: what a committed file cannot
                      hold, made in the copy before the run:
                        unreadable PATH      chmod 000, or a symlink loop
                                             when running as root
                        symlink PATH TARGET
                        fifo PATH
                        bigline PATH         a minibuild with a 10 MB
                                             garbage line (line 3)
                        bigdep PATH          a minibuild whose dependency
                                             is a 10 MB name (line 3)

Warning lines (`minimerge: ...: warning: ...`) may come before the error.
"""

import os
import re
import shutil
import stat
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(REPO, 'tests', 'fixtures', 'minibuilds')
TIMEOUT = 5  # a case that hangs (a FIFO, an endless file) fails, fast
MEMORY = 2 << 30  # bytes of address space a run may use (not for ASan builds)
OK = '[minibuild]\ninstall_method = cmmi\n'
BIG = 10 * 1024 * 1024


def read_expect(name):
    expect = {'env': {}, 'setup': []}
    with open(os.path.join(CORPUS, name, 'expect'), encoding='utf-8') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            key, _, value = line.partition(': ')
            if key == 'env':
                k, _, v = value.partition('=')
                expect['env'][k] = v
            elif key == 'setup':
                expect['setup'].append(value.split())
            else:
                expect[key] = value
    for key in ('args', 'file', 'error'):
        assert key in expect, '%s/expect has no %s' % (name, key)
    return expect


CASES = sorted(d for d in os.listdir(CORPUS) if os.path.isfile(os.path.join(CORPUS, d, 'expect')))


def test_corpus_size():
    assert len(CASES) >= 30


def make_special(root, directive):
    what, path = directive[0], os.path.join(root, directive[1])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if what == 'unreadable':
        if os.geteuid() == 0:  # root reads a chmod 000 file anyway
            os.remove(path)
            os.symlink(os.path.basename(path), path)
        else:
            os.chmod(path, 0)
    elif what == 'symlink':
        os.symlink(directive[2], path)
    elif what == 'fifo':
        os.mkfifo(path)
    elif what == 'bigline':
        with open(path, 'w') as f:
            f.write(OK + 'y' * BIG + '\n')
    elif what == 'bigdep':
        with open(path, 'w') as f:
            f.write(OK + 'dependencies = ' + 'y' * BIG + '\n')
    else:
        raise AssertionError('unknown setup %r' % what)


def asan_build(binary):
    with open(binary, 'rb') as f:
        return b'__asan_init' in f.read()


def limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.fixture(scope='module')
def memory_limit(minimerge):
    return None if asan_build(minimerge) else limit_memory


@pytest.mark.parametrize('name', CASES)
def test_broken(minimerge, memory_limit, tmp_path, name):
    expect = read_expect(name)
    root = os.path.join(os.path.realpath(str(tmp_path)), 'root')
    shutil.copytree(os.path.join(CORPUS, name, 'root'), root, symlinks=True)
    for directive in expect['setup']:
        make_special(root, directive)
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(tmp_path), LC_ALL='C.UTF-8')
    for k in ('MINILAYS', 'MINIMERGE_ROOT', 'NO_COLOR'):
        env.pop(k, None)
    for k, v in expect['env'].items():
        env[k] = v.replace('{root}', root)
    argv = [minimerge, '-C', root] + expect['args'].split()
    try:
        p = subprocess.run(argv, cwd=root, env=env, capture_output=True, timeout=TIMEOUT,
                           preexec_fn=memory_limit)
    except subprocess.TimeoutExpired:
        pytest.fail('%s: still running after %ds: %s' % (name, TIMEOUT, ' '.join(argv[1:])))
    finally:
        for dirpath, dirs, files in os.walk(root):  # let pytest remove the copy
            for f in files:
                path = os.path.join(dirpath, f)
                if not os.path.islink(path):
                    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    stderr = p.stderr.decode('utf-8', 'replace')
    short = stderr if len(stderr) < 2000 else stderr[:1000] + ' ... ' + stderr[-500:]
    assert p.returncode == 2, 'exit %d, stderr: %s' % (p.returncode, short)
    assert p.stdout == b'', 'stdout: %r' % p.stdout[:500]
    assert stderr.endswith('\n'), short
    lines = stderr[:-1].split('\n')
    errors = [l for l in lines if not re.match(r'minimerge: .*: warning: ', l)]
    # The INI reader reports every bad line, as a compiler does: a case may
    # expect more than one error line, each naming the file.
    want_errors = int(expect.get('errors', '1'))
    assert len(errors) == want_errors, 'want %d error lines, got %d: %s' % (
        want_errors, len(errors), short)
    file = expect['file']
    path = file if file.startswith('$') else os.path.join(root, file)
    line = ':%s' % expect['line'] if 'line' in expect else r'(:\d+)?'
    prefix = r'minimerge: %s%s: error: ' % (re.escape(path), line)
    assert re.match(prefix, errors[0]), 'want %s..., got: %s' % (prefix, short)
    message = errors[0][re.match(prefix, errors[0]).end():]
    want = expect['error'].replace('{root}', re.escape(root))
    assert re.search(want, message), 'want /%s/ in: %s' % (want, short)


def test_huge_line_error_is_short(minimerge, tmp_path):
    """An error about a 10 MB line names the file and line, and quotes a
    short part of it: not 10 MB of stderr."""
    root = os.path.realpath(str(tmp_path))
    os.makedirs(os.path.join(root, 'minilays', 'a'))
    make_special(root, ['bigline', 'minilays/a/x'])
    p = subprocess.run([minimerge, '-C', root, 'graph', 'x'], capture_output=True,
                       timeout=TIMEOUT)
    assert p.returncode == 2
    assert p.stderr.startswith(b'minimerge: %s/minilays/a/x:3: error: ' % root.encode())
    assert len(p.stderr) < 4096, 'stderr is %d bytes' % len(p.stderr)
