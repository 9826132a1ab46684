"""Minibuilds with install_method = buildout: the fetched tree's buildout
config runs as parts between the package's fetch and its install, the
parts see and need the dependencies' installs, and what needs the package
sees its parts/part prefix.  The stack: stackgen's cmmi packages lib (which
the buildout package app needs) and top (which needs app)."""

import hashlib
import os
import re
import shutil
import tarfile

import stackgen
from mmrun import env_for, mm, ok, show, started, summary
from test_fetch_vcs import Git, run

APP_CFG = '''[buildout]
parts = part tool

[part]
recipe = plone.recipe.command
location = ${buildout:parts-directory}/part
command = mkdir -p ${:location}/bin && echo "$PATH" >${:location}/path.txt &&
    printf '#!/bin/sh\\necho app says hi\\n' >${:location}/bin/app &&
    chmod +x ${:location}/bin/app

[tool]
recipe = plone.recipe.command
location = ${buildout:parts-directory}/tool
command = mkdir -p ${:location} && lib >${:location}/lib-says.txt &&
    echo ${part:location} >${:location}/part.txt
'''


def app_stack(tmp_path, cfg=APP_CFG, cfg_name='buildout.cfg', **keys):
    """lib <- app (buildout, a path source) <- top."""
    stack = stackgen.Stack(tmp_path / 'root', {'lib': ([], '')})
    src = stack.source('app')
    os.makedirs(src)
    write(os.path.join(src, cfg_name), cfg)
    write(os.path.join(src, 'README'), 'app\n')
    stack.packages['app'] = (['lib'], '')
    stack.write_minibuild('app', install_method='buildout', **keys)
    stack.add('top', ['app'])
    return stack


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def part_id(stack, name):
    return 'part %s:%s' % (stack.place('app'), name)


def parts_dir(stack, name):
    return os.path.join(stack.home('app'), 'parts', name)


def test_parts_run_between_fetch_and_install(minimerge, tmp_path):
    stack = app_stack(tmp_path)
    p = ok(mm(minimerge, stack, 'install', '-j2', stack.full('top')))
    order = started(p)
    at = {a: i for i, a in enumerate(order)}
    assert at[stack.action('fetch', 'app')] < at[part_id(stack, 'part')], order
    assert at[stack.action('install', 'lib')] < at[part_id(stack, 'part')], order
    assert at[part_id(stack, 'part')] < at[part_id(stack, 'tool')], order
    assert at[part_id(stack, 'tool')] < at[stack.action('install', 'app')], order
    assert at[stack.action('install', 'app')] < at[stack.action('build', 'top')], order
    assert stack.action('build', 'app') not in at
    assert summary(p)[:4] == (len(order), 0, 0, 0)
    assert 'Installing part.\n' in p.stdout and 'Installing tool.\n' in p.stdout
    # The parts see the dependencies' environment: lib's program is on
    # PATH, first.
    path = open(os.path.join(parts_dir(stack, 'part'), 'path.txt')).read()
    assert path.split(':')[0] == os.path.join(stack.prefix('lib'), 'bin'), path
    assert open(os.path.join(parts_dir(stack, 'tool'), 'lib-says.txt')).read() == 'lib\n'
    assert open(os.path.join(parts_dir(stack, 'tool'), 'part.txt')).read() == \
        parts_dir(stack, 'part') + '\n'
    # The buildout's directory is the package's home.
    assert os.path.isdir(os.path.join(stack.home('app'), 'bin'))
    # What needs app finds its parts/part prefix.
    assert 'program app says: app says hi' in stack.lib_text('top')

    p = ok(mm(minimerge, stack, 'install', '-j2', stack.full('top')))
    assert summary(p)[:4] == (0, len(order), 0, 0), show(p)


def test_what_changes_reruns(minimerge, tmp_path):
    stack = app_stack(tmp_path)
    ok(mm(minimerge, stack, 'install', stack.full('top')))
    cfg = os.path.join(stack.source('app'), 'buildout.cfg')

    # A file of the source that no part reads: the source is read again,
    # nothing is installed again.
    write(os.path.join(stack.source('app'), 'README'), 'app, changed\n')
    p = ok(mm(minimerge, stack, 'install', stack.full('top')))
    assert started(p) == [stack.action('fetch', 'app')], show(p)

    # A part's option: that part, the package's install and what needs it.
    write(cfg, APP_CFG.replace('part.txt', 'part-location.txt'))
    p = ok(mm(minimerge, stack, 'install', '--explain', stack.full('top')))
    assert started(p) == [stack.action('fetch', 'app'), part_id(stack, 'tool'),
                          stack.action('install', 'app'), stack.action('build', 'top'),
                          stack.action('install', 'top')], show(p)
    assert 'explain: %s: option command changed' % part_id(stack, 'tool') in p.stdout
    assert 'explain: %s: dependency %s changed' % (stack.action('install', 'app'),
                                                   part_id(stack, 'tool')) in p.stdout
    assert 'Uninstalling tool.\nInstalling tool.\n' in p.stdout
    assert sorted(os.listdir(parts_dir(stack, 'tool'))) == ['lib-says.txt', 'part-location.txt']

    # A dependency's install: every part runs again.
    stack.set_options('lib', '--with-x')
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    assert {part_id(stack, 'part'), part_id(stack, 'tool')} <= set(started(p)), show(p)

    # A part that left the config is uninstalled, before the install.
    write(cfg, APP_CFG.replace('parts = part tool', 'parts = part'))
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    assert 'Uninstalling tool.\n' in p.stdout, show(p)
    assert not os.path.exists(parts_dir(stack, 'tool'))
    assert os.path.isdir(parts_dir(stack, 'part'))
    assert started(p) == [stack.action('fetch', 'app'), 'uninstall %s:tool' % stack.place('app'),
                          stack.action('install', 'app')], show(p)
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    assert summary(p)[0] == 0, show(p)


def test_buildout_config_and_parts(minimerge, tmp_path):
    cfg = '[buildout]\nparts = a b c\n' + ''.join(
        '\n[%s]\nrecipe = z3c.recipe.mkdir\npaths = ${buildout:parts-directory}/%s\n'
        % (n, n) for n in 'abc')
    stack = app_stack(tmp_path, cfg, cfg_name='minitage.cfg',
                      buildout_config='minitage.cfg', buildout_parts='a  c')
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    parts = [a for a in started(p) if a.startswith('part ')]
    assert sorted(parts) == [part_id(stack, 'a'), part_id(stack, 'c')], show(p)
    assert os.path.isdir(parts_dir(stack, 'a')) and os.path.isdir(parts_dir(stack, 'c'))
    assert not os.path.exists(parts_dir(stack, 'b'))
    # Named parts are installed, not the others uninstalled, as with
    # buildout install a c.
    stack.write_minibuild('app', install_method='buildout', buildout_config='minitage.cfg',
                          buildout_parts='b')
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    assert [a for a in started(p) if a.startswith(('part ', 'uninstall '))] == \
        [part_id(stack, 'b')], show(p)
    assert all(os.path.isdir(parts_dir(stack, n)) for n in 'abc')


def tarball(stack, tmp_path):
    """app's source as a .tar.gz: (file URL, sha256)."""
    path = str(tmp_path / 'app-1.0.tar.gz')
    with tarfile.open(path, 'w:gz') as t:
        t.add(stack.source('app'), arcname='app-1.0')
    with open(path, 'rb') as f:
        return 'file://' + path, hashlib.sha256(f.read()).hexdigest()


def files_under(top):
    """{path relative to top: (mtime in ns, content)} of the files under top."""
    files = {}
    for d, _, names in os.walk(top):
        for n in names:
            path = os.path.join(d, n)
            with open(path, 'rb') as f:
                files[os.path.relpath(path, top)] = (os.lstat(path).st_mtime_ns, f.read())
    return files


def explained(p):
    """{identity: reason} from explain's lines."""
    return dict(re.findall(r'^(\S+ \S+): (.*)$', p.stdout, re.M))


def test_dry_run_shows_parts_once_the_source_is_at_hand(minimerge, tmp_path):
    stack = app_stack(tmp_path)
    url, sha = tarball(stack, tmp_path)
    shutil.rmtree(stack.source('app'))
    stack.write_minibuild('app', install_method='buildout', src_type='static', src_uri=url,
                          src_sha256=sha)
    p = ok(mm(minimerge, stack, 'explain', stack.full('app')))
    why = explained(p)
    assert why[stack.action('fetch', 'app')] == \
        'new (the parts of its buildout: known once it has run)', show(p)
    assert why[stack.action('install', 'app')] == \
        'it needs what %s brings (the parts of its buildout: known once it has run)' % \
        stack.action('fetch', 'app'), show(p)
    assert not any(k.startswith('part ') for k in why)
    assert not os.path.exists(stack.home('app'))

    ok(mm(minimerge, stack, 'install', stack.full('app')))
    stack.set_options('lib', '--with-x')
    before = files_under(stack.home('app'))
    assert {os.path.join('parts', 'part', 'path.txt'),
            os.path.join('parts', 'tool', 'part.txt')} <= set(before), before
    p = ok(mm(minimerge, stack, 'install', '-n', '--explain', stack.full('app')))
    # -n starts nothing and leaves what the parts made as it was.
    assert started(p) == [], show(p)
    assert files_under(stack.home('app')) == before
    assert 'explain: %s: dependency %s changed' % (
        part_id(stack, 'part'), stack.action('install', 'lib')) in p.stdout, show(p)
    install = re.search(r'^explain: %s: (.*)$' % stack.action('install', 'app'), p.stdout, re.M)
    assert 'dependency %s changed' % part_id(stack, 'tool') in install[1], show(p)
    assert stack.action('fetch', 'app') not in p.stdout
    # Nothing ran.
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    assert part_id(stack, 'part') in started(p)


def test_a_checkout_runs_its_parts_once(minimerge, tmp_path):
    # What the buildout makes in its directory (bin/, var/ and the parts)
    # is no change of the checkout.
    cfg = APP_CFG + '''
[setup]
recipe = plone.recipe.command
run-once = true
command = mkdir -p ${buildout:directory}/var && echo set up >>${buildout:directory}/var/setup.log
'''
    stack = app_stack(tmp_path, cfg.replace('parts = part tool', 'parts = part tool setup'))
    repo = Git(stack.source('app'), tmp_path / 'app-repo')
    stack.write_minibuild('app', install_method='buildout', src_type='git', src_uri=repo.uri)
    ok(mm(minimerge, stack, 'install', stack.full('app')))
    lock = os.path.join(stack.home('app'), 'var', 'setup.cfg')
    assert os.path.exists(lock)
    p = ok(mm(minimerge, stack, 'install', stack.full('app')))
    # The locked part says so each time, as gs.recipe.base does.
    assert started(p) == [part_id(stack, 'setup')], show(p)
    assert '*Skipped* *setup*' in p.stdout
    # A new commit: the checkout moves, the parts stay.
    write(os.path.join(repo.work, 'README'), 'new\n')
    run(repo.work, 'git', 'commit', '-q', '-am', 'readme')
    p = ok(mm(minimerge, stack, 'install', '-u', stack.full('app')))
    assert started(p) == [stack.action('fetch', 'app'), part_id(stack, 'setup')], show(p)
    assert open(os.path.join(stack.home('app'), 'README')).read() == 'new\n'
    assert open(os.path.join(stack.home('app'), 'var', 'setup.log')).read() == 'set up\n'


def test_a_bad_config_in_the_source(minimerge, tmp_path):
    stack = app_stack(tmp_path, '[buildout]\nparts = a\n\n[a]\nrecipe = no.such.recipe\n')
    p = mm(minimerge, stack, 'install', stack.full('app'))
    assert p.returncode == 2, show(p)
    cfg = os.path.join(stack.source('app'), 'buildout.cfg')
    assert re.search(r'^minimerge: %s:5: error: .*no\.such\.recipe' % re.escape(cfg),
                     p.stderr, re.M), show(p)
    assert 'FAILED: %s: what it brings to the run cannot be planned' % \
        stack.action('fetch', 'app') in p.stdout, show(p)

    stack.write_minibuild('app', install_method='buildout', buildout_config='nope.cfg')
    p = mm(minimerge, stack, 'install', stack.full('app'))
    assert p.returncode == 2, show(p)
    assert os.path.join(stack.source('app'), 'nope.cfg') in p.stderr, show(p)


def test_parts_are_no_config_runs_parts(minimerge, tmp_path):
    # A config run in the root shares its store: the package's parts are
    # not its own, and are neither listed nor uninstalled by it.
    stack = app_stack(tmp_path)
    ok(mm(minimerge, stack, 'install', stack.full('app')))
    write(os.path.join(stack.root, 'buildout.cfg'), '[buildout]\nparts =\n')
    env = env_for(stack.root)
    for args in (['buildout', '-U'], ['buildout', '-U', '--annotate']):
        p = ok(mm(minimerge, stack, *args, env=env))
        assert 'Uninstalling' not in p.stdout and ':part' not in p.stdout, show(p)
    assert os.path.isdir(parts_dir(stack, 'part'))
