"""The project's own build: configure's message for a missing library, and
ninja install honouring DESTDIR."""

import os
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_configure_names_the_debian_package_of_a_missing_library(tmp_path):
    # An empty pkg-config search path: every library looks missing.
    env = dict(os.environ, PKG_CONFIG_LIBDIR=str(tmp_path), PKG_CONFIG_PATH='')
    subprocess.run(['cp', '-r', os.path.join(REPO, 'configure'),
                    os.path.join(REPO, 'build.ninja.in'), str(tmp_path)], check=True)
    p = subprocess.run(['sh', 'configure'], cwd=str(tmp_path), env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "library 'libcurl' not found" in p.stderr
    assert 'apt-get install libcurl4-openssl-dev' in p.stderr
    assert not (tmp_path / 'build.ninja').exists()


def test_ninja_install_honours_destdir(tmp_path):
    # The install edge's own command, as ninja would run it: a nested ninja
    # inside `ninja check` would race the outer one on its log.
    dest = tmp_path / 'dest'
    cmds = subprocess.run(['ninja', '-C', REPO, '-t', 'commands', '-s', 'install'],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    p = subprocess.run(['sh', '-c', cmds[-1]], cwd=REPO, env=dict(os.environ, DESTDIR=str(dest)),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    bins = list(dest.rglob('bin/minimerge'))
    mans = list(dest.rglob('share/man/man1/minimerge.1'))
    assert len(bins) == 1 and os.access(bins[0], os.X_OK)
    assert len(mans) == 1
    # Where external backends are looked for when no variable says.
    assert len(list(dest.rglob('share/minimerge/backends'))) == 1
    out = subprocess.run([str(bins[0]), '--version'], capture_output=True, text=True)
    assert out.stdout.startswith('minimerge ')
