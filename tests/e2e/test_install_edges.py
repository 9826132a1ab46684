"""install's edges: -N and --jump (dependencies outside the run), a package
with nothing to build, a missing source, a build stopped half-way."""

import glob
import os
import subprocess

import stackgen


def mm(minimerge, root, *args):
    return subprocess.run([minimerge, '-C', root] + list(args), capture_output=True,
                          text=True, timeout=120)


def test_nodeps_sees_installed_dependencies_and_keys_like_a_whole_run(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.chain(2))
    r = mm(minimerge, stack.root, 'install', '-N', stack.full('c1'))
    # Bad input, found before anything runs: nothing ran, nothing recorded.
    assert r.returncode == 2, r.stdout + r.stderr
    assert ' ran' not in r.stdout and not os.path.exists(stack.prefix('c0'))
    assert ("needs 'install dependencies/c0-1.0', which was never done here; without -N or "
            "--jump it is done first") in r.stderr
    assert mm(minimerge, stack.root, 'install', stack.full('c0')).returncode == 0
    r = mm(minimerge, stack.root, 'install', '-N', stack.full('c1'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert '3 ran' in r.stdout
    # The dependency reached the build through the exported prefixes.
    assert 'data of c0' in stack.lib_text('c1')
    # The same keys as a whole run: nothing is left to do.
    r = mm(minimerge, stack.root, 'install', stack.full('c1'))
    assert '0 ran, 6 skipped' in r.stdout, r.stdout
    # A change of the dependency reaches a -N build's key through its record.
    stack.set_options('c0', '--other')
    assert mm(minimerge, stack.root, 'install', stack.full('c0')).returncode == 0
    out = mm(minimerge, stack.root, 'explain', '-N', stack.full('c1')).stdout
    assert out.splitlines() == [
        '%s: dependency install dependencies/c0-1.0 changed' % stack.action('build', 'c1'),
        '%s: dependency build dependencies/c1-1.0 changed' % stack.action('install', 'c1')]


def test_a_package_with_nothing_to_build(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    path = os.path.join(stack.root, 'minilays', 'gen', 'bundle-1.0')
    with open(path, 'w') as f:
        f.write('[minibuild]\ndependencies = leaf0-1.0\ninstall_method = none\n'
                'category = apps\n')
    r = mm(minimerge, stack.root, 'install', 'bundle-1.0')
    assert r.returncode == 0, r.stdout + r.stderr
    assert '6 ran' in r.stdout
    assert not os.path.exists(os.path.join(stack.root, 'apps', 'bundle-1.0', 'parts', 'part'))
    r = mm(minimerge, stack.root, 'install', 'bundle-1.0')
    assert '0 ran, 6 skipped' in r.stdout, r.stdout


def test_a_missing_source_is_bad_input(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    stack.write_minibuild('leaf0', src_uri='sources/nowhere')
    for args in (['install'], ['explain'], ['install', '-n']):
        r = mm(minimerge, stack.root, *(args + [stack.full('leaf0')]))
        assert r.returncode == 2, r.stderr
        assert r.stderr == ('minimerge: %s:3: error: src_uri: no directory %s\n'
                            % (stack.minibuild_path('leaf0'),
                               os.path.join(stack.root, 'sources', 'nowhere')))
    assert not os.path.exists(os.path.dirname(stack.prefix('leaf0')))


def test_a_build_stopped_half_way_is_not_taken_for_done(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    assert mm(minimerge, stack.root, 'install', stack.full('leaf0')).returncode == 0
    # As a forced build that was killed leaves it: the directory, its
    # record unchanged, the stamp of the finished build gone.
    stamps = glob.glob(os.path.join(stack.builddir('leaf0'), '.minimerge-build-*'))
    assert len(stamps) == 1 and len(os.path.basename(stamps[0])) == len('.minimerge-build-') + 32
    os.unlink(stamps[0])
    subprocess.run(['rm', '-rf', stack.prefix('leaf0')], check=True)
    mm(minimerge, stack.root, 'cache', 'clear')
    r = mm(minimerge, stack.root, 'install', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'explain: %s: output missing' % stack.action('build', 'leaf0') in r.stdout
    assert '2 ran' in r.stdout
    assert os.path.exists(stamps[0])  # the same key: the same stamp


def test_a_bare_word_is_a_target_and_a_misspelt_command_is_named(minimerge, tmp_path):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    r = mm(minimerge, stack.root, 'cnofig')
    assert r.returncode == 2
    assert r.stderr.endswith("minimerge: 'cnofig' is not a command either; did you mean "
                             "'config'?\n"), r.stderr
    r = mm(minimerge, stack.root, 'zzzzzzzz')
    assert r.returncode == 2 and 'not a command' not in r.stderr
    r = mm(minimerge, stack.root, stack.full('leaf0'))
    assert r.returncode == 0 and '3 ran' in r.stdout, r.stdout + r.stderr
