"""A buildout directory for the tests of `minimerge buildout`: its files,
its buildout.cfg, minimerge run on it, and what minimerge says it
installed there."""

import json
import os
import subprocess
import textwrap

import pytest

from mmrun import env_for
from terminal import clean

MINIMERGE = os.environ.get('MINIMERGE', os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    'build', 'minimerge'))


class Buildout:
    def __init__(self, path):
        self.dir = str(path)
        self.env = env_for(self.dir, NO_COLOR='1')
        self.env.pop('MINIMERGE_RECIPE_PATH', None)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def write(self, name, text, mode=None):
        """Writes text to name (its directories made); returns its path."""
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as f:
            f.write(text)
        if mode is not None:
            os.chmod(p, mode)
        return p

    def cfg(self, text):
        return self.write('buildout.cfg', textwrap.dedent(text).lstrip('\n'))

    def one_part(self, name, recipe, buildout='', **options):
        """Writes a buildout.cfg of the one part name; returns its path.
        Line 1 is [buildout], 2 parts = name, then buildout's lines, a
        blank line, [name] (line 4 without buildout's lines), recipe =
        recipe (5), then the options in order (from 6), each _ in their
        names written -, a value's further lines indented."""
        lines = ['[buildout]', 'parts = ' + name] + buildout.splitlines()
        lines += ['', '[%s]' % name, 'recipe = ' + recipe]
        for option, value in options.items():
            value = str(value).replace('\n', '\n    ')
            lines.append('%s = %s' % (option.replace('_', '-'), value))
        return self.write('buildout.cfg', '\n'.join(lines) + '\n')

    def minimerge(self, *args, rc=0):
        """minimerge ARGS in the directory, expected to exit with rc."""
        p = subprocess.run([MINIMERGE] + list(args), cwd=self.dir, env=self.env,
                           capture_output=True, text=True, timeout=120)
        clean(p.stderr)
        assert p.returncode == rc, (p.stdout, p.stderr)
        return p

    def run(self, *args, rc=0):
        """minimerge buildout -U -c buildout.cfg ARGS."""
        return self.minimerge('buildout', '-U', '-c', self.path('buildout.cfg'), *args,
                              rc=rc)

    def config_error(self, line, message, *args):
        """minimerge buildout ARGS, expected to stop on message, an error
        of buildout.cfg at line; the CompletedProcess."""
        p = self.run(*args, rc=2)
        assert 'minimerge: %s:%d: error: %s' % (self.path('buildout.cfg'), line, message) \
            in p.stderr, p.stderr
        return p

    def read(self, *names):
        with open(self.path(*names)) as f:
            return f.read()

    def downloads(self):
        return sorted(os.listdir(self.path('downloads')))

    def installed(self):
        """{part: its installed state} as --annotate --json gives it."""
        p = self.run('--annotate', '--json')
        return {part['name']: part for part in json.loads(p.stdout)['parts']}


@pytest.fixture
def bo(tmp_path):
    return Buildout(tmp_path)
