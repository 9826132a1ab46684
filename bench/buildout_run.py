#!/usr/bin/python3
"""buildout_run: the no-op rerun of a 200-part buildout, minimerge buildout
vs zc.buildout's `buildout -o`, in the same run.

    /usr/bin/python3 bench/buildout_run.py --minimerge build/minimerge

Run it with Debian's /usr/bin/python3: the zc.buildout side needs Debian's
python3-zc.buildout (2.13.2), which other Pythons cannot import.

1. Generates two equivalent configs of --parts (200) parts, each part
   reading an option of another (a binary tree of references), in
   WORKDIR/minimerge/buildout.cfg with `recipe = plone.recipe.command`,
   `command = true` (built into minimerge), and in
   WORKDIR/buildout/buildout.cfg with `recipe = noop.recipe`, an installed
   no-op recipe egg (tests/oracle/noop_egg.py) in WORKDIR/buildout/eggs,
   buildout's default eggs-directory.  Every other line is the same.
2. Installs each once (untimed; minimerge must say `200 ran`, buildout
   `Installing` each part), then checks that both installed the same
   parts with the same options (buildout's .installed.cfg against
   `minimerge buildout --annotate --json`; the recipe and the directory
   aside), and runs one untimed no-op of each.
3. Times --runs no-op reruns of each, interleaved, spawn to exit:
     minimerge buildout -U -c minimerge/buildout.cfg     (`0 ran, 200 skipped`)
     WORKDIR/bin/buildout -U -o -c buildout/buildout.cfg (`Updating` x 200)
   WORKDIR/bin/buildout is Debian's /usr/bin/buildout script with the
   `collections.MutableMapping` & co. aliases 2.13.2 needs on Python 3.10+
   put back first: a real `buildout` command, Python start-up included.
   Each run is checked.  Before each buildout run, untimed, its
   .installed.cfg is put back as the install left it: a no-op appends a
   block per part to it, so that it would grow from run to run.
4. Prints medians and mins, Python's start-up and buildout's imports alone
   for reference, the ratio buildout / minimerge, the target line (at
   least 20x), and a last line
   `buildout_run: minimerge median X ms, zc.buildout median Y ms, ratio Zx`.

Exit status: 0 ok; 1 a run failed, the two tools installed different
things, or the target was missed (--no-targets reports it without
failing); 2 bad usage or missing tools.
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ORACLE = os.path.join(REPO, "tests", "oracle")
sys.path.insert(0, HERE)
sys.path.insert(0, ORACLE)
sys.dont_write_bytecode = True  # no __pycache__ left in the tree

import benchlib  # noqa: E402
from benchlib import Side, ToolFailed, expect_mm, mib  # noqa: E402

PARTS = 200
TARGET = 20.0  # buildout / minimerge, at least
MAX_DIFFS = 20
DIR = "<dir>"  # what a side's directory becomes in the compared options

# Debian's /usr/bin/buildout, with the aliases first.
SHIM = """\
#!%(python)s
# Debian's /usr/bin/buildout (zc.buildout 2.13.2), with the aliases that
# 2.13.2 needs on Python 3.10 and later put back first: the tests'
# oracle's buildout_compat.
import sys
sys.path.insert(0, %(oracle)r)
import buildout_compat
__requires__ = 'zc.buildout==2.13.2'
import re
from pkg_resources import load_entry_point

if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])
    sys.exit(load_entry_point('zc.buildout==2.13.2', 'console_scripts',
                              'buildout')())
"""

BO_LINE = re.compile(r"^(Installing|Updating|Uninstalling) ([^ ]+)\.$", re.M)


def generate(path, parts, recipe):
    """Write PATH/buildout.cfg: PARTS parts of RECIPE running `true`, part
    i reading the name of part (i-1)//2.  Returns the file's path."""
    os.makedirs(path, exist_ok=True)
    names = ["part%03d" % i for i in range(parts)]
    lines = ["[buildout]", "parts ="] + ["    " + n for n in names]
    for i, name in enumerate(names):
        lines += ["", "[%s]" % name,
                  "recipe = %s" % recipe,
                  "command = true",
                  "name = ${:_buildout_section_name_}",
                  "log = ${buildout:directory}/var/log/${:name}.log"]
        if i:
            lines.append("after = ${%s:name}" % names[(i - 1) // 2])
    cfg = os.path.join(path, "buildout.cfg")
    with open(cfg, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return cfg


def expect_buildout(text, what, verb, names):
    """Raises ToolFailed unless buildout's output says VERB (Installing,
    Updating) for each of NAMES and nothing else."""
    seen = BO_LINE.findall(text)
    want = [(verb, n) for n in names]
    if sorted(seen) != sorted(want):
        other = [s for s in seen if s[0] != verb]
        raise ToolFailed(
            "zc.buildout (%s): expected %d parts '%s', got %d lines: %s"
            % (what, len(names), verb, len(seen),
               ", ".join(" ".join(s) for s in (other or seen)[:10])))


def installed_by_buildout(bodir):
    """{part: options} from buildout's .installed.cfg, directory as DIR."""
    import buildout_install
    parts = buildout_install.read_installed(
        os.path.join(bodir, ".installed.cfg"))
    return {n: {k: v.replace(bodir, DIR) for k, v in o.items()}
            for n, o in parts}


def installed_by_minimerge(mm, mmdir):
    """{part: options} from `minimerge buildout --annotate --json`."""
    import json
    side = Side("minimerge-annotate", mm.argv + ["--annotate", "--json"],
                mm.env, os.path.dirname(mm.out))
    text = side.run("--annotate --json")[2]
    try:
        parts = json.loads(text)["parts"]
        return {p["name"]: {k: v.replace(mmdir, DIR)
                            for k, v in p["options"].items()}
                for p in parts}
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ToolFailed("minimerge --annotate --json: no {\"parts\": "
                         "[{\"name\", \"options\"}]} (%s):\n%s"
                         % (e, text[:1000]))


def compare(mm, bo, names):
    """Differences between minimerge's and buildout's installed parts, the
    recipe aside."""
    out = []
    for tool, got in (("minimerge", mm), ("zc.buildout", bo)):
        if set(got) != set(names):
            out.append("%s installed %d parts; missing: %s; extra: %s" % (
                tool, len(got),
                " ".join(sorted(set(names) - set(got))[:10]) or "-",
                " ".join(sorted(set(got) - set(names))[:10]) or "-"))
    for name in sorted(set(mm) & set(bo)):
        a = dict(mm[name], recipe=None)
        b = dict(bo[name], recipe=None)
        for opt in sorted(set(a) | set(b)):
            if a.get(opt) != b.get(opt):
                out.append("%s:%s minimerge %s, zc.buildout %s" % (
                    name, opt, benchlib.short(a.get(opt)),
                    benchlib.short(b.get(opt))))
    return out


def main(argv=None):
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(
        description="The no-op rerun of a 200-part buildout: minimerge "
                    "buildout vs buildout -o with a no-op recipe egg.")
    ap.add_argument("--minimerge", default="build/minimerge",
                    help="the minimerge binary (default: %(default)s)")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="Python that can import Debian's zc.buildout "
                         "(default: %(default)s)")
    ap.add_argument("--parts", type=int, default=PARTS,
                    help="parts of the config (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=15,
                    help="timed no-op runs of each tool (default: "
                         "%(default)s)")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke check: 50 parts, 3 runs (a few seconds)")
    ap.add_argument("--no-targets", action="store_true",
                    help="report the target but do not fail on it")
    ap.add_argument("--workdir", metavar="DIR",
                    help="make the temporary directory in DIR (default: "
                         "$TMPDIR or /tmp)")
    ap.add_argument("--keep", metavar="DIR",
                    help="generate into DIR and keep it (default: a "
                         "temporary directory, removed at the end)")
    a = ap.parse_args(argv)
    if a.quick:
        a.parts, a.runs = 50, 3
    if a.runs < 1 or a.parts < 1:
        ap.error("--runs and --parts must be at least 1")

    a.minimerge = os.path.abspath(a.minimerge)
    if not os.access(a.minimerge, os.X_OK):
        print("buildout_run: minimerge binary not found: %s (build it "
              "first: ninja)" % a.minimerge, file=sys.stderr)
        return 2
    if not os.access(a.python, os.X_OK):
        print("buildout_run: no Python at %s" % a.python, file=sys.stderr)
        return 2
    return benchlib.in_workdir("buildout_run", a.keep,
                               lambda w: _bench(a, w), ToolFailed,
                               a.workdir)


def _bench(a, workdir):
    import noop_egg

    scratch = os.path.join(workdir, "scratch")
    os.makedirs(scratch)
    os.makedirs(os.path.join(workdir, "bin"))
    shim = os.path.join(workdir, "bin", "buildout")
    with open(shim, "w") as fh:
        fh.write(SHIM % {"python": a.python, "oracle": ORACLE})
    os.chmod(shim, 0o755)

    mmdir = os.path.join(workdir, "minimerge")
    bodir = os.path.join(workdir, "buildout")
    mm_cfg = generate(mmdir, a.parts, "plone.recipe.command")
    bo_cfg = generate(bodir, a.parts, noop_egg.NAME)
    noop_egg.create(os.path.join(bodir, "eggs"))
    names = ["part%03d" % i for i in range(a.parts)]

    env = dict(os.environ)
    for k in ("BUILDOUT_HOME", "MINIMERGE_RECIPE_PATH"):
        env.pop(k, None)
    mm = Side("minimerge", [a.minimerge, "buildout", "-U", "-c", mm_cfg],
              env, scratch)
    bo = Side("zc.buildout", [shim, "-U", "-o", "-c", bo_cfg], env, scratch)

    os.chdir(workdir)
    print("buildout_run: no-op rerun of a %d-part buildout, minimerge "
          "buildout vs buildout -o; in %s (%s)"
          % (a.parts, workdir, benchlib.fs_type(workdir)))
    print("  host: %s, %d CPUs, %s; Python %s; zc.buildout 2.13.2; %s" % (
        platform.machine(), os.cpu_count() or 0,
        platform.platform(terse=True), platform.python_version(),
        benchlib.version_of([a.minimerge, "--version"])))

    # Install once each, untimed, and check both did the same.
    t_mm, _, text = mm.run("install")
    expect_mm(text, "install", a.parts, 0)
    t_bo, _, text = bo.run("install")
    expect_buildout(text, "install", "Installing", names)
    print("  install from clean, 1 run each (no target): minimerge %s ms, "
          "zc.buildout %s ms" % (benchlib.fmt_ms(t_mm),
                                 benchlib.fmt_ms(t_bo)))
    diffs = compare(installed_by_minimerge(mm, mmdir),
                    installed_by_buildout(bodir), names)
    if diffs:
        raise ToolFailed(
            "OUTPUT MISMATCH: %d difference(s) between what minimerge and "
            "zc.buildout installed; first %d:\n%s"
            % (len(diffs), min(len(diffs), MAX_DIFFS),
               "\n".join("  " + d for d in diffs[:MAX_DIFFS])))
    print("  check: both installed the same %d parts with the same options "
          "(recipe and directory aside)" % a.parts)

    # Each buildout no-op appends a `[buildout] parts = ...` block per part
    # to .installed.cfg (its update path does not rewrite the file): put
    # back the file the install wrote before each run, untimed, so that
    # every run is the first rerun after the install.
    installed = os.path.join(bodir, ".installed.cfg")
    saved = os.path.join(scratch, "installed.cfg.after-install")
    shutil.copyfile(installed, saved)

    def bo_noop(what, rss=False):
        shutil.copyfile(saved, installed)
        t, kib, text = bo.run(what, rss)
        expect_buildout(text, what, "Updating", names)
        return t, kib

    # Warm-up no-ops, checked.
    expect_mm(mm.run("warm-up no-op")[2], "warm-up no-op", 0, a.parts)
    bo_noop("warm-up no-op")

    # References: the spawn floor, Python's start-up, buildout's imports.
    floor = Side("true", ["/bin/true"], env, scratch)
    py = Side("python", [a.python, "-c", "pass"], env, scratch)
    imports = Side("imports", [a.python, "-c",
                               "import sys\n"
                               "sys.path.insert(0, %r)\n"
                               "import buildout_compat\n"
                               "import pkg_resources, zc.buildout.buildout"
                               % ORACLE],
                   env, scratch)

    mm_t, bo_t, floor_t, py_t, imp_t = [], [], [], [], []
    for _ in range(a.runs):
        t, _, text = mm.run("no-op")
        expect_mm(text, "no-op", 0, a.parts)
        mm_t.append(t)
        bo_t.append(bo_noop("no-op")[0])
        floor_t.append(floor.run("reference")[0])
        py_t.append(py.run("reference")[0])
        imp_t.append(imports.run("reference")[0])

    # Memory: one more no-op each under GNU time, untimed.
    mm_rss = bo_rss = None
    if os.access(benchlib.GNU_TIME, os.X_OK):
        _, mm_rss, text = mm.run("no-op (memory)", rss=True)
        expect_mm(text, "no-op (memory)", 0, a.parts)
        bo_rss = bo_noop("no-op (memory)", rss=True)[1]

    rows = [("minimerge buildout -U (no-op)", mm_t, mm_rss),
            ("buildout -U -o (no-op)", bo_t, bo_rss),
            ("python3 -c pass (reference)", py_t, None),
            ("python3: buildout's imports alone (reference)", imp_t, None),
            ("/bin/true (spawn floor, reference)", floor_t, None)]
    width = max(len(r[0]) for r in rows)
    runs = "%d run%s each, interleaved" % (
        a.runs, "" if a.runs == 1 else "s")
    print("\n  %-*s  %10s  %10s  %12s"
          % (width, runs, "median ms", "min ms", "peak RSS MiB"))
    for name, ts, rss in rows:
        print("  %-*s  %10s  %10s  %12s" % (
            width, name, benchlib.fmt_ms(statistics.median(ts)),
            benchlib.fmt_ms(min(ts)), "-" if rss is None else mib(rss)))

    mm_med = statistics.median(mm_t)
    bo_med = statistics.median(bo_t)
    ratio = bo_med / mm_med
    print("\n  ratio of medians, zc.buildout / minimerge: %.1fx" % ratio)
    # print_target wants ratio <= target: minimerge / buildout <= 1/20.
    benchlib.print_target(
        1.0 / TARGET, "minimerge at least %.0fx faster than buildout -o "
        "(minimerge / buildout <= %.3f)" % (TARGET, 1.0 / TARGET),
        mm_med / bo_med)
    met = ratio >= TARGET
    print("buildout_run: minimerge median %s ms, zc.buildout median %s ms, "
          "ratio %.1fx (%d parts), target >= %.0fx %s"
          % (benchlib.fmt_ms(mm_med), benchlib.fmt_ms(bo_med), ratio, a.parts,
             TARGET, "met" if met else "MISSED"))
    if not met and not a.no_targets:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
