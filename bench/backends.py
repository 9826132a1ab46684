"""Benchmark: recognising projects.  120 generated source trees (autoconf,
CMake, meson, Makefile, Python and Perl projects, 20 each), each asked
which build system it uses: `minimerge info --which-backends DIR` against
debhelper's own detection, `dh_auto_configure --list` (the peer whose
build system names the built-in backends report).  Both run once per
tree from the same shell script; the choices must agree before anything
is timed.  Prints the medians and their ratio, and the median of
`minimerge info --dump` (every fact, no peer)."""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import benchlib  # noqa: E402

TARGET = 0.1  # minimerge's median at most this fraction of the peer's

# kind: (files, minimerge's backend, debhelper's choice)
KINDS = {
    "autoconf": ({"configure.ac": "AC_INIT([pp], [1.0])\nAC_OUTPUT\n",
                  "configure": "#!/bin/sh\necho configured\n"}, "autoconf", "autoconf"),
    "cmake": ({"CMakeLists.txt": "project(pp VERSION 1.0)\nfind_package(ZLIB)\n"},
              "cmake", "cmake+makefile"),
    "meson": ({"meson.build": "project('pp', 'c', version : '1.0')\n"
               "dependency('zlib')\n"}, "meson", "meson+ninja"),
    "makefile": ({"Makefile": "VERSION = 1.0\nall:\n\ttrue\n"}, "makefile", "makefile"),
    "python": ({"setup.py": "from setuptools import setup\nsetup(name='pp', version='1.0')\n"},
               "python", "python_distutils"),
    "perl": ({"Makefile.PL": "WriteMakefile(NAME => 'P::Q', VERSION => '1.0');\n"},
             "perl", "perl_makemaker"),
}

# What debhelper needs to run at all in a tree.
DEBIAN = {
    "debian/control": "Source: pp\nBuild-Depends: debhelper-compat (= 13)\n\n"
                      "Package: pp\nArchitecture: any\n",
    "debian/changelog": "pp (1.0) UNRELEASED; urgency=low\n\n  * Initial release\n\n"
                        " -- A Person <someone@example.com>  Tue, 14 Nov 2023 22:13:20 +0000\n",
}


def write(base, files):
    for rel, text in files.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if rel == "configure":
            os.chmod(path, 0o755)


def generate(root, per_kind):
    trees = []
    for kind, (files, _, _) in sorted(KINDS.items()):
        for i in range(per_kind):
            d = os.path.join(root, "%s-%d" % (kind, i))
            write(d, dict(files, **DEBIAN))
            trees.append((kind, d))
    return trees


def script(path, trees, command):
    with open(path, "w") as f:
        f.write("set -e\n")
        for _, d in trees:
            f.write("cd '%s' && %s\n" % (d, command))
    return ["/bin/sh", path]


def main(argv=None):
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minimerge", default="build/minimerge")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--per-kind", type=int, default=20)
    ap.add_argument("--keep", metavar="DIR")
    a = ap.parse_args(argv)
    minimerge = os.path.abspath(a.minimerge)
    return benchlib.in_workdir("backends", a.keep, lambda w: bench(a, minimerge, w),
                               (benchlib.ToolFailed, RuntimeError))


def bench(a, minimerge, workdir):
    trees = generate(os.path.join(workdir, "trees"), a.per_kind)
    scratch = os.path.join(workdir, "scratch")
    os.makedirs(scratch)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MINIMERGE_BACKEND_PATHS", "PKGME_BACKEND_PATHS")}
    env["MINIMERGE_BACKEND_PATHS"] = os.path.join(workdir, "no-external-backends")
    mm = benchlib.Side("minimerge", script(os.path.join(workdir, "mm.sh"), trees,
                                           "'%s' info --which-backends ." % minimerge),
                       env, scratch)
    dump = benchlib.Side("minimerge --dump", script(os.path.join(workdir, "dump.sh"), trees,
                                                    "'%s' info --dump . >/dev/null" % minimerge),
                         env, scratch, tag="dump")
    peer = benchlib.Side("debhelper", script(os.path.join(workdir, "dh.sh"), trees,
                                             "dh_auto_configure --list"),
                         env, scratch, tag="peer")
    _, _, mm_text = mm.run("the check")
    _, _, peer_text = peer.run("the check")
    dump.run("the check")
    mm_choice = [line.split(" (")[0] for line in mm_text.splitlines()]
    peer_choice = re.findall(r"^Auto-selected: (\S+)$", peer_text, re.M)
    if len(mm_choice) != len(trees) or len(peer_choice) != len(trees):
        raise RuntimeError("expected %d choices, got %d from minimerge and %d from debhelper"
                           % (len(trees), len(mm_choice), len(peer_choice)))
    for (kind, d), ours, theirs in zip(trees, mm_choice, peer_choice):
        if (ours, theirs) != KINDS[kind][1:]:
            raise RuntimeError("%s: minimerge chose %s and debhelper %s, not %s and %s" % (
                d, ours, theirs, KINDS[kind][1], KINDS[kind][2]))
    print("backends: %d trees (%d kinds), the choices agree; %d runs each" % (
        len(trees), len(KINDS), a.runs))
    med = benchlib.time_sides((mm, peer, dump), a.runs, per=len(trees))
    ratio = med[mm.label] / med[peer.label]
    print("  ratio minimerge/peer: %.3f (minimerge %.1fx faster)" % (ratio, 1 / ratio))
    benchlib.print_target(TARGET, "minimerge's detection in a tenth of debhelper's time or less",
                          ratio)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
