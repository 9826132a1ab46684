"""What the benchmarks share: timing a child process with as little Python
in the measurement as possible, reading its output, a command's runs
(Side) and their checks (ToolFailed, minimerge's summary line), formatting
times, memory and targets, describing the host, and the word list and hex
strings the generators draw names from."""

import os
import re
import shutil
import statistics
import subprocess
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


class ToolFailed(RuntimeError):
    """A command a bench runs failed, or did other than expected: the
    bench stops (in_workdir's errors: exit status 1)."""


def argv_text(argv):
    """argv as one line for a message, its middle left out past 16 words."""
    if len(argv) > 16:
        argv = argv[:14] + ["...(%d more)" % (len(argv) - 15), argv[-1]]
    return " ".join(argv)


class Side:
    """One command's runs: its argv and environment; its stdout and stderr
    go to scratch/TAG.out and scratch/TAG.err (TAG: the label unless
    given)."""

    def __init__(self, label, argv, env, scratch, tag=None):
        self.label = label
        self.argv = argv
        self.env = env
        self.out = os.path.join(scratch, (tag or label) + ".out")
        self.err = os.path.join(scratch, (tag or label) + ".err")

    def run(self, what, rss=False):
        """(wall seconds, peak RSS KiB or None, stdout); with rss, the run
        goes through GNU time (see spawn_peak_rss).  A non-zero exit
        status raises ToolFailed; what says which run it was."""
        if rss:
            t, rc, kib = spawn_peak_rss(self.argv, self.env, self.out,
                                        self.err)
        else:
            t, rc = spawn(self.argv, self.env, self.out, self.err)
            kib = None
        text = read(self.out)
        if rc != 0:
            raise ToolFailed(self.failure(what, rc, text))
        return t, kib, text

    def failure(self, what, rc, text):
        """What ToolFailed says of a run that exited with rc and wrote text
        on stdout: the command and the last 25 lines of its output."""
        lines = (text + read(self.err)).splitlines()
        return "%s failed (%s, exit status %d):\n  %s\n%s" % (
            self.label, what, rc, argv_text(self.argv),
            "\n".join("  | " + line for line in lines[-25:]))


SUMMARY = re.compile(r"^minimerge: (\d+) ran, (\d+) skipped, (\d+) restored, "
                     r"(\d+) failed(.*) in ([0-9.]+) s$", re.M)


def mm_counts(text):
    """The counts of minimerge's summary line in text, or None."""
    m = SUMMARY.search(text)
    if not m:
        return None
    return {"ran": int(m.group(1)), "skipped": int(m.group(2)),
            "restored": int(m.group(3)), "failed": int(m.group(4)),
            "rest": m.group(5)}


def expect_mm(text, what, ran, skipped=None):
    """Raises ToolFailed unless minimerge's summary line in text says ran
    actions ran (and skipped skipped), none restored or failed."""
    c = mm_counts(text)
    if c is None:
        raise ToolFailed("minimerge (%s): no summary line in its output:\n%s"
                         % (what, text[-2000:]))
    bad = c["ran"] != ran or c["failed"] or c["restored"] or c["rest"] or (
        skipped is not None and c["skipped"] != skipped)
    if bad:
        raise ToolFailed(
            "minimerge (%s): expected %d ran%s, 0 restored, 0 failed; got: %s"
            % (what, ran, "" if skipped is None else ", %d skipped" % skipped,
               SUMMARY.search(text).group(0)))


def ms(seconds):
    return seconds * 1000.0


def fmt_ms(seconds):
    m = ms(seconds)
    return "%.2f" % m if m < 100 else "%.1f" % m


def peak(kibs):
    """The largest of the peak RSS figures that are known, or None."""
    kibs = [k for k in kibs if k is not None]
    return max(kibs) if kibs else None


def mib(kib):
    return "?" if kib is None else "%.1f" % (kib / 1024.0)


def time_sides(sides, runs, per=None):
    """Runs each Side runs times, interleaved, and prints each one's median,
    min and max (and the median per item when per, a count, is given).
    Returns {label: median seconds}."""
    times = {side.label: [] for side in sides}
    for _ in range(runs):
        for side in sides:
            times[side.label].append(side.run("a timed run")[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        each = ", %s ms each" % fmt_ms(med[k] / per) if per else ""
        print("  %-20s median %s ms (min %s, max %s)%s" % (
            k, fmt_ms(med[k]), fmt_ms(min(v)), fmt_ms(max(v)), each))
    return med


def print_target(target, text, ratio):
    """Says whether ratio met target (ratio <= target), which text
    describes; nothing without a target."""
    if target is None:
        return
    if ratio <= target:
        print("  target: %s: met (%.3fx)" % (text, ratio))
    else:
        print("  TARGET MISSED: %s: the ratio is %.3fx" % (text, ratio))


def version_of(argv):
    """The first line argv prints (a --version), or "?"."""
    try:
        r = subprocess.run(argv, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=10, text=True)
        return r.stdout.strip().splitlines()[0] if r.stdout.strip() else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def fs_type(path):
    """The type of the file system holding path, from /proc/mounts."""
    best, kind = "", "?"
    try:
        real = os.path.realpath(path)
        with open("/proc/mounts") as fh:
            for line in fh:
                f = line.split()
                if len(f) > 2 and (real == f[1] or real.startswith(
                        f[1].rstrip("/") + "/")) and len(f[1]) >= len(best):
                    best, kind = f[1], f[2]
    except OSError:
        pass
    # No journal anywhere (no jbd2 thread): this ext4 has none either, and
    # its inode allocator skips the inodes freed in the last minute or more
    # (recently_deleted()), which makes creating files slow after deleting
    # many, as the benches do between runs.
    if kind == "ext4" and os.path.isdir("/proc/fs/jbd2") and not os.listdir(
            "/proc/fs/jbd2"):
        kind += " without a journal"
    return kind


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
