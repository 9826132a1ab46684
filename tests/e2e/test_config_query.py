"""Queries: SECTION and SECTION:OPTION, with and without --annotate."""

import json
import os
import subprocess


def run(minimerge, cwd, *args):
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(cwd))
    return subprocess.run([minimerge, 'config', '-U', *args], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=60)


CFG = '[buildout]\nparts = a\n[a]\nrecipe = r\nx = ${b:y}\n[b]\ny = 1\n+= nothing\n'


def test_query_section_and_option(minimerge, tmp_path):
    (tmp_path / 'buildout.cfg').write_text(CFG.replace('+= nothing\n', ''))
    p = run(minimerge, tmp_path, 'a:x')
    assert (p.returncode, p.stdout) == (0, '1\n')
    p = run(minimerge, tmp_path, '--json', 'a')
    assert json.loads(p.stdout) == {'recipe': 'r', 'x': '1'}
    p = run(minimerge, tmp_path, 'nosuch')
    assert p.returncode == 2 and 'Section not found: nosuch' in p.stderr
    p = run(minimerge, tmp_path, 'a:nosuch')
    assert p.returncode == 2 and 'Key not found: nosuch' in p.stderr


def test_annotate_one_section(minimerge, tmp_path):
    (tmp_path / 'buildout.cfg').write_text(CFG.replace('+= nothing\n', ''))
    p = run(minimerge, tmp_path, '--annotate', 'b')
    assert p.returncode == 0, p.stderr
    assert p.stdout == '\nAnnotated sections\n==================\n\n[b]\ny= 1\n    buildout.cfg\n'
    p = run(minimerge, tmp_path, '--annotate', 'nosuch')
    assert p.returncode == 2 and 'Section not found: nosuch' in p.stderr
    p = run(minimerge, tmp_path, '--annotate', 'b:y')
    assert p.returncode == 2 and 'takes a SECTION' in p.stderr
