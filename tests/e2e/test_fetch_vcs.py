"""src_type = git, hg, svn and bzr: real repositories made in a temporary
directory, checked out into the package's home, pinned, updated, modified
by hand, moved to another URL (test_fetch_git.py has what is git's
alone).  The package is stackgen's leaf0, its source committed."""

import glob
import os
import re
import shutil
import subprocess

import pytest

import stackgen
from mmrun import env_for, mm, summary


def run(cwd, *argv):
    env = dict(os.environ, HGUSER='t', HGPLAIN='1', BRZ_EMAIL='t <t@example.org>',
               GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@example.org',
               GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@example.org')
    return subprocess.run(list(argv), cwd=cwd, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def write_data(work, text):
    with open(os.path.join(work, 'data.txt'), 'w') as f:
        f.write(text)


class Repository:
    """A repository of source, made in where, its first commit made;
    commit() changes data.txt and commits it, and returns the revision
    made.  A tool's class has its name, its directory in a checkout, the
    error of a clone that fails, what makes the repository of the work
    tree once the files are in (init, commands), and its commit command
    (commit_argv, the message added)."""
    init = commit_argv = ()

    def __init__(self, source, where):
        self.work = self.uri = str(where)
        self.create(str(where))
        shutil.copytree(source, self.work, dirs_exist_ok=True)
        for argv in self.init:
            run(self.work, *argv)

    def create(self, where):
        """What the work tree needs before the files go in."""

    def commit(self, text, message):
        write_data(self.work, text)
        run(self.work, *self.commit_argv, message)
        return self.tip()

    def tip(self):
        return self.at(self.work)


class Git(Repository):
    """A repository that is its own work tree; revisions are commit ids."""
    name, dir, clone_error = 'git', '.git', 'git clone: exit status 128'
    init = (('git', 'init', '-q', '-b', 'main'), ('git', 'add', '-A'),
            ('git', 'commit', '-q', '-m', 'first'))
    commit_argv = ('git', 'commit', '-q', '-am')

    def at(self, checkout):
        return run(checkout, 'git', 'rev-parse', 'HEAD')


class Hg(Repository):
    """A repository that is its own work tree; revisions are node hashes."""
    name, dir, clone_error = 'hg', '.hg', 'hg clone: exit status 255'
    init = (('hg', 'init'), ('hg', 'commit', '-q', '-A', '-m', 'first'))
    commit_argv = ('hg', 'commit', '-q', '-m')

    def at(self, checkout):
        return run(checkout, 'hg', 'log', '-r', '.', '-T', '{node}')


class Svn(Repository):
    """A repository (file://) and a working copy to commit from; revisions
    are numbers."""
    name, dir, clone_error = 'svn', '.svn', 'svn checkout: exit status 1'
    init = (('svn', 'add', '-q', '--force', '.'), ('svn', 'commit', '-q', '-m', 'first'))
    commit_argv = ('svn', 'commit', '-q', '-m')

    def create(self, where):
        run(None, 'svnadmin', 'create', where)
        self.uri = 'file://' + where
        self.work = where + '.wc'
        run(None, 'svn', 'checkout', '-q', self.uri, self.work)

    def tip(self):
        return run(None, 'svn', 'info', '--show-item', 'revision', self.uri)

    def at(self, checkout):
        return run(checkout, 'svn', 'info', '--show-item', 'revision')


class Bzr(Repository):
    """A branch that is its own work tree; revisions are revno:N."""
    name, dir, clone_error = 'bzr', '.bzr', 'bzr branch: exit status 3'
    init = (('brz', 'init', '-q'), ('brz', 'add', '-q'), ('brz', 'commit', '-q', '-m', 'first'))
    commit_argv = ('brz', 'commit', '-q', '-m')

    def at(self, checkout):
        return 'revno:' + run(checkout, 'brz', 'revno', '--tree')


TOOLS = {'git': Git, 'hg': Hg, 'svn': Svn, 'bzr': Bzr}
tools = pytest.mark.parametrize('tool', sorted(TOOLS))


def vcs_stack(tmp_path, tool, **keys):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    repo = TOOLS[tool](stack.source('leaf0'), tmp_path / 'repo')
    stack.write_minibuild('leaf0', src_type=tool, src_uri=repo.uri, **keys)
    return stack, repo


@tools
def test_check_out_build_then_nothing(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (3, 0, 0, 0, ''), r.stdout
    assert 'data of leaf0' in stack.lib_text('leaf0')
    assert repo.at(stack.home('leaf0')) == repo.tip()
    assert '$ %s ' % tool in open(stack.log('fetch', 'leaf0')).read()
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout


@pytest.mark.parametrize('tool, status', [('git', ['git', 'status', '--porcelain']),
                                          ('hg', ['hg', 'status'])])
def test_parts_is_out_of_the_tools_sight(minimerge, tmp_path, tool, status):
    stack, repo = vcs_stack(tmp_path, tool)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert os.path.isdir(os.path.join(stack.home('leaf0'), 'parts', 'part'))
    assert run(stack.home('leaf0'), *status) == ''


@tools
def test_a_new_commit_is_taken_with_update_only(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    repo.commit('second\n', 'second')
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout
    r = mm(minimerge, stack, 'install', '-u', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r) == (3, 0, 0, 0, ''), r.stdout
    fetch = stack.action('fetch', 'leaf0')
    assert 'explain: %s: forced\n' % fetch in r.stdout, r.stdout
    assert 'explain: %s: after it ran: source changed: 1 file (data.txt)' % fetch in r.stdout
    assert 'second' in stack.lib_text('leaf0')
    # -u with nothing new: the fetch asks, the build is not redone.
    r = mm(minimerge, stack, 'install', '-u', stack.full('leaf0'))
    assert summary(r) == (1, 2, 0, 0, ''), r.stdout


@tools
def test_revision_pin(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    first = repo.tip()
    pins = [first]
    if tool == 'bzr':
        run(repo.work, 'brz', 'tag', '-q', 'v1')
        pins.append('tag:v1')
    repo.commit('second\n', 'second')
    for keys, want in [({'scm_revision': pin}, 'data of leaf0') for pin in pins] + [
            ({}, 'second')]:
        stack.write_minibuild('leaf0', src_type=tool, src_uri=repo.uri, **keys)
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 0, str(keys) + r.stdout + r.stderr
        assert want in stack.lib_text('leaf0'), keys
    # A pinned revision moves a checkout that is elsewhere.
    stack.write_minibuild('leaf0', src_type=tool, src_uri=repo.uri, scm_revision=first)
    r = mm(minimerge, stack, 'install', '--explain', stack.full('leaf0'))
    assert 'option scm_revision changed' in r.stdout, r.stdout
    assert repo.at(stack.home('leaf0')) == first
    # A revision newer than the checkout is asked of the repository.
    third = repo.commit('third\n', 'third')
    stack.write_minibuild('leaf0', src_type=tool, src_uri=repo.uri, scm_revision=third)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'third' in stack.lib_text('leaf0')


def test_hg_branch_and_tag_pins(minimerge, tmp_path):
    stack, repo = vcs_stack(tmp_path, 'hg')
    run(repo.work, 'hg', 'tag', 'v1')
    run(repo.work, 'hg', 'branch', '-q', 'other')
    repo.commit('on other\n', 'other')
    run(repo.work, 'hg', 'update', '-q', 'default')
    repo.commit('second\n', 'second')
    for keys, want in (({'scm_branch': 'other'}, 'on other'),
                       ({'scm_revision': 'v1'}, 'data of leaf0'),
                       ({'scm_branch': 'default'}, 'second'),
                       ({'scm_branch': 'other'}, 'on other'),
                       ({}, 'second')):
        stack.write_minibuild('leaf0', src_type='hg', src_uri=repo.uri, **keys)
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 0, str(keys) + r.stdout + r.stderr
        assert want in stack.lib_text('leaf0'), keys
    # Without a pin, the checkout follows tip, whatever its branch.
    run(repo.work, 'hg', 'update', '-q', 'other')
    repo.commit('newest on other\n', 'newest')
    r = mm(minimerge, stack, 'install', '-u', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'newest on other' in stack.lib_text('leaf0')


@tools
def test_a_local_change_is_a_source_change(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    write_data(stack.home('leaf0'), 'changed here\n')
    r = mm(minimerge, stack, 'install', '--explain', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'source changed: 1 file (data.txt)' in r.stdout, r.stdout
    assert 'changed here' in stack.lib_text('leaf0')
    # The change is kept: nothing here resets it.
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert summary(r) == (0, 3, 0, 0, ''), r.stdout
    with open(os.path.join(stack.home('leaf0'), 'data.txt')) as f:
        assert f.read() == 'changed here\n'


def test_hg_runs_no_merge_tool(minimerge, tmp_path):
    """A local change that conflicts with an update gets conflict markers
    and fails the fetch; no merge tool is started to wait for someone."""
    stack, repo = vcs_stack(tmp_path, 'hg')
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    write_data(stack.home('leaf0'), 'changed here\n')
    repo.commit('second\n', 'second')
    tool = tmp_path / 'merge-tool'
    tool.write_text('#!/bin/sh\ntouch %s.ran\n' % tool)
    tool.chmod(0o755)
    env = env_for(stack.root, HGMERGE=str(tool))
    r = mm(minimerge, stack, 'install', '-u', stack.full('leaf0'), env=env)
    assert r.returncode == 1
    assert 'hg update: exit status 1' in r.stdout, r.stdout
    assert not os.path.exists('%s.ran' % tool)
    with open(os.path.join(stack.home('leaf0'), 'data.txt')) as f:
        assert '<<<<<<<' in f.read()


@tools
def test_an_update_that_conflicts_fails(minimerge, tmp_path, tool):
    """A local change the update conflicts with fails the fetch, whether
    the tool says so by its exit status (git, hg) or only by what it
    leaves (svn, bzr)."""
    stack, repo = vcs_stack(tmp_path, tool)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    write_data(stack.home('leaf0'), 'changed here\n')
    repo.commit('second\n', 'second')
    r = mm(minimerge, stack, 'install', '-u', stack.full('leaf0'))
    assert r.returncode == 1, r.stdout + r.stderr
    fetch = stack.action('fetch', 'leaf0')
    assert 'FAILED: %s: ' % fetch in r.stdout, r.stdout
    if tool in ('svn', 'bzr'):
        assert re.search(r'FAILED: %s: (svn|bzr|brz) update left conflicts in %s: .*data\.txt'
                         % (re.escape(fetch), re.escape(stack.home('leaf0'))), r.stdout), r.stdout
    assert 'second' not in stack.lib_text('leaf0')


@tools
def test_another_url_checks_out_anew_and_keeps_the_old(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    moved = TOOLS[tool](stack.source('leaf0'), tmp_path / 'moved')
    moved.commit('moved\n', 'moved')
    stack.write_minibuild('leaf0', src_type=tool, src_uri=moved.uri)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'moved' in stack.lib_text('leaf0')
    [old] = glob.glob(stack.home('leaf0') + '.old.*')
    if tool == 'git':  # what git says of its URL is what counts
        assert run(old, 'git', 'config', '--get', 'remote.origin.url') == repo.uri
    with open(os.path.join(old, repo.dir, 'minimerge-wanted')) as f:
        assert f.read() == "%s\nthe remote's HEAD\n" % repo.uri
    assert os.path.isdir(os.path.join(stack.home('leaf0'), 'parts', 'part'))


@tools
def test_offline_needs_a_checkout(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    r = mm(minimerge, stack, 'install', '-o', stack.full('leaf0'))
    assert r.returncode == 1
    assert 'no checkout in %s, and offline' % stack.home('leaf0') in r.stderr, r.stderr
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    repo.commit('second\n', 'second')
    r = mm(minimerge, stack, 'install', '-o', '-u', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'second' not in stack.lib_text('leaf0')


def test_svn_does_not_move_offline(minimerge, tmp_path):
    stack, repo = vcs_stack(tmp_path, 'svn', scm_revision='1')
    assert mm(minimerge, stack, 'install', stack.full('leaf0')).returncode == 0
    second = repo.commit('second\n', 'second')
    stack.write_minibuild('leaf0', src_type='svn', src_uri=repo.uri, scm_revision=second)
    r = mm(minimerge, stack, 'install', '-o', stack.full('leaf0'))
    assert r.returncode == 1
    assert ('moving the checkout in %s to %s needs the repository, and offline'
            % (stack.home('leaf0'), second)) in r.stdout, r.stdout
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'second' in stack.lib_text('leaf0')


@tools
def test_a_bad_url_fails_naming_the_tool(minimerge, tmp_path, tool):
    stack, repo = vcs_stack(tmp_path, tool)
    nowhere = str(tmp_path / 'nowhere')
    stack.write_minibuild('leaf0', src_type=tool,
                          src_uri='file://' + nowhere if tool == 'svn' else nowhere)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 1
    assert TOOLS[tool].clone_error in r.stdout, r.stdout
    assert not glob.glob(stack.home('leaf0') + '*')


def error_line(stack, key):
    """minimerge's error about key in leaf0's minibuild starts with this."""
    path = stack.minibuild_path('leaf0')
    with open(path) as f:
        [line] = [i for i, text in enumerate(f.read().splitlines(), 1)
                  if text.startswith(key + ' =')]
    return 'minimerge: %s:%d: error: ' % (path, line)


@pytest.mark.parametrize('tool, keys, key, message', [
    ('git', {'src_uri': 'relative/path'}, 'src_uri',
     'src_uri relative/path: a git source is a URL (scheme://...) or an absolute path'),
    ('hg', {'src_uri': 'relative/path'}, 'src_uri',
     'src_uri relative/path: an hg source is a URL (scheme://...) or an absolute path'),
    ('bzr', {'src_uri': 'relative/path'}, 'src_uri',
     'src_uri relative/path: a bzr source is a URL (scheme://...) or an absolute path'),
    ('svn', {'src_uri': '/srv/repo'}, 'src_uri',
     'src_uri /srv/repo: an svn source is a URL (scheme://...)'),
    ('svn', {'scm_branch': 'stable'}, 'scm_branch',
     'scm_branch has no meaning for svn: put the branch in src_uri'),
    ('bzr', {'scm_branch': 'stable'}, 'scm_branch',
     'scm_branch has no meaning for bzr: put the branch in src_uri'),
    ('svn', {'scm_revision': 'HEAD'}, 'scm_revision',
     'scm_revision = HEAD: svn revisions are numbers'),
])
def test_what_a_source_cannot_be(minimerge, tmp_path, tool, keys, key, message):
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    keys = dict({'src_uri': 'file:///srv/repo'}, **keys)
    stack.write_minibuild('leaf0', src_type=tool, **keys)
    r = mm(minimerge, stack, 'install', stack.full('leaf0'))
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr == error_line(stack, key) + message + '\n'
    assert r.stdout == ''


def test_brz_where_there_is_no_bzr(minimerge, tmp_path):
    stack, repo = vcs_stack(tmp_path, 'bzr', install_method='none')
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    os.symlink(shutil.which('brz'), bin_dir / 'brz')
    env = env_for(stack.root, PATH=str(bin_dir))
    r = mm(minimerge, stack, 'fetch', stack.full('leaf0'), env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert '$ brz branch' in open(stack.log('fetch', 'leaf0')).read()
    assert repo.at(stack.home('leaf0')) == repo.tip()
