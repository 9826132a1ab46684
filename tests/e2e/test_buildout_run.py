"""minimerge buildout: parts as a parallel graph, skipped when unchanged,
reinstalled when changed, uninstalled when gone; run-once; external
recipes; the command, template and mkdir recipes; the errors."""

import json
import os
import stat
import time

import pytest

import buildoutdir
from mmrun import summary

bo = buildoutdir.bo


def test_independent_parts_run_in_parallel_and_references_order_them(bo):
    bo.cfg('''
        [buildout]
        parts = slow1 slow2 after

        [slow1]
        recipe = plone.recipe.command
        command = sleep 1; date +%s.%N > ${:location}
        location = ${buildout:directory}/slow1.t

        [slow2]
        recipe = plone.recipe.command
        command = sleep 1; date +%s.%N > ${:location}
        location = ${buildout:directory}/slow2.t

        [after]
        recipe = plone.recipe.command
        command = date +%s.%N > after.t; cat ${slow1:location} > seen.t
        location = after.t seen.t
        ''')
    t0 = time.monotonic()
    p = bo.run('-j2')
    elapsed = time.monotonic() - t0
    assert elapsed < 1.5, elapsed
    assert float(bo.read('after.t')) >= float(bo.read('slow1.t'))
    assert bo.read('seen.t') == bo.read('slow1.t')
    for part in ('slow1', 'slow2', 'after'):
        assert 'Installing %s.' % part in p.stdout
    assert summary(p)[:4] == (3, 0, 0, 0)


def test_part_dependencies_add_an_edge(bo):
    bo.cfg('''
        [buildout]
        parts = first second

        [first]
        recipe = plone.recipe.command
        command = sleep 0.5; echo 1 >> order.t

        [second]
        recipe = plone.recipe.command
        => first
        command = echo 2 >> order.t
        ''')
    bo.run('-j2')
    assert bo.read('order.t') == '1\n2\n'


def test_referenced_sections_with_a_recipe_are_parts(bo):
    bo.cfg('''
        [buildout]
        parts = top

        [settings]
        where = ${hidden:location}

        [hidden]
        recipe = plone.recipe.command
        command = touch hidden.t
        location = ${buildout:directory}/hidden.t

        [unused]
        recipe = plone.recipe.command
        command = touch unused.t

        [top]
        recipe = plone.recipe.command
        command = test -f ${settings:where} && touch top.t
        ''')
    p = bo.run()
    assert os.path.exists(bo.path('top.t'))
    assert not os.path.exists(bo.path('unused.t'))
    assert sorted(bo.installed()) == ['hidden', 'top']
    assert p.stdout.index('Installing hidden.') < p.stdout.index('Installing top.')


def test_unchanged_skipped_changed_reinstalled_gone_uninstalled(bo):
    cfg = '''
        [buildout]
        parts = a b

        [a]
        recipe = plone.recipe.command
        command = echo %s > a.t; echo ran >> a.log
        location = a.t

        [b]
        recipe = plone.recipe.command
        command = echo b > b.t
        location = b.t
        '''
    bo.cfg(cfg % 'one')
    bo.run()
    p = bo.run()
    assert summary(p)[:4] == (0, 2, 0, 0)
    assert 'Installing' not in p.stdout
    assert bo.read('a.log') == 'ran\n'

    bo.cfg(cfg % 'two')
    p = bo.run()
    assert 'Uninstalling a.\nInstalling a.' in p.stdout
    assert 'b.' not in p.stdout
    assert bo.read('a.t') == 'two\n'
    assert summary(p)[:4] == (1, 1, 0, 0)

    # A recorded path gone: the part is installed again.
    os.remove(bo.path('b.t'))
    p = bo.run('--explain')
    assert 'explain: part b: output missing' in p.stdout
    assert os.path.exists(bo.path('b.t'))

    bo.cfg((cfg % 'two').replace('parts = a b', 'parts = a'))
    p = bo.run()
    assert 'Uninstalling b.' in p.stdout
    assert not os.path.exists(bo.path('b.t'))
    assert sorted(bo.installed()) == ['a']
    # Back in the config: installed again, not skipped.
    bo.cfg(cfg % 'two')
    p = bo.run()
    assert 'Installing b.' in p.stdout and os.path.exists(bo.path('b.t'))


def test_a_dependency_that_changes_reinstalls_its_dependents(bo):
    cfg = '''
        [buildout]
        parts = user

        [base]
        recipe = plone.recipe.command
        command = echo %s > base.t
        location = base.t

        [user]
        recipe = plone.recipe.command
        command = cp ${base:location} user.t
        location = user.t
        '''
    bo.cfg(cfg % 1)
    bo.run()
    bo.cfg(cfg % 2)
    p = bo.run('--explain')
    assert 'explain: part user: dependency part base changed' in p.stdout
    assert bo.read('user.t') == '2\n'


def test_command_line_assignment_and_install_named_parts(bo):
    bo.cfg('''
        [buildout]
        parts = a b

        [a]
        recipe = plone.recipe.command
        command = echo ${:word} > a.t
        word = cfg

        [b]
        recipe = plone.recipe.command
        command = touch b.t
        ''')
    bo.run('a:word=cli', 'install', 'a')
    assert bo.read('a.t') == 'cli\n'
    assert not os.path.exists(bo.path('b.t'))
    assert sorted(bo.installed()) == ['a']
    # install NAMED uninstalls nothing, even with b never installed.
    p = bo.run('install', 'b')
    assert 'Uninstalling' not in p.stdout
    assert sorted(bo.installed()) == ['a', 'b']


def test_dry_run_runs_nothing_and_says_what_would(bo):
    bo.one_part('a', 'plone.recipe.command', command='touch a.t')
    p = bo.run('--dry-run', '--json')
    assert json.loads(p.stdout) == [{'action': 'part a', 'reason': 'new'}]
    assert not os.path.exists(bo.path('a.t'))


def test_command_update_command_and_stop_on_error(bo):
    bo.one_part('a', 'plone.recipe.command', command='echo install >> a.log',
                update_command='echo update >> a.log')
    bo.run()
    p = bo.run()
    assert 'Updating a.' in p.stdout
    assert bo.read('a.log') == 'install\nupdate\n'

    bo.one_part('bad', 'plone.recipe.command', command='exit 3')
    p = bo.run()
    assert 'bad: command failed; going on, as stop-on-error is off' in p.stdout
    bo.one_part('bad', 'plone.recipe.command', command='exit 3', stop_on_error='yes')
    p = bo.run(rc=1)
    assert 'FAILED: part bad: /bin/sh: exit status 3' in p.stdout


def test_template_renders_references_and_mode(bo):
    bo.write('greeting.in', 'hello ${who:name} in ${buildout:directory}\n$${kept}\n')
    bo.cfg('''
        [buildout]
        parts = greet

        [who]
        name = world

        [greet]
        recipe = collective.recipe.template
        input = greeting.in
        output = ${buildout:directory}/etc/greeting
        mode = 0750
        ''')
    bo.run()
    assert bo.read('etc', 'greeting') == 'hello world in %s\n$${kept}\n' % bo.dir
    assert os.stat(bo.path('etc', 'greeting')).st_mode & 0o777 == 0o750
    # The input is part of the key: a change re-renders.
    bo.write('greeting.in', 'bye ${who:name}\n')
    bo.run()
    assert bo.read('etc', 'greeting') == 'bye world\n'
    # Gone from the config: the file goes.
    bo.cfg('[buildout]\nparts =\n')
    bo.run()
    assert not os.path.exists(bo.path('etc', 'greeting'))


def test_another_buildout_directory(bo):
    # buildout:directory is not the config's: a template's output (relative)
    # and the state go under it, its input is read beside the config, and
    # --annotate finds the state there.
    bo.write('greeting.in', 'hello\n')
    bo.one_part('t', 'collective.recipe.template', buildout='directory = ${:here}/home\n'
                'here = %s' % bo.dir, input='greeting.in', output='greeting')
    bo.run()
    assert bo.read('home', 'greeting') == 'hello\n'
    assert not os.path.exists(bo.path('greeting'))
    assert os.path.isdir(bo.path('home', '.minimerge'))
    assert bo.installed()['t']['paths'] == [bo.path('home', 'greeting')]


def test_template_needs_input_or_inline(bo):
    bo.one_part('t', 'collective.recipe.template', output='out')
    bo.config_error(4, 'part t: give either input (a file) or inline')


@pytest.mark.parametrize('recipe, options, message', [
    ('z3c.recipe.mkdir', {'mode': 'rwx'}, 'mode = rwx: an octal number such as 0755'),
    ('collective.recipe.template', {'inline': 'x', 'output': 'o', 'mode': '0x1'},
     'mode = 0x1: an octal number such as 0644'),
    ('collective.recipe.template', {'output': 'o', 'input': 'nothere'},
     'cannot read the input %(dir)s/nothere: No such file or directory'),
    ('hexagonit.recipe.download', {'url': 'http://127.0.0.1:9/f', 'filename': 'a/b'},
     'filename = a/b: a name in the destination, without /'),
    ('hexagonit.recipe.download', {'url': 'http://127.0.0.1:9/f', 'md5sum': 'abc'},
     'md5sum = abc: 32 hexadecimal digits'),
])
def test_a_bad_option_is_named_at_its_line(bo, recipe, options, message):
    # The option named is the last one.
    bo.one_part('p', recipe, **options)
    option = '%s = %s' % list(options.items())[-1]
    line = bo.read('buildout.cfg').splitlines().index(option) + 1
    bo.config_error(line, 'part p: %s\n' % (message % {'dir': bo.dir}))


def test_mkdir_paths_default_and_mode(bo):
    bo.cfg('''
        [buildout]
        parts = dirs plain

        [dirs]
        recipe = z3c.recipe.mkdir
        paths = var/a
                var/b/c
        mode = 0700

        [plain]
        recipe = z3c.recipe.mkdir

        [user]
        ''')

    def modes():
        dirs = (('var', 'a'), ('var', 'b', 'c'))
        return [stat.S_IMODE(os.stat(bo.path(*d)).st_mode) for d in dirs]
    bo.run()
    assert modes() == [0o700, 0o700]
    assert os.path.isdir(bo.path('parts', 'plain'))
    opts = bo.installed()['dirs']['options']
    assert opts['paths'] == '%s\n%s' % (bo.path('var', 'a'), bo.path('var', 'b', 'c'))
    # A directory that went missing is made again, with the mode.
    os.rmdir(bo.path('var', 'a'))
    bo.run()
    assert os.path.isdir(bo.path('var', 'a'))
    assert modes() == [0o700, 0o700]


LOCK_TEXT = ('The presence of this file stops the setup script "setup" from\n'
             'being run more than once. Delete this file and run buildout to run the\n'
             'setup script again.\n')


def test_run_once(bo):
    def cfg(run_once):
        bo.one_part('setup', 'plone.recipe.command', command='echo ran >> setup.log',
                    run_once=run_once)
    cfg('true')
    bo.run()
    lock = bo.path('var', 'setup.cfg')
    assert bo.read('var', 'setup.cfg') == LOCK_TEXT
    p = bo.run()
    assert ('*Skipped* *setup*\n\n  The setup script setup has already been\n'
            '  run. To run it again set the "run-once" option to "false",\n'
            '  or delete the file\n    %s\n\n%s\n' % (lock, '-' * 60)) in p.stdout
    assert bo.read('setup.log') == 'ran\n'
    # Deleting the lock runs it again.
    os.remove(lock)
    bo.run()
    assert bo.read('setup.log') == 'ran\nran\n'
    assert os.path.exists(lock)
    # run-once = false (any case) runs it each time its key changes.
    cfg('FALSE')
    p = bo.run()
    assert 'Installing setup.' in p.stdout
    assert bo.read('setup.log') == 'ran\nran\nran\n'


RECIPE = '''#!/usr/bin/python3
import json, os, sys
doc = json.load(sys.stdin)
with open(os.path.join(doc['buildout']['directory'], 'calls.log'), 'a') as f:
    f.write('%s %s %s\\n' % (doc['phase'], doc['name'],
                             json.dumps(doc.get('paths', []))))
opts = doc['options']
if opts.get('fail') == 'user':
    print('the widget needs a size')
    sys.exit(42)
if opts.get('fail') == 'garbage':
    print('not json at all')
    sys.exit(0)
if doc['phase'] == 'install':
    out = os.path.join(doc['buildout']['directory'], doc['name'] + '.out')
    with open(out, 'w') as f:
        f.write(opts.get('text', ''))
    print(json.dumps([out]))
'''


def test_an_update_keeps_the_install_time(bo):
    # --annotate lists parts oldest install first, not in the config's
    # order: updating u, or skipping a locked part, is no new install of it.
    cfg = """
        [buildout]
        parts = %s

        [u]
        recipe = plone.recipe.command
        command = echo u >> u.log
        update-command = echo update >> u.log

        [once]
        recipe = plone.recipe.command
        run-once = true
        command = echo once

        [x]
        recipe = plone.recipe.command
        command = echo x
        """
    for parts in ('u', 'u once', 'u once x'):
        bo.cfg(cfg % parts)
        bo.run()
    bo.cfg(cfg % 'x once u')

    def order():
        return [part['name'] for part in
                json.loads(bo.run('--annotate', '--json').stdout)['parts']]
    assert order() == ['u', 'once', 'x']
    p = bo.run()
    assert 'Updating u.' in p.stdout and '*Skipped* *once*' in p.stdout
    assert 'Installing' not in p.stdout, p.stdout
    assert order() == ['u', 'once', 'x']


def test_recorded_paths_are_normal(bo):
    # One path, however a recipe spells it: recorded once, as it is.
    bo.one_part('c', 'plone.recipe.command', command='echo c > l.t',
                location='sub/../l.t\n./l.t')
    bo.run()
    assert bo.installed()['c']['paths'] == [bo.path('l.t')]


SLOW_UNINSTALL = """#!/bin/sh
cat >/dev/null
if [ "$1" = uninstall ]; then sleep 0.5; echo done > uninstalled; fi
echo '[]'
"""


def test_parts_run_after_the_uninstalls(bo):
    # buildout uninstalls what left the config before it installs: a part
    # installed in the same run starts after a slow uninstall, at -j2 too.
    bo.write('slow.sh', SLOW_UNINSTALL, 0o755)
    cfg = """
        [buildout]
        parts = %s

        [gone]
        recipe = exec:slow.sh

        [a]
        recipe = plone.recipe.command
        command = cat uninstalled > a.t 2>&1 || echo too early > a.t
        """
    bo.cfg(cfg % 'gone')
    bo.run()
    bo.cfg(cfg % 'a')
    p = bo.run('-j2')
    assert p.stdout.index('Uninstalling gone.') < p.stdout.index('Installing a.'), p.stdout
    assert bo.read('a.t') == 'done\n'


def test_external_recipe_phases(bo):
    prog = bo.write('recipes/widget.py', RECIPE, 0o755)
    bo.one_part('w', 'exec:recipes/widget.py', text='one')
    bo.run()
    out = bo.path('w.out')
    assert bo.read('w.out') == 'one'
    assert bo.read('calls.log') == 'install w []\n'
    bo.one_part('w', 'exec:recipes/widget.py', text='two')
    bo.run()
    assert bo.read('calls.log') == 'install w []\nuninstall w ["%s"]\ninstall w []\n' % out
    assert bo.read('w.out') == 'two'
    # The program is part of the key: a new version reinstalls.
    with open(prog, 'a') as f:
        f.write('# changed\n')
    p = bo.run('--explain')
    assert 'explain: part w: recipe-program changed (' in p.stdout
    # ... really: the part was uninstalled and installed again.
    cycle = 'uninstall w ["%s"]\ninstall w []\n' % out
    assert bo.read('calls.log') == 'install w []\n' + 2 * cycle
    assert bo.read('w.out') == 'two'
    bo.cfg('[buildout]\nparts =\n')
    bo.run()
    assert not os.path.exists(out)
    assert bo.read('calls.log').endswith('uninstall w ["%s"]\n' % out)


def test_external_recipe_on_the_recipe_path_with_run_once_default(bo):
    bo.write('rp/my.recipe/recipe', RECIPE, 0o755)
    bo.write('rp/my.recipe/recipe.json', '{"version": "1.0", "run-once": true}')
    bo.env['MINIMERGE_RECIPE_PATH'] = '/nonexistent:' + bo.path('rp')
    bo.one_part('setup', 'my.recipe')
    bo.run()
    assert bo.read('calls.log') == 'install setup []\n'
    assert os.path.exists(bo.path('var', 'setup.cfg'))
    p = bo.run()
    assert '*Skipped* *setup*' in p.stdout
    assert bo.read('calls.log') == 'install setup []\n'


def test_external_recipe_declares_its_version_and_update(bo):
    bo.write('rp/my.recipe/recipe', RECIPE, 0o755)
    bo.write('rp/my.recipe/recipe.json', '{"version": "1.0"}')
    bo.env['MINIMERGE_RECIPE_PATH'] = bo.path('rp')
    bo.one_part('w', 'my.recipe')
    bo.run()
    p = bo.run()
    assert summary(p)[:4] == (0, 1, 0, 0)
    # A new version reinstalls.
    bo.write('rp/my.recipe/recipe.json', '{"version": "1.1"}')
    p = bo.run('--explain')
    assert 'explain: part w: recipe-version changed' in p.stdout
    # Asking for updates changes no key: the unchanged part is updated.
    bo.write('rp/my.recipe/recipe.json', '{"version": "1.1", "update": true}')
    p = bo.run()
    assert 'Updating w.' in p.stdout
    out = bo.path('w.out')
    assert bo.read('calls.log') == ('install w []\nuninstall w ["%s"]\ninstall w []\n'
                                    'update w []\n' % out)


def test_external_recipe_user_error_and_garbage(bo):
    bo.write('r.py', RECIPE, 0o755)
    bo.one_part('w', 'exec:r.py', fail='user')
    p = bo.run(rc=1)
    assert 'FAILED: part w: the widget needs a size' in p.stdout
    assert bo.installed() == {}
    bo.one_part('w', 'exec:r.py', fail='garbage')
    p = bo.run(rc=1)
    assert ('FAILED: part w: recipe exec:r.py (install) printed what is not a JSON '
            'list of paths: not json at all') in p.stdout


def test_unknown_recipe_names_the_part_and_the_built_ins(bo):
    bo.one_part('x', 'no.such.recipe')
    p = bo.config_error(5, "unknown recipe 'no.such.recipe'")
    for name in ('plone.recipe.command', 'collective.recipe.template', 'z3c.recipe.mkdir'):
        assert name in p.stderr
    assert not os.path.exists(bo.path('.minimerge'))


def test_exec_recipe_that_is_not_a_program(bo):
    bo.one_part('x', 'exec:nothere')
    bo.config_error(5, 'part x: recipe exec:nothere: %s is not an executable file'
                    % bo.path('nothere'))


def test_explain_names_the_option_that_changed(bo):
    bo.one_part('a', 'plone.recipe.command', command='echo one')
    bo.run()
    bo.one_part('a', 'plone.recipe.command', command='echo two')
    p = bo.minimerge('explain', '-c', 'buildout.cfg', '-U')
    assert 'part a: option command changed (echo one -> echo two)' in p.stdout
    # Nothing ran.
    assert bo.installed()['a']['options']['command'] == 'echo one'


UPDATE_PRINTS_PATHS = '''#!/usr/bin/python3
import json, os, sys
doc = json.load(sys.stdin)
d = doc['buildout']['directory']
paths = [os.path.join(d, 'a.out'), os.path.join(d, 'b.out')]
if doc['phase'] == 'update' and os.path.exists(os.path.join(d, 'more')):
    paths.append(os.path.join(d, 'c.out'))
for p in paths:
    open(p, 'w').close()
print(json.dumps(paths if doc['phase'] != 'uninstall' else []))
'''


def test_an_update_that_prints_its_paths_again_records_each_once(bo):
    # zc.buildout keeps each installed path once: an update that prints
    # the install's paths again adds nothing, run after run.
    bo.write('rp/my.recipe/recipe', UPDATE_PRINTS_PATHS, 0o755)
    bo.write('rp/my.recipe/recipe.json', '{"update": true}')
    bo.env['MINIMERGE_RECIPE_PATH'] = bo.path('rp')
    bo.one_part('w', 'my.recipe')
    bo.run()
    paths = [bo.path('a.out'), bo.path('b.out')]
    assert bo.installed()['w']['paths'] == paths
    for _ in range(3):
        p = bo.run()
        assert 'Updating w.' in p.stdout
        assert bo.installed()['w']['paths'] == paths
    # A path the update makes anew is recorded, once.
    bo.write('more', '')
    bo.run()
    bo.run()
    assert bo.installed()['w']['paths'] == paths + [bo.path('c.out')]
