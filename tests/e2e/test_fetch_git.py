"""src_type = git: real repositories made in a temporary directory, cloned
into the package's home, pinned, updated, modified by hand, moved to
another URL.  The package is stackgen's leaf0, its source committed."""

import glob
import os
import subprocess

import stackgen


def mm(minimerge, root, *args):
    return subprocess.run([minimerge, '-C', root] + list(args), capture_output=True,
                          text=True, timeout=120)


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.org',
               GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@example.org')
    return subprocess.run(['git'] + list(args), cwd=cwd, check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def repo_of(stack, name, where):
    """A repository holding name's generated source; its path."""
    subprocess.run(['cp', '-R', stack.source(name), str(where)], check=True)
    git(where, 'init', '-q', '-b', 'main')
    git(where, 'add', '-A')
    git(where, 'commit', '-q', '-m', 'first')
    return str(where)


def commit_data(repo, text, message):
    with open(os.path.join(repo, 'data.txt'), 'w') as f:
        f.write(text)
    git(repo, 'commit', '-q', '-am', message)
    return git(repo, 'rev-parse', 'HEAD')


def git_stack(tmp_path, **keys):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    repo = repo_of(stack, 'leaf0', tmp_path / 'repo')
    stack.write_minibuild('leaf0', src_type='git', src_uri=repo, **keys)
    return stack, repo


def home(stack):
    return os.path.dirname(os.path.dirname(stack.prefix('leaf0')))


def test_clone_build_then_nothing(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert '3 ran' in r.stdout
    assert 'data of leaf0' in stack.lib_text('leaf0')
    assert git(home(stack), 'rev-parse', 'HEAD') == git(repo, 'rev-parse', 'HEAD')
    # parts/ is not the checkout's business.
    assert git(home(stack), 'status', '--porcelain') == ''
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert '0 ran, 3 skipped' in r.stdout, r.stdout


def test_a_new_commit_is_taken_with_update_only(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    assert mm(minimerge, stack.root, 'install', stack.full('leaf0')).returncode == 0
    commit_data(repo, 'second\n', 'second')
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert '0 ran' in r.stdout, r.stdout
    r = mm(minimerge, stack.root, 'install', '-u', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert '3 ran' in r.stdout, r.stdout
    assert 'second' in stack.lib_text('leaf0')
    # -u with nothing new: the fetch asks, the build is not redone.
    r = mm(minimerge, stack.root, 'install', '-u', stack.full('leaf0'))
    assert '1 ran, 2 skipped' in r.stdout, r.stdout


def test_revision_and_branch_pins(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    first = git(repo, 'rev-parse', 'HEAD')
    git(repo, 'tag', 'v1')
    commit_data(repo, 'second\n', 'second')
    git(repo, 'checkout', '-q', '-b', 'other')
    commit_data(repo, 'on other\n', 'other')
    git(repo, 'checkout', '-q', 'main')
    for keys, want in (({'scm_revision': first}, 'data of leaf0'),
                       ({'scm_revision': 'v1'}, 'data of leaf0'),
                       ({'scm_branch': 'other'}, 'on other'),
                       ({}, 'second')):
        stack.write_minibuild('leaf0', src_type='git', src_uri=repo, **keys)
        r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
        assert r.returncode == 0, str(keys) + r.stdout + r.stderr
        assert want in stack.lib_text('leaf0'), keys
    # A pinned revision moves a checkout that is elsewhere.
    stack.write_minibuild('leaf0', src_type='git', src_uri=repo, scm_revision=first)
    r = mm(minimerge, stack.root, 'install', '--explain', stack.full('leaf0'))
    assert 'option scm_revision changed' in r.stdout, r.stdout
    assert git(home(stack), 'rev-parse', 'HEAD') == first


def test_a_local_change_is_a_source_change(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    assert mm(minimerge, stack.root, 'install', stack.full('leaf0')).returncode == 0
    with open(os.path.join(home(stack), 'data.txt'), 'w') as f:
        f.write('changed here\n')
    r = mm(minimerge, stack.root, 'install', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'source changed: 1 file (data.txt)' in r.stdout, r.stdout
    assert 'changed here' in stack.lib_text('leaf0')
    # The change is kept: nothing here resets it.
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert '0 ran' in r.stdout, r.stdout


def test_another_url_clones_anew_and_keeps_the_old(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    assert mm(minimerge, stack.root, 'install', stack.full('leaf0')).returncode == 0
    moved = str(tmp_path / 'moved')
    subprocess.run(['cp', '-R', repo, moved], check=True)
    commit_data(moved, 'moved\n', 'moved')
    stack.write_minibuild('leaf0', src_type='git', src_uri=moved)
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'moved' in stack.lib_text('leaf0')
    [old] = glob.glob(home(stack) + '.old.*')
    assert git(old, 'config', '--get', 'remote.origin.url') == repo
    assert os.path.isdir(os.path.join(home(stack), 'parts', 'part'))


def test_offline_needs_a_checkout(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    r = mm(minimerge, stack.root, 'install', '-o', stack.full('leaf0'))
    assert r.returncode == 1
    assert 'no checkout in %s, and offline' % home(stack) in r.stdout, r.stdout
    assert mm(minimerge, stack.root, 'install', stack.full('leaf0')).returncode == 0
    commit_data(repo, 'second\n', 'second')
    r = mm(minimerge, stack.root, 'install', '-o', '-u', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'second' not in stack.lib_text('leaf0')


def test_a_bad_url_fails_naming_git(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    stack.write_minibuild('leaf0', src_type='git', src_uri=str(tmp_path / 'nowhere'))
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert r.returncode == 1
    assert 'git clone: exit status 128' in r.stdout, r.stdout
    assert not glob.glob(home(stack) + '*')
    stack.write_minibuild('leaf0', src_type='git', src_uri='relative/path')
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert r.returncode == 2
    assert 'a git source is a URL (scheme://...) or an absolute path' in r.stderr
