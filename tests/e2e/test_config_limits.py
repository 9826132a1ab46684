"""Limits that keep hostile configs from exhausting the stack."""

import os
import subprocess


def run(minimerge, cwd):
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(cwd))
    return subprocess.run([minimerge, 'config', '-U', 'a:v0'], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=60)


def chain(n):
    lines = ['[buildout]', '[a]']
    lines += ['v%d = ${:v%d}' % (i, i + 1) for i in range(n)]
    lines.append('v%d = end' % n)
    return '\n'.join(lines) + '\n'


def test_long_chain_resolves(minimerge, tmp_path):
    (tmp_path / 'buildout.cfg').write_text(chain(100))
    p = run(minimerge, tmp_path)
    assert (p.returncode, p.stdout) == (0, 'end\n'), p.stderr


def test_too_deep_chain_is_refused(minimerge, tmp_path):
    (tmp_path / 'buildout.cfg').write_text(chain(2500))
    p = run(minimerge, tmp_path)
    assert p.returncode == 2
    assert 'references nested more than 2000 deep' in p.stderr
    assert p.stderr.startswith('minimerge: %s:' % (tmp_path / 'buildout.cfg'))
