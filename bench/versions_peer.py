"""The peer of bench/versions.py: what a Python tool of buildout's world
does to print a version map of minibuilds.  It reads the minilays with
configparser (the first minilay in sorted order that has a name wins),
follows `dependencies` from the targets, splits each name into base name
and version, and prints the map with zc.buildout's own formatter of picked
versions (Debian's zc.buildout 2.13.2).

Usage: versions_peer.py ROOT TARGET...
"""

import configparser
import os
import re
import sys

# Debian's zc.buildout 2.13.2 needs the collections aliases Python 3.10
# removed: the tests' oracle puts them back before it is imported.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "oracle"))
import buildout_compat  # noqa: E402,F401
from zc.buildout.buildout import _format_picked_versions  # noqa: E402

# A version is the last "-N..." part that the rest of the name allows.
VERSION = re.compile(r"^(.+?)-(\d+(?:\.\d+)*[a-z]?(?:-r\d+)?(?:_[A-Za-z0-9.]+)*)$")


def main(root, targets):
    lays = os.path.join(root, "minilays")
    where = {}
    for lay in sorted(os.listdir(lays)):
        for name in os.listdir(os.path.join(lays, lay)):
            where.setdefault(name, os.path.join(lays, lay, name))
    deps = {}
    todo = list(targets)
    while todo:
        name = todo.pop()
        if name in deps:
            continue
        cp = configparser.RawConfigParser()
        cp.read(where[name])
        deps[name] = cp.get("minibuild", "dependencies", fallback="").split()
        todo.extend(deps[name])
    picked, required_by = {}, {}

    def split(name):
        m = VERSION.match(name)
        return (m.group(1), m.group(2)) if m else (name, None)

    for name, needs in deps.items():
        base, version = split(name)
        if version:
            picked[base] = version
        for d in needs:
            dbase, dversion = split(d)
            if dversion:
                required_by.setdefault(dbase, set()).add(
                    "%s==%s" % (base, version) if version else base)
    out = _format_picked_versions(sorted(picked.items()), required_by)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
