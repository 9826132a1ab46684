"""The executor (minimerge install): builds of generated stacks of tiny
packages (stackgen.py), what a change re-runs and why, the cache of
install prefixes, failures, signals, the lock and the terminal.  Each test
builds its own root in tmp_path."""

import io
import json
import os
import re
import shutil
import signal
import subprocess
import tarfile
import time

import pytest

import stackgen
from mmrun import STARTED, env_for, mm, mm_start, ok, show, started, summary
from terminal import clean, run_on_pty


def explain_json(minimerge, stack, targets):
    p = ok(mm(minimerge, stack, 'explain', '--json', *targets))
    return {e['action']: e['reason'] for e in json.loads(p.stdout)}


def pkg_actions(stack, names, kinds=('build', 'install')):
    return {stack.action(k, n) for n in names for k in kinds}


def stamp(path):
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def log_stamps(stack):
    d = os.path.join(stack.root, '.minimerge', 'logs')
    return {n: stamp(os.path.join(d, n)) for n in os.listdir(d)}


def log_name(identity):
    return identity.replace('/', '_').replace(' ', '.') + '.log'


def root_pids(root, but=()):
    """Processes whose working directory is under root (the builds), but
    those named."""
    out = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) in but:
            continue
        try:
            cwd = os.readlink('/proc/%s/cwd' % pid)
        except OSError:
            continue
        if cwd == root or cwd.startswith(root + '/'):
            out.append(int(pid))
    return out


def wait_no_pids(root, timeout):
    """Waits until no process works under root; what is left then."""
    end = time.monotonic() + timeout
    while True:
        left = root_pids(root)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)


def read_until(proc, pattern):
    """Reads proc's stdout lines until one matches pattern (a run prints a
    line per job, and ends); the lines read."""
    lines = []
    for line in iter(proc.stdout.readline, ''):
        lines.append(line)
        if re.search(pattern, line):
            return lines
    raise AssertionError('no line matching %r in %r' % (pattern, lines))


ALL = ['c2', 'dtop', 'leaf0', 'leaf1']  # the targets naming all of mixed()


@pytest.fixture
def stack(tmp_path):
    """The mixed stack: a chain c0 <- c1 <- c2, a diamond dbottom <- dleft,
    dright <- dtop, and leaves leaf0, leaf1: 9 packages, 27 actions."""
    return stackgen.Stack(tmp_path / 'root', stackgen.mixed())


@pytest.fixture
def built(minimerge, stack):
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p)[:4] == (27, 0, 0, 0), show(p)
    return stack


# --- 1. fresh run, then nothing to do ---

def test_fresh_run_builds_everything_then_nothing(minimerge, stack):
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (27, 0, 0, 0, ''), show(p)
    counts = [(int(n), int(t)) for n, t, _ in STARTED.findall(p.stdout)]
    assert [n for n, _ in counts] == list(range(1, 28))
    assert all(n <= t for n, t in counts) and counts[-1] == (27, 27), counts
    assert sorted(started(p)) == sorted(pkg_actions(stack, stack.packages,
                                                    ('fetch', 'build', 'install')))
    tree = stack.installed_tree()
    for name in stack.packages:
        files = stack.expected_files(name)
        assert files <= set(tree), (name, sorted(tree))
        mode = tree[os.path.relpath(os.path.join(stack.prefix(name), 'bin', name),
                                    stack.root)][0]
        assert mode & 0o111
        # A package saw its dependencies' outputs, through the exported
        # CPPFLAGS, LDFLAGS and PATH.
        text = stack.lib_text(name)
        assert text.startswith('package %s\noptions:\ndata of %s\n' % (name, name))
        for dep in stack.needed_by([name]) - {name}:
            assert 'header %s.h:' % dep in text, (name, text)
            assert 'lib %s.txt:\npackage %s\n' % (dep, dep) in text, (name, text)
            assert 'program %s says: %s\n' % (dep, dep) in text, (name, text)
        for other in set(stack.packages) - stack.needed_by([name]):
            assert 'package %s\n' % other not in text
    # The build ran in parts/build, from a copy of the source.
    assert os.path.isfile(os.path.join(stack.builddir('dtop'), 'config.mk'))
    assert not os.path.exists(os.path.join(stack.source('dtop'), 'config.mk'))

    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (0, 27, 0, 0, ''), show(p)
    assert started(p) == []
    assert stack.installed_tree() == tree
    p = ok(mm(minimerge, stack, 'explain', *ALL))
    assert p.stdout == '' and p.stderr == ''
    assert explain_json(minimerge, stack, ALL) == {}


# --- 2. an option change re-runs the package and what needs it ---

def test_option_change_reruns_package_and_reverse_deps(minimerge, built):
    stack = built
    before_logs = log_stamps(stack)
    before_tree = stack.installed_tree()
    stack.set_options('dbottom', '--flavour=salty')
    rdeps = stack.reverse_deps('dbottom')
    assert rdeps == {'dleft', 'dright', 'dtop'}
    changed = {'dbottom'} | rdeps
    want = pkg_actions(stack, changed)
    plan = explain_json(minimerge, stack, ALL)
    assert set(plan) == want, plan
    assert plan[stack.action('build', 'dbottom')] == \
        "option configure_options changed ('' -> --flavour=salty)"
    assert plan[stack.action('build', 'dleft')] == \
        'dependency %s changed' % stack.action('install', 'dbottom')
    # The text form says the same.
    p = ok(mm(minimerge, stack, 'explain', *ALL))
    assert sorted(p.stdout.splitlines()) == sorted('%s: %s' % kv for kv in plan.items())

    time.sleep(0.01)  # a rewritten log gets a later mtime
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (len(want), 27 - len(want), 0, 0, ''), show(p)
    assert set(started(p)) == want
    after_logs = log_stamps(stack)
    assert set(after_logs) == set(before_logs)
    for name, st in before_logs.items():
        if name in {log_name(a) for a in want}:
            assert after_logs[name] != st, name
        else:
            assert after_logs[name] == st, name
    # The new option reached the package and, through its files, its users.
    assert 'options: --flavour=salty\n' in stack.lib_text('dbottom')
    for r in rdeps:
        assert '#define dbottom_OPTIONS " --flavour=salty"' in stack.lib_text(r)
    after_tree = stack.installed_tree()
    for rel in set(before_tree) | set(after_tree):
        pkg = rel.split('/')[1][:-len('-1.0')]
        if pkg not in changed:
            assert after_tree[rel] == before_tree[rel], rel
    assert ok(mm(minimerge, stack, 'explain', *ALL)).stdout == ''


def test_option_changed_back_restores_from_cache(minimerge, built):
    """The install prefixes of the old options are in the cache: going back
    to them restores the package and its users without building."""
    stack = built
    tree = stack.installed_tree()
    stack.set_options('dbottom', '--flavour=salty')
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p)[:4] == (8, 19, 0, 0), show(p)
    assert stack.installed_tree() != tree
    logs = log_stamps(stack)
    stack.set_options('dbottom', '')
    changed = ['dbottom', 'dleft', 'dright', 'dtop']
    plan = explain_json(minimerge, stack, ALL)
    assert set(plan) == pkg_actions(stack, changed, ('install',)), plan
    assert {r.split(' (')[0] for r in plan.values()} == {'restored from cache'}, plan
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (0, 23, 4, 0, ''), show(p)
    assert stack.installed_tree() == tree
    assert log_stamps(stack) == logs
    assert ok(mm(minimerge, stack, 'explain', *ALL)).stdout == ''


# --- 3. a source change ---

def test_source_change_rebuilds(minimerge, built):
    stack = built
    stack.write_data('c0', 'new data of c0\n')
    p = ok(mm(minimerge, stack, 'explain', *ALL))
    lines = p.stdout.splitlines()
    assert '%s: source changed: 1 file (data.txt)' % stack.action('fetch', 'c0') in lines
    want = pkg_actions(stack, ['c0', 'c1', 'c2']) | {stack.action('fetch', 'c0')}
    assert {line.split(': ')[0] for line in lines} == want
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p)[:4] == (7, 20, 0, 0), show(p)
    assert set(started(p)) == want
    assert 'new data of c0\n' in stack.lib_text('c0')
    assert 'new data of c0\n' in stack.lib_text('c2')
    # A new file is named too.
    with open(os.path.join(stack.source('leaf1'), 'extra.c'), 'w') as f:
        f.write('int x;\n')
    p = ok(mm(minimerge, stack, 'explain', *ALL))
    assert '%s: source changed: 1 file (extra.c)' % stack.action('fetch', 'leaf1') \
        in p.stdout.splitlines()


# --- 4. a deleted or modified prefix comes back from the cache ---

def test_deleted_prefix_is_restored_from_cache(minimerge, built):
    stack = built
    tree = stack.installed_tree()
    logs = log_stamps(stack)
    shutil.rmtree(stack.prefix('dleft'))
    plan = explain_json(minimerge, stack, ALL)
    assert plan == {stack.action('install', 'dleft'): 'restored from cache (output missing)'}
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (0, 26, 1, 0, ''), show(p)
    assert stack.installed_tree() == tree
    assert log_stamps(stack) == logs  # nothing was built or installed

    # A modified file in a prefix: restored too, as it was.
    lib = os.path.join(stack.prefix('c1'), 'lib', 'c1.txt')
    with open(lib, 'a') as f:
        f.write('tampered\n')
    plan = explain_json(minimerge, stack, ALL)
    assert plan == {stack.action('install', 'c1'): 'restored from cache (output modified)'}
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (0, 26, 1, 0, ''), show(p)
    assert stack.installed_tree() == tree
    assert log_stamps(stack) == logs

    # A deleted build directory alone: the install it made is intact, so
    # nothing runs (the build is only an intermediate).
    shutil.rmtree(stack.builddir('dbottom'))
    assert ok(mm(minimerge, stack, 'explain', *ALL)).stdout == ''
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (0, 27, 0, 0, ''), show(p)
    assert not os.path.exists(stack.builddir('dbottom'))
    assert stack.installed_tree() == tree


# --- 5. a corrupt artifact is detected and the package rebuilt ---

def artifacts(stack):
    cas = os.path.join(stack.root, '.minimerge', 'cas')
    return sorted(os.path.join(cas, d, f) for d in os.listdir(cas)
                  for f in os.listdir(os.path.join(cas, d)))


def artifact_names(path):
    """The member names of a (zstd-compressed tar) artifact, or None."""
    if not shutil.which('zstd'):
        return None
    p = subprocess.run(['zstd', '-dcq', path], capture_output=True, timeout=30)
    if p.returncode != 0:
        return None
    return tarfile.open(fileobj=io.BytesIO(p.stdout)).getnames()


def test_corrupt_artifact_is_detected_and_rebuilt(minimerge, built):
    stack = built
    tree = stack.installed_tree()
    arts = artifacts(stack)
    assert len(arts) == 9  # one per install
    mine = [a for a in arts if 'lib/dleft.txt' in (artifact_names(a) or [])]
    if not mine:  # no zstd here: corrupt them all, only dleft's is read
        mine = arts
    assert len(mine) in (1, 9)
    corrupted = {}
    for a in mine:
        with open(a, 'r+b') as f:
            data = bytearray(f.read())
            data[len(data) // 2] ^= 0x40
            f.seek(0)
            f.write(data)
        corrupted[a] = bytes(data)
    # The build directory goes too: the package must be built again.
    shutil.rmtree(stack.prefix('dleft'))
    shutil.rmtree(stack.builddir('dleft'))
    build_log = stamp(stack.log('build', 'dleft'))
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (2, 25, 0, 0, ''), show(p)
    assert stack.action('build', 'dleft') in started(p)
    assert stack.action('install', 'dleft') in started(p)
    assert stamp(stack.log('build', 'dleft')) != build_log
    warned = re.findall(r'^minimerge: warning: artifact ([0-9a-f]{32}) is corrupt; removing it$',
                        p.stderr, re.M)
    assert len(warned) == 1, show(p)
    dleft_art = [a for a in mine if a.endswith('/%s/%s' % (warned[0][:2], warned[0][2:]))]
    assert dleft_art, (warned, mine)
    assert stack.installed_tree() == tree
    # The corrupt artifact is gone and the install stored a new one: under
    # another name (its files have new times), or under the same name, whole
    # again, when the times are the same to the second.
    now = artifacts(stack)
    assert len(now) == 9
    if os.path.exists(dleft_art[0]):
        with open(dleft_art[0], 'rb') as f:
            assert f.read() != corrupted[dleft_art[0]]
    else:
        assert set(arts) - set(now) == {dleft_art[0]}
    shutil.rmtree(stack.prefix('dleft'))
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p) == (0, 26, 1, 0, ''), show(p)
    assert 'corrupt' not in p.stderr
    assert stack.installed_tree() == tree


# --- 6. failures ---

def test_failure_keep_going(minimerge, stack):
    stack.set_options('dleft', '--fail')
    p = mm(minimerge, stack, 'install', '-j2', '-k', '0', *ALL)
    assert p.returncode == 1, show(p)
    ran, skipped, restored, failed, tail = summary(p)
    assert failed == 1 and tail == ', some not run', show(p)
    failing = stack.action('build', 'dleft')
    log = stack.log('build', 'dleft')
    out = p.stdout.splitlines()
    i = out.index('FAILED: %s: ./configure: exit status 1' % failing)
    # Then the end of the action's log, then where the log is.
    j = out.index('log: %s' % log)
    assert j > i
    tail_lines = out[i + 1:j]
    assert tail_lines[0].startswith('$ ./configure --prefix=%s --fail' % stack.prefix('dleft'))
    assert 'configure: error: dleft was told to fail' in tail_lines
    with open(log) as f:
        assert f.read().splitlines()[-len(tail_lines):] == tail_lines
    blocked = {'dleft'} | stack.reverse_deps('dleft')
    assert blocked == {'dleft', 'dtop'}
    for name in stack.packages:
        if name in blocked:
            assert not os.path.exists(stack.prefix(name)), name
        else:
            assert stack.expected_files(name) <= set(stack.installed_tree()), name
    assert stack.action('build', 'dtop') not in started(p)
    assert ran == 3 * (9 - 2) + 1, show(p)  # the others whole, and dleft's fetch

    # Fixed, the rest builds.
    stack.set_options('dleft', '')
    plan = explain_json(minimerge, stack, ALL)
    assert plan[failing].startswith('failed last time'), plan
    want = pkg_actions(stack, ['dleft', 'dtop']) | {stack.action('fetch', 'dtop')}
    assert set(plan) == want, plan
    p = ok(mm(minimerge, stack, 'install', '-j2', '-k', '0', *ALL))
    assert summary(p) == (len(want), 27 - len(want), 0, 0, ''), show(p)
    for name in stack.packages:
        assert stack.expected_files(name) <= set(stack.installed_tree()), name


def test_failure_stops_the_run_by_default(minimerge, tmp_path):
    """-k 1 (the default), -j1 (and no fetch besides: --fetch-jobs 0): after
    the first failure nothing new starts; what was queued behind it,
    unrelated to it, does not run."""
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(5))
    stack.set_options('leaf1', '--fail')
    names = sorted(stack.packages)
    p = mm(minimerge, stack, 'install', '-j1', '--fetch-jobs', '0', *names)
    assert p.returncode == 1, show(p)
    ran, skipped, restored, failed, tail = summary(p)
    assert failed == 1 and tail == ', some not run', show(p)
    out = p.stdout.splitlines()
    i = out.index('FAILED: %s: ./configure: exit status 1' % stack.action('build', 'leaf1'))
    assert not STARTED.search('\n'.join(out[i:])), show(p)
    acts = started(p)
    assert acts[-1] == stack.action('build', 'leaf1')
    assert ran == len(acts) - 1
    not_run = [n for n in names if stack.action('build', n) not in acts]
    assert not_run, show(p)  # something was queued behind the failure
    for n in not_run:
        assert not os.path.exists(stack.log('build', n))
        assert not os.path.exists(stack.builddir(n))
    for n in names:
        assert not os.path.exists(stack.prefix(n))
    # -k 2: the run goes on after the first failure, stops after the second.
    stack.set_options('leaf3', '--fail')
    p = mm(minimerge, stack, 'install', '-j1', '--fetch-jobs', '0', '-k2', *names)
    assert p.returncode == 1, show(p)
    assert summary(p)[3] == 2, show(p)
    out = p.stdout.splitlines()
    # Which of the two fails first depends on the durations recorded by the
    # first run (longest path first): nothing starts after the second.
    fails = [k for k, line in enumerate(out) if line.startswith('FAILED: ')]
    assert sorted(out[k] for k in fails) == [
        'FAILED: %s: ./configure: exit status 1' % stack.action('build', n)
        for n in ('leaf1', 'leaf3')], show(p)
    assert not STARTED.search('\n'.join(out[fails[1]:])), show(p)
    # -k 0 runs everything the failures do not block.
    p = mm(minimerge, stack, 'install', '-j1', '-k0', *names)
    assert p.returncode == 1, show(p)
    assert summary(p)[3] == 2, show(p)
    for n in names:
        assert os.path.exists(stack.prefix(n)) == (n not in ('leaf1', 'leaf3')), n


def test_failure_shows_the_last_30_lines_of_the_log(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.chain(2))
    stack.set_options('c0', '--noise=50 --fail')
    p = mm(minimerge, stack, 'install', '-j2', 'c1')
    assert p.returncode == 1, show(p)
    ran, _, _, failed, tail = summary(p)
    assert (ran, failed, tail) == (1, 1, ', some not run'), show(p)  # c0's fetch ran
    out = p.stdout.splitlines()
    i = out.index('FAILED: %s: ./configure: exit status 1' % stack.action('build', 'c0'))
    j = out.index('log: %s' % stack.log('build', 'c0'))
    with open(stack.log('build', 'c0')) as f:
        log = f.read().splitlines()
    assert len(log) > 50
    assert out[i + 1:j] == log[-30:]
    assert log[-1] == 'configure: error: c0 was told to fail'
    assert not os.path.exists(stack.builddir('c1'))


# --- 7. kill -9 in the middle, then a rerun ---

SLEEPY = '--sleep=0.2'


@pytest.fixture(scope='module')
def clean_sleepy_tree(minimerge, tmp_path_factory):
    """The installed tree of the sleepy mixed stack, built in one go."""
    stack = stackgen.Stack(tmp_path_factory.mktemp('clean') / 'root',
                           stackgen.mixed(options=SLEEPY))
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert summary(p)[:4] == (27, 0, 0, 0), show(p)
    return stack.installed_tree()


def complete(stack, tree):
    for name in stack.packages:
        assert stack.expected_files(name) <= set(tree), name


def test_kill_9_then_rerun(minimerge, tmp_path, clean_sleepy_tree):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.mixed(options=SLEEPY))
    proc = mm_start(minimerge, stack, 'install', '-j2', *ALL)
    try:
        # Some packages done, two configures asleep.
        read_until(proc, r'^\[\d+/\d+\] build dependencies/(c1|dleft|dright)-1.0$')
        time.sleep(0.1)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        clean(proc.communicate(timeout=30)[1])
    assert proc.returncode == -signal.SIGKILL
    # The builds are in their own process groups: they outlive minimerge.
    assert wait_no_pids(stack.root, 20) == []
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    ran, skipped, restored, failed, tail = summary(p)
    assert ran > 0 and failed == 0 and tail == '', show(p)
    assert ran + skipped + restored == 27
    tree = stack.installed_tree()
    complete(stack, tree)
    assert tree == clean_sleepy_tree
    assert ok(mm(minimerge, stack, 'explain', *ALL)).stdout == ''


# --- 8. SIGINT in the middle ---

@pytest.mark.parametrize('sig', [signal.SIGINT, signal.SIGTERM])
def test_interrupt_then_rerun(minimerge, tmp_path, clean_sleepy_tree, sig):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.mixed(options=SLEEPY))
    proc = mm_start(minimerge, stack, 'install', '-j2', *ALL)
    try:
        read_until(proc, r'^\[\d+/\d+\] build dependencies/(c1|dleft|dright)-1.0$')
        time.sleep(0.05)
        assert root_pids(stack.root, but=[proc.pid]), 'nothing was running'
    finally:
        os.kill(proc.pid, sig)
        out, err = proc.communicate(timeout=30)
    clean(err)
    assert proc.returncode == 130, (out, err)
    assert 'minimerge: error: interrupted\n' in err
    assert re.search(r'^minimerge: \d+ ran, \d+ skipped, 0 restored, 0 failed, interrupted in ',
                     out, re.M), out
    assert 'FAILED' not in out
    # Nothing of the run is left: minimerge waited for what it stopped.
    assert root_pids(stack.root) == []
    # What was stopped is not recorded as failed: it is still to run, as new.
    plan = explain_json(minimerge, stack, ALL)
    assert plan and not [r for r in plan.values() if 'failed' in r], plan
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    ran, skipped, restored, failed, tail = summary(p)
    assert ran > 0 and failed == 0 and tail == '', show(p)
    tree = stack.installed_tree()
    complete(stack, tree)
    assert tree == clean_sleepy_tree


# --- 9. the lock ---

def test_second_run_waits_for_the_first(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.mixed(options=SLEEPY))
    first = mm_start(minimerge, stack, 'install', '-j2', *ALL)
    try:
        read_until(first, r'^\[1/')
        second = mm(minimerge, stack, 'install', '-j2', *ALL)
    finally:
        out, err = first.communicate(timeout=30)
    clean(err)
    assert first.returncode == 0, (out, err)
    assert 'waiting' not in err
    assert second.returncode == 0, show(second)
    assert second.stderr == \
        'minimerge: waiting for the minimerge running here (pid %d) to finish\n' % first.pid
    assert summary(second) == (0, 27, 0, 0, ''), show(second)
    complete(stack, stack.installed_tree())


# --- 10. -v, -n, --force ---

def test_verbose_dry_run_force(minimerge, stack):
    # -n: says what would run, runs nothing.
    p = ok(mm(minimerge, stack, 'install', '-n', '-j2', *ALL))
    lines = p.stdout.splitlines()
    assert lines[-1] == 'minimerge: 27 actions would run'
    assert sorted(lines[:-1]) == sorted(pkg_actions(stack, stack.packages,
                                                    ('fetch', 'build', 'install')))
    p = ok(mm(minimerge, stack, 'install', '-n', '--json', *ALL))
    plan = json.loads(p.stdout)
    assert len(plan) == 27 and {e['reason'] for e in plan} == {'new'}
    p = ok(mm(minimerge, stack, 'install', '-n', '--explain', 'c0'))
    lines = p.stdout.splitlines()
    assert lines[-1] == 'minimerge: 3 actions would run'
    assert sorted(lines[:-1]) == sorted(
        'explain: %s: new' % stack.action(k, 'c0') for k in ('fetch', 'build', 'install'))
    assert not os.path.exists(os.path.join(stack.root, '.minimerge', 'logs'))
    assert stack.installed_tree() == {}
    assert not os.path.exists(stack.builddir('c0'))

    # -v: the commands.
    p = ok(mm(minimerge, stack, 'install', '-v', '-j2', *ALL))
    lines = p.stdout.splitlines()
    for name in stack.packages:
        assert './configure --prefix=%s' % stack.prefix(name) in lines, name
    assert lines.count('make') == 9 and lines.count('make install') == 9
    p = ok(mm(minimerge, stack, 'install', '-j2', *ALL))
    assert './configure' not in p.stdout

    # --force: the target's actions run again, with reason forced; nothing
    # else (its output is the same, so c2 is untouched).
    p = ok(mm(minimerge, stack, 'install', '-n', '--json', '--force', 'c1'))
    assert json.loads(p.stdout) == [{'action': stack.action(k, 'c1'), 'reason': 'forced'}
                                    for k in ('fetch', 'build', 'install')]
    logs = log_stamps(stack)
    p = ok(mm(minimerge, stack, 'install', '--force', '--explain', '-j2', 'c1'))
    assert summary(p) == (3, 3, 0, 0, ''), show(p)
    for k in ('fetch', 'build', 'install'):
        assert 'explain: %s: forced' % stack.action(k, 'c1') in p.stdout.splitlines()
    after = log_stamps(stack)
    c0 = log_name(stack.action('build', 'c0'))
    assert after[c0] == logs[c0]
    assert ok(mm(minimerge, stack, 'explain', *ALL)).stdout == ''


# --- 11. on a terminal ---

def test_terminal_status_line_and_colour(minimerge, stack):
    stack.set_options('leaf0', '--fail')
    argv = [minimerge, '-C', stack.root, 'install', '-j2', '-k0', *ALL]
    rc, out, err = run_on_pty(argv, env_for(stack.root, TERM='xterm'), stack.root)
    assert rc == 1, (out, err)
    assert b'\r' in out and b'\x1b[K' in out
    assert b'\x1b[31mFAILED:\x1b[0m %s: ./configure: exit status 1' % \
        stack.action('build', 'leaf0').encode() in out
    # No [n/total] lines: the status line is redrawn in place.
    assert not re.search(rb'\n\[\d+/\d+\] ', out)
    # Under NO_COLOR, no colour.
    rc, out, err = run_on_pty(argv, env_for(stack.root, TERM='xterm', NO_COLOR='1'), stack.root)
    assert rc == 1, (out, err)
    assert b'\x1b[31m' not in out
    assert b'FAILED: %s: ./configure' % stack.action('build', 'leaf0').encode() in out
    assert b'\r' in out and b'\x1b[K' in out
    # A dumb terminal gets the plain lines.
    rc, out, err = run_on_pty(argv, env_for(stack.root, TERM='dumb'), stack.root)
    assert rc == 1, (out, err)
    assert b'\x1b' not in out and re.search(rb'(?m)^\[1/\d+\] build ', out), out
    assert b'\r\nFAILED: %s: ./configure' % stack.action('build', 'leaf0').encode() in out


# --- 12. bad input ---

@pytest.mark.parametrize('key, value, message', [
    ('src_sha256', 'ABC', 'src_sha256 = ABC: not 64 lowercase hexadecimal digits'),
])
def test_unsupported_minibuild_is_an_error(minimerge, stack, key, value, message):
    stack.write_minibuild('dbottom', **{key: value})
    path = stack.minibuild_path('dbottom')
    with open(path) as f:
        line = [i for i, text in enumerate(f.read().splitlines(), 1)
                if text.startswith(key + ' =')]
    assert len(line) == 1
    p = mm(minimerge, stack, 'install', '-j2', *ALL)
    assert p.returncode == 2, show(p)
    assert p.stderr == 'minimerge: %s:%d: error: %s\n' % (path, line[0], message)
    assert p.stdout == ''
    assert stack.installed_tree() == {}
    assert not os.path.exists(os.path.join(stack.root, '.minimerge', 'logs'))
    for name in stack.packages:
        assert not os.path.exists(stack.builddir(name))
    # explain and -n say the same.
    for args in (['explain'], ['install', '-n']):
        q = mm(minimerge, stack, *args, *ALL)
        assert q.returncode == 2 and q.stderr == p.stderr, show(q)
    # A package that does not need it still builds alone.
    p = ok(mm(minimerge, stack, 'install', 'c2'))
    assert summary(p)[:4] == (9, 0, 0, 0)


@pytest.mark.parametrize('args, message', [
    (['-j', '0'], '-j needs a number of at least 1'),
    (['-k', 'x'], "-k needs a number of at least 0, not 'x'"),
    (['--json'], 'install: --json goes with -p or -n'),
])
def test_bad_options(minimerge, stack, args, message):
    p = mm(minimerge, stack, 'install', *args, 'c0')
    assert p.returncode == 2, show(p)
    assert message in p.stderr and p.stdout == ''
    assert not os.path.exists(os.path.join(stack.root, '.minimerge'))


# --- many builds at once ---

def test_parallel_builds_never_fail_with_text_file_busy(minimerge, tmp_path):
    """Each build copies its source tree, writing ./configure, while other
    workers spawn commands: a child spawned while a copy's file is open for
    writing holds that descriptor until its exec, and an exec of the copied
    ./configure in that window fails with ETXTBSY.  Many small builds at
    once make the window likely; none may fail."""
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(24), configure_padding=1 << 20)
    names = sorted(stack.packages)
    for force in ([], ['--force'], ['--force']):
        p = mm(minimerge, stack, 'install', '-j24', '-k0', *force, *names)
        busy = [line for line in p.stdout.splitlines() if line.startswith('FAILED:')]
        assert busy == [], show(p)
        ok(p)
        assert summary(p) == (72, 0, 0, 0, ''), show(p)
