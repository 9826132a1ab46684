"""Resolve a config with zc.buildout as a parser only, and dump it as JSON.

Run with Debian's Python (/usr/bin/python3), which has zc.buildout 2.13.2:

    /usr/bin/python3 bench/buildout_resolve.py CONFIG [--out FILE]

What it does, and nothing more:
  - builds zc.buildout.buildout.Buildout(CONFIG, [], user_defaults=False)
    (the equivalent of `buildout -U -c CONFIG`), with Options.initialize
    replaced by a no-op, so no recipe is looked up, downloaded or loaded,
    and os.makedirs replaced by a no-op, so no eggs directory is created;
  - reads every part listed in buildout:parts, which makes buildout
    substitute every ${...} of those parts and of every section they refer
    to (buildout resolves lazily: sections nobody reads are never resolved);
  - writes {section: {option: value}} for every section that was read to
    FILE (default: standard output), minus buildout's two built-in version
    pins (zc.buildout, zc.recipe.egg) unless the config set them;
  - prints `resolve_seconds=<float>` on standard error: the time taken by
    Buildout() plus the part reads, measured in the process, so without
    Python's start-up, the imports and the JSON dump.

buildout's log lines (e.g. "Creating directory ...") go to standard error,
so standard output carries only the JSON.
On a buildout error it prints `error: <message>` on stderr and exits 1.
"""

import os
import sys

# Debian's zc.buildout 2.13.2 needs the collections aliases Python 3.10
# removed: the tests' oracle puts them back before it is imported.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "oracle"))
import buildout_compat  # noqa: E402,F401

import json  # noqa: E402
import time  # noqa: E402

import zc.buildout  # noqa: E402
import zc.buildout.buildout  # noqa: E402

DEFAULT_PINS = ("zc.buildout", "zc.recipe.egg")


def _no_makedirs(*args, **kwargs):
    return None


def resolve(config):
    """Return ({section: {option: value}}, seconds spent in buildout)."""
    zc.buildout.buildout.Options.initialize = lambda self: None
    os.makedirs = _no_makedirs
    t0 = time.perf_counter()
    b = zc.buildout.buildout.Buildout(config, [], user_defaults=False)
    for part in b["buildout"]["parts"].split():
        b[part]
    elapsed = time.perf_counter() - t0
    # b._data holds exactly the sections that were read (Buildout's own
    # __getitem__ stores each one there when it first initialises it).
    out = {name: dict(options) for name, options in b._data.items()}
    versions_name = b["buildout"].get("versions")
    if versions_name in out:
        annotated = b._annotated.get(versions_name, {})
        for pin in DEFAULT_PINS:
            # Buildout() adds these pins itself (source DEFAULT_VALUE); keep
            # them only when a config file set them.
            ann = annotated.get(pin)
            if pin in out[versions_name] and (
                    ann is None or ann.source == "DEFAULT_VALUE"):
                del out[versions_name][pin]
    return out, elapsed


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config")
    ap.add_argument("--out", default="-",
                    help="where to write the JSON (default: stdout)")
    a = ap.parse_args(argv)
    # buildout's log handlers write to sys.stdout as it is when they are
    # made; send them to stderr so that stdout carries only the JSON.
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        data, elapsed = resolve(a.config)
    except zc.buildout.UserError as e:
        sys.stderr.write("error: %s\n" % e)
        return 1
    finally:
        sys.stdout = real_stdout
    text = json.dumps(data, sort_keys=True, indent=1)
    if a.out == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(a.out, "w") as fh:
            fh.write(text + "\n")
    sys.stderr.write("resolve_seconds=%.9f\n" % elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
