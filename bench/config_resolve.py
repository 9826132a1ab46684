#!/usr/bin/python3
"""config_resolve: resolve a 1,000-part config, minimerge vs zc.buildout.

    /usr/bin/python3 bench/config_resolve.py --minimerge build/minimerge

Run it with Debian's /usr/bin/python3: the zc.buildout side needs Debian's
python3-zc.buildout (2.13.2), which other Pythons cannot import.

1. Generates (bench/gen_config.py, fixed seed) a config of 1,000 parts over
   5 levels of `extends` in a temporary directory.
2. Checks once that both tools resolve it to the same JSON
   {section: {option: value}}; on a difference it prints the first
   differing keys and exits 1 (a benchmark of wrong output is worthless).
3. Times, interleaved (minimerge, buildout, minimerge, ...), --runs runs of
   each whole process:
     minimerge config --json -U -c level0.cfg            (stdout to /dev/null)
     /usr/bin/python3 bench/buildout_resolve.py level0.cfg (stdout to /dev/null)
   and collects buildout's own in-process parse+resolve time, which leaves
   out Python's start-up and imports.
4. Prints median and min of each, the ratios of medians, and a last line
   `config_resolve: minimerge median X ms, zc.buildout median Y ms, ratio Zx`.

Exit status: 0 ok; 1 outputs differ, a run failed, or a target was missed
(minimerge median >= 10 ms, or buildout/minimerge whole-process ratio < 50;
--no-targets reports them without failing); 2 bad usage or missing tools.
"""

import argparse
import json
import os
import platform
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no bench/__pycache__ left in the tree

import benchlib  # noqa: E402
import gen_config  # noqa: E402

HELPER = os.path.join(HERE, "buildout_resolve.py")
TARGET_MS = 10.0
TARGET_RATIO = 50.0
MAX_DIFFS = 20


def _resolve_seconds(stderr_text):
    for line in reversed(stderr_text.splitlines()):
        if line.startswith("resolve_seconds="):
            return float(line.split("=", 1)[1])
    return None


class Runner:
    def __init__(self, minimerge, python, cfg, scratch, env):
        self.minimerge = minimerge
        self.python = python
        self.cfg = cfg
        self.scratch = scratch
        self.env = env
        self.err = os.path.join(scratch, "stderr")

    def mm_argv(self):
        return [self.minimerge, "config", "--json", "-U", "-c", self.cfg]

    def bo_argv(self, out=None):
        argv = [self.python, HELPER, self.cfg]
        if out:
            argv += ["--out", out]
        return argv

    def run_minimerge(self, out=os.devnull):
        t, rc = benchlib.spawn(self.mm_argv(), self.env, out, self.err)
        if rc != 0:
            raise RuntimeError("minimerge exited with %d:\n  %s\n%s" % (
                rc, " ".join(self.mm_argv()), benchlib.read(self.err)))
        return t

    def run_buildout(self, out=None):
        argv = self.bo_argv(out)
        t, rc = benchlib.spawn(argv, self.env, os.devnull, self.err)
        text = benchlib.read(self.err)
        if rc != 0:
            raise RuntimeError("buildout helper exited with %d:\n  %s\n%s" % (
                rc, " ".join(argv), text))
        inproc = _resolve_seconds(text)
        if inproc is None:
            raise RuntimeError("buildout helper printed no resolve_seconds:\n"
                               + text)
        return t, inproc


def _load_minimerge_json(text):
    try:
        data = json.loads(text)
    except ValueError as e:
        raise RuntimeError("minimerge's output is not JSON (%s); it starts "
                           "with:\n%s" % (e, text[:300]))
    if isinstance(data, dict) and set(data) == {"sections"}:
        data = data["sections"]
    if not isinstance(data, dict) or not all(
            isinstance(v, dict) for v in data.values()):
        raise RuntimeError("minimerge's JSON is not {section: {option: "
                           "value}}; it starts with:\n" + text[:300])
    return data


def diff(mm, bo):
    """Differences as printable lines, sorted by section then option."""
    out = []
    for sec in sorted(set(mm) | set(bo)):
        if sec not in bo:
            out.append("[%s] only in minimerge's output" % sec)
            continue
        if sec not in mm:
            out.append("[%s] only in zc.buildout's output" % sec)
            continue
        a, b = mm[sec], bo[sec]
        for opt in sorted(set(a) | set(b)):
            if opt not in b:
                out.append("%s:%s only in minimerge: %s"
                           % (sec, opt, benchlib.short(a[opt])))
            elif opt not in a:
                out.append("%s:%s only in zc.buildout: %s"
                           % (sec, opt, benchlib.short(b[opt])))
            elif a[opt] != b[opt]:
                out.append("%s:%s differs\n    minimerge:   %s\n"
                           "    zc.buildout: %s"
                           % (sec, opt, benchlib.short(a[opt]), benchlib.short(b[opt])))
    return out


def check(runner):
    """Compare both outputs once; return the list of differences."""
    mm_out = os.path.join(runner.scratch, "minimerge.json")
    bo_out = os.path.join(runner.scratch, "buildout.json")
    runner.run_minimerge(mm_out)
    runner.run_buildout(bo_out)
    mm = _load_minimerge_json(benchlib.read(mm_out))
    with open(bo_out) as fh:
        bo = json.load(fh)
    return diff(mm, bo), mm, bo


def main(argv=None):
    # Lines appear as they are printed, also under ninja or a pipe.
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(
        description="Resolve a 1,000-part, 5-level config with minimerge and "
                    "zc.buildout; compare outputs and wall times.")
    ap.add_argument("--minimerge", default="build/minimerge",
                    help="the minimerge binary (default: %(default)s)")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="Python that can import Debian's zc.buildout "
                         "(default: %(default)s)")
    ap.add_argument("--runs", type=int, default=15,
                    help="timed runs of each tool (default: %(default)s)")
    ap.add_argument("--parts", type=int, default=gen_config.PARTS)
    ap.add_argument("--levels", type=int, default=gen_config.LEVELS)
    ap.add_argument("--seed", type=int, default=gen_config.SEED)
    ap.add_argument("--no-targets", action="store_true",
                    help="report the targets but do not fail on them")
    ap.add_argument("--buildout-only", action="store_true",
                    help="time zc.buildout alone (no check, no targets)")
    ap.add_argument("--keep", metavar="DIR",
                    help="generate into DIR and keep it (default: a "
                         "temporary directory, removed at the end)")
    a = ap.parse_args(argv)
    if a.runs < 1:
        ap.error("--runs must be at least 1")

    minimerge = os.path.abspath(a.minimerge)
    if not a.buildout_only and not os.access(minimerge, os.X_OK):
        print("config_resolve: minimerge binary not found: %s (build it "
              "first: ninja)" % a.minimerge, file=sys.stderr)
        return 2
    if not os.access(a.python, os.X_OK):
        print("config_resolve: no Python at %s" % a.python, file=sys.stderr)
        return 2

    return benchlib.in_workdir("config_resolve", a.keep, lambda w: _bench(a, minimerge, w), RuntimeError)


def _bench(a, minimerge, workdir):
    cfgdir = os.path.join(workdir, "cfg")
    scratch = os.path.join(workdir, "scratch")
    os.makedirs(scratch)
    cfg = gen_config.generate(cfgdir, a.parts, a.levels, a.seed)
    nbytes = sum(os.path.getsize(os.path.join(cfgdir, f))
                 for f in os.listdir(cfgdir))
    nlines = sum(len(benchlib.read(os.path.join(cfgdir, f)).splitlines())
                 for f in os.listdir(cfgdir))
    # Both tools run from the config's directory, like a user would.
    os.chdir(cfgdir)
    env = dict(os.environ)
    env.pop("BUILDOUT_HOME", None)
    runner = Runner(minimerge, a.python, cfg, scratch, env)

    print("config_resolve: %d parts, %d levels of extends, %d lines "
          "(%.0f KiB), seed %d" % (a.parts, a.levels, nlines, nbytes / 1024,
                                   a.seed))
    print("  host: %s, %d CPUs, %s; Python %s" % (
        platform.machine(), os.cpu_count() or 0, platform.platform(terse=True),
        platform.python_version()))

    if not a.buildout_only:
        diffs, mm, bo = check(runner)
        if diffs and any(d.startswith("buildout:executable") for d in diffs):
            # minimerge's default executable is the first python3 on PATH;
            # buildout's is the Python running it. Make them the same one.
            env["PATH"] = "/usr/bin:/bin"
            print("  buildout:executable differed; running both with "
                  "PATH=/usr/bin:/bin")
            diffs, mm, bo = check(runner)
        if diffs:
            print("config_resolve: OUTPUT MISMATCH: %d difference(s) between "
                  "minimerge and zc.buildout (%d vs %d sections); first %d:"
                  % (len(diffs), len(mm), len(bo), min(len(diffs), MAX_DIFFS)))
            for d in diffs[:MAX_DIFFS]:
                print("  " + d)
            return 1
        print("  check: same output from both (%d sections, %d options)"
              % (len(bo), sum(len(s) for s in bo.values())))
    else:
        runner.run_buildout()  # warm-up, untimed

    # /bin/true measures what spawning and reaping any process costs here:
    # the floor under both whole-process figures.
    true_argv = ["/bin/true"]
    mm_t, bo_t, bo_in, floor = [], [], [], []
    for _ in range(a.runs):
        if not a.buildout_only:
            mm_t.append(runner.run_minimerge())
        t, inproc = runner.run_buildout()
        bo_t.append(t)
        bo_in.append(inproc)
        floor.append(benchlib.spawn(true_argv, env, os.devnull, os.devnull)[0])

    rows = []
    if mm_t:
        rows.append(("minimerge (whole process)", mm_t))
    rows.append(("zc.buildout (whole process)", bo_t))
    rows.append(("zc.buildout (in-process parse+resolve)", bo_in))
    rows.append(("/bin/true (spawn floor, for reference)", floor))
    width = max(len(r[0]) for r in rows)
    print("\n  %-*s  %10s  %10s" % (width, "%d runs each, interleaved"
                                    % a.runs, "median ms", "min ms"))
    for name, ts in rows:
        print("  %-*s  %10s  %10s" % (width, name,
                                      benchlib.fmt_ms(statistics.median(ts)),
                                      benchlib.fmt_ms(min(ts))))
    if not mm_t:
        print("\nconfig_resolve: zc.buildout median %s ms (in-process %s ms); "
              "minimerge not run" % (benchlib.fmt_ms(statistics.median(bo_t)),
                                     benchlib.fmt_ms(statistics.median(bo_in))))
        return 0

    mm_med = statistics.median(mm_t)
    bo_med = statistics.median(bo_t)
    in_med = statistics.median(bo_in)
    ratio = bo_med / mm_med
    ratio_in = in_med / mm_med
    print("\n  ratio of medians, zc.buildout whole process / minimerge: "
          "%.1fx" % ratio)
    print("  ratio of medians, zc.buildout in-process / minimerge:    "
          "%.1fx" % ratio_in)

    missed = []
    if benchlib.ms(mm_med) >= TARGET_MS:
        missed.append("minimerge median %.2f ms is not under the %.0f ms "
                      "target" % (benchlib.ms(mm_med), TARGET_MS))
    if ratio < TARGET_RATIO:
        missed.append("whole-process ratio %.1fx is under the %.0fx target"
                      % (ratio, TARGET_RATIO))
    for m in missed:
        print("  TARGET MISSED: " + m)
    print("config_resolve: minimerge median %.2f ms, zc.buildout median "
          "%.0f ms, ratio %.1fx" % (benchlib.ms(mm_med), benchlib.ms(bo_med), ratio))
    if missed and not a.no_targets:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
