#!/usr/bin/python3
"""package_graph: graph 10,000 minibuilds, minimerge vs ninja -n.

    /usr/bin/python3 bench/package_graph.py --minimerge build/minimerge

1. Generates (bench/gen_minilays.py, fixed seed) a root of N minibuilds over
   3 minilays whose dependencies form a random DAG (about 3 dependencies
   each, a few packages shadowed by a copy in an earlier minilay), and the
   same graph as a build.ninja: one edge per package, its dependencies as
   implicit inputs, default everything.
2. Checks once that `minimerge -C ROOT graph --json` shows exactly what was
   generated: the same packages (the winning copy of each, with its name,
   version, minilay, path and meta flag), each with the same dependency
   list, and an "order" holding every package once, dependencies first; and
   that `ninja -n` plans one edge per package.  On a difference it prints
   the first ones and exits 1 (a benchmark of wrong output is worthless).
3. Times, interleaved (minimerge, ninja, /bin/true, minimerge, ...), --runs
   runs of each whole process:
     minimerge -C ROOT graph --json     (stdout to /dev/null)
     ninja -n -C NINJADIR               (stdout to /dev/null)
4. Prints median and min of each, the ratios of medians, and a last line
   `package_graph: minimerge median X ms, ninja -n median Y ms, ...`.

--ninja-only generates, checks and times the ninja side alone (no minimerge
needed).

Exit status: 0 ok; 1 the output is wrong, a run failed, or the target was
missed (minimerge median >= 100 ms at N = 10,000, the default; not
applied at other sizes; --no-targets reports it without failing); 2 bad
usage or missing tools.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ left in the tree

import benchlib  # noqa: E402
import gen_minilays  # noqa: E402

TARGET_MS = 100.0
TARGET_N = 10000  # the target is for this size only
MAX_DIFFS = 20


class Runner:
    def __init__(self, minimerge, ninja, root, ninjadir, scratch, env):
        self.minimerge = minimerge
        self.ninja = ninja
        self.root = root
        self.ninjadir = ninjadir
        self.scratch = scratch
        self.env = env
        self.err = os.path.join(scratch, "stderr")

    def mm_argv(self):
        return [self.minimerge, "-C", self.root, "graph", "--json"]

    def ninja_argv(self):
        return [self.ninja, "-n", "-C", self.ninjadir]

    def _run(self, what, argv, out):
        t, rc = benchlib.spawn(argv, self.env, out, self.err)
        if rc != 0:
            raise RuntimeError("%s exited with %d:\n  %s\n%s" % (
                what, rc, " ".join(argv), benchlib.read(self.err)))
        return t

    def run_minimerge(self, out=os.devnull):
        return self._run("minimerge", self.mm_argv(), out)

    def run_ninja(self, out=os.devnull):
        return self._run("ninja", self.ninja_argv(), out)


def check_minimerge(data, packages, root):
    """Differences between minimerge's graph JSON and the generated graph,
    as printable lines (empty: the same graph)."""
    if not isinstance(data, dict) or not isinstance(
            data.get("packages"), list) or not isinstance(
            data.get("order"), list):
        return ["the JSON is not {\"packages\": [...], \"order\": [...], "
                "...}; its keys: %s" % benchlib.short(
                    sorted(data) if isinstance(data, dict) else data)]
    want = {p.name: p for p in packages}
    out = []
    got = {}
    for i, q in enumerate(data["packages"]):
        if not isinstance(q, dict) or not isinstance(q.get("name"), str):
            out.append("packages[%d] has no name: %s" % (i, benchlib.short(q)))
            continue
        if q["name"] in got:
            out.append("%s listed twice in packages" % q["name"])
        got[q["name"]] = q
    for name in sorted(set(want) - set(got)):
        out.append("%s (%s) missing from packages"
                   % (name, want[name].path))
    for name in sorted(set(got) - set(want)):
        out.append("%s in packages but not generated" % name)

    for name in sorted(set(want) & set(got)):
        p, q = want[name], got[name]
        deps = q.get("dependencies")
        if deps != p.dependencies:
            how = ""
            if isinstance(deps, list) and sorted(deps) == sorted(
                    p.dependencies):
                how = " (same names, other order)"
            out.append("%s: dependencies differ%s\n    minimerge: %s\n"
                       "    expected:  %s (%s)" % (
                           name, how, benchlib.short(deps), benchlib.short(p.dependencies),
                           p.path))
        if q.get("version") != p.version:
            out.append("%s: version %s, expected %s" % (
                name, benchlib.short(q.get("version")), benchlib.short(p.version)))
        if q.get("meta") is not p.meta:
            out.append("%s: meta %s, expected %s" % (
                name, benchlib.short(q.get("meta")), p.meta))
        lay = q.get("minilay")
        if not isinstance(lay, str) or (
                lay != p.minilay and
                os.path.basename(lay.rstrip("/")) != p.minilay):
            out.append("%s: minilay %s, expected %s%s" % (
                name, benchlib.short(lay), p.minilay,
                " (it shadows the copy in %s)" % ", ".join(p.shadowed)
                if p.shadowed else ""))
        path = q.get("path")
        if not isinstance(path, str) or os.path.realpath(
                os.path.join(root, path)) != os.path.realpath(
                os.path.join(root, p.path)):
            out.append("%s: path %s, expected %s" % (
                name, benchlib.short(path), p.path))

    order = data["order"]
    pos = {}
    for i, name in enumerate(order):
        if not isinstance(name, str):
            out.append("order[%d] is not a name: %s" % (i, benchlib.short(name)))
        elif name in pos:
            out.append("order: %s appears twice (at %d and %d)"
                       % (benchlib.short(name), pos[name], i))
        else:
            pos[name] = i
    for name in sorted(set(want) - set(pos)):
        out.append("order: %s missing" % name)
    for name in sorted(set(pos) - set(want), key=str):
        out.append("order: %s is not a package" % benchlib.short(name))
    for p in packages:
        if p.name not in pos:
            continue
        for d in p.dependencies:
            if d in pos and pos[d] > pos[p.name]:
                out.append("order: %s (at %d) comes after %s (at %d), "
                           "which depends on it" % (d, pos[d], p.name,
                                                    pos[p.name]))
    return out


def check_ninja(stdout_text, n):
    """Differences between what ninja -n planned and the n edges expected."""
    edges = [m for m in (re.match(r"\[(\d+)/(\d+)\] ", l)
                         for l in stdout_text.splitlines()) if m]
    if len(edges) != n or (edges and int(edges[-1].group(2)) != n):
        return ["ninja -n planned %d edges (total %s), expected %d" % (
            len(edges), edges[-1].group(2) if edges else "-", n)]
    return []


def main(argv=None):
    # Lines appear as they are printed, also under ninja or a pipe.
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(
        description="Graph N generated minibuilds with minimerge and the "
                    "same graph with ninja -n; check the output and compare "
                    "wall times.")
    ap.add_argument("--minimerge", default="build/minimerge",
                    help="the minimerge binary (default: %(default)s)")
    ap.add_argument("--ninja", default="ninja",
                    help="the ninja binary (default: the first on PATH)")
    ap.add_argument("--runs", type=int, default=15,
                    help="timed runs of each tool (default: %(default)s)")
    ap.add_argument("--n", type=int, default=gen_minilays.N,
                    help="number of packages (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=gen_minilays.SEED)
    ap.add_argument("--no-targets", action="store_true",
                    help="report the target but do not fail on it")
    ap.add_argument("--ninja-only", action="store_true",
                    help="generate, check and time ninja -n alone (no "
                         "minimerge, no target), e.g. before minimerge "
                         "builds")
    ap.add_argument("--keep", metavar="DIR",
                    help="generate into DIR and keep it (default: a "
                         "temporary directory, removed at the end)")
    a = ap.parse_args(argv)
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    if a.n < 1:
        ap.error("--n must be at least 1")

    minimerge = os.path.abspath(a.minimerge)
    if not a.ninja_only and not os.access(minimerge, os.X_OK):
        print("package_graph: minimerge binary not found: %s (build it "
              "first: ninja)" % a.minimerge, file=sys.stderr)
        return 2
    ninja = shutil.which(a.ninja)
    if not ninja:
        print("package_graph: no ninja at %s" % a.ninja, file=sys.stderr)
        return 2
    ninja = os.path.abspath(ninja)

    return benchlib.in_workdir("package_graph", a.keep, lambda w: _bench(a, minimerge, ninja, w), RuntimeError)


def _bench(a, minimerge, ninja, workdir):
    root = os.path.join(workdir, "root")
    ninjadir = os.path.join(workdir, "ninja")
    scratch = os.path.join(workdir, "scratch")
    os.makedirs(scratch)
    packages = gen_minilays.generate(root, a.n, a.seed)
    nfile = gen_minilays.write_ninja(ninjadir, packages)
    st = gen_minilays.stats(packages)
    nbytes = 0
    nfiles = 0
    for d, _, files in os.walk(os.path.join(root, "minilays")):
        nfiles += len(files)
        nbytes += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    os.chdir(workdir)
    env = dict(os.environ)
    env.pop("MINILAYS", None)      # minimerge would search these first
    env.pop("NINJA_STATUS", None)  # the ninja check reads "[i/n] " lines
    runner = Runner(minimerge, ninja, root, ninjadir, scratch, env)

    print("package_graph: %d packages (%d meta, %d versioned) in %d files "
          "(%.0f KiB) over %d minilays, %d shadowed copies; %d dependencies "
          "(%.2f each), longest chain %d; seed %d" % (
              st["packages"], st["meta"], st["versioned"], nfiles,
              nbytes / 1024, len(gen_minilays.MINILAYS), st["shadowed"],
              st["edges"], st["mean_deps"], st["longest_chain"], a.seed))
    print("  build.ninja: %d edges, %.0f KiB" % (
        st["packages"], os.path.getsize(nfile) / 1024))
    print("  host: %s, %d CPUs, %s; %s; %s" % (
        platform.machine(), os.cpu_count() or 0, platform.platform(terse=True),
        "ninja " + benchlib.version_of([ninja, "--version"]),
        "minimerge not run" if a.ninja_only
        else benchlib.version_of([minimerge, "--version"])))

    # The checks are also the untimed warm-up runs.
    ninja_out = os.path.join(scratch, "ninja.out")
    runner.run_ninja(ninja_out)
    diffs = check_ninja(benchlib.read(ninja_out), len(packages))
    if diffs:
        print("package_graph: NINJA MISMATCH: " + diffs[0])
        return 1
    if not a.ninja_only:
        mm_out = os.path.join(scratch, "minimerge.json")
        runner.run_minimerge(mm_out)
        text = benchlib.read(mm_out)
        try:
            data = json.loads(text)
        except ValueError as e:
            raise RuntimeError("minimerge's output is not JSON (%s); it "
                               "starts with:\n%s" % (e, text[:300]))
        diffs = check_minimerge(data, packages, root)
        if diffs:
            print("package_graph: OUTPUT MISMATCH: %d difference(s) between "
                  "minimerge's graph and the generated one; first %d:"
                  % (len(diffs), min(len(diffs), MAX_DIFFS)))
            for d in diffs[:MAX_DIFFS]:
                print("  " + d)
            return 1
        print("  check: minimerge shows the generated graph (%d packages, "
              "%d dependencies, a topological order); ninja -n plans %d "
              "edges" % (len(packages), st["edges"], len(packages)))
    else:
        print("  check: ninja -n plans %d edges" % len(packages))

    # /bin/true measures what spawning and reaping any process costs here:
    # the floor under both whole-process figures.
    true_argv = ["/bin/true"]
    mm_t, nj_t, floor = [], [], []
    for _ in range(a.runs):
        if not a.ninja_only:
            mm_t.append(runner.run_minimerge())
        nj_t.append(runner.run_ninja())
        floor.append(benchlib.spawn(true_argv, env, os.devnull, os.devnull)[0])

    rows = []
    if mm_t:
        rows.append(("minimerge graph --json (whole process)", mm_t))
    rows.append(("ninja -n (whole process)", nj_t))
    rows.append(("/bin/true (spawn floor, for reference)", floor))
    width = max(len(r[0]) for r in rows)
    print("\n  %-*s  %10s  %10s" % (width, "%d runs each, interleaved"
                                    % a.runs, "median ms", "min ms"))
    for name, ts in rows:
        print("  %-*s  %10s  %10s" % (width, name,
                                      benchlib.fmt_ms(statistics.median(ts)),
                                      benchlib.fmt_ms(min(ts))))
    nj_med = statistics.median(nj_t)
    if not mm_t:
        print("\npackage_graph: ninja -n median %s ms for %d edges; "
              "minimerge not run" % (benchlib.fmt_ms(nj_med), len(packages)))
        return 0

    mm_med = statistics.median(mm_t)
    ratio = mm_med / nj_med
    print("\n  ratio of medians, minimerge / ninja -n: %.2fx" % ratio)
    print("  ratio of medians, ninja -n / minimerge: %.2fx (%s)" % (
        1 / ratio, "minimerge is faster" if mm_med < nj_med
        else "ninja -n is faster" if mm_med > nj_med else "a tie"))
    missed = []
    if len(packages) != TARGET_N:
        print("  target: minimerge median under %.0f ms at N = %d: not "
              "applied at N = %d" % (TARGET_MS, TARGET_N, len(packages)))
    elif benchlib.ms(mm_med) >= TARGET_MS:
        missed.append("minimerge median %s ms is not under the %.0f ms "
                      "target" % (benchlib.fmt_ms(mm_med), TARGET_MS))
        print("  TARGET MISSED: " + missed[-1])
    else:
        print("  target: minimerge median under %.0f ms: met (%s ms)"
              % (TARGET_MS, benchlib.fmt_ms(mm_med)))
    print("package_graph: minimerge median %s ms, ninja -n median %s ms, "
          "ratio minimerge/ninja %.2fx (%d packages)" % (
              benchlib.fmt_ms(mm_med), benchlib.fmt_ms(nj_med), ratio, len(packages)))
    if missed and not a.no_targets:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
