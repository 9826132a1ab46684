"""minimerge versions: the version map of what an install resolves, as
buildout prints picked versions ([versions], sorted, required ones last
with '# Required by:'), entry by entry for named, pinned and picked
packages, and as JSON."""

import json
import random
import subprocess

from mmrun import env_for
from terminal import clean


def root_with(tmp_path, minibuilds, pins=''):
    """A root whose minilay holds minibuilds {name: dependencies}."""
    root = tmp_path / 'root'
    (root / 'etc').mkdir(parents=True)
    (root / 'etc' / 'minimerge.cfg').write_text('[minimerge]\n' + pins)
    lay = root / 'minilays' / 'main'
    lay.mkdir(parents=True)
    for name, deps in minibuilds.items():
        text = '[minibuild]\ninstall_method = none\ncategory = dependencies\n'
        if deps:
            text += 'dependencies = %s\n' % deps
        (lay / name).write_text(text)
    return str(root)


def versions(minimerge, root, *args):
    p = subprocess.run([minimerge, '-C', root, 'versions'] + list(args), capture_output=True,
                       text=True, timeout=60, env=env_for(root))
    clean(p.stderr)
    return p


STACK = {
    'app-2.1': 'lib zlib meta-tools',
    'lib-1.0': '', 'lib-1.10': 'zlib',
    'zlib-1.2': '', 'zlib-1.3': '',
    'meta-tools': 'grep-3.1',
    'grep-3.1': '',
}


def test_text_entry_by_entry(minimerge, tmp_path):
    root = root_with(tmp_path, STACK, '\n[versions]\nzlib = 1.2\n')
    p = versions(minimerge, root, 'app-2.1')
    assert p.returncode == 0, p.stderr
    # app is named, lib picked (1.10 is newer than 1.0), zlib pinned; lib
    # and app require zlib; a meta- package has no version but requires.
    assert p.stdout == (
        '[versions]\n'
        'app = 2.1\n'
        '\n# Required by:\n# meta-tools\n'
        'grep = 3.1\n'
        '\n# Required by:\n# app==2.1\n'
        'lib = 1.10\n'
        '\n# Required by:\n# app==2.1\n# lib==1.10\n'
        'zlib = 1.2\n')
    p = versions(minimerge, root, '--picked', 'app-2.1')
    assert p.stdout == '[versions]\n\n# Required by:\n# app==2.1\nlib = 1.10\n', p.stdout


def test_json(minimerge, tmp_path):
    root = root_with(tmp_path, STACK, '\n[versions]\nzlib = 1.2\n')
    p = versions(minimerge, root, '--json', 'app')
    assert p.returncode == 0, p.stderr
    app = {'name': 'app', 'version': '2.1', 'choice': 'picked', 'required_by': []}
    lib = {'name': 'lib', 'version': '1.10', 'choice': 'picked', 'required_by': ['app==2.1']}
    assert json.loads(p.stdout) == [
        app,
        {'name': 'grep', 'version': '3.1', 'choice': 'named', 'required_by': ['meta-tools']},
        lib,
        {'name': 'zlib', 'version': '1.2', 'choice': 'pinned',
         'required_by': ['app==2.1', 'lib==1.10']},
    ]
    p = versions(minimerge, root, '--json', '--picked', 'app')
    assert json.loads(p.stdout) == [app, lib]
    # -N: the target alone, and no one requires it.
    p = versions(minimerge, root, '--json', '-N', 'app')
    assert json.loads(p.stdout) == [app]


def test_exact_is_how_each_requirer_asked(minimerge, tmp_path):
    """app names zlib-1.2 and lib asks for zlib, pinned to 1.2: both need
    the same package, but only app's requirement is ==."""
    root = root_with(tmp_path, {'app-2.1': 'zlib-1.2 lib', 'lib-1.0': 'zlib',
                                'zlib-1.2': '', 'zlib-1.3': ''},
                     '\n[versions]\nzlib = 1.2\n')
    p = subprocess.run([minimerge, '-C', root, 'report', 'app-2.1'], capture_output=True,
                       text=True, timeout=60, env=env_for(root))
    assert p.returncode == 0, p.stderr
    packages = json.loads(p.stdout)['packages']
    assert packages['app']['requirements'] == [
        {'name': 'lib'}, {'name': 'zlib', 'equation': '==', 'version': '1.2'}]
    assert packages['lib']['requirements'] == [{'name': 'zlib'}]


def test_two_versions_of_a_name_and_errors(minimerge, tmp_path):
    root = root_with(tmp_path, {'all-1.0': 'zlib-1.2 zlib-1.3', 'zlib-1.2': '',
                                'zlib-1.3': ''})
    p = versions(minimerge, root, '--json', 'all-1.0')
    assert [(e['name'], e['version']) for e in json.loads(p.stdout)] == \
        [('all', '1.0'), ('zlib', '1.2'), ('zlib', '1.3')]
    p = versions(minimerge, root, 'all-1.0')
    assert p.stdout == ('[versions]\nall = 1.0\n\n# Required by:\n# all==1.0\nzlib = 1.2\n'
                        '\n# Required by:\n# all==1.0\nzlib = 1.3\n'), p.stdout
    p = versions(minimerge, root)
    assert p.returncode == 2 and 'versions: no package named' in p.stderr
    p = versions(minimerge, root, '--bogus', 'all-1.0')
    assert p.returncode == 2 and "unknown option '--bogus'" in p.stderr
    p = versions(minimerge, root, 'nothere')
    assert p.returncode == 2 and \
        "The minibuild 'nothere' was not found in 1 minilay" in p.stderr, p.stderr


def test_generated_stack_entry_by_entry(minimerge, tmp_path):
    """A random stack (seeded): names with one to three versions, each
    version needing earlier names, by base name (pinned or picked) or, for
    the names kept for that, by exact name; the map is checked against one
    resolved here, entry by entry."""
    rng = random.Random(7)
    names = ['p%02d' % i for i in range(60)]
    exact = set(rng.sample(names[:40], 10))  # only ever named exactly
    avail = {n: sorted(rng.sample(['1.0', '1.2', '1.10'], rng.randint(1, 3)),
                       key=lambda v: [int(x) for x in v.split('.')]) for n in names}
    pins = {n: rng.choice(avail[n]) for n in rng.sample(names, 15) if n not in exact}
    deps = {}
    for i, n in enumerate(names):
        for v in avail[n]:
            need = rng.sample(names[:i], min(i, rng.randint(0, 4)))
            deps['%s-%s' % (n, v)] = ['%s-%s' % (d, rng.choice(avail[d])) if d in exact else d
                                      for d in need]
    root = root_with(tmp_path, {k: ' '.join(v) for k, v in deps.items()},
                     '\n[versions]\n' + ''.join('%s = %s\n' % p for p in pins.items()))
    targets = [n for n in names[40:] if n not in exact]

    def resolve(ref):
        if '-' in ref:
            return ref, 'named'
        if ref in pins:
            return '%s-%s' % (ref, pins[ref]), 'pinned'
        return '%s-%s' % (ref, avail[ref][-1]), 'picked'

    choice, required_by, todo = {}, {}, list(targets)
    while todo:
        full, how = resolve(todo.pop())
        if full in choice:
            continue
        choice[full] = how
        for d in deps[full]:
            required_by.setdefault(resolve(d)[0], set()).add(full)
            todo.append(d)

    def key(full):
        name, version = full.split('-')
        return name, [int(x) for x in version.split('.')]

    expected = [{'name': f.split('-')[0], 'version': f.split('-')[1], 'choice': choice[f],
                 # sorted as buildout sorts them: as strings
                 'required_by': sorted('%s==%s' % tuple(r.split('-'))
                                       for r in required_by.get(f, ()))}
                for f in sorted(choice, key=key)]
    p = versions(minimerge, root, '--json', *targets)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    assert len(got) == len(expected) > 30
    for g, e in zip(got, expected):
        assert g == e
    assert {e['choice'] for e in got} == {'named', 'pinned', 'picked'}


def test_required_by_sorted_as_buildout_sorts(minimerge, tmp_path):
    # buildout sorts the strings "name==version": "x==1.10" before
    # "x==1.2", and "foo-bar==1" before "foo==1" ('-' before '=').
    root = root_with(tmp_path, {'all-1.0': 'x-1.2 x-1.10 foo-1 foo-bar-1',
                                'x-1.2': 'zlib-1.3', 'x-1.10': 'zlib-1.3', 'foo-1': 'zlib-1.3',
                                'foo-bar-1': 'zlib-1.3', 'zlib-1.3': ''})
    p = versions(minimerge, root, '--json', 'all-1.0')
    zlib = json.loads(p.stdout)[-1]
    assert zlib['required_by'] == ['foo-bar==1', 'foo==1', 'x==1.10', 'x==1.2'], zlib
