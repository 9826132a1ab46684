"""A buildout directory for the tests of `minimerge buildout`: its files,
its buildout.cfg, minimerge run on it, and what minimerge says it
installed there."""

import json
import os
import subprocess
import textwrap

import pytest

from terminal import clean

MINIMERGE = os.environ.get('MINIMERGE', os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    'build', 'minimerge'))


class Buildout:
    def __init__(self, path):
        self.dir = str(path)
        self.env = dict(os.environ, HOME=self.dir, NO_COLOR='1')
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
