"""Generate a large, realistic buildout-style config for the benchmarks.

The result is LEVELS files, level0.cfg .. level{LEVELS-1}.cfg, in one
directory; level0.cfg is the file to run and each level<i>.cfg extends
level<i+1>.cfg.  The deepest file (the base) holds the [buildout] defaults,
the macro templates and the largest share of the parts; every level above it
adds parts with `parts +=` and customises parts defined below it with plain
overrides, `+=` and `-=`; level0 also drops a few parts with `parts -=`.

Every section of the result is reached by resolving buildout:parts (the
templates and the dropped parts are referenced by other parts with
${sec:opt}), so a resolver that prints every section and one that prints
only the sections it had to read print the same set.

The generator is deterministic: the same seed and sizes give byte-identical
files.  It only uses constructs on which zc.buildout 2.13.2 and later
releases agree (no `+=` on an option that has no earlier value, no `+=` in a
section that appears in a single file without a macro), so the config is a
fair test of a resolver that follows buildout's documented behaviour.

Usage as a script:  python3 bench/gen_config.py DIR [--parts N] [--seed S]
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import benchlib  # noqa: E402

WORDS = benchlib.WORDS

PARTS = 1000
LEVELS = 5
SEED = 20240611

# Share of the parts defined at each level, base (deepest) first.
LEVEL_SHARES = (0.30, 0.25, 0.20, 0.15, 0.10)

EGGS = (
    "lxml Pillow psycopg2 numpy scipy pandas requests urllib3 certifi "
    "idna chardet six setuptools wheel docutils Jinja2 MarkupSafe "
    "Pygments Sphinx pytest coverage mock zope.interface zope.event "
    "ZODB persistent BTrees transaction waitress WebOb Paste "
    "PasteDeploy pyramid Chameleon SQLAlchemy alembic Mako redis "
    "celery kombu billiard vine amqp pytz python-dateutil").split()

RECIPES = {
    "cmmi": "minimerge.recipe.cmmi",
    "egg": "zc.recipe.egg",
    "cmd": "plone.recipe.command",
}


def _version(rng):
    return "%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 30),
                         rng.randint(0, 20))


def _block(lines, indent="    "):
    """A multi-line value with an empty first line (buildout dedents it)."""
    return "\n" + "\n".join(indent + l for l in lines)


def _inline(first, rest, indent="    "):
    """A multi-line value with data on its first line (lines are stripped)."""
    return first + "".join("\n" + indent + l for l in rest)


class _Part:
    def __init__(self, index, level, kind, name):
        self.index = index
        self.level = level
        self.kind = kind
        self.name = name          # section name
        self.macro = None         # template it extends with <=, if any
        self.options = []         # [(key, value)] in file order
        self.opt_lines = {}       # option -> list of lines (for -=)


def _plan(nparts, levels, rng):
    """Decide which level defines each part and what kind of part it is."""
    shares = list(LEVEL_SHARES[:levels]) if levels <= len(LEVEL_SHARES) \
        else [1.0 / levels] * levels
    total = sum(shares)
    counts = [int(nparts * s / total) for s in shares]
    counts[0] += nparts - sum(counts)
    parts = []
    index = 0
    # Level numbers: base is levels-1, top is 0.
    for depth, count in enumerate(counts):
        level = levels - 1 - depth
        for _ in range(count):
            r = rng.random()
            kind = "cmmi" if r < 0.5 else ("egg" if r < 0.8 else "cmd")
            word = WORDS[index % len(WORDS)]
            name = "%s-%s-%04d" % (kind, word, index)
            parts.append(_Part(index, level, kind, name))
            index += 1
    return parts


def _deps(rng, part, parts, k):
    """Up to k earlier parts of kind cmmi (no cycles: index < part.index)."""
    lo = max(0, part.index - 120)
    pool = [p for p in parts[lo:part.index] if p.kind == "cmmi"]
    if not pool:
        return []
    return rng.sample(pool, min(k, len(pool)))


def _fill_part(rng, part, parts):
    o = part.options
    lines = part.opt_lines
    use_macro = rng.random() < 0.25
    if part.kind == "cmmi":
        deps = _deps(rng, part, parts, rng.randint(0, 3))
        if use_macro:
            part.macro = "cmmi-template"
        else:
            o.append(("recipe", RECIPES["cmmi"]))
        o.append(("name", part.name.split("-")[1] + str(part.index)))
        if rng.random() < 0.3:
            o.append(("version", "${versions:%s}" % part.name))
        else:
            o.append(("version", _version(rng)))
        o.append(("url", "${buildout:download-base}/${:name}/"
                         "${:name}-${:version}.tar.gz"))
        o.append(("md5sum", benchlib.hexstr(rng, 32)))
        if not use_macro:
            o.append(("location",
                      "${buildout:parts-directory}/${:_buildout_section_name_}"))
        cfg = ["--prefix=${:location}"]
        cfg += ["--with-%s=${%s:location}" % (d.name.split("-")[1], d.name)
                for d in deps]
        cfg += rng.sample(["--enable-shared", "--disable-static",
                           "--enable-threads", "--with-pic",
                           "--disable-nls", "--enable-optimizations"],
                          rng.randint(1, 3))
        if use_macro:
            # Extends the template's list instead of replacing it.
            o.append(("configure-options +", _block(cfg[1:] or ["--with-pic"])))
        else:
            o.append(("configure-options", _block(cfg)))
            lines["configure-options"] = cfg
        env = ["CFLAGS=${buildout:cflags} " +
               " ".join("-I${%s:location}/include" % d.name for d in deps),
               "LDFLAGS=" + " ".join(
                   "-L${%s:location}/lib -Wl,-rpath,${%s:location}/lib"
                   % (d.name, d.name) for d in deps),
               "PKG_CONFIG_PATH=" + ":".join(
                   "${%s:location}/lib/pkgconfig" % d.name for d in deps)]
        o.append(("environment", _block([e.rstrip() for e in env])))
        lines["environment"] = [e.rstrip() for e in env]
        o.append(("make-options", "-j${buildout:jobs} V=1"))
        if rng.random() < 0.4:
            n = rng.randint(1, 3)
            pl = ["${buildout:patch-directory}/%s-%d.patch" % (part.name, k)
                  for k in range(n)]
            o.append(("patches", _inline(pl[0], pl[1:])))
            lines["patches"] = pl
        if rng.random() < 0.3:
            o.append(("post-install", _block([
                "test -d ${:location}/lib64 && ln -sf lib64 ${:location}/lib",
                "echo installed $${PWD} into ${:location}"])))
        o.append(("depends", " ".join(d.name for d in deps)))
    elif part.kind == "egg":
        deps = _deps(rng, part, parts, rng.randint(1, 2))
        if use_macro:
            part.macro = "egg-template"
        else:
            o.append(("recipe", RECIPES["egg"]))
            o.append(("location",
                      "${buildout:parts-directory}/${:_buildout_section_name_}"))
        eggs = rng.sample(EGGS, rng.randint(2, 6))
        o.append(("eggs", _block(eggs + ["${buildout:extra-eggs}"])))
        lines["eggs"] = eggs + ["${buildout:extra-eggs}"]
        o.append(("interpreter", "py%04d" % part.index))
        o.append(("scripts", _inline(eggs[0].lower(), [e.lower()
                                                       for e in eggs[1:2]])))
        o.append(("extra-paths", _block(
            ["${%s:location}/lib/python3/site-packages" % d.name
             for d in deps] + ["${buildout:directory}/src"])))
        o.append(("initialization", _block([
            "import os",
            "if 'PART_HOME' not in os.environ:",
            "    os.environ['PART_HOME'] = '${:location}'",
            "os.environ.setdefault('LD_LIBRARY_PATH', '%s')" % ":".join(
                "${%s:location}/lib" % d.name for d in deps)])))
        o.append(("arguments", "'${:interpreter}', debug=False"))
        o.append(("relative-paths", rng.choice(["true", "false"])))
        o.append(("dependent-scripts", rng.choice(["true", "false"])))
    else:  # cmd
        deps = _deps(rng, part, parts, rng.randint(1, 2))
        o.append(("recipe", RECIPES["cmd"]))
        o.append(("location",
                  "${buildout:parts-directory}/${:_buildout_section_name_}"))
        cmd = ["mkdir -p ${:location}/etc",
               "cp ${buildout:directory}/templates/%s.conf ${:location}/etc/"
               % part.name]
        cmd += ["${%s:location}/bin/setup --prefix=${:location}" % d.name
                for d in deps]
        cmd.append("echo done > $${TMPDIR:-/tmp}/%s.stamp" % part.name)
        text = _block(cmd)
        if rng.random() < 0.3:
            # A blank line inside the value (kept), and a column-0 comment
            # (dropped by the parser, even inside a value).
            first, rest = text.split("\n    cp ", 1)
            text = first + "\n\n# copy the configuration\n    cp " + rest
        o.append(("command", text))
        o.append(("update-command", "${:command}"))
        o.append(("stop-on-error", "true"))
        o.append(("environment-vars", _inline(
            "PREFIX=${buildout:prefix}",
            ["JOBS=${buildout:jobs}", "PART=${:_buildout_section_name_}"])))
        o.append(("owner", "${buildout:user}"))
        o.append(("mode", "0%d55" % rng.choice([6, 7])))
        o.append(("after", " ".join("${%s:location}" % d.name for d in deps)))
        o.append(("comment", "part %d of %d, defined at level %d"
                  % (part.index, len(parts), part.level)))


def _section(name, options):
    out = ["[%s]" % name]
    for k, v in options:
        # "parts +" is written "parts += ...", as people write it.
        sep = " =" if k[-2:] not in (" +", " -") and k != "<" else "="
        space = "" if (not v or v.startswith("\n")) else " "
        out.append("%s%s%s%s" % (k, sep, space, v))
    return "\n".join(out) + "\n"


def generate(directory, nparts=PARTS, levels=LEVELS, seed=SEED):
    """Write level0.cfg .. level{levels-1}.cfg into directory.

    Returns the path of level0.cfg (the file to run)."""
    if levels < 2:
        raise ValueError("need at least 2 levels")
    rng = random.Random(seed)
    parts = _plan(nparts, levels, rng)
    for p in parts:
        _fill_part(rng, p, parts)
    by_level = {lv: [p for p in parts if p.level == lv] for lv in range(levels)}
    base = levels - 1
    files = {lv: [] for lv in range(levels)}

    # Parts removed at level0 with `parts -=`: still referenced by another
    # part (below), so every resolver reads them.
    base_parts = by_level[base]
    dropped = rng.sample(base_parts[:len(base_parts) // 2],
                         min(5, len(base_parts) // 2))

    # ---- [buildout] per level
    for lv in range(levels):
        f = files[lv]
        f.append("# level%d.cfg: generated by bench/gen_config.py "
                 "(seed %d, %d parts)\n" % (lv, seed, nparts))
        opts = []
        if lv < base:
            opts.append(("extends", "level%d.cfg" % (lv + 1)))
        names = [p.name for p in by_level[lv]]
        if lv == base:
            opts += [
                ("parts", _block(names)),
                ("versions", "versions"),
                ("download-base", "https://downloads.example.org/sources"),
                ("prefix", "${buildout:directory}/local"),
                ("patch-directory", "${:directory}/patches"),
                ("jobs", "4"),
                ("cflags", "-O2 -pipe"),
                ("user", "builder"),
                ("extra-eggs", _block(["zc.lockfile", "zope.exceptions"])),
            ]
        else:
            if names:
                opts.append(("parts +", _block(names)))
            if lv == levels // 2:
                opts.append(("jobs", "8"))
                opts.append(("extra-eggs +", "Twisted"))
            if lv == 1:
                opts.append(("cflags", "${buildout:cflags-base} -fPIC"))
                opts.append(("cflags-base", "-O2 -pipe -g"))
                opts.append(("extra-eggs -", "zope.exceptions"))
            if lv == 0:
                opts.append(("parts -", _block(p.name for p in dropped)))
                opts.append(("download-base",
                             "https://mirror.example.net/pub/sources"))
        f.append(_section("buildout", opts))

    # ---- macro templates (base level); self-contained, so they also
    # resolve when read directly.
    files[base].append("# Templates used with <=; options refer to the "
                       "using section through ${:...}.\n")
    files[base].append(_section("cmmi-template", [
        ("recipe", RECIPES["cmmi"]),
        ("name", "template"),
        ("version", "0.0"),
        ("location", "${buildout:parts-directory}/${:_buildout_section_name_}"),
        ("configure-options", _block(["--prefix=${:location}",
                                      "--sysconfdir=${buildout:prefix}/etc"])),
        ("make-binary", "make"),
        ("keep-compile-dir", "false"),
    ]))
    files[base].append(_section("egg-template", [
        ("recipe", RECIPES["egg"]),
        ("location", "${buildout:parts-directory}/${:_buildout_section_name_}"),
        ("python", "buildout"),
        ("include-site-packages", "false"),
    ]))
    files[base].append(_section("versions", sorted(
        [(p.name, _version(rng)) for p in parts if p.kind == "cmmi"] +
        [(e, _version(rng)) for e in EGGS])))

    # Reference the templates and the dropped parts so that they are read.
    refs = [("template-make", "${cmmi-template:make-binary}"),
            ("template-python", "${egg-template:python}")]
    refs += [("dropped-%d" % k, "${%s:location}" % d.name)
             for k, d in enumerate(dropped)]
    carrier = by_level[0][0] if by_level[0] else parts[-1]
    carrier.options.extend(refs)

    # ---- parts in the level that defines them
    for p in parts:
        opts = list(p.options)
        if p.macro:
            opts.insert(0, ("<", p.macro))
        files[p.level].append(_section(p.name, opts))

    # ---- customisations from upper levels of parts defined below
    for lv in range(base):
        f = files[lv]
        f.append("# Customisations of parts defined in deeper levels.\n")
        for p in parts:
            if p.level <= lv or p.macro or rng.random() > 0.06:
                continue
            opts = [("version", _version(rng))]
            if "configure-options" in p.opt_lines and rng.random() < 0.7:
                old = p.opt_lines["configure-options"]
                opts.append(("configure-options +",
                             _block(["--with-level%d" % lv,
                                     "--localstatedir=${buildout:prefix}/var"])))
                if len(old) > 1:
                    opts.append(("configure-options -", old[-1]))
            elif "eggs" in p.opt_lines and rng.random() < 0.7:
                opts.append(("eggs +", "pkg-level%d" % lv))
                opts.append(("eggs -", p.opt_lines["eggs"][0]))
            if "patches" in p.opt_lines and rng.random() < 0.5:
                opts.append(("patches +",
                             "${buildout:patch-directory}/level%d.patch" % lv))
            f.append(_section(p.name, opts))
        # A few extra pins and overrides in [versions].
        pins = [(p.name, _version(rng)) for p in rng.sample(parts, 10)
                if p.kind == "cmmi"]
        f.append(_section("versions", sorted(pins)))

    os.makedirs(directory, exist_ok=True)
    for lv in range(levels):
        path = os.path.join(directory, "level%d.cfg" % lv)
        with open(path, "w") as fh:
            fh.write("\n".join(files[lv]))
    return os.path.join(directory, "level0.cfg")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("directory")
    ap.add_argument("--parts", type=int, default=PARTS)
    ap.add_argument("--levels", type=int, default=LEVELS)
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args()
    print(generate(a.directory, a.parts, a.levels, a.seed))


if __name__ == "__main__":
    main()
