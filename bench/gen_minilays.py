"""Generate a root of minilays holding a large random package graph.

The result is DIR/minilays/<minilay>/<package>: N minibuilds (INI files named
after their package) spread over three minilays, `dependencies`, `eggs` and
`misc` (searched in that order: sorted).  Their `dependencies` form a random
DAG: package i depends only on packages with a lower index, chosen uniformly,
about 3 dependencies per package on average, so the graph is acyclic by
construction and its low-index packages are depended on by many (as zlib or
openssl are).

It uses what real minilays hold:

- names in minitage's grammar: most with a version (`zlib-00561-1.2.13`,
  `icu-02903-0.9.7m`, `gdal-02351-3.0_rc1`, `mapnik-04818-0.6.0-r847`),
  some without (`curl-n01185`), and about 3 % `meta-` packages that carry
  only dependencies, often many, written over several lines;
- ordinary packages with `install_method` (mostly cmmi; buildout, auto,
  none), `src_type`/`src_uri` (mostly static, some git/hg/svn, with
  `scm_branch` on some git ones), `category`, and on some of them `src_md5`,
  `revision`, `url`, `description`, `buildout_config`, `configure_options`,
  comment lines, an empty `dependencies =`, or a dependency list continued
  on indented lines;
- about 1 % of the packages present in two minilays (shadowing).  The copy
  in the first minilay in sorted order wins; the other copy is different
  (other dependencies, an older src_uri), so a tool that takes the wrong copy
  shows a different graph.

Every dependency names the exact file name of a package that exists, and no
base name is used twice, so nothing depends on picking the highest version.

generate() returns the winning copies, one Package per package, in index
order: name, version, minilay, path relative to DIR, dependencies (in file
order), meta.  write_ninja() writes the same graph as a build.ninja: one edge
per package with its dependencies as implicit inputs, default everything.

The generator is deterministic: the same seed and size give byte-identical
files.

Usage as a script:
    python3 bench/gen_minilays.py DIR [--n N] [--seed S] [--ninja NINJADIR]
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import benchlib  # noqa: E402

WORDS = benchlib.WORDS + ["mapnik"]

N = 10000
SEED = 20240611
MINILAYS = ("dependencies", "eggs", "misc")
# Share of the ordinary packages written to each minilay.
MINILAY_SHARES = (0.60, 0.30, 0.10)
META_SHARE = 0.03
SHADOW_SHARE = 0.01
VERSIONED_SHARE = 0.70
# Mean dependency count of ordinary packages; metas have 4-12, so the mean
# over all packages is about 3.
MEAN_DEPS = 2.85

EGGS = (
    "lxml Pillow psycopg2 numpy scipy pandas requests urllib3 certifi "
    "idna chardet six setuptools wheel docutils Jinja2 MarkupSafe "
    "Pygments Sphinx pytest coverage mock zope.interface zope.event "
    "ZODB persistent BTrees transaction waitress WebOb Paste "
    "PasteDeploy pyramid Chameleon SQLAlchemy alembic Mako redis "
    "celery kombu billiard vine amqp pytz python-dateutil").split()

STACKS = "plone zope django pyramid geo web science db build".split()

# Versions as minilays spell them (all valid in minitage's grammar).
VERSIONS = ("1.0", "1.2.13", "2.3.1", "0.9.7m", "3.0_rc1", "2.1_p3",
            "1.4_beta2", "8.2.4_py2.5", "5.2_pre20071024", "0.6.0-r847",
            "2.7", "1.0_alpha44", "4.1.2")

CATEGORY = {"dependencies": "dependencies", "eggs": "eggs", "misc": "misc"}


class Package:
    """One package as the winning copy describes it."""

    def __init__(self, index, name, version, meta):
        self.index = index
        self.name = name          # the file name
        self.version = version    # the version in the name, or None
        self.meta = meta
        self.minilay = None       # minilay of the winning copy
        self.path = None          # minilays/<minilay>/<name>, relative
        self.dependencies = []    # names, in file order
        self.shadowed = []        # minilays holding a losing copy

    def __repr__(self):
        return "Package(%r)" % self.name


def _name(rng, i, width, meta, minilay):
    """(name, version) of package i; base names are unique by index."""
    if meta:
        return "meta-%s-n%0*d" % (rng.choice(STACKS), width, i), None
    word = rng.choice(EGGS if minilay == "eggs" else WORDS)
    if rng.random() < VERSIONED_SHARE:
        v = rng.choice(VERSIONS)
        return "%s-%0*d-%s" % (word, width, i, v), v
    return "%s-n%0*d" % (word, width, i), None


def _ndeps(rng, i, meta):
    if meta:
        k = rng.randint(4, 12)
    else:
        k = int(round(rng.expovariate(1.0 / MEAN_DEPS)))
    return min(k, 20, i)


def _pick_deps(rng, i, k, packages):
    return [packages[j].name for j in rng.sample(range(i), k)]


def _deps_lines(rng, deps):
    """The dependencies option: one line, or continued on indented lines."""
    if not deps:
        return ["dependencies ="] if rng.random() < 0.5 else []
    if len(deps) >= 5 and rng.random() < 0.6:
        if rng.random() < 0.5:
            # Empty first line, one name per line.
            return ["dependencies ="] + ["    " + d for d in deps]
        # Data on the first line, the rest continued.
        lines, cut = [], 3
        lines.append("dependencies = " + " ".join(deps[:cut]))
        for k in range(cut, len(deps), 3):
            lines.append("    " + " ".join(deps[k:k + 3]))
        return lines
    return ["dependencies = " + " ".join(deps)]


def _src(rng, pkg, old=False):
    base = pkg.name
    suffix = "-old" if old else ""
    r = rng.random()
    if r < 0.75:
        ext = rng.choice((".tar.gz", ".tar.gz", ".tar.xz", ".tar.bz2", ".zip"))
        opts = [("src_type", "static"),
                ("src_uri", "https://example.org/dist%s/%s%s"
                 % (suffix, base, ext))]
        if rng.random() < 0.3:
            opts.append(("src_md5", benchlib.hexstr(rng, 32)))
        return opts
    if r < 0.90:
        opts = [("src_type", "git"),
                ("src_uri", "https://git.example.org/%s%s.git"
                 % (base, suffix))]
        if rng.random() < 0.4:
            opts.append(("scm_branch", rng.choice(("main", "stable", "1.x"))))
        return opts
    if r < 0.95:
        return [("src_type", "hg"),
                ("src_uri", "https://hg.example.org/%s%s" % (base, suffix))]
    return [("src_type", "svn"),
            ("src_uri", "https://svn.example.org/%s%s/trunk" % (base, suffix))]


def _text(rng, pkg, minilay, deps, old=False):
    """The minibuild file of pkg as found in minilay."""
    lines = []
    if rng.random() < 0.2:
        lines.append("# %s, packaged for minitage" % pkg.name)
    lines.append("[minibuild]")
    if pkg.meta:
        if rng.random() < 0.3:
            lines.append("description = the %s stack" % pkg.name[5:])
        lines += _deps_lines(rng, deps)
        return "\n".join(lines) + "\n"
    lines += _deps_lines(rng, deps)
    r = rng.random()
    method = ("cmmi" if r < 0.70 else "buildout" if r < 0.85
              else "auto" if r < 0.95 else "none")
    lines.append("install_method = %s" % method)
    for k, v in _src(rng, pkg, old):
        lines.append("%s = %s" % (k, v))
    lines.append("category = %s" % CATEGORY[minilay])
    if method == "buildout" and rng.random() < 0.5:
        lines.append("buildout_config = buildout.cfg")
    if method == "cmmi" and rng.random() < 0.2:
        lines.append("configure_options = --disable-static --enable-shared")
    if rng.random() < 0.1:
        lines.append("revision = %d" % rng.randint(1, 5))
    if rng.random() < 0.3:
        lines.append("url = https://www.example.org/projects/%s" % pkg.name)
    if rng.random() < 0.2:
        lines.append("description = %s, version %s"
                     % (pkg.name, pkg.version or "unversioned"))
    if rng.random() < 0.05:
        lines.append("")
        lines.append("# built with the system compiler")
    return "\n".join(lines) + "\n"


def generate(directory, n=N, seed=SEED):
    """Write DIR/minilays/*/*; return the winning Packages in index order."""
    rng = random.Random(seed)
    width = max(5, len(str(max(n - 1, 0))))
    packages = []
    for i in range(n):
        meta = i >= 10 and rng.random() < META_SHARE
        if meta:
            homes = ["misc"]
        else:
            homes = [rng.choices(MINILAYS, MINILAY_SHARES)[0]]
            if rng.random() < SHADOW_SHARE:
                homes.append(rng.choice([m for m in MINILAYS
                                         if m != homes[0]]))
        name, version = _name(rng, i, width, meta, homes[0])
        p = Package(i, name, version, meta)
        p.dependencies = _pick_deps(rng, i, _ndeps(rng, i, meta), packages)
        homes.sort()  # the first minilay in sorted order wins
        p.minilay = homes[0]
        p.shadowed = homes[1:]
        p.path = os.path.join("minilays", p.minilay, p.name)
        packages.append(p)

    for m in MINILAYS:
        os.makedirs(os.path.join(directory, "minilays", m), exist_ok=True)
    for p in packages:
        with open(os.path.join(directory, p.path), "w") as fh:
            fh.write(_text(rng, p, p.minilay, p.dependencies))
        for m in p.shadowed:
            # A different, older copy: other dependencies (if there is any
            # other choice), other sources.
            other = list(p.dependencies)
            for _ in range(10):
                if other != p.dependencies or p.index < 2:
                    break
                other = _pick_deps(rng, p.index,
                                   min(p.index, rng.randint(1, 4)), packages)
            with open(os.path.join(directory, "minilays", m, p.name),
                      "w") as fh:
                fh.write(_text(rng, p, m, other, old=True))
    return packages


def write_ninja(directory, packages):
    """Write DIR/build.ninja: the same graph, one edge per package.

    Each package is an output made by `touch`, its dependencies are implicit
    inputs (`build b: touch | a`), and the default target is every package,
    so `ninja -n` plans one edge per package.  Returns the file's path."""
    os.makedirs(directory, exist_ok=True)
    lines = ["# The package graph of gen_minilays.py as a build.ninja.",
             "ninja_required_version = 1.7", "",
             "rule touch", "  command = touch $out",
             "  description = INSTALL $out", ""]
    for p in packages:
        if p.dependencies:
            lines.append("build %s: touch | %s"
                         % (p.name, " ".join(p.dependencies)))
        else:
            lines.append("build %s: touch" % p.name)
    lines.append("")
    lines.append("build all: phony " + " ".join(p.name for p in packages))
    lines.append("default all")
    path = os.path.join(directory, "build.ninja")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def stats(packages):
    """A few numbers that describe the graph, for the benchmark's header."""
    depth = {}
    for p in packages:  # index order is a topological order
        depth[p.name] = 1 + max((depth[d] for d in p.dependencies), default=0)
    edges = sum(len(p.dependencies) for p in packages)
    return {
        "packages": len(packages),
        "edges": edges,
        "mean_deps": edges / len(packages) if packages else 0.0,
        "meta": sum(p.meta for p in packages),
        "versioned": sum(p.version is not None for p in packages),
        "shadowed": sum(len(p.shadowed) for p in packages),
        "longest_chain": max(depth.values(), default=0),
        "per_minilay": {m: sum(p.minilay == m for p in packages)
                        for m in MINILAYS},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("directory")
    ap.add_argument("--n", type=int, default=N,
                    help="number of packages (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--ninja", metavar="NINJADIR",
                    help="also write NINJADIR/build.ninja")
    a = ap.parse_args()
    if a.n < 1:
        ap.error("--n must be at least 1")
    packages = generate(a.directory, a.n, a.seed)
    s = stats(packages)
    print("%s: %d packages (%d meta, %d versioned), %d dependencies (%.2f "
          "each), longest chain %d, %d shadowed copies"
          % (os.path.join(a.directory, "minilays"), s["packages"], s["meta"],
             s["versioned"], s["edges"], s["mean_deps"], s["longest_chain"],
             s["shadowed"]))
    if a.ninja:
        print(write_ninja(a.ninja, packages))


if __name__ == "__main__":
    main()
