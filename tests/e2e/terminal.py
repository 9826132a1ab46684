"""Running minimerge with its stdout on a terminal (a pty), for the tests
of what it draws there: the status line, colour."""

import os
import pty
import select
import subprocess
import time


def run_on_pty(argv, env, cwd, timeout=30):
    """Runs argv with stdout on a pty; (exit status, bytes written, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE, env=env, cwd=cwd)
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
    err = proc.stderr.read().decode()
    assert 'Sanitizer' not in err and 'runtime error:' not in err, err
    proc.stderr.close()
    return proc.wait(timeout=timeout), out, err
