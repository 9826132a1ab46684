"""The config corpus (tests/fixtures/config/) and how to run a case.

Shared by tests/e2e/test_config_oracle.py and by a person checking the
corpus against the oracle alone:

    /usr/bin/python3 tests/oracle/corpus.py [CASE...]

prints, per case, the oracle's result (kind for errors, JSON otherwise).

A case is a directory `tests/fixtures/config/<NNN-name>/` holding:

  buildout.cfg   the config (plus any files it extends, sub-dirs allowed)
  args           optional: one command-line assignment per line
                 (`sec:opt=value`, `opt=value`, `sec:opt+=v`); a line is
                 passed as one argument, unchanged but for its newline
  flags          optional: flags, whitespace separated (e.g. `-o`)
  home/          optional: a BUILDOUT_HOME with default.cfg; both tools then
                 run without -U and with BUILDOUT_HOME set to it (otherwise
                 always with -U)
  expect.json    optional: a known divergence between zc.buildout 2.13.2 and
                 minimerge: {section: {option: value}} that minimerge must
                 give (null = option absent) and the oracle does not
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(REPO, 'tests', 'fixtures', 'config')
ORACLE = os.path.join(HERE, 'buildout_oracle.py')
# Debian's interpreter: the only one that can import zc.buildout here.
ORACLE_PYTHON = '/usr/bin/python3'
# Both tools see this PATH, so minimerge's default `executable` (the first
# python3 on PATH) equals the oracle's sys.executable.
TEST_PATH = '/usr/bin:/bin'


class Case:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(CORPUS, name)
        self.cfg = os.path.join(self.dir, 'buildout.cfg')
        self.args = self._lines('args')
        flags = self._read('flags')
        self.flags = flags.split() if flags else []
        home = os.path.join(self.dir, 'home')
        self.home = home if os.path.isdir(home) else None
        expect = self._read('expect.json')
        self.expect = json.loads(expect) if expect is not None else None

    def _read(self, fname):
        p = os.path.join(self.dir, fname)
        if not os.path.exists(p):
            return None
        with open(p, encoding='utf-8') as f:
            return f.read()

    def _lines(self, fname):
        text = self._read(fname)
        if text is None:
            return []
        return [line for line in text.split('\n') if line != '']

    @property
    def user_flag(self):
        """['-U'] unless the case brings its own BUILDOUT_HOME."""
        return [] if self.home else ['-U']

    def env(self, home_dir):
        """The environment both tools run in; HOME_DIR is an empty dir."""
        env = {'PATH': TEST_PATH, 'HOME': home_dir, 'LC_ALL': 'C.UTF-8'}
        if self.home:
            env['BUILDOUT_HOME'] = self.home
        return env

    def oracle_argv(self, annotate=False):
        argv = [ORACLE_PYTHON, ORACLE] + self.user_flag + self.flags
        if annotate:
            argv.append('--annotate')
        return argv + ['-c', self.cfg] + self.args

    def minimerge_argv(self, binary, annotate=False):
        argv = [binary, 'config', '--annotate' if annotate else '--json']
        return argv + self.user_flag + self.flags + ['-c', self.cfg] + self.args

    def __repr__(self):
        return self.name


def cases():
    return [Case(n) for n in sorted(os.listdir(CORPUS))
            if os.path.isfile(os.path.join(CORPUS, n, 'buildout.cfg'))]


def run(argv, env, cwd=None):
    return subprocess.run(argv, env=env, cwd=cwd or '/', capture_output=True,
                          text=True, timeout=60)


def run_oracle(case, home_dir, annotate=False):
    """(returncode, parsed JSON or annotate text, stderr) of the oracle."""
    p = run(case.oracle_argv(annotate), case.env(home_dir), cwd=home_dir)
    if p.returncode not in (0, 1):
        raise RuntimeError('oracle crashed on %s (%d):\n%s%s'
                           % (case.name, p.returncode, p.stdout, p.stderr))
    if annotate and p.returncode == 0:
        return p.returncode, p.stdout, p.stderr
    return p.returncode, json.loads(p.stdout), p.stderr


def _main(names):
    import tempfile
    selected = [c for c in cases() if not names or c.name in names]
    with tempfile.TemporaryDirectory() as home:
        for case in selected:
            rc, out, _ = run_oracle(case, home)
            if rc:
                print('%-50s ERROR %-16s %s' % (
                    case.name, out['error'],
                    out['message'].replace('\n', '\\n')[:100]))
            else:
                print('%-50s OK' % case.name)
                if names:
                    print(json.dumps(out, indent=1, sort_keys=True,
                                     ensure_ascii=False))


if __name__ == '__main__':
    _main(sys.argv[1:])
