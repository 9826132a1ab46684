#!/usr/bin/python3
"""An installed no-op recipe egg for zc.buildout 2.13.2: `noop.recipe`.

    noop_egg.py EGGS_DIR

creates (if absent) EGGS_DIR/noop.recipe-1.0-pyX.Y.egg/, a directory egg
as easy_install leaves one:

    EGG-INFO/PKG-INFO           Metadata-Version, Name, Version
    EGG-INFO/entry_points.txt   [zc.buildout] default = noop_recipe:Recipe
    EGG-INFO/top_level.txt      noop_recipe
    noop_recipe.py              the recipe: it sets no option, creates
                                nothing, install() and update() return ()

and prints the egg's path.  X.Y is the running Python's version, which is
what pkg_resources requires of an egg it puts on the path.

What `buildout -o` needs to load it with no network and no
`setup.py develop` (verified with Debian's 2.13.2):

* `eggs-directory` = EGGS_DIR: offline, buildout looks for a recipe that is
  not importable in `develop-eggs-directory`, then `eggs-directory`
  (`_install_and_load`), and adds the egg it finds there to the working
  set.  The default `eggs-directory` is `<buildout dir>/eggs`; a
  command-line assignment `buildout:eggs-directory=EGGS_DIR` points it
  elsewhere without touching the config (buildout_install.py does that).
* `-o`: online, buildout would first look for the newest `noop.recipe` on
  PyPI (and, with `newest`, for newer zc.buildout and setuptools to
  upgrade to).  `-o` makes `newest` false, so `_maybe_upgrade` returns at
  once: no pin for zc.buildout or setuptools is needed.
* no `[versions]` pin: offline, any installed version satisfies the
  unpinned requirement.  Without a pin the version counts as "picked":
  harmless by default, listed under `show-picked-versions = true`, and an
  error (`Picked: noop.recipe = 1.0`) under `allow-picked-versions =
  false`, where `[versions] noop.recipe = 1.0` is then needed.
* no `develop =`: that would rerun `setup.py develop` on every run.

The recipe reads each of its options, as a recipe does, so that buildout
has no "Unused options" to warn about; it sets none.
"""

import os
import shutil
import sys

NAME = 'noop.recipe'
VERSION = '1.0'
MODULE = 'noop_recipe'

PKG_INFO = """\
Metadata-Version: 1.1
Name: %s
Version: %s
Summary: A zc.buildout recipe that does nothing
Home-page: UNKNOWN
Author: minimerge tests
License: ZPL
Description: A zc.buildout recipe that does nothing (minimerge's tests).
Platform: UNKNOWN
""" % (NAME, VERSION)

ENTRY_POINTS = """\
[zc.buildout]
default = %s:Recipe
""" % MODULE

RECIPE = '''\
"""A zc.buildout recipe that does nothing."""


class Recipe(object):

    def __init__(self, buildout, name, options):
        self.buildout = buildout
        self.name = name
        self.options = options
        # Read every option, as a real recipe reads its own: buildout then
        # has no "Unused options" to warn about.  Nothing is set.
        for key in list(options):
            options.get(key)

    def install(self):
        return ()

    def update(self):
        return ()
'''


def egg_name(python=None):
    """The egg's directory name for Python version PYTHON ('3.11';
    default: the running one)."""
    if python is None:
        python = '%d.%d' % sys.version_info[:2]
    return '%s-%s-py%s.egg' % (NAME.replace('-', '_'), VERSION, python)


def _write(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def create(eggs_dir, python=None):
    """Create the egg in EGGS_DIR (made if missing) unless it is there;
    return its path."""
    egg = os.path.join(eggs_dir, egg_name(python))
    module = os.path.join(egg, MODULE + '.py')
    if os.path.isfile(module):
        with open(module, encoding='utf-8') as f:
            if f.read() == RECIPE:
                return egg
        shutil.rmtree(egg)  # an older version of the recipe
    # Write beside it, then rename: a reader never sees half an egg.
    tmp = egg + '.tmp%d' % os.getpid()
    info = os.path.join(tmp, 'EGG-INFO')
    os.makedirs(info)
    _write(os.path.join(info, 'PKG-INFO'), PKG_INFO)
    _write(os.path.join(info, 'entry_points.txt'), ENTRY_POINTS)
    _write(os.path.join(info, 'top_level.txt'), MODULE + '\n')
    _write(os.path.join(info, 'zip-safe'), '\n')
    _write(os.path.join(tmp, MODULE + '.py'), RECIPE)
    try:
        os.rename(tmp, egg)
    except OSError:
        # Another process made it first.
        shutil.rmtree(tmp, ignore_errors=True)
        if not os.path.isdir(egg):
            raise
    return egg


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.stderr.write('usage: noop_egg.py EGGS_DIR\n')
        sys.exit(64)
    print(create(os.path.abspath(sys.argv[1])))
