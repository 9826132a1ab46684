"""The version map of a config run and what a run does with it afterwards:
buildout's show-picked-versions and update-versions-file,
buildout.dumppickedversions' banners and file, allow-picked-versions, and
buildout.sendpickedversions' report sent to a Whiskers-like server on
127.0.0.1 (both of Whiskers' transports, a server failing twice, one that
never answers), written to a file:// URL or printed."""

import datetime
import json
import os
import re
import socket
import stat
import subprocess
import time

from mmrun import env_for
from terminal import clean
from test_versions import STACK, root_with
from whiskers import Whiskers

# Two parts of an external recipe that declares its version (so the
# version is picked: found on the recipe path, not pinned), one of them
# with a version of its own, and a part it needs whose recipe is built in
# (no entry for the recipe) and which says its version.
CONFIG = '''[buildout]
parts = app tool
%s
[versions]
zlib = 1.2.13
%s
[zlib]
recipe = z3c.recipe.mkdir
version = 1.2.13
paths = zlib-${:version}

[app]
recipe = my.recipe
version = 2.0
needs = ${zlib:version}

[tool]
recipe = my.recipe:other
'''


def project(tmp_path, buildout='', pins='', name='mystack'):
    """A buildout directory and a recipe path holding my.recipe 1.4, whose
    program records each part it installs in ran.log."""
    rec = tmp_path / 'recipes' / 'my.recipe'
    rec.mkdir(parents=True)
    prog = rec / 'recipe'
    log = tmp_path / 'ran.log'
    prog.write_text('#!/bin/sh\ncat >/dev/null\necho "$1" >> %s\necho "[]"\n' % log)
    prog.chmod(prog.stat().st_mode | stat.S_IXUSR)
    (rec / 'recipe.json').write_text('{"version": "1.4"}')
    d = tmp_path / name
    d.mkdir()
    (d / 'buildout.cfg').write_text(CONFIG % (buildout, pins))
    return d


def env(tmp_path):
    return env_for(tmp_path, MINIMERGE_RECIPE_PATH=str(tmp_path / 'recipes'))


def run(minimerge, tmp_path, d, *args, timeout=60):
    p = subprocess.run([minimerge] + list(args), cwd=str(d), env=env(tmp_path),
                       capture_output=True, text=True, timeout=timeout)
    clean(p.stderr)
    return p


def buildout(minimerge, tmp_path, d, *args, timeout=60):
    return run(minimerge, tmp_path, d, 'buildout', *args, timeout=timeout)


def ran(tmp_path):
    log = tmp_path / 'ran.log'
    return log.read_text().split() if log.exists() else []


PICKED = ('[versions]\n'
          '\n# Required by:\n# app==2.0\n# tool\n'
          'my.recipe = 1.4\n')


def test_config_versions_entry_by_entry(minimerge, tmp_path):
    d = project(tmp_path)
    p = run(minimerge, tmp_path, d, 'versions', '-c', 'buildout.cfg')
    assert p.returncode == 0, p.stderr
    # app: its own version, named; my.recipe: picked, required by the two
    # parts using it; zlib: pinned, required by app, which refers to it.
    assert p.stdout == ('[versions]\n'
                        'app = 2.0\n'
                        '\n# Required by:\n# app==2.0\n# tool\n'
                        'my.recipe = 1.4\n'
                        '\n# Required by:\n# app==2.0\n'
                        'zlib = 1.2.13\n')
    p = run(minimerge, tmp_path, d, 'versions', '--json', '--picked', '-c', 'buildout.cfg')
    assert json.loads(p.stdout) == [{'name': 'my.recipe', 'version': '1.4', 'choice': 'picked',
                                     'required_by': ['app==2.0', 'tool']}]
    # Looking runs nothing and writes nothing.
    assert sorted(os.listdir(str(d))) == ['buildout.cfg']
    assert ran(tmp_path) == []


def test_pinned_recipe(minimerge, tmp_path):
    d = project(tmp_path, pins='My.Recipe = 1.4\n')
    p = run(minimerge, tmp_path, d, 'versions', '--json', '-c', 'buildout.cfg')
    assert p.returncode == 0, p.stderr
    # The pin is found whatever its case: my.recipe is pinned at the
    # version the recipe has, as zlib is.
    assert [(e['name'], e['version'], e['choice']) for e in json.loads(p.stdout)] == [
        ('app', '2.0', 'named'), ('my.recipe', '1.4', 'pinned'), ('zlib', '1.2.13', 'pinned')]
    # A pin the recipe found does not meet: nothing runs.
    d2 = project(tmp_path / 'b', pins='my.recipe = 1.3\n')
    p = buildout(minimerge, tmp_path / 'b', d2)
    assert p.returncode == 2
    cfg = str(d2 / 'buildout.cfg')
    assert ("%s:14: error: part app: Couldn't find a distribution for 'my.recipe==1.3' "
            "(the recipe found is version 1.4)" % cfg) in p.stderr, p.stderr
    assert ran(tmp_path / 'b') == []


def test_show_picked_versions_and_update_versions_file(minimerge, tmp_path):
    d = project(tmp_path, 'show-picked-versions = true\nupdate-versions-file = picked.cfg\n')
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert sorted(ran(tmp_path)) == ['install', 'install']
    assert ('Versions had to be automatically picked.\n'
            'The following part definition lists the versions picked:\n' + PICKED +
            'Picked versions have been written to picked.cfg\n') in p.stdout, p.stdout
    assert (d / 'picked.cfg').read_text() == PICKED
    # Once the file exists, what is added starts with a dated comment in
    # place of [versions], as buildout writes it.
    before = datetime.datetime.now()
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    text = (d / 'picked.cfg').read_text()
    m = re.fullmatch(re.escape(PICKED) + r'\n# Added by minimerge at (\S+ \S+)\n' +
                     re.escape(PICKED[len('[versions]\n'):]), text)
    assert m, text
    when = datetime.datetime.strptime(m.group(1), '%Y-%m-%d %H:%M:%S.%f')
    assert abs((when - before).total_seconds()) < 30
    # Nothing picked: nothing said, nothing written.
    (d / 'buildout.cfg').write_text(CONFIG % ('show-picked-versions = true\n'
                                              'update-versions-file = picked.cfg\n',
                                              'my.recipe = 1.4\n'))
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert 'picked' not in p.stdout
    assert (d / 'picked.cfg').read_text() == text


def test_allow_picked_versions_false(minimerge, tmp_path):
    d = project(tmp_path, 'allow-picked-versions = false\n')
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 2
    assert '%s:3: error: Picked: my.recipe = 1.4' % (d / 'buildout.cfg') in p.stderr, p.stderr
    assert ran(tmp_path) == []


DUMPED = ('[versions]\n'
          '\n#Required by:\n#app 2.0\n#tool\n'
          'my.recipe = 1.4\n')
STARS = '*' * 45


def test_dumppickedversions(minimerge, tmp_path):
    d = project(tmp_path, 'extensions = buildout.dumppickedversions\n')
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith('*************** PICKED VERSIONS ****************\n' + DUMPED +
                             '\n*************** /PICKED VERSIONS ***************\n'), p.stdout
    cfg = CONFIG % ('extensions = buildout.dumppickedversions\n'
                    'dump-picked-versions-file = picked.cfg \n%s', '')
    (d / 'buildout.cfg').write_text(cfg % '')
    p = buildout(minimerge, tmp_path, d)
    assert p.stdout.endswith('%s\nWriting picked versions to picked.cfg\n%s\n' % (STARS, STARS))
    assert (d / 'picked.cfg').read_text() == DUMPED
    (d / 'picked.cfg').write_text('old\n')
    p = buildout(minimerge, tmp_path, d)
    assert p.stdout.endswith('%s\nOverwriting picked.cfg\n%s\n' % (STARS, STARS))
    assert (d / 'picked.cfg').read_text() == DUMPED
    (d / 'picked.cfg').write_text('old\n')
    (d / 'buildout.cfg').write_text(cfg % 'overwrite-picked-versions-file = Off\n')
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith('%s\nSkipped: File picked.cfg already exists.\n%s\n'
                             % (STARS, STARS))
    assert (d / 'picked.cfg').read_text() == 'old\n'


def local_addresses():
    name = socket.gethostname()
    return {a[4][0] for a in socket.getaddrinfo(name, None, socket.AF_INET)}


def check_document(doc, d, started_before):
    """Every field of the document, with its type, as sendpickedversions
    sends it and Whiskers stores it."""
    assert sorted(doc) == ['buildout_config', 'finished', 'hostname', 'ipv4', 'packages',
                           'pinned_versions', 'started', 'versionmap']
    config = doc['buildout_config']
    assert all(isinstance(v, str) for v in config.values())
    assert config['directory'] == str(d)
    assert config['parts'] == 'app tool'
    assert config['bin-directory'] == str(d / 'bin')
    assert config['buildoutname'] == d.name
    started = datetime.datetime.fromisoformat(doc['started'])
    finished = datetime.datetime.fromisoformat(doc['finished'])
    assert started_before - datetime.timedelta(seconds=1) <= started <= finished
    assert finished <= datetime.datetime.now()
    assert doc['hostname'] == socket.gethostname()
    assert doc['ipv4'] in local_addresses()
    assert doc['packages'] == {
        'app': {'version': '2.0', 'requirements': [
            {'name': 'my.recipe'},
            {'name': 'zlib', 'equation': '==', 'version': '1.2.13'}]},
        'my.recipe': {'version': '1.4', 'requirements': []},
        'zlib': {'version': '1.2.13', 'requirements': []},
    }
    assert doc['pinned_versions'] == {'zlib': '1.2.13'}
    assert doc['versionmap'] == {'app': '2.0', 'my.recipe': '1.4', 'zlib': '1.2.13'}


def sending(url, *more):
    return '\n'.join(('extensions = buildout.sendpickedversions', 'send-data-url = ' + url) +
                     more) + '\n'


def test_report_form_to_whiskers_before_2014(minimerge, tmp_path):
    with Whiskers(api='form') as w:
        d = project(tmp_path, sending(w.url))
        before = datetime.datetime.now()
        p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith('Added buildout information to Whiskers.\n'), p.stdout
    assert w.requests == [('POST', '/', 'application/x-www-form-urlencoded')]
    assert len(w.documents) == 1
    check_document(w.documents[0], d, before)


def test_report_json_to_whiskers_since_2014(minimerge, tmp_path):
    with Whiskers(api='json') as w:
        d = project(tmp_path, sending(w.url + '/', 'send-data-format = json',
                                      'buildoutname = prod'))
        before = datetime.datetime.now()
        p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith('Added buildout information to Whiskers.\n'), p.stdout
    assert w.requests == [('POST', '/', 'application/json')]
    doc = w.documents[0]
    assert doc['buildout_config']['buildoutname'] == 'prod'
    doc['buildout_config']['buildoutname'] = d.name
    check_document(doc, d, before)


def test_each_transport_refused_by_the_other_whiskers(minimerge, tmp_path):
    # The server's reply is printed, whatever it says; the run succeeds.
    with Whiskers(api='json') as w:
        d = project(tmp_path, sending(w.url))
        p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert 'Not a valid request. Error was: ' in p.stdout, p.stdout
    assert w.documents == []
    # One request, in the form transport: the refusal is no reason to send again.
    assert w.requests == [('POST', '/', 'application/x-www-form-urlencoded')], w.requests
    with Whiskers(api='form') as w:
        d = project(tmp_path / 'b', sending(w.url, 'send-data-format = json'))
        p = buildout(minimerge, tmp_path / 'b', d)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith('No data. Nothing added.\n'), p.stdout
    assert w.documents == []
    assert w.requests == [('POST', '/', 'application/json')], w.requests


def test_report_server_failing_twice(minimerge, tmp_path):
    with Whiskers(api='form', fail_first=2) as w:
        d = project(tmp_path, sending(w.url))
        p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert len(w.requests) == 3 and len(w.documents) == 1
    for n in (1, 2):
        assert ('minimerge: sending the data to %s/: try %d of 3: HTTP 500' % (w.url, n)
                in p.stderr), p.stderr
    assert p.stdout.endswith('Added buildout information to Whiskers.\n')


def test_report_refused_for_good_is_sent_once(minimerge, tmp_path):
    with Whiskers(api='form') as w:
        d = project(tmp_path, sending(w.url + '/nowhere'))
        p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    # A 404 will not change: one request, no "try N of 3".
    assert w.requests == [('POST', '/nowhere/', 'application/x-www-form-urlencoded')]
    assert 'try 1 of 3' not in p.stderr, p.stderr
    assert p.stdout.endswith('Got error sending the data to %s/nowhere/ (HTTP 404)\n' % w.url)


def test_report_server_never_answering(minimerge, tmp_path):
    with Whiskers(api='form', hang=True) as w:
        d = project(tmp_path, sending(w.url, 'send-data-timeout = 1'))
        start = time.monotonic()
        p = buildout(minimerge, tmp_path, d)
        took = time.monotonic() - start
        assert len(w.requests) == 3
    # The parts were installed; the run succeeds all the same.
    assert p.returncode == 0, p.stderr
    assert sorted(ran(tmp_path)) == ['install', 'install']
    assert re.search(r'^Got error sending the data to %s/ \(.*timed out.*\)$'
                     % re.escape(w.url), p.stdout, re.M), p.stdout
    assert took < 20


def test_report_file_url_and_no_url(minimerge, tmp_path):
    out = tmp_path / 'report.json'
    d = project(tmp_path, sending('file://%s' % out))
    before = datetime.datetime.now()
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert p.stdout.endswith('%s\n' % out)
    text = out.read_text()
    assert text.startswith('{\n    "buildout_config": {\n')
    check_document(json.loads(text), d, before)
    # No URL: the document is printed, on one line.
    d = project(tmp_path / 'b', 'extensions = buildout.sendpickedversions\n')
    before = datetime.datetime.now()
    p = buildout(minimerge, tmp_path / 'b', d)
    assert p.returncode == 0, p.stderr
    check_document(json.loads(p.stdout.splitlines()[-1]), d, before)
    # Without the extension a URL sends nothing, as in buildout.
    d = project(tmp_path / 'c', 'send-data-url = file://%s/r.json\n' % tmp_path)
    p = buildout(minimerge, tmp_path / 'c', d)
    assert p.returncode == 0 and not (tmp_path / 'r.json').exists()


def test_dry_runs_and_fetches_report_nothing(minimerge, tmp_path):
    """Only a run that installs sends its report and writes picked versions."""
    out = tmp_path / 'report.json'
    d = project(tmp_path, sending('file://%s' % out, 'update-versions-file = picked.cfg'))
    p = buildout(minimerge, tmp_path, d, '--dry-run')
    assert p.returncode == 0, p.stderr
    assert not out.exists() and not (d / 'picked.cfg').exists() and ran(tmp_path) == []
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 0, p.stderr
    assert out.exists() and (d / 'picked.cfg').exists()
    root = install_root(tmp_path / 'i', 'send-data-url = file://%s/r.json\n'
                        'update-versions-file = etc/picked.cfg\n' % tmp_path)
    for args in (['install', '-n', 'app'], ['fetch', 'app']):
        p = subprocess.run([minimerge, '-C', root] + args, capture_output=True, text=True,
                           timeout=60, env=env_for(root))
        assert p.returncode == 0, (args, p.stderr)
        assert not (tmp_path / 'r.json').exists(), args
        assert not os.path.exists(os.path.join(root, 'etc', 'picked.cfg')), args
    p = subprocess.run([minimerge, '-C', root, 'install', 'app'], capture_output=True,
                       text=True, timeout=60, env=env_for(root))
    assert p.returncode == 0, p.stderr
    assert (tmp_path / 'r.json').exists()
    assert os.path.exists(os.path.join(root, 'etc', 'picked.cfg'))


def test_report_command_for_a_config(minimerge, tmp_path):
    with Whiskers(api='json') as w:
        d = project(tmp_path)
        before = datetime.datetime.now()
        p = run(minimerge, tmp_path, d, 'report', '--url', w.url, '--format', 'json',
                '-c', 'buildout.cfg')
    assert p.returncode == 0, p.stderr
    assert p.stdout == 'Added buildout information to Whiskers.\n'
    check_document(w.documents[0], d, before)
    assert ran(tmp_path) == []


def test_bad_settings_stop_the_run(minimerge, tmp_path):
    d = project(tmp_path, 'send-data-format = xml\n')
    p = buildout(minimerge, tmp_path, d)
    assert p.returncode == 2
    assert ("%s:3: error: Invalid value for 'send-data-format' option: 'xml' (form or json)"
            % (d / 'buildout.cfg')) in p.stderr
    assert ran(tmp_path) == []
    d = project(tmp_path / 'b', 'extensions = mr.developer\n')
    p = buildout(minimerge, tmp_path / 'b', d)
    assert p.returncode == 0, p.stderr
    assert ("%s:3: warning: extension 'mr.developer' is not one minimerge has "
            % (d / 'buildout.cfg')) in p.stderr


def install_root(tmp_path, settings):
    root = root_with(tmp_path, STACK, settings + '\n[versions]\nzlib = 1.2\n')
    return root


def test_install_report_and_picked(minimerge, tmp_path):
    with Whiskers(api='form') as w:
        root = install_root(tmp_path, 'send-data-url = %s\nshow-picked-versions = true\n'
                            'update-versions-file = etc/picked.cfg\n' % w.url)
        before = datetime.datetime.now()
        p = subprocess.run([minimerge, '-C', root, 'install', 'app'], capture_output=True,
                           text=True, timeout=60, env=env_for(root))
        clean(p.stderr)
    assert p.returncode == 0, p.stderr
    picked = ('[versions]\napp = 2.1\n\n# Required by:\n# app==2.1\nlib = 1.10\n')
    assert ('Versions had to be automatically picked.\n'
            'The following part definition lists the versions picked:\n' + picked) in p.stdout
    assert 'Picked versions have been written to etc/picked.cfg\n' in p.stdout
    with open(os.path.join(root, 'etc', 'picked.cfg')) as f:
        assert f.read() == picked
    assert p.stdout.endswith('Added buildout information to Whiskers.\n'), p.stdout
    doc = w.documents[0]
    assert doc['buildout_config']['send-data-url'] == w.url
    assert doc['buildout_config']['buildoutname'] == 'root'
    assert doc['pinned_versions'] == {'zlib': '1.2'}
    assert doc['versionmap'] == {'app': '2.1', 'grep': '3.1', 'lib': '1.10', 'zlib': '1.2'}
    # app names its dependencies by base name: no equation; lib-1.10 needs
    # zlib, pinned; grep is required by meta-tools, which has no version
    # and so no entry of its own, and zlib requires nothing.
    assert doc['packages'] == {
        'app': {'version': '2.1', 'requirements': [{'name': 'lib'}, {'name': 'zlib'}]},
        'grep': {'version': '3.1', 'requirements': []},
        'lib': {'version': '1.10', 'requirements': [{'name': 'zlib'}]},
        'zlib': {'version': '1.2', 'requirements': []},
    }
    assert datetime.datetime.fromisoformat(doc['started']) >= before - datetime.timedelta(
        seconds=1)
    # minimerge report: the same document without installing.
    p = subprocess.run([minimerge, '-C', root, 'report', '--url', '', 'app'],
                       capture_output=True, text=True, timeout=60, env=env_for(root))
    assert p.returncode == 0, p.stderr
    again = json.loads(p.stdout)
    assert again['packages'] == doc['packages'] and again['versionmap'] == doc['versionmap']
