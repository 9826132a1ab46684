"""src_type = git, what is git's alone (test_fetch_vcs.py has what every
tool does, with its helpers): branch and tag pins, parts/ out of git's
sight, no password prompt.  Real repositories made in a temporary
directory; the package is stackgen's leaf0, its source committed."""

import httpserver
import stackgen
from mmrun import env_for, mm
from terminal import run_on_pty
from test_fetch_vcs import run, vcs_stack

http_server = httpserver.http_server


def test_tag_and_branch_pins(minimerge, tmp_path):
    stack, repo = vcs_stack(tmp_path, 'git')
    run(repo.work, 'git', 'tag', 'v1')
    repo.commit('second\n', 'second')
    run(repo.work, 'git', 'checkout', '-q', '-b', 'other')
    repo.commit('on other\n', 'other')
    run(repo.work, 'git', 'checkout', '-q', 'main')
    for keys, want in (({'scm_revision': 'v1'}, 'data of leaf0'),
                       ({'scm_branch': 'other'}, 'on other'),
                       ({}, 'second')):
        stack.write_minibuild('leaf0', src_type='git', src_uri=repo.uri, **keys)
        r = mm(minimerge, stack, 'install', stack.full('leaf0'))
        assert r.returncode == 0, str(keys) + r.stdout + r.stderr
        assert want in stack.lib_text('leaf0'), keys


def test_a_password_prompt_fails_instead_of_waiting(minimerge, tmp_path, http_server):
    # A server that wants a login: git would ask for it on /dev/tty, and,
    # run in the background of the user's terminal, stop there unseen.
    # minimerge's children have no terminal: git fails, and says why.
    url = http_server.add('/repo.git/info/refs', b'login first\n', status=401,
                          headers={'WWW-Authenticate': 'Basic realm="repo"'})
    stack = stackgen.Stack(tmp_path / 'root', stackgen.leaves(1))
    stack.write_minibuild('leaf0', src_type='git',
                          src_uri=url[:-len('/info/refs')])
    env = env_for(stack.root, TERM='xterm', NO_COLOR='1')
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
