#!/usr/bin/python3
"""A real `buildout -U -o install` (zc.buildout 2.13.2) as an oracle for
which parts get installed, and with which options.

Usage (Debian's /usr/bin/python3):

    buildout_install.py [--eggs DIR] CFG [sec:opt=value ...] [install PART ...]

It runs, in-process and from CFG's directory, what the `buildout` command
runs (`zc.buildout.buildout.main`, after putting back the
`collections.MutableMapping` & co. aliases that 2.13.2 needs on Python
3.10+):

    buildout -U -o -c CFG buildout:eggs-directory=EGGS [ARGS...]

EGGS holds the `noop.recipe` egg (noop_egg.py): a temporary directory
removed at the end, or DIR with --eggs (the egg is created there if
missing).  The config files are not modified; buildout writes its state
(`.installed.cfg`, `bin/`, `parts/`, `develop-eggs/`) beside CFG, as it
always does: run it on a copy.  Everything buildout prints goes to stderr.

Then it reads the `.installed.cfg` buildout wrote (with buildout's own
reader, `%(__buildout_space__)s` & co. decoded) and prints

    {"parts": [{"name": NAME, "options": {opt: value, ...}}, ...]}

the parts in buildout's install order (`.installed.cfg`'s `parts`), each
with the options buildout saved for it, `__buildout_installed__` and
`__buildout_signature__` left out (`recipe` kept).  No `.installed.cfg`
(nothing installed) gives {"parts": []}.

On error: exit status 1; buildout's own report (`While: ...` and
`Error: MSG`, or its internal-error traceback) is on stderr.
"""

import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import buildout_compat  # noqa: E402,F401
import noop_egg  # noqa: E402

# Options buildout adds to each part in .installed.cfg; not the config's.
BOOKKEEPING = ('__buildout_installed__', '__buildout_signature__')


def usage(msg):
    sys.stderr.write('buildout_install: %s\n' % msg)
    sys.stderr.write(__doc__.split('\n\n')[1] + '\n')
    sys.exit(64)


def read_installed(path):
    """[(part, {option: value})] from the .installed.cfg at PATH, in its
    `parts` order, decoded as buildout decodes it
    (Buildout._read_installed_part_options)."""
    import zc.buildout.buildout as zb
    import zc.buildout.configparser
    if not os.path.isfile(path):
        return []
    with open(path) as fp:
        sections = zc.buildout.configparser.parse(fp, path)
    for options in sections.values():
        for option, value in options.items():
            if '%(' in value:
                for k, v in zb._spacey_defaults:
                    value = value.replace(k, v)
                options[option] = value
    # Repeated [buildout] sections (updates appended) were merged, the
    # last `parts` winning, as buildout reads it.
    names = sections.get('buildout', {}).get('parts', '').split()
    return [(name, {k: v for k, v in sections[name].items()
                    if k not in BOOKKEEPING})
            for name in names]


def install(cfg, args, eggs):
    """Run buildout -U -o on CFG with ARGS (assignments, then an optional
    command and its arguments) and the noop egg in EGGS; return buildout's
    exit status.  Its output goes to stderr."""
    import zc.buildout.buildout as zb
    noop_egg.create(eggs)
    argv = ['-U', '-o', '-c', cfg, 'buildout:eggs-directory=' + eggs] + args
    saved_out, saved_cwd = sys.stdout, os.getcwd()
    # buildout's log handler writes to the sys.stdout of the moment it is
    # set up: make that stderr, so that stdout carries our JSON alone.
    sys.stdout = sys.stderr
    try:
        os.chdir(os.path.dirname(cfg))
        zb.main(argv)
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stdout = saved_out
        os.chdir(saved_cwd)


def main(argv):
    args = list(argv)
    eggs = None
    if args[:1] == ['--eggs']:
        if len(args) < 2:
            usage('--eggs needs a directory')
        eggs = os.path.abspath(args[1])
        args = args[2:]
    if not args or args[0].startswith('-'):
        usage('CFG is required')
    cfg = os.path.abspath(args.pop(0))
    if not os.path.isfile(cfg):
        sys.stderr.write("buildout_install: Couldn't open %s\n" % cfg)
        return 1
    tmp = None
    if eggs is None:
        tmp = eggs = tempfile.mkdtemp(prefix='noop-eggs-')
    try:
        rc = install(cfg, args, eggs)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    if rc != 0:
        return 1
    parts = read_installed(os.path.join(os.path.dirname(cfg),
                                        '.installed.cfg'))
    out = {'parts': [{'name': n, 'options': o} for n, o in parts]}
    sys.stdout.write(json.dumps(out, indent=1, ensure_ascii=False) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
