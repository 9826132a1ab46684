"""`minimerge config` against zc.buildout 2.13.2 (the oracle).

For every case of tests/fixtures/config/ (see tests/oracle/corpus.py for the
layout) both tools run in the same environment (PATH=/usr/bin:/bin, an empty
HOME, BUILDOUT_HOME when the case has home/, else -U):

* oracle succeeds -> minimerge exits 0 and `config --json` prints the same
  JSON, exactly;
* oracle fails    -> minimerge exits 2, its stderr starts with `minimerge: `,
  contains ` error: `, and both messages classify to the same kind;
* expect.json     -> a known divergence from 2.13.2: minimerge gives
  expect.json's values, the oracle gives something else, and everything not
  named in expect.json still agrees.

`config --annotate` is compared with `buildout annotate` for every success
case without home/ or args (ANNOTATE_DIVERGENT asserts the known differences).
"""

import json
import re

import pytest

import corpus
from errkind import classify

CASES = corpus.cases()

# Success cases where `buildout annotate` (2.13.2) and minimerge differ on
# purpose: each lists (reason, [(buildout's lines, minimerge's lines)]).  The
# test asserts buildout prints its lines, and that putting minimerge's lines
# in their place gives exactly minimerge's output: the divergence is checked,
# and everything around it must still agree.
ANNOTATE_DIVERGENT = {
    '190-divergence-add-without-prior': (
        '2.13.2 records "\\na" for += without a prior value; minimerge "a"',
        [('\nx= \na\n', '\nx= a\n'), ('\ny= \nb\n', '\ny= b\n')]),
    '191-divergence-single-file-add': (
        '2.13.2 keeps the raw key "y +"; minimerge applies it',
        [('y += 1\n    buildout.cfg\n', 'y= 1\n+=  buildout.cfg\n')]),
    '192-divergence-repeated-add': (
        '2.13.2 lets the last += overwrite the earlier one and loses the '
        'source; minimerge accumulates them',
        [('l= o\nd\n    base.cfg\n',
          'l= o\nc\nd\n    buildout.cfg\n+=  buildout.cfg\n')]),
    '103-macro-add-remove': (
        '[p] is in one file only, so 2.13.2 keeps the raw keys "eggs +" and '
        '"list -"; minimerge shows them as += and -= waiting for the macro',
        [('eggs += b\n    buildout.cfg\nlist -= two\n    buildout.cfg\n',
          'eggs= b\n+=  buildout.cfg\nlist=\n-=  buildout.cfg\n')]),
    '052-add-in-same-file-as-base-value': (
        'a file that both sets and extends x: 2.13.2 credits the file below '
        '(its history drops an override whose last step is +=); minimerge '
        'names the file that did it',
        [('more\n    base.cfg\n', 'more\n    buildout.cfg\n+=  buildout.cfg\n')]),
}


def _show(v):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 120 else s[:117] + '...'


def json_diff(oracle, mm):
    """Human-readable differences between two {section: {option: value}}."""
    lines = []
    for sec in sorted(set(oracle) | set(mm)):
        if sec not in mm:
            lines.append('[%s] missing in minimerge (oracle: %s)'
                         % (sec, _show(oracle[sec])))
            continue
        if sec not in oracle:
            lines.append('[%s] extra in minimerge: %s' % (sec, _show(mm[sec])))
            continue
        a, b = oracle[sec], mm[sec]
        if not isinstance(a, dict) or not isinstance(b, dict):
            if a != b:
                lines.append('[%s] oracle %s != minimerge %s'
                             % (sec, _show(a), _show(b)))
            continue
        for opt in sorted(set(a) | set(b)):
            if opt not in b:
                lines.append('%s:%s missing in minimerge (oracle %s)'
                             % (sec, opt, _show(a[opt])))
            elif opt not in a:
                lines.append('%s:%s extra in minimerge: %s'
                             % (sec, opt, _show(b[opt])))
            elif a[opt] != b[opt]:
                lines.append('%s:%s oracle %s != minimerge %s'
                             % (sec, opt, _show(a[opt]), _show(b[opt])))
    return lines


def _minimerge_json(p):
    assert p.returncode == 0, (
        'minimerge exited %d, oracle succeeded; stderr:\n%s'
        % (p.returncode, p.stderr))
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        pytest.fail('minimerge printed invalid JSON (%s):\n%s' % (e, p.stdout))


def _without(data, expect):
    """DATA minus the options named in EXPECT (a deep copy)."""
    out = {s: dict(o) for s, o in data.items()}
    for sec, opts in expect.items():
        for opt in opts:
            out.get(sec, {}).pop(opt, None)
    return out


@pytest.mark.parametrize('case', CASES, ids=str)
def test_config_json(case, oracle, run_minimerge):
    orc_rc, orc, _ = oracle(case)
    p = run_minimerge(case)

    if case.expect is not None:
        assert orc_rc == 0, 'oracle failed on a divergence case: %s' % orc
        mm = _minimerge_json(p)
        wrong, same = [], []
        for sec, opts in case.expect.items():
            for opt, want in opts.items():
                got = mm.get(sec, {}).get(opt)
                if got != want:
                    wrong.append('%s:%s want %s, minimerge %s'
                                 % (sec, opt, _show(want), _show(got)))
                if orc.get(sec, {}).get(opt) == want:
                    same.append('%s:%s' % (sec, opt))
        assert not wrong, 'minimerge differs from expect.json:\n' + '\n'.join(wrong)
        assert len(same) < sum(len(o) for o in case.expect.values()), (
            'the oracle agrees with expect.json on every option (%s): '
            'the divergence is gone, fix the case' % ', '.join(same))
        rest = json_diff(_without(orc, case.expect), _without(mm, case.expect))
        assert not rest, ('outside expect.json, minimerge differs from the '
                          'oracle:\n' + '\n'.join(rest))
        return

    _assert_same_result(orc_rc, orc, p)


def _assert_same_result(orc_rc, orc, p):
    """Minimerge's process P agrees with the oracle's (ORC_RC, ORC)."""
    if orc_rc == 0:
        mm = _minimerge_json(p)
        diff = json_diff(orc, mm)
        assert not diff, 'minimerge != oracle:\n' + '\n'.join(diff)
        assert mm == orc
        return

    want = orc['error']
    assert want != 'unknown', 'oracle error not classified: %r' % orc['message']
    assert p.returncode == 2, (
        'oracle fails with %s (%r); minimerge exited %d\nstdout:\n%s\nstderr:\n%s'
        % (want, orc['message'], p.returncode, p.stdout, p.stderr))
    assert p.stderr.startswith('minimerge: '), p.stderr
    assert ' error: ' in p.stderr, p.stderr
    got = classify(p.stderr)
    assert got == want, ('oracle error %s (%r), minimerge error %s:\n%s'
                         % (want, orc['message'], got, p.stderr))


def _annotate_cases():
    # Success cases: test_corpus_case_is_what_its_name_says checks that
    # exactly the cases named NNN-error-... fail under the oracle.
    return [c for c in CASES
            if not c.home and not c.args and '-error-' not in c.name]


@pytest.mark.parametrize('case', _annotate_cases(), ids=str)
def test_config_annotate(case, oracle, run_minimerge):
    orc_rc, want, _ = oracle(case, annotate=True)
    assert orc_rc == 0, 'oracle annotate failed: %s' % want
    p = run_minimerge(case, annotate=True)
    assert p.returncode == 0, p.stderr
    if case.name in ANNOTATE_DIVERGENT:
        reason, blocks = ANNOTATE_DIVERGENT[case.name]
        for theirs, ours in blocks:
            assert theirs in want, 'buildout no longer prints %r (%s)' % (theirs, reason)
            want = want.replace(theirs, ours)
    if p.stdout != want:
        import difflib
        diff = '\n'.join(difflib.unified_diff(
            want.splitlines(), p.stdout.splitlines(),
            'buildout annotate', 'minimerge config --annotate', lineterm=''))
        pytest.fail('annotate output differs:\n' + diff)


def test_annotate_divergences_exist():
    names = {c.name for c in CASES}
    assert not set(ANNOTATE_DIVERGENT) - names


# --- how the config file and the user defaults are found ---------------------

def _both(minimerge, args, env, cwd, mm_args=None):
    """Run the oracle with ARGS and minimerge `config --json` with MM_ARGS
    (default ARGS) in ENV and CWD; assert they agree; return the oracle's
    result."""
    o = corpus.run([corpus.ORACLE_PYTHON, corpus.ORACLE] + args, env, cwd)
    assert o.returncode in (0, 1), o.stderr
    orc = json.loads(o.stdout)
    p = corpus.run([minimerge, 'config', '--json'] +
                   (args if mm_args is None else mm_args), env, cwd)
    _assert_same_result(o.returncode, orc, p)
    return o.returncode, orc


def _env(home_dir, **extra):
    env = {'PATH': corpus.TEST_PATH, 'HOME': home_dir, 'LC_ALL': 'C.UTF-8'}
    env.update(extra)
    return env


def test_relative_config_path(minimerge, home_dir):
    """`-c` relative to the cwd; `directory` is its normalized absolute
    directory, and extends stay relative to the extending file."""
    case = corpus.Case('033-extends-subdir-relative')
    rc, orc = _both(minimerge, ['-U', '-c', 'sub/../buildout.cfg'],
                    _env(home_dir), case.dir)
    assert rc == 0 and orc['buildout']['directory'] == case.dir


def test_default_config_file(minimerge, home_dir):
    """Without -c, ./buildout.cfg is read (as `buildout` does)."""
    case = corpus.Case('065-subst-buildout-directories')
    rc, orc = _both(minimerge, ['-U', '-c', 'buildout.cfg'], _env(home_dir),
                    case.dir, mm_args=['-U'])
    assert rc == 0


def test_symlinked_config_is_not_resolved(minimerge, home_dir, tmp_path):
    """buildout makes the config path absolute without resolving links:
    `directory` is the directory of the link."""
    case = corpus.Case('065-subst-buildout-directories')
    link = tmp_path / 'buildout.cfg'
    link.symlink_to(case.cfg)
    rc, orc = _both(minimerge, ['-U', '-c', str(link)], _env(home_dir), '/')
    assert rc == 0 and orc['buildout']['directory'] == str(tmp_path)


def test_user_defaults_from_home(minimerge, tmp_path):
    """Without -U and without BUILDOUT_HOME, ~/.buildout/default.cfg is read."""
    home = tmp_path / 'home'
    (home / '.buildout').mkdir(parents=True)
    (home / '.buildout' / 'default.cfg').write_text(
        '[buildout]\nnewest = false\neggs-directory = eggs-cache\n\n'
        '[extra]\nx = from ~/.buildout\n')
    case = corpus.Case('140-home-defaults')
    rc, orc = _both(minimerge, ['-c', case.cfg], _env(str(home)), str(tmp_path))
    assert rc == 0 and orc['p']['x'] == 'from ~/.buildout'


def test_dash_U_ignores_user_defaults(minimerge, home_dir):
    """-U skips $BUILDOUT_HOME/default.cfg: the case's ${extra:x} is then
    undefined."""
    case = corpus.Case('140-home-defaults')
    rc, orc = _both(minimerge, ['-U', '-c', case.cfg],
                    _env(home_dir, BUILDOUT_HOME=case.home), home_dir)
    assert rc == 1 and orc['error'] == 'missing-section'


# --- the corpus itself, checked against the oracle alone -------------------

@pytest.mark.parametrize('case', CASES, ids=str)
def test_corpus_case_is_what_its_name_says(case, oracle):
    """Error cases are named `NNN-error-...` and fail with a known kind;
    every other case succeeds under the oracle."""
    rc, out, _ = oracle(case)
    if '-error-' in case.name:
        assert rc == 1, 'expected an error, oracle gave %s' % out
        assert out['error'] != 'unknown', out
    else:
        assert rc == 0, 'oracle failed: %s' % out


def test_corpus_is_large_enough():
    assert len(CASES) >= 70


# --- error classification ---------------------------------------------------

@pytest.mark.parametrize('text,kind', [
    ("minimerge: a.cfg:3: error: The referenced section, 'nosuch', was not defined.",
     'missing-section'),
    ('minimerge: a.cfg:3: error: Referenced option does not exist: buildout nosuch',
     'missing-option'),
    ('minimerge: a.cfg:3: error: Circular reference in substitutions.', 'circular'),
    ("minimerge: a.cfg:3: error: The substitution, ${parts}, doesn't contain a colon.",
     'bad-substitution'),
    ('minimerge: a.cfg:3: error: The substitution, ${a:b:c}, has too many colons.',
     'bad-substitution'),
    ('minimerge: a.cfg:3: error: The section name in substitution, ${x}, has '
     'invalid characters.', 'bad-substitution'),
    ('minimerge: a.cfg:3: error: The option name in substitution, ${a:b/c}, has '
     'invalid characters.', 'bad-substitution'),
    ("minimerge: a.cfg:3: error: Infinite extending loop 'a'", 'macro-loop'),
    ("minimerge: a.cfg:3: error: No section named 'nosuch'", 'macro-missing'),
    ("minimerge: a.cfg:1: error: Recursive file include ['/x/a.cfg'] /x/a.cfg",
     'extends-cycle'),
    ("minimerge: error: Couldn't open /x/buildout.cfg", 'missing-file'),
    ('minimerge: a.cfg:2: error: /x/nosuch.cfg: No such file or directory',
     'missing-file'),
    ('minimerge: a.cfg:2: error: No-longer supported "extended-by" option found '
     'in /x/a.cfg.', 'extended-by'),
    ("minimerge: a.cfg:2: error: Invalid value for 'offline' option: 'yes'",
     'bad-option-value'),
    ('minimerge: a.cfg:2: error: Invalid logging level LOUD', 'bad-log-level'),
    ("minimerge: a.cfg:5: error: File contains parsing errors: a.cfg\n"
     "\t[line  5]: 'name: value\\n'", 'parse'),
    ('minimerge: a.cfg:1: error: File contains no section headers.', 'parse'),
    ("minimerge: a.cfg:4: error: unknown name 'nosuchname' in section condition",
     'condition'),
    ("name 'nosuchname' is not defined", 'condition'),
    ("The substitution, ${parts},\ndoesn't contain a colon.", 'bad-substitution'),
    ('something else entirely', 'unknown'),
])
def test_classify(text, kind):
    assert classify(text) == kind


# --- command line -------------------------------------------------------------

def _run(minimerge, args, home_dir):
    return corpus.run([minimerge] + args,
                      {'PATH': corpus.TEST_PATH, 'HOME': home_dir},
                      cwd=home_dir)


def test_version(minimerge, home_dir):
    p = _run(minimerge, ['--version'], home_dir)
    assert p.returncode == 0, p.stderr
    assert re.match(r'minimerge \S+', p.stdout), p.stdout


@pytest.mark.parametrize('args', [['--help'], ['config', '--help']],
                         ids=['help', 'config-help'])
def test_help(minimerge, home_dir, args):
    p = _run(minimerge, args, home_dir)
    assert p.returncode == 0, p.stderr
    assert 'config' in p.stdout, p.stdout


@pytest.mark.parametrize('args', [
    ['no-such-command'],
    ['--no-such-option'],
    ['config', '--no-such-option'],
], ids=['unknown-command', 'unknown-option', 'config-unknown-option'])
def test_bad_usage(minimerge, home_dir, args):
    p = _run(minimerge, args, home_dir)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert 'minimerge: error:' in p.stderr, p.stderr


def test_missing_config_file(minimerge, home_dir):
    missing = home_dir + '/no-such-dir/nosuch.cfg'
    p = _run(minimerge, ['config', '--json', '-U', '-c', missing], home_dir)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert p.stderr.startswith('minimerge: '), p.stderr
    assert missing in p.stderr, p.stderr
    assert classify(p.stderr) == 'missing-file', p.stderr
