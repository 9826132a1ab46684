"""What the benchmarks share: timing a child process with as little Python
in the measurement as possible, reading its output, formatting times, and
the word list and hex strings the generators draw names from."""

import os
import shutil
import sys
import tempfile
import time

WORDS = (
    "zlib bzip2 xz lz4 zstd openssl libffi expat libxml2 libxslt sqlite "
    "readline ncurses gdbm libyaml pcre2 icu curl nghttp2 libssh2 libpng "
    "libjpeg tiff freetype fontconfig harfbuzz cairo pixman glib gettext "
    "libiconv gmp mpfr mpc isl boost hdf5 netcdf fftw openblas lapack "
    "proj geos gdal postgresql redis nginx pcre lmdb libevent libuv "
    "protobuf grpc abseil re2 snappy leveldb rocksdb jansson yajl "
    "libarchive libedit libtool autoconf automake m4 bison flex swig").split()


def spawn(argv, env, stdout_path, stderr_path):
    """Run argv to completion; return (wall seconds, exit status).

    posix_spawn + waitpid, so the measured time is the child's life plus
    the spawn itself and as little of this Python as possible."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout_path,
         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path,
         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - t0
    return elapsed, os.waitstatus_to_exitcode(status)


GNU_TIME = "/usr/bin/time"


def spawn_peak_rss(argv, env, stdout_path, stderr_path):
    """spawn() under GNU time: (wall seconds, exit status, peak RSS in KiB).

    The peak is GNU time's %M, the child's ru_maxrss from wait4: the
    largest resident set of the command and of the descendants it waited
    for.  It cannot come from os.wait4 on a child of this Python: the
    posix_spawn (or fork) child starts in a copy of the interpreter's
    memory, and Linux counts that memory's high-water mark, about 20 MiB, in
    the child's ru_maxrss when it execs; GNU time forks from a small
    process (a floor of about 1 MiB).  The wall time includes GNU time's
    own fork and exec, a millisecond or so: use it for long runs, or for
    untimed runs that measure memory only."""
    rss_path = stderr_path + ".rss"
    t, rc = spawn([GNU_TIME, "-f", "%M", "-o", rss_path, "--"] + list(argv),
                  env, stdout_path, stderr_path)
    try:
        rss = int(read(rss_path).split()[-1])
    except (OSError, ValueError, IndexError):
        rss = None
    return t, rc, rss


def read(path):
    with open(path, errors="replace") as fh:
        return fh.read()


def ms(seconds):
    return seconds * 1000.0


def fmt_ms(seconds):
    m = ms(seconds)
    return "%.2f" % m if m < 100 else "%.1f" % m


def short(v, n=100):
    r = repr(v)
    return r if len(r) <= n else r[:n - 3] + "..."


def hexstr(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def in_workdir(name, keep, bench, errors, parent=None):
    """Runs bench(workdir) in a fresh directory: keep (emptied first, left
    afterwards) or a temporary one under parent (removed afterwards).
    An exception of the types in errors is the bench failing: its message
    goes to stderr under the bench's name and the status is 1."""
    if keep:
        workdir = os.path.abspath(keep)
        if os.path.exists(workdir):
            shutil.rmtree(workdir)
        os.makedirs(workdir)
    else:
        workdir = tempfile.mkdtemp(prefix="minimerge-bench-", dir=parent)
    try:
        return bench(workdir)
    except errors as e:
        print("%s: %s" % (name, e), file=sys.stderr)
        return 1
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
