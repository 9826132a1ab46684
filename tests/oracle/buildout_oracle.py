#!/usr/bin/python3
"""zc.buildout 2.13.2 (Debian's python3-zc.buildout) as an oracle for configs.

Usage (run with Debian's /usr/bin/python3, cwd irrelevant):

    buildout_oracle.py [-U] [-o] [--annotate [--keep-default-pins]]
                       -c CFG [sec:opt=value ...]

It builds `zc.buildout.buildout.Buildout(CFG, assigns, user_defaults=not -U)`
with recipes disabled (`Options.initialize` is a no-op) and directory
creation disabled, then touches what `buildout install` would touch before
running recipes: the `[buildout]` section, the versions section, and each
part named in `buildout:parts`.

Output on success: JSON `{section: {option: value}}` for every section that
was accessed (hence substituted), keys sorted.  The two version pins that
buildout adds for itself (`zc.buildout`, `zc.recipe.egg`) are removed from
the versions section when they come from buildout's defaults rather than
from a config file: minimerge does not add them.

Output on error: exit status 1 and JSON `{"error": KIND, "message": MSG}`,
MSG being the exception text and KIND `errkind.classify(MSG)`.

With --annotate, print what `buildout annotate` (not verbose) prints
instead -- except that the two default pins above are left out of the
versions section here too, for the same reason; --keep-default-pins prints
buildout's output unchanged.

Command-line assignments are split as buildout's main() does: at the first
`=`, then the left side at `:` (no colon: section `buildout`); section,
option and value are stripped; `opt+=v` / `opt-=v` keep the operator in the
option name (`opt+`), which buildout then applies.  `-o` adds
('buildout', 'offline', 'true') like buildout's -o.
"""

import io
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import buildout_compat  # noqa: E402,F401
from errkind import classify  # noqa: E402

DEFAULT_PINS = ('zc.buildout', 'zc.recipe.egg')


def usage(msg):
    sys.stderr.write('buildout_oracle: %s\n' % msg)
    sys.stderr.write(__doc__.split('\n\n')[1] + '\n')
    sys.exit(64)


def parse_args(argv):
    opts = {'user_defaults': True, 'annotate': False, 'keep_pins': False,
            'config': None, 'assigns': []}
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--annotate':
            opts['annotate'] = True
        elif a == '--keep-default-pins':
            opts['keep_pins'] = True
        elif a == '-c':
            if not args:
                usage('-c needs a file name')
            opts['config'] = args.pop(0)
        elif a.startswith('-c') and len(a) > 2:
            opts['config'] = a[2:]
        elif a.startswith('-') and len(a) > 1 and not a.startswith('--'):
            # Bundled single-letter flags, as buildout accepts them.
            for ch in a[1:]:
                if ch == 'U':
                    opts['user_defaults'] = False
                elif ch == 'o':
                    opts['assigns'].append(('buildout', 'offline', 'true'))
                elif ch == 'O':
                    opts['assigns'].append(('buildout', 'offline', 'false'))
                elif ch == 'n':
                    opts['assigns'].append(('buildout', 'newest', 'true'))
                elif ch == 'N':
                    opts['assigns'].append(('buildout', 'newest', 'false'))
                else:
                    usage('unknown flag -%s' % ch)
        elif '=' in a:
            option, value = a.split('=', 1)
            parts = option.split(':')
            if len(parts) == 1:
                parts = ['buildout', parts[0]]
            elif len(parts) != 2:
                usage('invalid assignment %r' % a)
            section, option = parts
            opts['assigns'].append(
                (section.strip(), option.strip(), value.strip()))
        else:
            usage('unexpected argument %r' % a)
    if not opts['config']:
        usage('-c CFG is required')
    return opts


def load_buildout():
    import zc.buildout.buildout as zb

    # No recipe is loaded: a part's section is still initialized (its
    # options substituted, its <part-dependencies> accessed), but the
    # recipe entry point is never looked up.
    zb.Options.initialize = lambda self: None
    return zb


class _NoDirs:
    """Turn os.makedirs / os.mkdir into no-ops while buildout runs, so the
    eggs / download-cache directories are not created in the fixtures."""

    def __enter__(self):
        self.saved = os.makedirs, os.mkdir
        os.makedirs = lambda *a, **k: None
        os.mkdir = lambda *a, **k: None

    def __exit__(self, *exc):
        os.makedirs, os.mkdir = self.saved
        return False


def default_pins(buildout, versions_name):
    """The default pins present in the versions section that come from
    buildout's defaults, not from a config file."""
    if not versions_name:
        return []
    annotated = buildout._annotated.get(versions_name, {})
    return [k for k in DEFAULT_PINS
            if k in annotated and annotated[k].source == 'DEFAULT_VALUE']


def run(opts, out):
    zb = load_buildout()
    cfg = os.path.abspath(opts['config'])
    # buildout logs to sys.stdout (handlers bound at setup time); keep that
    # away from our output.
    sys.stdout = io.StringIO()
    try:
        with _NoDirs():
            buildout = zb.Buildout(cfg, opts['assigns'],
                                   user_defaults=opts['user_defaults'])
            versions_name = buildout['buildout']['versions']
            pins = default_pins(buildout, versions_name)

            if opts['annotate']:
                annotated = buildout._annotated
                if not opts['keep_pins'] and versions_name in annotated:
                    for k in pins:
                        del annotated[versions_name][k]
                buf = io.StringIO()
                sys.stdout = buf
                zb._print_annotate(annotated, False, [],
                                   buildout._buildout_dir)
                out.write(buf.getvalue())
                return 0

            # What `buildout install` touches before running any recipe.
            buildout['buildout']
            if versions_name:
                buildout[versions_name]
            if 'parts' in buildout['buildout']:
                for name in buildout['buildout']['parts'].split():
                    buildout[name]

            result = {}
            for section in buildout._data:
                result[section] = dict(buildout._data[section])
            if versions_name in result:
                for k in pins:
                    result[versions_name].pop(k, None)
    finally:
        sys.stdout = out
    out.write(json.dumps(result, sort_keys=True, indent=1) + '\n')
    return 0


def main(argv):
    opts = parse_args(argv)
    out = sys.stdout
    try:
        return run(opts, out)
    except Exception as v:  # buildout's UserErrors and internal errors
        sys.stdout = out
        msg = str(v)
        out.write(json.dumps({'error': classify(msg), 'message': msg},
                             sort_keys=True, indent=1) + '\n')
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
