"""Generate a buildable minimerge root of trivial packages, and the same
build as a build.ninja.

The root (ROOT) holds:

- etc/minimerge.cfg, an empty [minimerge] section;
- minilays/stack/<name>: one minibuild per package (src_type = path,
  src_uri = sources/<name>, install_method = cmmi, category = dependencies,
  its dependencies), and minilays/stack/meta-stack, which depends on every
  package nothing else depends on: installing meta-stack builds everything;
- sources/<name>/: `configure`, a trivial script (writes config.mk with
  the prefix and the --with-/--enable- options it was given); a Makefile
  whose `all` writes one file, <name>.out (the name and the options), and
  whose `install` installs it as share/<name>.txt and, for every other
  package, the source's <name>.h as include/<name>.h.  With sleep_ms,
  configure sleeps that long before writing config.mk, and `make install`
  before installing, so each command-running action lasts at least that
  long.  With configure_links=True, `configure` is instead a symbolic link
  to ROOT/tools/configure: minimerge then never executes a file it has
  just written (before it retried ETXTBSY, a few builds in a hundred failed
  at -j2 with "Text file busy": it executes ./configure right after copying
  it, while the child another worker thread is starting may still hold the
  copy's descriptor).

The dependencies form a layered DAG (fixed seed): `layers` layers of about
equal width; a package of layer k > 0 depends on 1 to 4 packages (2.5 on
average) of layer k - 1 taken near its own relative position (within
+-WINDOW places), and a quarter of them swap one of those for a package
near the same position in a lower layer (as most things end up depending
on zlib).  The window keeps transitive closures at the size of real stacks
(a few dozen packages, at most ~150 at the default size) rather than
letting them grow to the whole graph, which matters because minimerge
puts every transitive dependency's prefix in a package's build environment.
With independent=True there are no dependencies at all.

NINJADIR/build.ninja is the same build, one edge per minimerge action
(and NINJADIR/build-commands.ninja the same without rm and cp, see
write_ninja()):

    build fetch/<name>: phony SRC/configure SRC/Makefile [SRC/<name>.h]
    build <home>/parts/build/<name>.out: build fetch/<name> | <each dep's installed files>
    build <home>/parts/part/share/<name>.txt [...include/<name>.h]: install <home>/parts/build/<name>.out

with <home> = NINJADIR/dependencies/<name>, the layout minimerge uses under
ROOT, and the commands minimerge runs:

    build:   rm -rf BUILDDIR && cp -R SRC BUILDDIR && cd BUILDDIR &&
             ./configure --prefix=PREFIX [configure_options] && make
    install: rm -rf PREFIX && cd BUILDDIR && make install

(minimerge removes and copies in-process; ninja has no such built-in, so it
runs rm and cp.)  The fetch edge is phony: minimerge runs no command for a
path source either (it hashes the tree), and ninja's counterpart of that
hash is stat-ing the source files.  Both sides read the sources from
ROOT/sources.

The generator is deterministic: the same arguments give byte-identical
files (the paths inside build.ninja and the minibuilds' values are
absolute/relative as described, so they depend on ROOT and NINJADIR).

Usage as a script:
    python3 bench/gen_stack.py ROOT NINJADIR [--n N] [--layers L] [--seed S]
                               [--independent] [--sleep-ms MS]
"""

import argparse
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import benchlib  # noqa: E402

N = 3334          # x 3 actions = 10,002
LAYERS = 10
WINDOW = 2
SEED = 20240612
DEP_COUNTS = (1, 2, 2, 3, 3, 4)
SKIP_SHARE = 0.25
CATEGORY = "dependencies"
MINILAY = "stack"
TARGET = "meta-stack"
LEAF_OPTION = "--with-level"  # the option scenario 3 changes


class Package:
    def __init__(self, index, name, layer):
        self.index = index
        self.name = name
        self.layer = layer
        self.deps = []            # names
        self.header = index % 2 == 0  # also installs include/<name>.h
        self.configure_options = None

    def installed(self):
        """The files make install puts under the prefix, relative to it."""
        out = ["share/%s.txt" % self.name]
        if self.header:
            out.append("include/%s.h" % self.name)
        return out

    def __repr__(self):
        return "Package(%r)" % self.name


class Stack:
    """What generate() made: the packages (a topological order), the target
    installing all of them, the leaf scenario 3 changes, and the paths."""

    def __init__(self, root, ninjadir, packages, sinks, sleep_ms):
        self.root = root
        self.ninjadir = ninjadir
        self.packages = packages
        self.sinks = sinks
        self.sleep_ms = sleep_ms
        self.target = TARGET
        # The last package of the top layer: nothing depends on it.
        self.leaf = packages[-1] if packages else None

    def actions(self):
        return 3 * len(self.packages)

    def home(self, side_root, p):
        return os.path.join(side_root, CATEGORY, p.name)

    def prefix(self, side_root, p):
        return os.path.join(self.home(side_root, p), "parts", "part")

    def builddir(self, side_root, p):
        return os.path.join(self.home(side_root, p), "parts", "build")

    def minibuild_path(self, p):
        return os.path.join(self.root, "minilays", MINILAY, p.name)

    def stats(self):
        closure = {}
        for p in self.packages:
            s = set()
            for d in p.deps:
                s.add(d)
                s |= closure[d]
            closure[p.name] = s
        depth = {}
        for p in self.packages:
            depth[p.name] = 1 + max((depth[d] for d in p.deps), default=0)
        sizes = [len(closure[p.name]) for p in self.packages]
        edges = sum(len(p.deps) for p in self.packages)
        return {
            "packages": len(self.packages),
            "actions": self.actions(),
            "edges": edges,
            "mean_deps": edges / len(self.packages) if self.packages else 0.0,
            "longest_chain": max(depth.values(), default=0),
            "mean_closure": sum(sizes) / len(sizes) if sizes else 0.0,
            "max_closure": max(sizes, default=0),
            "sinks": len(self.sinks),
            "files": sum(len(p.installed()) for p in self.packages),
        }


def _graph(n, layers, seed, independent):
    rng = random.Random(seed)
    width = max(5, len(str(max(n - 1, 0))))
    if independent:
        layers = 1
    layers = max(1, min(layers, n))
    sizes = [n // layers + (1 if k < n % layers else 0) for k in range(layers)]
    packages, by_layer, i = [], [], 0
    for k, size in enumerate(sizes):
        row = []
        for _ in range(size):
            word = rng.choice(benchlib.WORDS)
            p = Package(i, "%s-n%0*d-1.0" % (word, width, i), k)
            row.append(p)
            packages.append(p)
            i += 1
        by_layer.append(row)
    for k in range(1, layers):
        below = by_layer[k - 1]
        for j, p in enumerate(by_layer[k]):
            w = len(below)
            c = int((j + 0.5) / len(by_layer[k]) * w)
            cand = []
            for d in range(-WINDOW, WINDOW + 1):
                q = below[(c + d) % w]
                if q not in cand:
                    cand.append(q)
            deps = rng.sample(cand, min(rng.choice(DEP_COUNTS), len(cand)))
            if k >= 2 and rng.random() < SKIP_SHARE:
                low = by_layer[rng.randrange(0, k - 1)]
                cc = int((j + 0.5) / len(by_layer[k]) * len(low))
                q = low[(cc + rng.randint(-WINDOW, WINDOW)) % len(low)]
                if q not in deps:
                    deps[-1] = q
            p.deps = [q.name for q in deps]
    used = {d for p in packages for d in p.deps}
    sinks = [p.name for p in packages if p.name not in used]
    return packages, sinks


CONFIGURE = """#!/bin/sh
# configure for %(name)s, generated by bench/gen_stack.py: writes config.mk
# with the prefix and the options given.
prefix= options=
for arg
do
	case $arg in
	--prefix=*) prefix=${arg#*=} ;;
	--with-* | --without-* | --enable-* | --disable-*) options="$options $arg" ;;
	*) echo "configure: unknown option $arg" >&2; exit 1 ;;
	esac
done
test -n "$prefix" || { echo "configure: --prefix=DIR is required" >&2; exit 1; }
%(sleep)sprintf 'prefix = %%s\\nOPTIONS =%%s\\n' "$prefix" "$options" >config.mk
"""

MAKEFILE = """# %(name)s, generated by bench/gen_stack.py.  ./configure first.
include config.mk

all: %(name)s.out

%(name)s.out: config.mk
\tprintf '%%s\\n' '%(name)s $(OPTIONS)' >%(name)s.out

install: %(name)s.out
%(sleep)s\tinstall -D -m 644 %(name)s.out $(DESTDIR)$(prefix)/share/%(name)s.txt
%(header)s
.PHONY: all install
"""


def _sleep_arg(ms):
    return "%g" % (ms / 1000.0)


def _write(path, text, mode=0o644):
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, mode)


def _minibuild(p):
    lines = ["[minibuild]"]
    if p.deps:
        lines.append("dependencies = " + " ".join(p.deps))
    lines += ["src_type = path",
              "src_uri = sources/%s" % p.name,
              "install_method = cmmi",
              "category = %s" % CATEGORY]
    if p.configure_options is not None:
        lines.append("configure_options = %s" % p.configure_options)
    return "\n".join(lines) + "\n"


def write_minibuild(stack, p):
    _write(stack.minibuild_path(p), _minibuild(p))


def generate(root, ninjadir, n=N, layers=LAYERS, seed=SEED, independent=False,
             sleep_ms=0, configure_links=False):
    """Write the root and NINJADIR/build.ninja; return the Stack."""
    root = os.path.abspath(root)
    ninjadir = os.path.abspath(ninjadir)
    packages, sinks = _graph(n, layers, seed, independent)
    stack = Stack(root, ninjadir, packages, sinks, sleep_ms)
    if stack.leaf is not None and not independent:
        stack.leaf.configure_options = "%s=0" % LEAF_OPTION

    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    _write(os.path.join(root, "etc", "minimerge.cfg"),
           "# Generated by bench/gen_stack.py.\n[minimerge]\n")
    lay = os.path.join(root, "minilays", MINILAY)
    os.makedirs(lay, exist_ok=True)
    sleep_sh = "sleep %s\n" % _sleep_arg(sleep_ms) if sleep_ms else ""
    sleep_mk = "\tsleep %s\n" % _sleep_arg(sleep_ms) if sleep_ms else ""
    shared = os.path.join(root, "tools", "configure")
    if configure_links:
        os.makedirs(os.path.dirname(shared), exist_ok=True)
        _write(shared,
               CONFIGURE % {"name": "every package", "sleep": sleep_sh},
               0o755)
    for p in packages:
        write_minibuild(stack, p)
        src = os.path.join(root, "sources", p.name)
        os.makedirs(src, exist_ok=True)
        if configure_links:
            os.symlink(shared, os.path.join(src, "configure"))
        else:
            _write(os.path.join(src, "configure"),
                   CONFIGURE % {"name": p.name, "sleep": sleep_sh}, 0o755)
        header = ""
        if p.header:
            header = ("\tinstall -D -m 644 %s.h "
                      "$(DESTDIR)$(prefix)/include/%s.h\n" % (p.name, p.name))
            _write(os.path.join(src, p.name + ".h"),
                   "/* %s, generated by bench/gen_stack.py */\n"
                   "#define %s_LAYER %d\n"
                   % (p.name, p.name.split("-")[0].upper(), p.layer))
        _write(os.path.join(src, "Makefile"), MAKEFILE % {
            "name": p.name, "sleep": sleep_mk, "header": header})
    meta = ["[minibuild]", "dependencies ="]
    for k in range(0, len(sinks), 6):
        meta.append("    " + " ".join(sinks[k:k + 6]))
    _write(os.path.join(lay, TARGET), "\n".join(meta) + "\n")
    write_ninja(stack)
    write_ninja(stack, commands_only=True)
    return stack


def _ninja_edges(stack, p):
    nd = stack.ninjadir
    src = os.path.join(stack.root, "sources", p.name)
    bdir = stack.builddir(nd, p)
    prefix = stack.prefix(nd, p)
    srcs = [os.path.join(src, "configure"), os.path.join(src, "Makefile")]
    if p.header:
        srcs.append(os.path.join(src, p.name + ".h"))
    out = os.path.join(bdir, p.name + ".out")
    deps = []
    for d in p.deps:
        q = stack.by_name[d]
        deps += [os.path.join(stack.prefix(nd, q), f) for f in q.installed()]
    lines = ["build fetch/%s: phony %s" % (p.name, " ".join(srcs))]
    lines.append("build %s: build fetch/%s%s" % (
        out, p.name, " | " + " ".join(deps) if deps else ""))
    lines.append("  name = %s" % p.name)
    lines.append("  src = %s" % src)
    lines.append("  builddir = %s" % bdir)
    lines.append("  prefix = %s" % prefix)
    lines.append("  configure_options = %s" % (p.configure_options or ""))
    lines.append("build %s: install %s" % (
        " ".join(os.path.join(prefix, f) for f in p.installed()), out))
    lines.append("  name = %s" % p.name)
    lines.append("  builddir = %s" % bdir)
    lines.append("  prefix = %s" % prefix)
    return lines


RULES = {
    False: [
        "rule build",
        "  command = rm -rf $builddir && cp -R $src $builddir && cd $builddir"
        " && ./configure --prefix=$prefix $configure_options && make",
        "  description = build $name",
        "",
        "rule install",
        "  command = rm -rf $prefix && cd $builddir && make install",
        "  description = install $name",
    ],
    # The same minus what minimerge does in-process: the caller copies the
    # sources to each build directory first, and starts from no prefix.
    True: [
        "rule build",
        "  command = cd $builddir"
        " && ./configure --prefix=$prefix $configure_options && make",
        "  description = build $name",
        "",
        "rule install",
        "  command = cd $builddir && make install",
        "  description = install $name",
    ],
}


def write_ninja(stack, commands_only=False):
    """Write NINJADIR/build.ninja (again, e.g. after an option changed).

    With commands_only, write NINJADIR/build-commands.ninja instead: the
    same edges whose commands leave out rm -rf and cp -R (which minimerge
    does in-process): valid only on a clean tree whose build directories
    hold a copy of the sources (copy_sources())."""
    stack.by_name = {p.name: p for p in stack.packages}
    os.makedirs(stack.ninjadir, exist_ok=True)
    lines = [
        "# The build of bench/gen_stack.py's root %s, one edge per"
        % stack.root,
        "# minimerge action: fetch (phony), build, install%s." % (
            "; the commands without rm and cp" if commands_only else ""),
        "ninja_required_version = 1.7",
        "",
    ] + RULES[commands_only] + [""]
    for p in stack.packages:
        lines += _ninja_edges(stack, p)
    lines.append("")
    lines.append("build all: phony " + " ".join(
        os.path.join(stack.prefix(stack.ninjadir, p), f)
        for p in stack.packages for f in p.installed()))
    lines.append("default all")
    path = os.path.join(stack.ninjadir, "build-commands.ninja"
                        if commands_only else "build.ninja")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def copy_sources(stack):
    """What build-commands.ninja expects: each build directory under
    NINJADIR a copy of its sources (symbolic links kept)."""
    for p in stack.packages:
        shutil.copytree(os.path.join(stack.root, "sources", p.name),
                        stack.builddir(stack.ninjadir, p), symlinks=True)


def set_leaf_option(stack, value):
    """Set the leaf's configure_options on both sides (scenario 3)."""
    stack.leaf.configure_options = value
    write_minibuild(stack, stack.leaf)
    write_ninja(stack)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root")
    ap.add_argument("ninjadir")
    ap.add_argument("--n", type=int, default=N,
                    help="number of packages (default: %(default)s)")
    ap.add_argument("--layers", type=int, default=LAYERS)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--independent", action="store_true",
                    help="no dependencies at all")
    ap.add_argument("--sleep-ms", type=float, default=0,
                    help="configure and make install sleep this long")
    ap.add_argument("--configure-links", action="store_true",
                    help="configure is a link to ROOT/tools/configure, not "
                         "a file in each source")
    a = ap.parse_args()
    if a.n < 1:
        ap.error("--n must be at least 1")
    s = generate(a.root, a.ninjadir, a.n, a.layers, a.seed, a.independent,
                 a.sleep_ms, a.configure_links)
    st = s.stats()
    print("%s: %d packages (%d actions), %d dependencies (%.2f each), "
          "longest chain %d, transitive dependencies %.1f on average "
          "(at most %d), %d packages nothing depends on; target %s"
          % (s.root, st["packages"], st["actions"], st["edges"],
             st["mean_deps"], st["longest_chain"], st["mean_closure"],
             st["max_closure"], st["sinks"], s.target))
    print(os.path.join(s.ninjadir, "build.ninja"))


if __name__ == "__main__":
    main()
