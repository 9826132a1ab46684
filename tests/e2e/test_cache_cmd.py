"""minimerge cache (stats, verify, gc, clear), graph --actions and --trace,
and the bundled demo (examples/run-demo, what `ninja demo` runs)."""

import glob
import json
import os
import subprocess

import stackgen
from conftest import REPO


def mm(minimerge, root, *args):
    return subprocess.run([minimerge, '-C', root] + list(args), capture_output=True,
                          text=True, timeout=120)


def built(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.mixed())
    r = mm(minimerge, stack.root, 'install', '-j2', *sorted(stack.packages))
    assert r.returncode == 0, r.stdout + r.stderr
    return stack


def artifacts(stack):
    return sorted(p for p in glob.glob(os.path.join(stack.root, '.minimerge', 'cas', '??', '*')))


def test_stats_counts_what_a_run_stored(minimerge, tmp_path):
    stack = built(minimerge, tmp_path)
    r = mm(minimerge, stack.root, 'cache', 'stats', '--json')
    assert r.returncode == 0, r.stderr
    stats = json.loads(r.stdout)
    n = len(stack.packages)
    assert stats['artifacts'] == n == len(artifacts(stack))
    assert stats['artifact_bytes'] == sum(os.path.getsize(p) for p in artifacts(stack))
    assert stats['action_cache'] == n
    assert stats['records'] == 3 * n
    text = mm(minimerge, stack.root, 'cache', 'stats').stdout
    assert 'artifacts        %d (' % n in text


def test_verify_drops_a_corrupt_artifact_and_the_next_run_rebuilds(minimerge, tmp_path):
    stack = built(minimerge, tmp_path)
    victim = artifacts(stack)[0]
    os.chmod(victim, 0o644)
    with open(victim, 'r+b') as f:
        f.seek(10)
        byte = f.read(1)
        f.seek(10)
        f.write(bytes([byte[0] ^ 0xff]))
    r = mm(minimerge, stack.root, 'cache', 'verify')
    assert r.returncode == 0, r.stderr
    n = len(stack.packages)
    assert '%d artifacts checked, 1 corrupt or missing (dropped)' % n in r.stdout
    assert os.path.basename(os.path.dirname(victim)) + os.path.basename(victim) in r.stderr
    assert not os.path.exists(victim)
    assert len(artifacts(stack)) == n - 1
    stats = json.loads(mm(minimerge, stack.root, 'cache', 'stats', '--json').stdout)
    assert stats['artifacts'] == n - 1 and stats['action_cache'] == n - 1
    # With every prefix gone, n - 1 are restored and one package is rebuilt.
    for name in stack.packages:
        subprocess.run(['rm', '-rf', stack.prefix(name)], check=True)
    r = mm(minimerge, stack.root, 'install', '-j2', *sorted(stack.packages))
    assert r.returncode == 0, r.stdout + r.stderr
    assert '%d restored' % (n - 1) in r.stdout
    assert '1 ran' in r.stdout  # its install: its build directory is intact


def test_gc_keeps_the_most_recently_used_within_the_limit(minimerge, tmp_path):
    stack = built(minimerge, tmp_path)
    sizes = {p: os.path.getsize(p) for p in artifacts(stack)}
    # Restoring one makes it the most recently used.
    leaf = 'leaf0'
    subprocess.run(['rm', '-rf', stack.prefix(leaf)], check=True)
    assert mm(minimerge, stack.root, 'install', stack.full(leaf)).returncode == 0
    stats = json.loads(mm(minimerge, stack.root, 'cache', 'stats', '--json').stdout)
    assert stats['artifacts'] == len(sizes)
    biggest = max(sizes.values())
    r = mm(minimerge, stack.root, 'cache', 'gc', '--max-size', str(biggest))
    assert r.returncode == 0, r.stderr
    left = artifacts(stack)
    assert len(left) == 1 and sum(os.path.getsize(p) for p in left) <= biggest
    assert '%d artifacts removed' % (len(sizes) - 1) in r.stdout
    # The survivor is the leaf's: deleting its prefix restores it.
    subprocess.run(['rm', '-rf', stack.prefix(leaf)], check=True)
    r = mm(minimerge, stack.root, 'install', stack.full(leaf))
    assert '1 restored' in r.stdout, r.stdout


def test_gc_size_suffixes_and_bad_sizes(minimerge, tmp_path):
    stack = built(minimerge, tmp_path)
    n = len(artifacts(stack))
    assert '0 artifacts removed' in mm(minimerge, stack.root, 'cache', 'gc', '--max-size', '1G').stdout
    assert '0 artifacts removed' in mm(minimerge, stack.root, 'cache', 'gc').stdout
    assert len(artifacts(stack)) == n
    for bad in ('lots', '5X', '-1', ''):
        r = mm(minimerge, stack.root, 'cache', 'gc', '--max-size', bad)
        assert r.returncode == 2 and '--max-size needs a size' in r.stderr, (bad, r.stderr)
    r = mm(minimerge, stack.root, 'cache', 'frobnicate')
    assert r.returncode == 2 and "unknown subcommand 'frobnicate'" in r.stderr


def test_clear_drops_artifacts_but_intact_installs_stay_skipped(minimerge, tmp_path):
    stack = built(minimerge, tmp_path)
    r = mm(minimerge, stack.root, 'cache', 'clear')
    assert r.returncode == 0 and 'cache cleared' in r.stdout
    assert artifacts(stack) == []
    stats = json.loads(mm(minimerge, stack.root, 'cache', 'stats', '--json').stdout)
    assert stats['artifacts'] == 0 and stats['action_cache'] == 0
    assert stats['records'] == 3 * len(stack.packages)
    r = mm(minimerge, stack.root, 'install', *sorted(stack.packages))
    assert '0 ran' in r.stdout and '0 restored' in r.stdout, r.stdout
    # Without an artifact, a lost prefix is rebuilt.
    subprocess.run(['rm', '-rf', stack.prefix('leaf1')], check=True)
    r = mm(minimerge, stack.root, 'install', stack.full('leaf1'))
    assert '1 ran' in r.stdout and '0 restored' in r.stdout, r.stdout  # install: the build dir is intact


def test_graph_actions_text_json_dot(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.chain(2))
    top = stack.full('c1')
    lines = mm(minimerge, stack.root, 'graph', '--actions', top).stdout.splitlines()
    assert lines == [
        '%s:' % stack.action('fetch', 'c0'),
        '%s: %s' % (stack.action('build', 'c0'), stack.action('fetch', 'c0')),
        '%s: %s' % (stack.action('install', 'c0'), stack.action('build', 'c0')),
        '%s:' % stack.action('fetch', 'c1'),
        '%s: %s %s' % (stack.action('build', 'c1'), stack.action('fetch', 'c1'),
                       stack.action('install', 'c0')),
        '%s: %s' % (stack.action('install', 'c1'), stack.action('build', 'c1')),
    ]
    doc = json.loads(mm(minimerge, stack.root, 'graph', '--actions', '--json', top).stdout)
    assert [a['action'] for a in doc][-1] == stack.action('install', 'c1')
    assert {a['kind'] for a in doc} == {'fetch', 'build', 'install'}
    dot = mm(minimerge, stack.root, 'graph', '--actions', '--dot', top).stdout
    assert dot.startswith('digraph actions {')
    assert '"%s" -> "%s";' % (stack.action('build', 'c1'), stack.action('install', 'c0')) in dot
    r = mm(minimerge, stack.root, 'graph', '--actions', '--tree', top)
    assert r.returncode == 2


def test_trace_is_the_last_run_as_chrome_trace(minimerge, tmp_path):
    stack = built(minimerge, tmp_path)
    names = sorted(stack.packages)
    trace = tmp_path / 'trace.json'
    r = mm(minimerge, stack.root, 'graph', '--trace', str(trace), *names)
    assert r.returncode == 0, r.stderr
    events = json.loads(trace.read_text())['traceEvents']
    assert len(events) == 3 * len(names)
    # A row per worker: -j2, and the 4 of --fetch-jobs for the fetches.
    assert all(e['ph'] == 'X' and e['pid'] == 1 and 1 <= e['tid'] <= 6 for e in events)
    assert all(e['tid'] <= 2 for e in events if not e['name'].startswith('fetch '))
    assert min(e['ts'] for e in events) == 0
    by = {e['name']: e for e in events}
    for name in names:
        b, i = by[stack.action('build', name)], by[stack.action('install', name)]
        assert b['ts'] + b['dur'] <= i['ts'] + 1  # the install started after its build
    # After a run that re-ran one package, the trace holds that run only.
    stack.set_options('leaf0', '--changed')
    assert mm(minimerge, stack.root, 'install', *names).returncode == 0
    doc = json.loads(mm(minimerge, stack.root, 'graph', '--trace', '-', *names).stdout)
    assert sorted(e['name'] for e in doc['traceEvents']) == sorted(
        [stack.action('build', 'leaf0'), stack.action('install', 'leaf0')])


def test_the_demo_builds_skips_and_explains(tmp_path):
    minimerge = os.environ.get('MINIMERGE', os.path.join(REPO, 'build', 'minimerge'))
    work = tmp_path / 'demo'
    r = subprocess.run([os.path.join(REPO, 'examples', 'run-demo'), minimerge, str(work)],
                       capture_output=True, text=True, timeout=300, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert 'minimerge: 12 ran, 0 skipped, 0 restored, 0 failed' in out
    assert 'Hello, world!!! (from "Hello, world": 3 exclamation marks counted)' in out
    assert 'minimerge: 0 ran, 12 skipped, 0 restored, 0 failed' in out
    assert ('build dependencies/libshout-1.2: option configure_options changed '
            '(--with-exclamations=3 -> --with-exclamations=5)') in out
    assert 'minimerge: 4 ran, 8 skipped, 0 restored, 0 failed' in out
    assert 'Hello, world!!!!! (from "Hello, world": 5 exclamation marks counted)' in out
    # Nothing was written into the checkout: the run works in a copy.
    status = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all',
                             '--ignored', 'examples'], cwd=REPO, capture_output=True,
                            text=True).stdout
    assert [line for line in status.splitlines() if line[:2] in ('??', '!!')] == []


def test_commands_that_read_make_nothing_where_nothing_ran(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    for sub in ('stats', 'verify', 'gc', 'clear'):
        r = mm(minimerge, stack.root, 'cache', sub)
        assert r.returncode == 0, r.stderr
        assert r.stdout == 'minimerge: no cache in %s yet\n' % stack.root
    stats = json.loads(mm(minimerge, stack.root, 'cache', 'stats', '--json').stdout)
    assert stats["artifacts"] == 0 and stats["records"] == 0 and stats["tree_snapshots"] == 0
    r = mm(minimerge, stack.root, 'graph', '--trace', '-', stack.full('leaf0'))
    assert r.returncode == 1
    assert r.stderr == 'minimerge: error: graph --trace: nothing has run in %s yet\n' % stack.root
    assert not os.path.exists(os.path.join(stack.root, '.minimerge'))
