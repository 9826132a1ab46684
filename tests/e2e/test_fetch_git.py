"""src_type = git, what is git's alone (test_fetch_vcs.py has what every
tool does): branch and tag pins, parts/ out of git's sight, git's URL
rule.  Real repositories made in a temporary directory; the package is
stackgen's leaf0, its source committed."""

import glob
import os
import subprocess

import httpserver
import stackgen
from terminal import run_on_pty

http_server = httpserver.http_server


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


def test_parts_is_out_of_gits_sight(minimerge, tmp_path):
    stack, repo = git_stack(tmp_path)
    r = mm(minimerge, stack.root, 'install', stack.full('leaf0'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert os.path.isdir(os.path.join(home(stack), 'parts', 'part'))
    assert git(home(stack), 'status', '--porcelain') == ''


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


def test_a_password_prompt_fails_instead_of_waiting(minimerge, tmp_path, http_server):
    # A server that wants a login: git would ask for it on /dev/tty, and,
    # run in the background of the user's terminal, stop there unseen.
    # minimerge's children have no terminal: git fails, and says why.
    url = http_server.add('/repo.git/info/refs', b'login first\n', status=401,
                          headers={'WWW-Authenticate': 'Basic realm="repo"'})
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    stack.write_minibuild('leaf0', src_type='git',
                          src_uri=url[:-len('/info/refs')])
    env = dict(os.environ, TERM='xterm', NO_COLOR='1')
    env.pop('GIT_TERMINAL_PROMPT', None)
    env.pop('GIT_ASKPASS', None)
    env.pop('SSH_ASKPASS', None)
    rc, out, err = run_on_pty([minimerge, '-C', stack.root, 'install', stack.full('leaf0')],
                              env, stack.root, timeout=20, controlling=True)
    assert rc == 1, (rc, out, err)
    assert b'FAILED: %s: git clone: exit status 128' % \
        stack.action('fetch', 'leaf0').encode() in out, out
    log = open(stack.log('fetch', 'leaf0')).read()
    assert 'could not read Username' in log, log
    assert [q.status for q in http_server.requests('/repo.git/info/refs')][:1] == [401]
