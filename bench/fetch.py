#!/usr/bin/python3
"""fetch: minimerge fetch vs curl --parallel and tar -xf, in the same run.

    /usr/bin/python3 bench/fetch.py --minimerge build/minimerge

Two scenarios on files generated here (fixed seed), served by a local HTTP
server on 127.0.0.1: nginx if it is installed, else Python's http.server
(ThreadingHTTPServer in a child process: HTTP/1.1 keep-alive, a listen
backlog of 256, sendfile, no request log).

1. downloads: a root of 50 packages (src_type = static, install_method =
   none), each an uncompressed tar of 2 MiB of random bytes under a single
   top directory, and meta-fetch, which depends on all of them.  Timed,
   interleaved, --runs runs each, from an empty download cache and no homes
   (ROOT/downloads, the homes and ROOT/.minimerge, or curl's directory,
   moved to the trash after each run, untimed: see Trash):
     minimerge -C ROOT fetch -j J meta-fetch       (J = --jobs, default 4)
     curl --parallel --parallel-immediate --parallel-max J -o ... URL ...
     curl ... --parallel-max 50                    (curl's default)
     sha256sum of the 50 files                     (reference: what
                                                    minimerge's checks read)
   Target: minimerge / curl at the same parallelism (J) <= 1.1.
2. unpacking: a 100 MiB tar of a source-like tree (about 4,700 files of
   varied sizes in about 310 directories, text and binary, a few empty
   files, executables and symlinks) and the same tar gzipped, both in
   ROOT/downloads (a first, untimed fetch downloaded them).  Timed,
   interleaved, with the home (tar: its directory) moved to the trash
   after each run; ROOT/.minimerge stays, as between two real runs:
     minimerge -C ROOT fetch bigtar-1.0            (unpacks; the cached
                                                    file's sha256 was
                                                    verified by an earlier
                                                    run and its stat has
                                                    not changed since)
     tar -xf DOWNLOADS/...-big-1.0.tar -C DIR      (the same file)
     sha256sum DOWNLOADS/...-big-1.0.tar           (reference)
   and the same three on the .tar.gz.  Target: minimerge / tar -xf on the
   uncompressed tar <= 1.2; the gzip ratio is reported.

Before anything is timed, each tool's output is checked once: the bytes
minimerge keeps in downloads/ and unpacks into the homes, and the files
curl writes, are the served files; the trees minimerge and tar unpack are
the generated tree (paths, types, permissions, file contents and mtimes,
symlink targets).  Every timed run is checked too (exit status,
minimerge's summary line, the files' count and sizes).  Times are spawn to
exit of the whole process; peak memory is GNU time's %M from one more,
untimed run of each tool.  What is and is not fair: bench/README.md, fetch.

Exit status: 0 fine, whatever the targets (a missed one prints
"TARGET MISSED"); 1 a tool failed or produced other files than expected;
2 bad usage or a missing binary.
"""

import argparse
import fcntl
import functools
import gzip
import hashlib
import io
import math
import os
import platform
import random
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ left in the tree

import benchlib  # noqa: E402

DOWNLOAD_TARGET = 1.10  # minimerge / curl at the same parallelism, at most
UNPACK_TARGET = 1.20    # minimerge / tar -xf, uncompressed, at most
SEED = 20240701
CATEGORY = "dependencies"
MINILAY = "fetch"
TARGET = "meta-fetch"
MTIME = 1700000000
BIG_TOP = "big-1.0"
BIG_PACKAGES = (("bigtar-1.0", BIG_TOP + ".tar"),
                ("bigtgz-1.0", BIG_TOP + ".tar.gz"))
NO_ENV = ("MINILAYS", "MINIMERGE_ROOT", "http_proxy", "HTTP_PROXY",
          "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
          "CURL_HOME")

ToolFailed = benchlib.ToolFailed


# --- the server -----------------------------------------------------------

def serve(directory):
    """`fetch.py --serve DIR`: serve DIR on 127.0.0.1, a free port, printed
    on the first line of stdout once the socket listens; until killed."""
    import http.server

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: Content-Length is sent
        disable_nagle_algorithm = True

        def copyfile(self, source, outputfile):
            # sendfile(2): the kernel copies from the page cache; the
            # headers went out before (wfile is unbuffered).
            self.connection.sendfile(source)

        def log_message(self, fmt, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        # socketserver's default backlog is 5: 50 connections opened at
        # once would see SYNs dropped and retried a second later.
        request_queue_size = 256
        daemon_threads = True

    httpd = Server(("127.0.0.1", 0),
                   functools.partial(Handler, directory=directory))
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


class HttpServer:
    """The local server the downloads come from: nginx, or serve() in a
    child Python."""

    def __init__(self, kind, directory, scratch):
        self.kind = kind
        self.directory = directory
        self.scratch = scratch
        self.proc = None
        self.port = None
        self.description = None

    def url(self, name):
        return "http://127.0.0.1:%d/%s" % (self.port, name)

    def start(self):
        err = open(os.path.join(self.scratch, "server.err"), "wb")
        try:
            if self.kind == "python":
                self._start_python(err)
            else:
                self._start_nginx(err)
        finally:
            err.close()

    def _start_python(self, err):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve",
             self.directory], stdout=subprocess.PIPE, stderr=err,
            stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            raise ToolFailed("the Python HTTP server did not start:\n%s" %
                             benchlib.read(os.path.join(self.scratch,
                                                        "server.err")))
        self.port = int(line)
        self.description = (
            "Python %s http.server (ThreadingHTTPServer in a child process, "
            "HTTP/1.1 keep-alive, sendfile, backlog 256)"
            % platform.python_version())

    def _start_nginx(self, err):
        nginx = shutil.which("nginx")
        with socket.socket() as s:  # a free port; nginx binds it next
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        prefix = os.path.join(self.scratch, "nginx")
        os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
        tmp = os.path.join(prefix, "tmp")
        conf = os.path.join(prefix, "nginx.conf")
        # As root, nginx's workers would run as nobody, who cannot read
        # the work directory (mode 0700).
        user = "user root;\n" if os.geteuid() == 0 else ""
        with open(conf, "w") as fh:
            fh.write(user + """daemon off;
worker_processes 2;
pid %(p)s/nginx.pid;
error_log %(p)s/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    default_type application/octet-stream;
    client_body_temp_path %(t)s;
    proxy_temp_path %(t)s;
    fastcgi_temp_path %(t)s;
    uwsgi_temp_path %(t)s;
    scgi_temp_path %(t)s;
    server {
        listen 127.0.0.1:%(port)d backlog=256;
        root %(root)s;
    }
}
""" % {"p": prefix, "t": tmp, "port": self.port, "root": self.directory})
        self.proc = subprocess.Popen([nginx, "-p", prefix, "-c", conf],
                                     stdout=err, stderr=err,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1):
                    break
            except OSError:
                if self.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    self.stop()
                    raise ToolFailed("nginx did not start:\n%s" % (
                        benchlib.read(os.path.join(self.scratch,
                                                   "server.err"))))
                time.sleep(0.05)
        self.description = ("nginx (2 worker processes, HTTP/1.1 "
                            "keep-alive, sendfile, backlog 256)")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None


# --- the input ------------------------------------------------------------

def _tarinfo(name, kind, mode, mtime, size=0, target=None):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.mtime = mtime
    ti.size = size
    ti.uid = ti.gid = 1000   # a release tarball's, not ours
    ti.uname = ti.gname = "builder"
    if target is not None:
        ti.linkname = target
    return ti


def write_tar(path, top, entries):
    """An uncompressed GNU tar at path: top/ then entries, [(relative name,
    kind 'd' 'f' 'l', mode, mtime, bytes or link target)], in order."""
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
        t.addfile(_tarinfo(top, tarfile.DIRTYPE, 0o755, MTIME))
        for name, kind, mode, mtime, payload in entries:
            full = top + "/" + name
            if kind == "d":
                t.addfile(_tarinfo(full, tarfile.DIRTYPE, mode, mtime))
            elif kind == "l":
                t.addfile(_tarinfo(full, tarfile.SYMTYPE, 0o777, mtime,
                                   target=payload))
            else:
                t.addfile(_tarinfo(full, tarfile.REGTYPE, mode, mtime,
                                   len(payload)), io.BytesIO(payload))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Small:
    """Scenario 1's files: name (pkgNN-1.0), file (pkgNN-1.0.tar), the
    tar's sha256 and size, the payload's sha256."""

    def __init__(self, name, tar_sha, tar_size, data_sha):
        self.name = name
        self.file = name + ".tar"
        self.tar_sha = tar_sha
        self.tar_size = tar_size
        self.data_sha = data_sha


def gen_small(serve_dir, n, size, rng):
    width = len(str(n - 1))
    out = []
    for i in range(n):
        name = "pkg%0*d-1.0" % (max(2, width), i)
        data = rng.randbytes(size)
        path = os.path.join(serve_dir, name + ".tar")
        write_tar(path, name, [("data.bin", "f", 0o644, MTIME, data)])
        out.append(Small(name, sha256_file(path), os.path.getsize(path),
                         hashlib.sha256(data).hexdigest()))
    return out


TOP_DIRS = ("src", "include", "lib", "doc", "tests", "data", "tools", "po",
            "m4", "share", "examples", "contrib")
# extension, binary, executable, share of the files
KINDS = ((".c", False, False, 25), (".h", False, False, 15),
         (".py", False, False, 9), (".txt", False, False, 8),
         (".html", False, False, 7), (".po", False, False, 5),
         (".sh", False, True, 3), (".png", True, False, 12),
         (".so", True, False, 4), (".dat", True, False, 12))
CODE_WORDS = benchlib.WORDS + (
    "if else for while return static const struct int char void unsigned "
    "NULL size_t sizeof ( ) { } ; = == != && || + - * / 0 1 2 -1 "
    "the of a to in is that it for on with as").split()


def _text_pool(rng, n=1 << 20):
    lines, size = [], 0
    while size < n:
        line = "\t" * rng.randint(0, 3) + " ".join(
            rng.choice(CODE_WORDS) for _ in range(rng.randint(1, 12))) + "\n"
        lines.append(line)
        size += len(line)
    pool = "".join(lines).encode()
    return pool + pool  # a slice of up to len(pool) from any offset


def _text(rng, pool, size):
    half = len(pool) // 2
    out = []
    while size > 0:
        k = min(size, half)
        off = rng.randrange(half)
        out.append(pool[off:off + k])
        size -= k
    return b"".join(out)


def gen_big_tree(rng, total):
    """A source-like tree of about total bytes: [(relative name, kind,
    mode, mtime, payload)], sorted by name (as tar -c of a tree would
    list it, more or less), and how many of each kind."""
    pool = _text_pool(rng)
    entries = {}
    dirs = []
    for d in TOP_DIRS:
        dirs.append(d)
        entries[d] = ("d", 0o755, MTIME + rng.randrange(10 ** 7), None)
    n_dirs = max(len(TOP_DIRS) * 2, total // (330 * 1024))
    while len(dirs) < n_dirs:
        parent = rng.choice(dirs)
        if parent.count("/") >= 4:
            continue
        d = "%s/%s%d" % (parent, rng.choice(benchlib.WORDS), len(dirs))
        dirs.append(d)
        entries[d] = ("d", 0o755, MTIME + rng.randrange(10 ** 7), None)
    weights = [k[3] for k in KINDS]
    # A quarter of the bytes in 4 big files (a data set, a manual).
    big = [total // 20 + rng.randrange(max(1, total // 40)) for _ in range(4)]
    files, size, i = [], 0, 0
    while size < total - sum(big):
        ext, binary, exe, _ = rng.choices(KINDS, weights)[0]
        n = 0 if rng.random() < 0.02 else min(
            int(rng.lognormvariate(math.log(6000), 1.5)), 2 << 20)
        name = "%s/%s_%d%s" % (rng.choice(dirs), rng.choice(benchlib.WORDS),
                               i, ext)
        data = rng.randbytes(n) if binary else _text(rng, pool, n)
        entries[name] = ("f", 0o755 if exe else 0o644,
                         MTIME + rng.randrange(10 ** 7), data)
        files.append(name)
        size += n
        i += 1
    for k, n in enumerate(big):
        binary = k % 2 == 0
        name = "data/big%d%s" % (k, ".bin" if binary else ".txt")
        entries[name] = ("f", 0o644, MTIME + rng.randrange(10 ** 7),
                         rng.randbytes(n) if binary else _text(rng, pool, n))
        files.append(name)
    # A few symlinks, relative, to files of the tree: half beside their
    # target (libfoo.so -> libfoo_12.so), half from another directory.
    for k in range(8):
        target = rng.choice(files)
        here = os.path.dirname(target) if k % 2 == 0 else rng.choice(dirs)
        link = "%s/link%d_%s" % (here, k, os.path.basename(target))
        entries[link] = ("l", 0o777, MTIME,
                         os.path.relpath(target, here))
    out = [(name,) + entries[name] for name in sorted(entries)]
    counts = {"d": 1, "f": 0, "l": 0}  # the top directory
    for e in out:
        counts[e[1]] += 1
    return out, counts


def expected_tree(entries):
    """What snapshot() should find where the tree was unpacked."""
    want = {}
    for name, kind, mode, mtime, payload in entries:
        if kind == "d":
            want[name] = ("d", mode)
        elif kind == "l":
            want[name] = ("l", payload)
        else:
            want[name] = ("f", mode, len(payload),
                          hashlib.sha256(payload).hexdigest(), mtime)
    return want


def snapshot(top, skip=("parts",)):
    """{relative path: what it is} under top, skip left out at its top:
    ("d", mode), ("l", target), ("f", mode, size, sha256, mtime)."""
    got = {}
    for d, subdirs, names in os.walk(top):
        if d == top:
            subdirs[:] = [s for s in subdirs if s not in skip]
        for n in subdirs + names:
            path = os.path.join(d, n)
            rel = os.path.relpath(path, top)
            st = os.lstat(path)
            if os.path.islink(path):
                got[rel] = ("l", os.readlink(path))
            elif os.path.isdir(path):
                got[rel] = ("d", st.st_mode & 0o7777)
            else:
                got[rel] = ("f", st.st_mode & 0o7777, st.st_size,
                            sha256_file(path), int(st.st_mtime))
    return got


def tree_diffs(want, got):
    out = []
    for k in sorted(set(want) | set(got)):
        if k not in got:
            out.append("%s: missing" % k)
        elif k not in want:
            out.append("%s: not in the archive: %s" % (
                k, benchlib.short(got[k])))
        elif want[k] != got[k]:
            out.append("%s: %s, expected %s" % (
                k, benchlib.short(got[k]), benchlib.short(want[k])))
        if len(out) >= 20:
            break
    return out


def write_root(root, packages):
    """A root whose minilay holds packages, [(name, text)]."""
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    with open(os.path.join(root, "etc", "minimerge.cfg"), "w") as fh:
        fh.write("# Generated by bench/fetch.py.\n[minimerge]\n")
    lay = os.path.join(root, "minilays", MINILAY)
    os.makedirs(lay, exist_ok=True)
    for name, text in packages:
        with open(os.path.join(lay, name), "w") as fh:
            fh.write(text)


def static_minibuild(url, sha256):
    return ("[minibuild]\nsrc_type = static\nsrc_uri = %s\nsrc_sha256 = %s\n"
            "install_method = none\ncategory = %s\n" % (url, sha256,
                                                        CATEGORY))


# --- running ----------------------------------------------------------------

class Side(benchlib.Side):
    """One command's runs (see benchlib.Side): what it writes (outputs,
    moved to the trash after each run once checked), what to do before
    each (untimed), what each must have done, and the times and peaks of
    the runs timed() and memory() made."""

    def __init__(self, label, argv, env, scratch, tag, trash=None,
                 outputs=(), prepare=None, check=None):
        super().__init__(label, argv, env, scratch, tag)
        self.trash = trash
        self.outputs = outputs
        self.prepare = prepare
        self.check = check
        self.times = []
        self.rss = []

    def run(self, what, rss=False, keep=False):
        """(wall seconds, peak RSS KiB or None, stdout); with keep, what
        it wrote stays in place until the next run."""
        for path in self.outputs:
            self.trash.retire(path)
        if self.prepare:
            self.prepare()
        # Nothing dirty left by an earlier run: no writeback under this one.
        os.sync()
        t, kib, text = super().run(what, rss)
        if self.check:
            self.check(text, what)
        if not keep:
            for path in self.outputs:
                self.trash.retire(path)
        return t, kib, text

    def timed(self, what):
        t, _, _ = self.run(what)
        self.times.append(t)

    def memory(self, what):
        # The last run: what it wrote stays (for --keep).
        _, kib, _ = self.run(what + " (memory)", rss=True, keep=True)
        self.rss.append(kib)

    @property
    def median(self):
        return statistics.median(self.times)


class Trash:
    """Where what a run wrote goes once it is checked: renamed, its files
    truncated to nothing (their page cache is freed for the next run),
    not deleted until the bench is over.

    On ext4 without a journal (this machine's /tmp), creating an inode
    skips, one by one, every inode freed in the last 60 s (360 s while
    its inode table block is dirty), recently_deleted() in
    fs/ext4/ialloc.c: a tree of 4,658 files unpacked where one had just
    been deleted took 2 to 4 s instead of 0.17, and whichever tool ran
    after a deletion paid for it.  So the bench deletes nothing while it
    times, and works in directories of random names made in a directory
    marked chattr +T (see spread()): ext4 starts each in a block group
    chosen by a hash of its name among the little-used ones, away from
    what anyone (the previous run of the bench, tests) deleted lately.
    A journaled ext4 has no such wait."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "trash")
        self.n = 0

    def retire(self, path):
        if not os.path.lexists(path):
            return
        os.makedirs(self.dir, exist_ok=True)
        self.n += 1
        dest = os.path.join(self.dir, str(self.n))
        os.rename(path, dest)
        if os.path.isfile(dest) and not os.path.islink(dest):
            os.truncate(dest, 0)
        for d, _, names in os.walk(dest):
            for n in names:
                f = os.path.join(d, n)
                if not os.path.islink(f):
                    os.truncate(f, 0)

    def empty(self):
        shutil.rmtree(self.dir, ignore_errors=True)


FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_TOPDIR_FL = 0x00020000


def spread(path):
    """Marks the directory path as a top directory (chattr +T): ext4 puts
    each directory made in it in the little-used block group found first
    from a hash of its name, rather than near path (see Trash).  True if
    the flag is set; False elsewhere (tmpfs, ...), where it is not
    needed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        buf = bytearray(4)
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, buf, True)
        flags = struct.unpack("@i", buf)[0] | FS_TOPDIR_FL
        fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("@i", flags))
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def files_with(directory, suffix):
    return sorted(n for n in os.listdir(directory) if n.endswith(suffix))


def print_table(runs, rows):
    width = max(40, max(len(s.label) for s in rows))
    print("\n  %-*s  %10s  %10s  %14s" % (
        width, "%d run%s each, interleaved" % (runs, "" if runs == 1 else "s"),
        "median ms", "min ms", "peak RSS MiB"))
    for s in rows:
        print("  %-*s  %10s  %10s  %14s" % (
            width, s.label, benchlib.fmt_ms(s.median),
            benchlib.fmt_ms(min(s.times)),
            benchlib.mib(benchlib.peak(s.rss)) if s.rss else "-"))


class Result:
    def __init__(self, key, title, mm, peer, target, target_text):
        self.key, self.title = key, title
        self.mm, self.peer = mm, peer
        self.target, self.target_text = target, target_text

    @property
    def ratio(self):
        return self.mm.median / self.peer.median

    def met(self):
        return self.target is None or self.ratio <= self.target

    def print_target(self):
        benchlib.print_target(self.target, self.target_text, self.ratio)


def scenario_downloads(a, env, server, workdir, scratch, trash, smalls):
    here = tempfile.mkdtemp(prefix="downloads-", dir=workdir)  # see Trash
    root = os.path.join(here, "root")
    write_root(root, [(s.name, static_minibuild(server.url(s.file),
                                                s.tar_sha))
                      for s in smalls] +
               [(TARGET, "[minibuild]\ndependencies =\n" + "".join(
                   "    %s\n" % s.name for s in smalls))])
    n = len(smalls)
    total = sum(s.tar_size for s in smalls)
    cache = os.path.join(root, "downloads")
    print("\n[1] downloads: %d files of %.1f MiB (uncompressed tars of random "
          "bytes, %.1f MiB in all) from %s"
          % (n, smalls[0].tar_size / 1048576.0, total / 1048576.0,
             server.url("")))

    def mm_check(text, what):
        benchlib.expect_mm(text, what, n, 0)
        names = os.listdir(cache)
        sizes = sorted(os.path.getsize(os.path.join(cache, f)) for f in names)
        if sizes != sorted(s.tar_size for s in smalls):
            raise ToolFailed("minimerge (%s): downloads/ holds %s, expected "
                             "the %d served files" % (
                                 what, benchlib.short(sorted(names)), n))

    mm = Side("minimerge fetch -j%d" % a.jobs,
              [a.minimerge, "-C", root, "fetch", "-j", str(a.jobs), TARGET],
              env, scratch, "minimerge-downloads", trash,
              [cache, os.path.join(root, CATEGORY),
               os.path.join(root, ".minimerge")], check=mm_check)

    def curl_side(p):
        d = os.path.join(here, "curl-P%d" % p)
        argv = [a.curl, "-q", "--silent", "--no-progress-meter",
                "--show-error", "--fail",
                "--parallel", "--parallel-immediate", "--parallel-max",
                str(p)]
        for s in smalls:
            argv += ["-o", os.path.join(d, s.file), server.url(s.file)]

        def check(text, what):
            for s in smalls:
                f = os.path.join(d, s.file)
                if not os.path.isfile(f) or os.path.getsize(f) != s.tar_size:
                    raise ToolFailed("curl -P%d (%s): %s is missing or not "
                                     "%d bytes" % (p, what, f, s.tar_size))
        side = Side("curl --parallel-max %d" % p, argv, env, scratch,
                    "curl-P%d" % p, trash, [d], lambda: os.makedirs(d),
                    check)
        side.dir = d
        return side

    by_p = {p: curl_side(p) for p in sorted({a.jobs, 50})}
    curls = list(by_p.values())
    peer = by_p[a.jobs]
    sha = Side("sha256sum of the %d files (reference)" % n,
               [a.sha256sum] + [os.path.join(server.directory, s.file)
                                for s in smalls], env, scratch, "sha256sum")

    # The check runs, untimed: bytes for bytes.
    mm.run("check run", keep=True)
    stored = files_with(cache, ".tar")
    bad = []
    for s in smalls:
        match = [f for f in stored if f.endswith("-" + s.file)]
        if len(match) != 1:
            bad.append("downloads/: %d files for %s: %s" % (
                len(match), s.file, match))
        elif sha256_file(os.path.join(cache, match[0])) != s.tar_sha:
            bad.append("downloads/%s: not the served bytes" % match[0])
        data = os.path.join(root, CATEGORY, s.name, "data.bin")
        if not os.path.isfile(data) or sha256_file(data) != s.data_sha:
            bad.append("%s: not unpacked into its home" % s.name)
    if len(os.listdir(cache)) != n:
        bad.append("downloads/ holds %d files, expected %d: %s" % (
            len(os.listdir(cache)), n, benchlib.short(os.listdir(cache))))
    for c in curls:
        c.run("check run", keep=True)
        for s in smalls:
            if sha256_file(os.path.join(c.dir, s.file)) != s.tar_sha:
                bad.append("%s: %s is not the served file" % (c.label,
                                                              s.file))
    if bad:
        raise ToolFailed("wrong files after the check runs; first %d:\n%s" % (
            min(len(bad), 20), "\n".join("  " + b for b in bad[:20])))
    print("  check runs (untimed): minimerge kept the %d served files byte "
          "for byte in downloads/ and unpacked each into its home; %s wrote "
          "them byte for byte" % (n, " and ".join(c.label for c in curls)))

    rows = [mm] + curls + [sha]
    for r in range(a.runs):
        for s in rows:
            s.timed("run %d" % (r + 1))
    for s in [mm] + curls:
        s.memory("run %d" % (a.runs + 1))
    print_table(a.runs, rows)
    res = Result("downloads", "%d downloads of %.1f MiB, -j%d" % (
        n, smalls[0].tar_size / 1048576.0, a.jobs), mm, peer,
        DOWNLOAD_TARGET,
        "minimerge -j%d within 10%% of curl --parallel-max %d (ratio <= "
        "%.2f)" % (a.jobs, a.jobs, DOWNLOAD_TARGET))
    print("\n  ratio of medians, minimerge -j%d / curl --parallel-max %d: "
          "%.3fx" % (a.jobs, a.jobs, res.ratio))
    res.print_target()
    res.others = []
    for c in curls:
        if c is not peer:
            print("  ratio of medians, minimerge -j%d / %s: %.3fx (no "
                  "target: not the same parallelism)" % (
                      a.jobs, c.label, mm.median / c.median))
            res.others.append(c)
    res.sha = sha
    print("  (both sides move the same %.1f MiB over HTTP/1.1; minimerge "
          "also checks each file's sha256 and unpacks it into "
          "its home; sha256sum's row is coreutils' portable SHA-256 of the "
          "same files, for scale)"
          % (total / 1048576.0))
    return res


def scenario_unpack(a, env, server, workdir, scratch, trash, big, counts,
                    total):
    here = tempfile.mkdtemp(prefix="unpack-", dir=workdir)  # see Trash
    root = os.path.join(here, "root")
    sums = {}
    for pkg, file in BIG_PACKAGES:
        sums[file] = sha256_file(os.path.join(server.directory, file))
    write_root(root, [(pkg, static_minibuild(server.url(file), sums[file]))
                      for pkg, file in BIG_PACKAGES])
    cache = os.path.join(root, "downloads")
    sizes = {f: os.path.getsize(os.path.join(server.directory, f))
             for _, f in BIG_PACKAGES}
    print("\n[2] unpacking a %.1f MiB tar (%d files, %d directories, %d "
          "symlinks; %.1f MiB of file contents) and the same tar gzipped "
          "(%.1f MiB), from the download cache"
          % (sizes[BIG_PACKAGES[0][1]] / 1048576.0, counts["f"], counts["d"],
             counts["l"], total / 1048576.0,
             sizes[BIG_PACKAGES[1][1]] / 1048576.0))
    # One fetch, untimed, downloads both into the cache; it is the check
    # run of minimerge too.
    first = Side("minimerge fetch (first)",
                 [a.minimerge, "-C", root, "fetch", "-j", "2"] +
                 [p for p, _ in BIG_PACKAGES], env, scratch,
                 "minimerge-unpack-first")
    benchlib.expect_mm(first.run("first fetch")[2], "first fetch", 2, 0)
    want = expected_tree(big)
    rows, results = [], []
    for pkg, file in BIG_PACKAGES:
        found = files_with(cache, "-" + file)
        if len(found) != 1:
            raise ToolFailed("minimerge kept %d files for %s in %s: %s" % (
                len(found), file, cache, found))
        cached = os.path.join(cache, found[0])
        home = os.path.join(root, CATEGORY, pkg)
        diffs = tree_diffs(want, snapshot(home))
        if diffs:
            raise ToolFailed("minimerge unpacked %s into %s otherwise than "
                             "the archive says; first %d:\n%s" % (
                                 file, home, len(diffs),
                                 "\n".join("  " + d for d in diffs)))
        tardir = os.path.join(here, "tar-" + file)

        def mm_check(text, what):
            benchlib.expect_mm(text, what, 1, 0)

        def tar_check(text, what, tardir=tardir):
            if not os.path.isdir(os.path.join(tardir, BIG_TOP)):
                raise ToolFailed("tar -xf (%s): no %s/%s" % (what, tardir,
                                                             BIG_TOP))

        mm = Side("minimerge fetch (%s)" % file,
                  [a.minimerge, "-C", root, "fetch", pkg], env, scratch,
                  "minimerge-" + file, trash, [home], check=mm_check)
        tar = Side("tar -xf (%s)" % file,
                   [a.tar, "-xf", cached, "-C", tardir], env, scratch,
                   "tar-" + file, trash, [tardir],
                   functools.partial(os.makedirs, tardir), tar_check)
        sha = Side("sha256sum (%s), for reference" % file,
                   [a.sha256sum, cached], env, scratch, "sha256sum-" + file)
        tar.run("check run", keep=True)
        diffs = tree_diffs(want, snapshot(os.path.join(tardir, BIG_TOP)))
        if diffs:
            raise ToolFailed("tar -xf unpacked %s otherwise than the "
                             "archive says; first %d:\n%s" % (
                                 file, len(diffs),
                                 "\n".join("  " + d for d in diffs)))
        gz = file.endswith(".gz")
        res = Result("unpack-gzip" if gz else "unpack",
                     "unpack %.0f MiB %s" % (
                         sizes[BIG_PACKAGES[0][1]] / 1048576.0,
                         ".tar.gz" if gz else ".tar"),
                     mm, tar, None if gz else UNPACK_TARGET,
                     "minimerge within 20%% of tar -xf on the uncompressed "
                     "tar (ratio <= %.2f)" % UNPACK_TARGET)
        res.sha = sha
        results.append(res)
        rows += [mm, tar, sha]
    print("  check runs (untimed): minimerge and tar -xf unpacked both "
          "archives into the generated tree (paths, types, permissions, "
          "contents, mtimes, symlink targets)")
    for r in range(a.runs):
        for s in rows:
            s.timed("run %d" % (r + 1))
    for res in results:
        res.mm.memory("run %d" % (a.runs + 1))
        res.peer.memory("run %d" % (a.runs + 1))
    print_table(a.runs, rows)
    print()
    for res in results:
        what = ".tar.gz" if res.key == "unpack-gzip" else ".tar"
        print("  ratio of medians, minimerge / tar -xf, %s: %.3fx" % (
            what, res.ratio))
        res.print_target()
    print("  (minimerge does not hash the cached file again: an earlier run "
          "verified it and its stat is unchanged; sha256sum's row is what "
          "that check costs when it runs. On the .tar.gz, GNU tar runs "
          "gzip -d in a second process, on the other CPU; libarchive "
          "inflates in minimerge's own thread)")
    return results


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"] and len(argv) == 2:
        serve(argv[1])
        return 0
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(
        description="minimerge fetch vs curl --parallel (50 downloads from "
                    "a local server) and vs tar -xf (a 100 MiB tarball).")
    ap.add_argument("--minimerge", default="build/minimerge",
                    help="the minimerge binary (default: %(default)s)")
    ap.add_argument("--curl", default="curl",
                    help="the curl binary (default: the first on PATH)")
    ap.add_argument("--tar", default="tar",
                    help="the tar binary (default: the first on PATH)")
    ap.add_argument("--runs", type=int, default=7,
                    help="timed runs of each command (default: %(default)s)")
    ap.add_argument("--jobs", "-j", type=int, default=4,
                    help="minimerge's -j, and the --parallel-max of the curl "
                         "the target compares with (default: %(default)s)")
    ap.add_argument("--files", type=int, default=50,
                    help="downloads of scenario 1 (default: %(default)s)")
    ap.add_argument("--file-kib", type=int, default=2048,
                    help="random bytes in each download (default: "
                         "%(default)s)")
    ap.add_argument("--tarball-mib", type=int, default=100,
                    help="file contents of scenario 2's tarball, about its "
                         "size (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--server", choices=("auto", "nginx", "python"),
                    default="auto",
                    help="the HTTP server: nginx, Python's http.server, or "
                         "nginx if installed (default: %(default)s)")
    ap.add_argument("--scenarios", default="1,2",
                    help="which to run, e.g. 2 (default: %(default)s)")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke check: 10 files of 512 KiB, a 10 MiB "
                         "tarball, 3 runs")
    ap.add_argument("--workdir", metavar="DIR",
                    help="make the temporary directory in DIR (default: "
                         "$TMPDIR or /tmp); e.g. /dev/shm to take the disk "
                         "(and fsync) out of the comparison")
    ap.add_argument("--keep", metavar="DIR",
                    help="generate into DIR and keep it (default: a "
                         "temporary directory, removed at the end)")
    a = ap.parse_args(argv)
    if a.quick:
        a.files, a.file_kib, a.tarball_mib, a.runs = 10, 512, 10, 3
    for opt in ("runs", "jobs", "files", "file_kib", "tarball_mib"):
        if getattr(a, opt) < 1:
            ap.error("--%s must be at least 1" % opt.replace("_", "-"))
    try:
        which = {int(x) for x in a.scenarios.split(",") if x.strip()}
    except ValueError:
        which = set()
    if not which or which - {1, 2}:
        ap.error("--scenarios takes numbers among 1,2")

    a.minimerge = os.path.abspath(a.minimerge)
    if not os.access(a.minimerge, os.X_OK):
        print("fetch: minimerge binary not found: %s (build it first)"
              % a.minimerge, file=sys.stderr)
        return 2
    for tool in ("curl", "tar"):
        path = shutil.which(getattr(a, tool))
        if not path:
            print("fetch: no %s at %s" % (tool, getattr(a, tool)),
                  file=sys.stderr)
            return 2
        setattr(a, tool, os.path.abspath(path))
    a.sha256sum = shutil.which("sha256sum")
    if not a.sha256sum:
        print("fetch: sha256sum is not on PATH", file=sys.stderr)
        return 2
    if not os.access(benchlib.GNU_TIME, os.X_OK):
        print("fetch: no GNU time at %s (Debian: apt-get install time); it "
              "measures peak memory" % benchlib.GNU_TIME, file=sys.stderr)
        return 2
    if a.server == "auto":
        a.server = "nginx" if shutil.which("nginx") else "python"
    elif a.server == "nginx" and not shutil.which("nginx"):
        print("fetch: --server nginx, but nginx is not on PATH",
              file=sys.stderr)
        return 2
    return benchlib.in_workdir("fetch", a.keep,
                               lambda w: _bench(a, which, w), ToolFailed,
                               a.workdir)


def _bench(a, which, workdir):
    scratch = os.path.join(workdir, "scratch")
    serve_dir = os.path.join(workdir, "serve")
    os.makedirs(scratch)
    os.makedirs(serve_dir)
    os.chdir(workdir)
    print("fetch: minimerge fetch vs curl --parallel and tar -xf; seed %d; "
          "in %s (%s)" % (a.seed, workdir, benchlib.fs_type(workdir)))
    print("  host: %s, %d CPUs, %s; %s; %s; %s" % (
        platform.machine(), os.cpu_count() or 0,
        platform.platform(terse=True),
        benchlib.version_of([a.curl, "--version"]).split(" (")[0],
        benchlib.version_of([a.tar, "--version"]),
        benchlib.version_of([a.minimerge, "--version"])))
    floor = [benchlib.spawn(["/bin/true"], dict(os.environ), os.devnull,
                            os.devnull)[0] for _ in range(30)]
    print("  spawn floor (/bin/true from this script, median of 30): %s ms"
          % benchlib.fmt_ms(statistics.median(floor)))
    if benchlib.fs_type(workdir) == "ext4 without a journal":
        print("  ext4 without a journal: nothing deleted until the end, and "
              "the work directory marked chattr +T (%s), or creating files "
              "would wait on the inodes anyone freed in the last minutes "
              "(bench/README.md, fetch)" % (
                  "done" if spread(workdir) else
                  "FAILED: expect noisy unpacking figures"))

    rng = random.Random(a.seed)
    t0 = time.monotonic()
    smalls = big = None
    if 1 in which:
        smalls = gen_small(serve_dir, a.files, a.file_kib * 1024, rng)
    if 2 in which:
        total = a.tarball_mib << 20
        big, counts = gen_big_tree(rng, total)
        tar_path = os.path.join(serve_dir, BIG_TOP + ".tar")
        write_tar(tar_path, BIG_TOP, big)
        with open(tar_path, "rb") as src, gzip.GzipFile(
                tar_path + ".gz", "wb", compresslevel=6, mtime=0) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        content = sum(len(e[4]) for e in big if e[1] == "f")
    print("  input generated in %.1f s (%s)" % (
        time.monotonic() - t0, serve_dir))

    env = dict(os.environ)
    for k in NO_ENV:
        env.pop(k, None)
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"

    trash = Trash(workdir)
    server = HttpServer(a.server, serve_dir, scratch)
    server.start()
    results = []
    try:
        print("  server: %s on 127.0.0.1:%d%s" % (
            server.description, server.port,
            "" if a.server == "nginx" else " (nginx is not installed)"
            if not shutil.which("nginx") else ""))
        if 1 in which:
            results.append(scenario_downloads(a, env, server, workdir,
                                              scratch, trash, smalls))
        if 2 in which:
            results += scenario_unpack(a, env, server, workdir, scratch,
                                       trash, big, counts, content)
    finally:
        server.stop()
        trash.empty()  # untimed, nothing is timed any more

    print("\n  %-36s %11s %11s %8s %10s %10s  %s" % (
        "summary (medians)", "minimerge", "peer", "ratio", "mm MiB",
        "peer MiB", "target"))
    for r in results:
        print("  %-36s %8s ms %8s ms %7.3fx %10s %10s  %s" % (
            r.title, benchlib.fmt_ms(r.mm.median),
            benchlib.fmt_ms(r.peer.median), r.ratio,
            benchlib.mib(benchlib.peak(r.mm.rss)),
            benchlib.mib(benchlib.peak(r.peer.rss)),
            "-" if r.target is None else
            ("met (<= %.2f)" % r.target) if r.met() else
            "MISSED (<= %.2f)" % r.target))
    for r in results:
        extra = ""
        if r.key == "downloads":
            extra = "".join(", %s median %s ms (ratio %.3fx)" % (
                c.label, benchlib.fmt_ms(c.median), r.mm.median / c.median)
                for c in r.others)
        extra += ", sha256sum alone %s ms" % benchlib.fmt_ms(r.sha.median)
        print("fetch: %s: minimerge median %s ms, %s median %s ms, ratio "
              "%.3fx, peak RSS minimerge %s MiB, %s %s MiB%s, %s" % (
                  r.key, benchlib.fmt_ms(r.mm.median),
                  r.peer.label.split(" (")[0], benchlib.fmt_ms(r.peer.median),
                  r.ratio, benchlib.mib(benchlib.peak(r.mm.rss)),
                  r.peer.label.split(" ")[0],
                  benchlib.mib(benchlib.peak(r.peer.rss)), extra,
                  "no target" if r.target is None else
                  "target <= %.2f %s" % (r.target, "met" if r.met()
                                         else "MISSED")))
    missed = [r for r in results if not r.met()]
    if missed:
        print("fetch: TARGET MISSED: %s (exit status stays 0: targets are "
              "reported, not enforced)" % ", ".join(r.key for r in missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
