"""minimerge run on a generated root (stackgen.py) by the end-to-end tests:
the environment it gets, the run, and what its output says (the summary
line, the actions that started)."""

import os
import re
import subprocess

from terminal import clean

SUMMARY = re.compile(r'^minimerge: (\d+) ran, (\d+) skipped, (\d+) restored, (\d+) failed'
                     r'(, some not run|, interrupted)? in [0-9.]+ s$', re.M)
STARTED = re.compile(r'^\[(\d+)/(\d+)\] (\S+ \S+)$', re.M)

# What the packages' build must not inherit from whoever runs the tests:
# these are inputs of the build actions, and the exported ones are set by
# minimerge itself.
BUILD_VARS = ('CC', 'CFLAGS', 'CPPFLAGS', 'CXX', 'CXXFLAGS', 'LDFLAGS', 'LIBS',
              'PKG_CONFIG_PATH', 'MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'DESTDIR')


def env_for(home, **extra):
    """os.environ as it is now, with HOME home, a fixed PATH and locale,
    without what would change minimerge's or the builds' behaviour; then
    extra."""
    env = dict(os.environ, PATH='/usr/bin:/bin', HOME=str(home), LC_ALL='C.UTF-8')
    for k in ('MINILAYS', 'MINIMERGE_ROOT', 'NO_COLOR', 'COLUMNS') + BUILD_VARS:
        env.pop(k, None)
    env.update(extra)
    return env


def mm(minimerge, stack, *args, env=None, timeout=120):
    """Runs minimerge -C root args; the CompletedProcess (text)."""
    p = subprocess.run([minimerge, '-C', stack.root] + list(args), cwd=stack.root,
                       env=env or env_for(stack.root), capture_output=True, text=True,
                       timeout=timeout)
    clean(p.stderr)
    return p


def mm_start(minimerge, stack, *args, env=None):
    """Starts minimerge -C root args; stdout is a line-buffered text pipe."""
    return subprocess.Popen([minimerge, '-C', stack.root] + list(args), cwd=stack.root,
                            env=env or env_for(stack.root), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)


def show(p):
    return 'exit %s\n--- stdout\n%s\n--- stderr\n%s' % (
        p.returncode, p.stdout[-3000:], p.stderr[-3000:])


def ok(p):
    assert p.returncode == 0, show(p)
    return p


def summary(p):
    """(ran, skipped, restored, failed, tail) from the summary line."""
    m = SUMMARY.findall(p.stdout)
    assert len(m) == 1, show(p)
    ran, skipped, restored, failed, tail = m[0]
    return int(ran), int(skipped), int(restored), int(failed), tail


def started(p):
    """The actions that started, in order, from the [n/total] lines."""
    return [m[2] for m in STARTED.findall(p.stdout)]
