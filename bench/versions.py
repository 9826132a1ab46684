"""Benchmark: the version map of 10,000 generated minibuilds,
`minimerge versions` against a Python peer that reads the same minilays
with configparser and prints the map with zc.buildout's own formatter of
picked versions (bench/versions_peer.py).  Both print buildout's
[versions] text; the outputs must be the same before anything is timed.
Prints the medians and their ratio."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import benchlib  # noqa: E402
import gen_minilays  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 0.1  # minimerge's median at most this fraction of the peer's


def main(argv=None):
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minimerge", default="build/minimerge")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--n", type=int, default=gen_minilays.N)
    ap.add_argument("--seed", type=int, default=gen_minilays.SEED)
    ap.add_argument("--keep", metavar="DIR")
    a = ap.parse_args(argv)
    minimerge = os.path.abspath(a.minimerge)
    return benchlib.in_workdir("versions", a.keep, lambda w: bench(a, minimerge, w),
                               (benchlib.ToolFailed, RuntimeError))


def bench(a, minimerge, workdir):
    root = os.path.join(workdir, "root")
    scratch = os.path.join(workdir, "scratch")
    os.makedirs(scratch)
    packages = gen_minilays.generate(root, a.n, a.seed)
    # The packages nothing needs: an install of them is the whole graph.
    needed = {d for p in packages for d in p.dependencies}
    targets = [p.name for p in packages if p.name not in needed]
    env = dict(os.environ)
    env.pop("MINILAYS", None)
    mm = benchlib.Side("minimerge", [minimerge, "-C", root, "versions"] + targets, env,
                       scratch)
    peer = benchlib.Side("python+zc.buildout",
                         ["/usr/bin/python3", os.path.join(HERE, "versions_peer.py"), root] +
                         targets, env, scratch, tag="peer")
    _, _, mm_text = mm.run("the check")
    _, _, peer_text = peer.run("the check")
    if mm_text != peer_text:
        a_lines, b_lines = mm_text.splitlines(), peer_text.splitlines()
        i = next((k for k, (x, y) in enumerate(zip(a_lines, b_lines)) if x != y),
                 min(len(a_lines), len(b_lines)))
        raise RuntimeError("the maps differ at line %d:\n  minimerge: %s\n  peer:      %s" % (
            i + 1, benchlib.short(a_lines[i:i + 1]), benchlib.short(b_lines[i:i + 1])))
    entries = sum(1 for line in mm_text.splitlines() if " = " in line)
    print("versions: %d packages, %d targets, %d entries in the map; %d runs each" % (
        len(packages), len(targets), entries, a.runs))
    med = benchlib.time_sides((mm, peer), a.runs)
    ratio = med[mm.label] / med[peer.label]
    print("  ratio minimerge/peer: %.3f (minimerge %.1fx faster)" % (ratio, 1 / ratio))
    benchlib.print_target(TARGET, "minimerge versions in a tenth of the peer's time or less",
                          ratio)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
