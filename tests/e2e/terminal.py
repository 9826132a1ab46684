"""Running minimerge with its stdout on a terminal (a pty), for the tests
of what it draws there: the status line, colour; and clean(), the check
that no sanitizer spoke on its stderr, for every test that runs it."""

import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time


def clean(err):
    """err, after checking that no sanitizer spoke in it (an ASan build)."""
    assert 'Sanitizer' not in err and 'runtime error:' not in err, err
    return err


def run_on_pty(argv, env, cwd, timeout=30, controlling=False):
    """Runs argv with stdout on a pty; (exit status, bytes written, stderr).
    controlling: the pty is also its stdin and its controlling terminal,
    in a session of its own, as for someone at a terminal (/dev/tty is
    the pty).  A child still running at the timeout is killed, with its
    process group: its status is then negative."""
    master, slave = pty.openpty()
    extra = {}
    if controlling:
        extra = dict(start_new_session=True,
                     preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    proc = subprocess.Popen(argv, stdin=slave if controlling else subprocess.DEVNULL,
                            stdout=slave, stderr=subprocess.PIPE, env=env, cwd=cwd, **extra)
    os.close(slave)
    out = b''
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the other side is closed
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
        if proc.poll() is None and time.monotonic() >= end:
            if controlling:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
    err = clean(proc.stderr.read().decode())
    proc.stderr.close()
    return proc.wait(timeout=timeout), out, err
