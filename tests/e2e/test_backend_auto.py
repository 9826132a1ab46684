"""install_method = auto with the built-in backends (issue 8): real projects
made here (a meson library, programs built with autoconf, autoreconf and
CMake that find it through pkg-config, a Makefile project, a Python project
and a Perl one), each recognised by the right backend, built and installed inside
one stack, and each one's debian/ checked line by line."""

import os
import shutil
import subprocess

import pytest

from mmrun import env_for, ok, show, summary

GREET_C = '#include "greet.h"\nconst char *greet(void) { return "hello from greet"; }\n'
GREET_H = 'const char *greet(void);\n'
MAIN_C = ('#include <stdio.h>\n#include <greet.h>\n'
          'int main(void) { printf("%%s: %%s\\n", "%s", greet()); return 0; }\n')

PROJECTS = {
    'greet': {
        'meson.build': (
            "project('greet', 'c', version : '1.0', license : 'MIT')\n"
            "lib = library('greet', 'greet.c', install : true)\n"
            "install_headers('greet.h')\n"
            "pkg = import('pkgconfig')\n"
            "pkg.generate(lib, description : 'greets')\n"
            "if get_option('extra')\n"
            "  install_data('greet.h', install_dir : 'share/greet')\n"
            "endif\n"),
        'meson_options.txt': "option('extra', type : 'boolean', value : false)\n",
        'greet.c': GREET_C,
        'greet.h': GREET_H,
    },
    'hello-ac': {
        'configure.ac': (
            'AC_INIT([Hello AC], [3.1], [bugs@example.org], [hello-ac],\n'
            '        [https://example.org/hello-ac])\n'
            'AM_INIT_AUTOMAKE([foreign])\n'
            'AC_PROG_CC\n'
            'PKG_CHECK_MODULES([GREET], [greet >= 1.0])\n'
            'AC_CONFIG_FILES([Makefile])\n'
            'AC_OUTPUT\n'),
        'Makefile.am': ('bin_PROGRAMS = hello-ac\nhello_ac_SOURCES = main.c\n'
                        'hello_ac_CFLAGS = $(GREET_CFLAGS)\nhello_ac_LDADD = $(GREET_LIBS)\n'),
        'main.c': MAIN_C % 'hello-ac',
        'COPYING': ('                    GNU GENERAL PUBLIC LICENSE\n'
                    '                       Version 3, 29 June 2007\n'),
    },
    'hello-reconf': {
        'configure.ac': ('AC_INIT([hello-reconf], [0.9])\nAM_INIT_AUTOMAKE([foreign])\n'
                         'AC_PROG_CC\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n'),
        'Makefile.am': 'bin_PROGRAMS = hello-reconf\nhello_reconf_SOURCES = main.c\n',
        'main.c': ('#include <stdio.h>\n'
                   'int main(void) { puts("hello-reconf"); return 0; }\n'),
    },
    'hello-cmake': {
        'CMakeLists.txt': (
            'cmake_minimum_required(VERSION 3.13)\n'
            'Project(Hello-CMake VERSION 2.0 HOMEPAGE_URL "https://example.org/cm" '
            'LANGUAGES C)\n'
            'find_package(PkgConfig REQUIRED)\n'
            'pkg_check_modules(GREET REQUIRED IMPORTED_TARGET greet>=1.0)\n'
            'add_executable(hello-cmake main.c)\n'
            'target_link_libraries(hello-cmake PkgConfig::GREET)\n'
            'install(TARGETS hello-cmake)\n'
            'if(EXTRA)\n  install(FILES main.c DESTINATION share/extra)\nendif()\n'),
        'main.c': MAIN_C % 'hello-cmake',
    },
    'tool-make': {
        'Makefile': (
            'VERSION = 0.3\nPREFIX ?= /usr/local\n'
            'all: tool\n'
            'tool:\n\tprintf \'#!/bin/sh\\necho tool $(VERSION)\\n\' > tool\n'
            'extra:\n\techo extra > extra\n'
            'install: tool\n\tmkdir -p $(PREFIX)/bin\n\tcp tool $(PREFIX)/bin/tool\n'
            '\tchmod 755 $(PREFIX)/bin/tool\n'
            'install-extra:\n\tmkdir -p $(PREFIX)/share\n\tcp extra $(PREFIX)/share/extra\n'),
    },
    'hello-perl': {
        'Makefile.PL': ("use ExtUtils::MakeMaker;\n"
                        "WriteMakefile(NAME => 'Hello::Perl', VERSION => '0.5',\n"
                        "    ABSTRACT => 'Says hello in Perl', LICENSE => 'perl',\n"
                        "    EXE_FILES => ['hello-perl']);\n"),
        'hello-perl': '#!/usr/bin/perl\nprint "hello-perl\\n";\n',
    },
    'hello-py': {
        'pyproject.toml': (
            '[build-system]\nrequires = ["setuptools"]\n'
            'build-backend = "setuptools.build_meta"\n\n'
            '[project]\nname = "hello-py"\nversion = "1.4"\n'
            'description = "Says hello in Python"\nlicense = {text = "MIT"}\n'
            'dependencies = [\n  "setuptools",\n]\n\n'
            '[project.urls]\nHomepage = "https://example.org/py"\n'),
        'hello_py/__init__.py': 'MESSAGE = "hello from python"\n',
    },
}

BACKEND = {'greet': 'meson', 'hello-ac': 'autoconf', 'hello-reconf': 'autoreconf',
           'hello-cmake': 'cmake', 'tool-make': 'makefile', 'hello-py': 'python',
           'hello-perl': 'perl'}
DEPENDS = {'hello-ac': 'greet', 'hello-cmake': 'greet'}
# The minibuild's build options, each with an effect the tests look for:
# configure options reach meson and CMake, make options, targets and
# install targets reach make.
OPTIONS = {
    'greet': 'configure_options = -Dextra=true\n',
    'hello-cmake': 'configure_options = -DEXTRA=ON\n',
    'tool-make': ('make_options = VERSION=0.4\nmake_targets = tool extra\n'
                  'install_targets = install install-extra\n'),
}


def write_tree(base, files):
    for rel, text in files.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)


def env(root):
    # Debian's python3 first: the Python project is built with its pip.
    e = env_for(root, DEBEMAIL='Jane Doe <jane@example.org>', SOURCE_DATE_EPOCH='1700000000')
    for k in ('MINIMERGE_BACKEND_PATHS', 'PKGME_BACKEND_PATHS'):
        e.pop(k, None)
    return e


def mm(minimerge, root, *args, timeout=600):
    p = subprocess.run([minimerge, '-C', str(root)] + list(args), env=env(root),
                       capture_output=True, text=True, timeout=timeout)
    return p


@pytest.fixture(scope='module')
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp('auto')
    minilay = root / 'minilays' / 'auto'
    minilay.mkdir(parents=True)
    for name, files in PROJECTS.items():
        src = root / 'src' / name
        write_tree(str(src), files)
        (minilay / name).write_text(
            '[minibuild]\ncategory = dependencies\ninstall_method = auto\nsrc_type = path\n'
            'src_uri = src/%s\ndependencies = %s\n%s'
            % (name, DEPENDS.get(name, ''), OPTIONS.get(name, '')))
    # An autoconf project as released: configure made from configure.ac.
    subprocess.run(['autoreconf', '-fi'], cwd=str(root / 'src' / 'hello-ac'), check=True,
                   capture_output=True)
    (minilay / 'meta-all').write_text(
        '[minibuild]\ndependencies = %s\n' % ' '.join(sorted(PROJECTS)))
    return root


@pytest.fixture(scope='module')
def installed(minimerge, stack):
    p = mm(minimerge, stack, 'install', '--explain', 'meta-all')
    assert p.returncode == 0, show(p)
    return p


@pytest.mark.parametrize('name', sorted(PROJECTS))
def test_detected_by_the_right_backend(minimerge, stack, name):
    p = ok(mm(minimerge, stack, 'info', '--which-backends', str(stack / 'src' / name)))
    first = p.stdout.split(',')[0]
    assert first.startswith(BACKEND[name] + ' ('), p.stdout
    if name == 'hello-ac':
        # A released autoconf tree has configure.ac too: autoreconf steps aside.
        assert 'autoreconf' not in p.stdout


def run_installed(stack, name, program):
    path = stack / 'dependencies' / name / 'parts' / 'part' / 'bin' / program
    return subprocess.run([str(path)], capture_output=True, text=True, timeout=30).stdout


def test_stack_builds_and_installs(stack, installed):
    assert summary(installed)[3] == 0
    assert run_installed(stack, 'hello-ac', 'hello-ac') == 'hello-ac: hello from greet\n'
    assert run_installed(stack, 'hello-cmake', 'hello-cmake') == \
        'hello-cmake: hello from greet\n'
    assert run_installed(stack, 'hello-reconf', 'hello-reconf') == 'hello-reconf\n'
    # make_options' VERSION=0.4 overrode the Makefile's 0.3.
    assert run_installed(stack, 'tool-make', 'tool') == 'tool 0.4\n'
    parts = stack / 'dependencies'
    assert (parts / 'tool-make' / 'parts' / 'part' / 'share' / 'extra').read_text() == 'extra\n'
    assert (parts / 'hello-cmake' / 'parts' / 'part' / 'share' / 'extra' / 'main.c').exists()
    assert (parts / 'greet' / 'parts' / 'part' / 'share' / 'greet' / 'greet.h').exists()
    assert run_installed(stack, 'hello-perl', 'hello-perl') == 'hello-perl\n'
    prefix = stack / 'dependencies' / 'greet' / 'parts' / 'part'
    assert (prefix / 'lib' / 'pkgconfig' / 'greet.pc').exists()
    assert (prefix / 'include' / 'greet.h').exists()
    py = list((stack / 'dependencies' / 'hello-py' / 'parts' / 'part').rglob(
        'hello_py/__init__.py'))
    assert len(py) == 1 and 'hello from python' in py[0].read_text()
    # pip installed it: its metadata is beside the module (Debian's layout:
    # local/lib/python3.X/dist-packages under the prefix).
    site = py[0].parent.parent
    assert site.name in ('dist-packages', 'site-packages'), py[0]
    info = site / 'hello_py-1.4.dist-info'
    assert 'Version: 1.4' in (info / 'METADATA').read_text().splitlines()
    assert (info / 'INSTALLER').read_text() == 'pip\n'


# What each project's build says of the backend's choice: score, the
# marker file it found, debhelper's build system.
CHOICE = {
    'greet': (20, 'has meson.build', 'meson'),
    'hello-ac': (20, 'has configure', 'autoconf'),
    'hello-reconf': (20, 'has configure.ac and Makefile.am', 'autoconf'),
    'hello-cmake': (20, 'has CMakeLists.txt', 'cmake'),
    'tool-make': (10, 'has Makefile', 'makefile'),
    'hello-py': (20, 'has pyproject.toml', 'pybuild'),
    'hello-perl': (20, 'has Makefile.PL', 'perl_makemaker'),
}


def test_choice_in_explain_and_log(stack, installed):
    assert sorted(CHOICE) == sorted(BACKEND)
    for name, backend in BACKEND.items():
        line = [ln for ln in installed.stdout.splitlines()
                if ln.startswith('explain: build dependencies/%s: backend ' % name)]
        assert len(line) == 1, installed.stdout
        score, marker, system = CHOICE[name]
        assert line[0] == ('explain: build dependencies/%s: backend %s (score %d: %s), '
                           'build system %s' % (name, backend, score, marker, system))
        log = stack / '.minimerge' / 'logs' / ('build.dependencies_%s.log' % name)
        assert log.read_text().startswith(line[0][len('explain: build dependencies/%s: '
                                                      % name):] + '\n')


def test_second_run_skips(minimerge, stack, installed):
    p = ok(mm(minimerge, stack, 'install', 'meta-all'))
    # Everything the first run ran is skipped, nothing else.
    assert summary(p)[:4] == (0, summary(installed)[0], 0, 0), show(p)


def test_no_backend_wants_the_tree(minimerge, tmp_path):
    root = tmp_path
    (root / 'minilays' / 'm').mkdir(parents=True)
    (root / 'src' / 'nothing').mkdir(parents=True)
    (root / 'src' / 'nothing' / 'README').write_text('no build files here\n')
    (root / 'minilays' / 'm' / 'nothing').write_text(
        '[minibuild]\ncategory = dependencies\ninstall_method = auto\nsrc_type = path\n'
        'src_uri = src/nothing\n')
    p = mm(minimerge, root, 'install', 'nothing')
    assert p.returncode == 1, show(p)
    failed = [ln for ln in p.stdout.splitlines() if 'FAILED' in ln]
    assert len(failed) == 1, show(p)
    assert 'No eligible backends for %s/dependencies/nothing/parts/build. Tried autoconf (0: ' \
        % root in failed[0]
    for name in ('autoreconf', 'cmake', 'makefile', 'meson', 'perl', 'python'):
        assert ', %s (0: ' % name in failed[0]


# ---- debian/ for each project, line by line ----

CHANGELOG = ('{name} ({version}) UNRELEASED; urgency=low\n\n  * Initial release\n\n'
             ' -- Jane Doe <jane@example.org>  Tue, 14 Nov 2023 22:13:20 +0000\n')

CONTROL = ('Source: {name}\nSection: misc\nPriority: extra\n'
           'Maintainer: Jane Doe <jane@example.org>\nBuild-Depends: {deps}\n{homepage}'
           '\nPackage: {name}\nSection: misc\nPriority: extra\nArchitecture: any\n'
           'Description: {description}\n')

COPYRIGHT = ('Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n'
             'Upstream-Name: {name}\n'
             'Upstream-Contact: Jane Doe <jane@example.org>\n'
             '\n'
             'Files: *\n'
             'Copyright: 2023 Jane Doe <jane@example.org>\n'
             'License: {license}\n'
             ' The full text of the license can be found in the file '
             "'/usr/share/common-licenses/{license}'.\n"
             '\n'
             'Files: debian/*\n'
             'Copyright: 2023 The friendly minimerge robot\n'
             'License: public-domain\n')

EXPECTED = {
    'greet': dict(version='1.0', deps='debhelper (>= 7)', homepage='',
                  rules='--buildsystem=meson ', license='Expat'),
    'hello-ac': dict(version='3.1', deps='greet, debhelper (>= 7)',
                     homepage='Homepage: https://example.org/hello-ac\n',
                     rules='--buildsystem=autoconf ', license='GPL-3'),
    'hello-reconf': dict(version='0.9', deps='debhelper (>= 7)', homepage='',
                         rules='--buildsystem=autoconf --with=autoreconf ', license='unknown'),
    'hello-cmake': dict(version='2.0', deps='pkgconfig, greet, debhelper (>= 7)',
                        homepage='Homepage: https://example.org/cm\n',
                        rules='--buildsystem=cmake ', license='unknown'),
    'tool-make': dict(version='0.3', deps='debhelper (>= 7)', homepage='',
                      rules='--buildsystem=makefile ', license='unknown'),
    'hello-perl': dict(version='0.5', deps='debhelper (>= 7)', homepage='',
                       rules='--buildsystem=perl_makemaker ', license='Artistic',
                       description='Says hello in Perl'),
    'hello-py': dict(version='1.4', deps='setuptools, debhelper (>= 7)',
                     homepage='Homepage: https://example.org/py\n',
                     rules='--buildsystem=pybuild ', license='Expat',
                     description='Says hello in Python'),
}


@pytest.mark.parametrize('name', sorted(PROJECTS))
def test_debianize(minimerge, stack, tmp_path, name):
    tree = tmp_path / name
    shutil.copytree(str(stack / 'src' / name), str(tree))
    ok(mm(minimerge, stack, 'debianize', str(tree)))
    e = dict(name=name, description='a package')
    e.update(EXPECTED[name])

    def read(rel):
        return (tree / 'debian' / rel).read_text()
    assert read('control') == CONTROL.format(**e)
    assert read('rules') == '#!/usr/bin/make -f\n%%:\n\tdh $@ %s\n' % e['rules']
    assert read('changelog') == CHANGELOG.format(**e)
    assert read('compat') == '7\n'
    assert read('source/format') == '3.0 (quilt)\n'
    assert read('copyright') == COPYRIGHT.format(**e)
