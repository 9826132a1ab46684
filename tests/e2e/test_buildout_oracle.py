"""`minimerge buildout` against a real zc.buildout 2.13.2 install.

For every case of tests/fixtures/buildout/ (multi-part configs whose parts
all use `recipe = noop.recipe`), in a copy of the case at one path:

1. the oracle, tests/oracle/buildout_install.py, runs a real
   `buildout -U -o` (the `noop.recipe` egg in an eggs directory given on
   the command line) and reports the parts buildout installed, each with
   the options it saved in `.installed.cfg`;
2. the copy is made again, fresh, at the same path (so that the absolute
   paths in the options are the same for both tools), and minimerge runs
   `minimerge buildout -U -c CFG [ARGS]` with `MINIMERGE_RECIPE_PATH`
   naming a `noop.recipe/recipe` script, then
   `minimerge buildout -U -c CFG --annotate --json [ASSIGNMENTS]` reports
   what it installed;
3. both name the same set of parts, each with exactly the same options;
   and the recipe script was run once per installed part, phase
   `install`, with those options.

A case is a directory `NNN-name/` holding `buildout.cfg` (plus any file it
extends) and optionally:

  args     one command-line assignment per line (`sec:opt=value`,
           `opt=value`, `sec:opt+=v`), passed unchanged but for the newline
  install  part names, one per line: the run is `... install NAME...`,
           which installs only those parts

Check the corpus against the oracle alone (no minimerge needed):

    /usr/bin/python3 tests/e2e/test_buildout_oracle.py [CASE...]

prints each case's installed parts (and their options with CASE names).
"""

import json
import os
import shutil
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'oracle'))

import corpus  # noqa: E402
import noop_egg  # noqa: E402
from terminal import clean  # noqa: E402

CORPUS = os.path.join(REPO, 'tests', 'fixtures', 'buildout')
ORACLE = os.path.join(REPO, 'tests', 'oracle', 'buildout_install.py')
RECIPE = 'noop.recipe'

# minimerge's external recipe: reads its JSON document, keeps a copy in
# calls/ beside itself (one file per run), creates nothing.
RECIPE_SCRIPT = """\
#!/bin/sh
dir=$(dirname "$0")
f=$(mktemp "$dir/calls/XXXXXXXX") || exit 1
cat > "$f"
echo '[]'
"""


class Case:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(CORPUS, name)
        self.cfg_name = 'buildout.cfg'
        self.args = self._lines('args')
        self.install = self._lines('install')

    def _lines(self, fname):
        p = os.path.join(self.dir, fname)
        if not os.path.exists(p):
            return []
        with open(p, encoding='utf-8') as f:
            return [line for line in f.read().split('\n') if line != '']

    @property
    def command(self):
        """The arguments after `-c CFG`: assignments, then `install NAME...`
        when the case names parts."""
        return self.args + (['install'] + self.install if self.install
                            else [])

    def copy_to(self, workdir):
        """A fresh copy of the case at WORKDIR; returns its buildout.cfg."""
        if os.path.exists(workdir):
            shutil.rmtree(workdir)
        shutil.copytree(self.dir, workdir)
        return os.path.join(workdir, self.cfg_name)

    def __repr__(self):
        return self.name


def cases():
    return [Case(n) for n in sorted(os.listdir(CORPUS))
            if os.path.isfile(os.path.join(CORPUS, n, 'buildout.cfg'))]


def env(home_dir, **extra):
    """What both tools run in (as for the config corpus: corpus.py)."""
    e = {'PATH': corpus.TEST_PATH, 'HOME': home_dir, 'LC_ALL': 'C.UTF-8'}
    e.update(extra)
    return e


def run_oracle(case, workdir, eggs, home_dir):
    """The parts buildout installs for CASE in a fresh copy at WORKDIR:
    [{"name", "options"}] in its install order.  Fails the test (or
    raises, outside pytest) if buildout fails."""
    cfg = case.copy_to(workdir)
    p = corpus.run([corpus.ORACLE_PYTHON, ORACLE, '--eggs', eggs, cfg]
                   + case.command, env(home_dir), home_dir)
    if p.returncode != 0:
        raise AssertionError('zc.buildout failed on %s (exit %d):\n%s%s'
                             % (case.name, p.returncode, p.stdout, p.stderr))
    return json.loads(p.stdout)['parts']


CASES = cases()


@pytest.fixture(scope='session')
def noop_eggs(tmp_path_factory):
    """An eggs directory holding the noop.recipe egg, for the oracle."""
    d = str(tmp_path_factory.mktemp('eggs'))
    noop_egg.create(d)
    return d


@pytest.fixture(scope='session')
def buildout_oracle(tmp_path_factory, noop_eggs, home_dir):
    """buildout_oracle(case) -> (work directory, the oracle's parts),
    cached for the session.  The work directory is the case's own:
    minimerge's run in the same case copies the case there again, so that
    both tools see the same absolute paths."""
    root = tmp_path_factory.mktemp('buildout-cases')
    cache = {}

    def get(case):
        if case.name not in cache:
            work = str(root / case.name)
            cache[case.name] = work, run_oracle(case, work, noop_eggs,
                                                home_dir)
        return cache[case.name]
    return get


@pytest.fixture
def recipe_path(tmp_path):
    """A MINIMERGE_RECIPE_PATH directory with the noop.recipe script; the
    script leaves each JSON document it reads in recipe_path/noop.recipe/
    calls/."""
    d = tmp_path / 'recipes'
    (d / RECIPE / 'calls').mkdir(parents=True)
    script = d / RECIPE / 'recipe'
    script.write_text(RECIPE_SCRIPT)
    script.chmod(0o755)
    return str(d)


def recipe_calls(recipe_dir):
    calls_dir = os.path.join(recipe_dir, RECIPE, 'calls')
    calls = []
    for f in sorted(os.listdir(calls_dir)):
        with open(os.path.join(calls_dir, f), encoding='utf-8') as fh:
            text = fh.read()
        try:
            calls.append(json.loads(text))
        except ValueError as e:
            pytest.fail('the recipe got invalid JSON on stdin (%s):\n%s'
                        % (e, text))
    return calls


def _show(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 120 else s[:117] + '...'


def options_diff(name, want, got):
    lines = []
    for opt in sorted(set(want) | set(got)):
        if opt not in got:
            lines.append('%s:%s missing in minimerge (buildout %s)'
                         % (name, opt, _show(want[opt])))
        elif opt not in want:
            lines.append('%s:%s extra in minimerge: %s'
                         % (name, opt, _show(got[opt])))
        elif want[opt] != got[opt]:
            lines.append('%s:%s buildout %s != minimerge %s'
                         % (name, opt, _show(want[opt]), _show(got[opt])))
    return lines


@pytest.mark.parametrize('case', CASES, ids=str)
def test_installed_parts(case, minimerge, home_dir, buildout_oracle,
                         recipe_path):
    work, want = buildout_oracle(case)

    cfg = case.copy_to(work)
    e = env(home_dir, MINIMERGE_RECIPE_PATH=recipe_path)
    p = corpus.run([minimerge, 'buildout', '-U', '-c', cfg] + case.command,
                   e, work)
    clean(p.stderr)
    assert p.returncode == 0, (
        'minimerge buildout exited %d, zc.buildout succeeded\nstdout:\n%s\n'
        'stderr:\n%s' % (p.returncode, p.stdout, p.stderr))

    p = corpus.run([minimerge, 'buildout', '-U', '-c', cfg, '--annotate',
                    '--json'] + case.args, e, work)
    clean(p.stderr)
    assert p.returncode == 0, p.stderr
    try:
        got = json.loads(p.stdout)['parts']
    except (ValueError, KeyError, TypeError) as ex:
        pytest.fail('minimerge --annotate --json: no {"parts": [...]} (%s):\n'
                    '%s' % (ex, p.stdout))

    got_names = [part['name'] for part in got]
    assert len(got_names) == len(set(got_names)), (
        'a part listed twice by minimerge: %s' % got_names)
    want_names = [part['name'] for part in want]
    assert set(got_names) == set(want_names), (
        'installed parts differ:\n  buildout:  %s\n  minimerge: %s\n'
        '  missing in minimerge: %s\n  extra in minimerge: %s'
        % (' '.join(want_names), ' '.join(got_names),
           ' '.join(sorted(set(want_names) - set(got_names))) or '-',
           ' '.join(sorted(set(got_names) - set(want_names))) or '-'))

    by_name = {part['name']: part for part in got}
    diff = []
    for part in want:
        mine = by_name[part['name']]
        diff += options_diff(part['name'], part['options'], mine['options'])
        if mine.get('recipe') != part['options']['recipe']:
            diff.append('%s: minimerge says recipe %s, buildout %s' % (
                part['name'], _show(mine.get('recipe')),
                _show(part['options']['recipe'])))
    assert not diff, 'minimerge != buildout:\n' + '\n'.join(diff)

    # The recipe ran once per installed part, to install it, and was
    # given the part's options.
    calls = recipe_calls(recipe_path)
    ran = sorted(c.get('name') for c in calls)
    assert ran == sorted(want_names), (
        'the recipe ran for %s; installed parts: %s' % (ran, want_names))
    for c in calls:
        assert c.get('phase') == 'install', c
        part = [w for w in want if w['name'] == c['name']][0]
        assert c.get('options') == part['options'], (
            'the recipe of %s got options:\n%s' % (
                c['name'], '\n'.join(options_diff(
                    c['name'], part['options'], c.get('options') or {}))))
        assert isinstance(c.get('buildout'), dict), c


# --- the corpus itself, checked against the oracle alone -------------------

def _sections_with_recipe(case):
    """Section names with a `recipe` line anywhere in the case's files (a
    rough count: enough to see that a config has several parts)."""
    names, section = set(), None
    for root, _, files in os.walk(case.dir):
        for f in files:
            if not f.endswith('.cfg'):
                continue
            with open(os.path.join(root, f), encoding='utf-8') as fh:
                for line in fh:
                    if line.startswith('['):
                        section = line.strip()[1:-1].split(':')[0].strip()
                    elif line.split('=')[0].strip() in ('recipe', '<'):
                        names.add(section)
    return names


@pytest.mark.parametrize('case', CASES, ids=str)
def test_corpus_case_installs_under_buildout(case, buildout_oracle):
    """Every case installs under zc.buildout, every installed part uses the
    noop recipe, and every config has at least two parts."""
    _, parts = buildout_oracle(case)
    assert parts, 'buildout installed nothing'
    for part in parts:
        assert part['options'].get('recipe') == RECIPE, part
    assert len(_sections_with_recipe(case)) >= 2, case.name


def test_corpus_is_large_enough():
    assert len(CASES) >= 22


def _main(names):
    selected = [c for c in CASES if not names or c.name in names]
    unknown = set(names) - {c.name for c in selected}
    if unknown:
        print('no such case: %s' % ' '.join(sorted(unknown)))
        return 2
    tmp = tempfile.mkdtemp(prefix='buildout-corpus-')
    failed = 0
    try:
        eggs = os.path.join(tmp, 'eggs')
        noop_egg.create(eggs)
        home = os.path.join(tmp, 'home')
        os.mkdir(home)
        for case in selected:
            work = os.path.join(tmp, 'work')
            try:
                parts = run_oracle(case, work, eggs, home)
            except AssertionError as e:
                failed += 1
                print('%-40s FAILED\n%s' % (case.name, e))
                continue
            print('%-40s %s' % (case.name,
                                ' '.join(p['name'] for p in parts)))
            if names:
                text = json.dumps(parts, indent=1, ensure_ascii=False)
                print(text.replace(work, '<dir>'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('%d case(s), %d failed' % (len(selected), failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(_main(sys.argv[1:]))
