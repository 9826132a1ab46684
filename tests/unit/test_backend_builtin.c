/*
 * Unit tests for src/backend_builtin and the facts readers under it
 * (src/facts.h): for each backend, a tree made in a temporary directory,
 * the score and reason want gives, and the exact facts info reports; then
 * licence files, read errors, and garbage of every kind, which must give
 * no crash, no read out of bounds (the sanitizer build) and no quadratic
 * time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "../../src/backend_builtin.h"
#include "../../src/facts.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

struct fix {
	char dir[64];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	if (!f || testutil_mkdtemp(f->dir, sizeof(f->dir), "test_backend_builtin") != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	int rc = testutil_remove_tree(f->dir);
	free(f);
	return rc;
}

/* dir/name, in a buffer of the caller's. */
static const char *in(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);
	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	testutil_write_file(in(path, sizeof(path), dir, name), text, 0644);
}

/* put for data that may hold NUL bytes. */
static void put_bytes(const char *dir, const char *name, const void *data, size_t len)
{
	char path[256];
	int fd = open(in(path, sizeof(path), dir, name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Every key a built-in backend may set: what cmd_backend's info asks. */
static const char *const every_key[] = {
	"package_name", "version", "description", "license", "homepage",
	"build_depends", "buildsystem", "debhelper_addons", NULL,
};

static const struct backend_builtin *backend(const char *name)
{
	size_t n;
	const struct backend_builtin *b = backend_builtins(&n);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(b[i].name, name))
			return &b[i];
	}
	fail_msg("no built-in backend '%s'", name);
	return NULL;
}

static void check_want(const char *dir, const char *name, int score, const char *reason)
{
	struct strbuf why = STRBUF_INIT;
	int got = backend_builtin_want(backend(name), dir, &why);
	if (got != score || strcmp(why.buf, reason))
		fail_msg("%s: want gave %d \"%s\", not %d \"%s\"", name, got, why.buf, score, reason);
	strbuf_release(&why);
}

/* The facts the backend's info reports for dir, which it must read
 * without an error; the caller drops the reference. */
static json_t *info(const char *dir, const char *name)
{
	json_t *facts = json_object();
	struct strbuf err = STRBUF_INIT;
	int rc = backend_builtin_info(backend(name), dir, every_key, facts, &err);
	if (rc != 0 || err.len)
		fail_msg("%s: info gave %d \"%s\"", name, rc, err.buf);
	strbuf_release(&err);
	return facts;
}

/* Compares info's facts with expected (a reference it takes). */
static void check_info(const char *dir, const char *name, json_t *expected)
{
	assert_non_null(expected);
	json_t *facts = info(dir, name);
	if (!json_equal(facts, expected)) {
		char *got = json_dumps(facts, JSON_SORT_KEYS);
		char *want = json_dumps(expected, JSON_SORT_KEYS);
		print_error("%s: got\n  %s\nexpected\n  %s\n", name, got, want);
		free(got);
		free(want);
		fail();
	}
	json_decref(facts);
	json_decref(expected);
}

/* Selection */

static void test_table_is_sorted(void **state)
{
	(void)state;
	static const char *const names[] = {
		"autoconf", "autoreconf", "cmake", "makefile", "meson", "perl", "python",
	};
	size_t n;
	const struct backend_builtin *b = backend_builtins(&n);
	assert_int_equal(n, LEN(names));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(b[i].name, names[i]);
		assert_non_null(b[i].facts);
		assert_non_null(b[i].buildsystem);
		assert_true(b[i].want || (b[i].markers && b[i].absent));
	}
}

static void test_no_markers(void **state)
{
	struct fix *f = *state;
	put(f->dir, "README", "nothing to build\n");
	check_want(f->dir, "autoconf", 0, "no configure script");
	check_want(f->dir, "autoreconf", 0, "no configure.ac");
	check_want(f->dir, "cmake", 0, "no CMakeLists.txt");
	check_want(f->dir, "makefile", 0, "no Makefile");
	check_want(f->dir, "meson", 0, "no meson.build");
	check_want(f->dir, "perl", 0, "no Build.PL or Makefile.PL");
	check_want(f->dir, "python", 0, "no pyproject.toml or setup.py");
}

static void test_markers_are_files(void **state)
{
	struct fix *f = *state;
	char path[256];
	assert_int_equal(mkdir(in(path, sizeof(path), f->dir, "CMakeLists.txt"), 0755), 0);
	assert_int_equal(mkdir(in(path, sizeof(path), f->dir, "configure"), 0755), 0);
	check_want(f->dir, "cmake", 0, "no CMakeLists.txt");
	check_want(f->dir, "autoconf", 0, "no configure script");
	/* A link to a file is the file. */
	put(f->dir, "real.build", "project('x')\n");
	assert_int_equal(symlink("real.build", in(path, sizeof(path), f->dir, "meson.build")), 0);
	check_want(f->dir, "meson", 20, "has meson.build");
}

static void test_configure_goes_to_autoconf(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac", "AC_INIT([hello], [2.12])\n");
	put(f->dir, "Makefile.am", "SUBDIRS = src\n");
	char path[256];
	testutil_write_file(in(path, sizeof(path), f->dir, "configure"), "#!/bin/sh\n", 0755);
	put(f->dir, "Makefile", "all:\n");
	check_want(f->dir, "autoconf", 20, "has configure");
	check_want(f->dir, "autoreconf", 0, "has a configure script: the autoconf backend builds it");
	check_want(f->dir, "makefile", 10, "has Makefile");
}

static void test_autoreconf_needs_configure_ac_and_makefile_am(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac", "AC_INIT([hello], [2.12])\n");
	check_want(f->dir, "autoreconf", 0, "no Makefile.am");
	put(f->dir, "Makefile.am", "SUBDIRS = src\n");
	check_want(f->dir, "autoreconf", 20, "has configure.ac and Makefile.am");
	check_want(f->dir, "autoconf", 0, "no configure script");
	check_info(f->dir, "autoreconf",
		   json_pack("{s:s, s:s, s:s, s:s}", "package_name", "hello", "version", "2.12",
			     "buildsystem", "autoconf", "debhelper_addons", "autoreconf"));
}

static void test_autoreconf_takes_configure_in(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.in", "AC_INIT(old, 0.9)\n");
	put(f->dir, "Makefile.am", "\n");
	check_want(f->dir, "autoreconf", 20, "has configure.in and Makefile.am");
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s}", "package_name", "old", "version", "0.9",
			     "buildsystem", "autoconf"));
}

static void test_makefile_markers(void **state)
{
	struct fix *f = *state;
	put(f->dir, "Makefile", "all:\n");
	check_want(f->dir, "makefile", 10, "has Makefile");
	check_want(f->dir, "autoconf", 0, "no configure script");
	check_want(f->dir, "cmake", 0, "no CMakeLists.txt");
	put(f->dir, "GNUmakefile", "all:\n");
	check_want(f->dir, "makefile", 10, "has GNUmakefile");
}

/* autoconf */

static void test_autoconf_gnu_name(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac",
	    "AC_PREREQ([2.69])\n"
	    "AC_INIT([GNU Example Project], [1.2.3], [bugs@example.org])\n");
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s}", "package_name", "example-project", "version",
			     "1.2.3", "buildsystem", "autoconf"));
}

static void test_autoconf_multiline_init_and_modules(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac",
	    "dnl AC_INIT([commented], [0])\n"
	    "# AC_INIT([commented], [0])\n"
	    "AC_INIT([GNU Hello],\n"
	    "        [2.12.1],\n"
	    "        [bug-hello@gnu.org],\n"
	    "        [hello],\n"
	    "        [https://www.gnu.org/software/hello/])\n"
	    "AM_INIT_AUTOMAKE([foreign])\n"
	    "PKG_CHECK_MODULES([GLIB], [glib-2.0 >= 2.56 gio-2.0])\n"
	    "PKG_CHECK_MODULES(DEPS, [gtk+-3.0 >= 3.22, libxml-2.0 > 2.9  zlib])\n"
	    "PKG_CHECK_MODULES([X], [x11>=1.6 xext])\n"
	    "PKG_CHECK_EXISTS([libsystemd >= $SYSTEMD_MIN], [have=yes], [have=no])\n"
	    "dnl PKG_CHECK_MODULES([NO], [commented])\n"
	    "# PKG_CHECK_MODULES([NO], [commented-too])\n"
	    "AS_IF([test \"x$with_z\" = xyes], [PKG_CHECK_MODULES([Z], [nested >= 1])])\n"
	    "PKG_CHECK_MODULES([VAR], [$MODULE_FROM_A_VARIABLE glib-2.0])\n"
	    "AC_OUTPUT\n");
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s, s:s, s:[s,s,s,s,s,s,s,s,s]}", "package_name", "hello",
			     "version", "2.12.1", "homepage", "https://www.gnu.org/software/hello/",
			     "buildsystem", "autoconf", "build_depends", "glib-2.0", "gio-2.0",
			     "gtk+-3.0", "libxml-2.0", "zlib", "x11", "xext", "libsystemd",
			     "nested"));
}

static void test_autoconf_macro_version_is_left_unset(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac",
	    "AC_INIT([coreutils],\n"
	    "        m4_esyscmd([build-aux/git-version-gen .tarball-version]),\n"
	    "        [bug-coreutils@gnu.org])\n");
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s}", "package_name", "coreutils", "buildsystem", "autoconf"));
}

static void test_autoconf_bare_arguments(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac", "AC_INIT(mytool, 0.1, , , http://example.org/)\n"
				    "m4_define([v], [1.0])\nAC_INIT([other], [v])\n");
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s, s:s}", "package_name", "mytool", "version", "0.1",
			     "homepage", "http://example.org/", "buildsystem", "autoconf"));
}

static void test_autoconf_generated_configure(void **state)
{
	struct fix *f = *state;
	char path[256];
	testutil_write_file(in(path, sizeof(path), f->dir, "configure"),
			    "#! /bin/sh\n"
			    "# Generated by GNU Autoconf 2.71 for GNU Hello 2.12.1.\n"
			    "PACKAGE_NAME='GNU Hello'\n"
			    "PACKAGE_TARNAME='hello'\n"
			    "PACKAGE_VERSION='2.12.1'\n"
			    "PACKAGE_STRING='GNU Hello 2.12.1'\n"
			    "PACKAGE_URL='https://www.gnu.org/software/hello/'\n"
			    "  PACKAGE_VERSION='9.9'\n",
			    0755);
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s, s:s}", "package_name", "hello", "version", "2.12.1",
			     "homepage", "https://www.gnu.org/software/hello/", "buildsystem",
			     "autoconf"));
}

/* configure.ac comes first; the configure script fills what it left. */
static void test_autoconf_configure_fills_in(void **state)
{
	struct fix *f = *state;
	put(f->dir, "configure.ac", "AC_INIT([hello], m4_esyscmd([cat VERSION]))\n");
	put(f->dir, "configure", "PACKAGE_TARNAME='stale'\nPACKAGE_VERSION='3.0'\nPACKAGE_URL=''\n");
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s}", "package_name", "hello", "version", "3.0",
			     "buildsystem", "autoconf"));
}

/* cmake */

static void test_cmake_project_and_packages(void **state)
{
	struct fix *f = *state;
	put(f->dir, "CMakeLists.txt",
	    "cmake_minimum_required(VERSION 3.16)\n"
	    "# project(Wrong VERSION 9)\n"
	    "#[[ find_package(Commented)\n"
	    "    ]]\n"
	    "PROJECT(MyLib\n"
	    "  VERSION 1.2.3\n"
	    "  DESCRIPTION \"A small library\"   # the synopsis\n"
	    "  HOMEPAGE_URL \"https://example.org/mylib\"\n"
	    "  LANGUAGES C CXX)\n"
	    "Find_Package(ZLIB REQUIRED)\n"
	    "find_package (PkgConfig)\n"
	    "FIND_PACKAGE(Threads)\n"
	    "find_package(${DYNAMIC})\n"
	    "pkg_check_modules(GLIB REQUIRED IMPORTED_TARGET glib-2.0>=2.56 gio-2.0)\n"
	    "PKG_SEARCH_MODULE(SSL QUIET openssl=1.1 libssl<3)\n"
	    "pkg_check_modules(X REQUIRED ${MOD} \"libxml-2.0 >= 2.9\" zlib)\n"
	    "set(TEXT \"find_package(NotACommand)\")\n"
	    "set(B [=[find_package(NorThis)]=])\n"
	    "if((A AND B) OR C)\n"
	    "  find_package(Inside)\n"
	    "endif()\n"
	    "project(Second VERSION 9.9)\n");
	check_want(f->dir, "cmake", 20, "has CMakeLists.txt");
	check_info(f->dir, "cmake",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s,s,s,s,s,s,s,s,s]}", "package_name",
			     "mylib", "version", "1.2.3", "description", "A small library",
			     "homepage", "https://example.org/mylib", "buildsystem", "cmake",
			     "build_depends", "zlib", "pkgconfig", "threads", "glib-2.0", "gio-2.0",
			     "openssl", "libssl", "libxml-2.0", "inside"));
}

static void test_cmake_old_project_form(void **state)
{
	struct fix *f = *state;
	put(f->dir, "CMakeLists.txt", "project(Tool C)\nproject(Other VERSION 2)\n");
	check_info(f->dir, "cmake",
		   json_pack("{s:s, s:s}", "package_name", "tool", "buildsystem", "cmake"));
}

/* meson */

static void test_meson_project_and_dependencies(void **state)
{
	struct fix *f = *state;
	put(f->dir, "meson.build",
	    "# project('commented')\n"
	    "project('mytool', 'c',\n"
	    "  version : '0.4.1',\n"
	    "  license : 'MIT',\n"
	    "  meson_version: '>=0.60',\n"
	    "  default_options : ['warning_level=3'])\n"
	    "glib = dependency('glib-2.0', version: '>=2.0')\n"
	    "zlib = dependency('zlib', required : false)  # dependency('nope')\n"
	    "m = cc.find_library('m')\n"
	    "dep = declare_dependency(link_with : lib)\n"
	    "s = '''dependency('in-a-string')'''\n"
	    "x = sub.dependency('method')\n"
	    "dependency('glib-2.0')\n"
	    "project('second', version : '9')\n");
	check_want(f->dir, "meson", 20, "has meson.build");
	check_info(f->dir, "meson",
		   json_pack("{s:s, s:s, s:s, s:s, s:[s,s]}", "package_name", "mytool", "version",
			     "0.4.1", "license", "Expat", "buildsystem", "meson", "build_depends",
			     "glib-2.0", "zlib"));
}

static void test_meson_license_names(void **state)
{
	struct fix *f = *state;
	static const struct {
		const char *license, *debian;
	} cases[] = {
		{"'GPL-2.0-or-later'", "GPL-2"},
		{"'GPL-2.0'", "GPL-2"},
		{"'GPL-3.0-or-later'", "GPL-3"},
		{"'LGPL-2.1-or-later'", "LGPL-2.1"},
		{"'Apache-2.0'", "Apache-2.0"},
		{"'BSD-3-Clause'", "BSD-3-clause"},
		{"['MIT', 'BSD-2-Clause']", "Expat"},
		{"'MIT OR Apache-2.0'", "MIT OR Apache-2.0"},
		{"'Some Licence'", "Some Licence"},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		char text[256];
		snprintf(text, sizeof(text), "project('p', license: %s)\n", cases[i].license);
		put(f->dir, "meson.build", text);
		check_info(f->dir, "meson",
			   json_pack("{s:s, s:s, s:s}", "package_name", "p", "license",
				     cases[i].debian, "buildsystem", "meson"));
	}
}

static void test_meson_computed_version(void **state)
{
	struct fix *f = *state;
	put(f->dir, "meson.build",
	    "project('gen', 'c', version : run_command('cat', 'VERSION').stdout().strip())\n"
	    "project('again', version : '1.0' + '.1')\n");
	check_info(f->dir, "meson",
		   json_pack("{s:s, s:s}", "package_name", "gen", "buildsystem", "meson"));
	put(f->dir, "meson.build", "project('cat', version : '1.0' + suffix)\n");
	check_info(f->dir, "meson",
		   json_pack("{s:s, s:s}", "package_name", "cat", "buildsystem", "meson"));
}

/* python */

static void test_pyproject(void **state)
{
	struct fix *f = *state;
	put(f->dir, "pyproject.toml",
	    "[build-system]\n"
	    "requires = [\"setuptools>=61\", \"wheel\"]\n"
	    "build-backend = \"setuptools.build_meta\"\n"
	    "\n"
	    "[project]  # the core metadata\n"
	    "name = \"Example_Pkg\"\n"
	    "version = \"1.0.0\"\n"
	    "description = 'An example package'\n"
	    "license = {text = \"MIT\"}\n"
	    "requires-python = \">=3.8\"\n"
	    "dependencies = [\n"
	    "    \"requests[socks]>=2; python_version>'3'\",  # a comment, \"quoted\"\n"
	    "    'click',\n"
	    "    \"attrs >= 21\",\n"
	    "    \"wheel\",\n"
	    "]\n"
	    "\n"
	    "[project.optional-dependencies]\n"
	    "test = [\"pytest\"]\n"
	    "\n"
	    "[project.urls]\n"
	    "Homepage = \"https://example.org\"\n"
	    "\n"
	    "[[tool.list]]\n"
	    "name = \"not-this\"\n"
	    "[tool.other]\n"
	    "name = \"nor-this\"\n");
	check_want(f->dir, "python", 20, "has pyproject.toml");
	check_info(f->dir, "python",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s,s,s]}", "package_name",
			     "example_pkg", "version", "1.0.0", "description", "An example package",
			     "license", "Expat", "homepage", "https://example.org", "buildsystem",
			     "pybuild", "build_depends", "requests", "click", "attrs", "wheel",
			     "setuptools"));
}

static void test_pyproject_string_license_and_inline_urls(void **state)
{
	struct fix *f = *state;
	put(f->dir, "pyproject.toml",
	    "[project]\n"
	    "name = \"tool\"\n"
	    "license = \"GPL-3.0-or-later\"\n"
	    "description = \"\"\"A tool\n  over lines\"\"\"\n"
	    "urls = {homepage = \"https://tool.example\", source = \"https://git.example\"}\n"
	    "dynamic = [\"version\"]\n");
	check_info(f->dir, "python",
		   json_pack("{s:s, s:s, s:s, s:s, s:s}", "package_name", "tool", "license",
			     "GPL-3", "description", "A tool over lines", "homepage",
			     "https://tool.example", "buildsystem", "pybuild"));
}

static void test_setup_cfg_fallback(void **state)
{
	struct fix *f = *state;
	put(f->dir, "pyproject.toml",
	    "[build-system]\nrequires = [\"setuptools\"]\n[project]\nversion = \"2.0\"\n");
	put(f->dir, "setup.cfg",
	    "[options]\n"
	    "name = wrong-section\n"
	    "[metadata]\n"
	    "name = cfg-pkg\n"
	    "version = attr: cfg_pkg.__version__\n"
	    "url = https://cfg.example\n"
	    "license = BSD-3-Clause\n"
	    "description : From setup.cfg\n"
	    "long_description = file: README.md\n"
	    "classifiers =\n"
	    "    License :: OSI Approved\n");
	check_info(f->dir, "python",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "package_name", "cfg-pkg",
			     "version", "2.0", "homepage", "https://cfg.example", "license",
			     "BSD-3-clause", "description", "From setup.cfg", "buildsystem",
			     "pybuild", "build_depends", "setuptools"));
}

static void test_pkg_info_fallback(void **state)
{
	struct fix *f = *state;
	put(f->dir, "setup.py", "from setuptools import setup\nsetup()\n");
	put(f->dir, "setup.cfg", "[metadata]\nversion = 0.5\n");
	put(f->dir, "PKG-INFO",
	    "Metadata-Version: 2.1\n"
	    "Name: pkg-info-demo\n"
	    "Version: 0.4\n"
	    "Summary: Demo from PKG-INFO\n"
	    "Home-page: https://pkg.example\n"
	    "License: UNKNOWN\n"
	    "Description: a long one\n"
	    "        Name: not-a-header\n"
	    "\n"
	    "License: not-a-header-either\n");
	check_want(f->dir, "python", 20, "has setup.py");
	check_info(f->dir, "python",
		   json_pack("{s:s, s:s, s:s, s:s, s:s}", "package_name", "pkg-info-demo",
			     "version", "0.5", "description", "Demo from PKG-INFO", "homepage",
			     "https://pkg.example", "buildsystem", "pybuild"));
}

static void test_setup_py_fallback(void **state)
{
	struct fix *f = *state;
	put(f->dir, "setup.py",
	    "#!/usr/bin/env python\n"
	    "'''name='docstring' is not an argument'''\n"
	    "from setuptools import setup\n"
	    "\n"
	    "def helper(name='before-setup'):\n"
	    "    pass\n"
	    "\n"
	    "setup(\n"
	    "    name=\"demo-tool\",\n"
	    "    version = '0.3',  # the release\n"
	    "    description=\"Demo \" + \"tool\",\n"
	    "    url=r'https://demo.example',\n"
	    "    license=\"GPL-3.0-or-later\",\n"
	    "    ext_modules=[Extension(name='demo._speedups')],\n"
	    ")\n");
	check_info(f->dir, "python",
		   json_pack("{s:s, s:s, s:s, s:s, s:s}", "package_name", "demo-tool", "version",
			     "0.3", "homepage", "https://demo.example", "license", "GPL-3",
			     "buildsystem", "pybuild"));
}

/* makefile */

/* dir/name made a directory, its path in buf. */
static const char *subdir(char *buf, size_t size, const char *dir, const char *name)
{
	in(buf, size, dir, name);
	assert_int_equal(mkdir(buf, 0755), 0);
	return buf;
}

static void test_makefile_version_and_dir_name(void **state)
{
	struct fix *f = *state;
	char tree[256];
	subdir(tree, sizeof(tree), f->dir, "Foo-1.2");
	put(tree, "Makefile", "PREFIX ?= /usr/local\nall:\n\tcc -o foo foo.c\n");
	check_info(tree, "makefile",
		   json_pack("{s:s, s:s, s:s}", "package_name", "foo", "version", "1.2",
			     "buildsystem", "makefile"));
	put(tree, "Makefile",
	    "# VERSION = 0.1\n"
	    "\tVERSION = 0.2\n"
	    "VERSION := 2.0 # the release\n"
	    "version = 3.0\n"
	    "all:\n");
	check_info(tree, "makefile",
		   json_pack("{s:s, s:s, s:s}", "package_name", "foo", "version", "2.0",
			     "buildsystem", "makefile"));
}

static void test_makefile_name_assignments(void **state)
{
	struct fix *f = *state;
	char tree[256];
	subdir(tree, sizeof(tree), f->dir, "checkout");
	put(tree, "makefile",
	    "VERSION = $(shell cat VERSION)\n"
	    "NAME = $(notdir $(CURDIR))\n"
	    "PACKAGE ?= MyTool\n"
	    "version ::= 4.1\n"
	    "PROJECT = other\n");
	check_info(tree, "makefile",
		   json_pack("{s:s, s:s, s:s}", "package_name", "mytool", "version", "4.1",
			     "buildsystem", "makefile"));
	put(tree, "makefile", "all:\n");
	check_info(tree, "makefile",
		   json_pack("{s:s, s:s}", "package_name", "checkout", "buildsystem", "makefile"));
}

static void test_split_version(void **state)
{
	(void)state;
	static const struct {
		const char *name, *version;
		size_t base_len;
	} cases[] = {
		{"foo-1.2", "1.2", 3},
		{"foo-bar-2.0rc1", "2.0rc1", 7},
		{"python-3.12.1", "3.12.1", 6},
		{"gtk-3-examples", NULL, 14},
		{"gcc-4.8-runtime", NULL, 15},
		{"foo", NULL, 3},
		{"-1.0", NULL, 4},
		{"foo-1.0/x", NULL, 9},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		size_t n = 999;
		const char *v = facts_split_version(cases[i].name, &n);
		if (cases[i].version) {
			assert_non_null(v);
			assert_string_equal(v, cases[i].version);
		} else {
			assert_null(v);
		}
		assert_int_equal(n, cases[i].base_len);
	}
}

/* perl */

static void test_perl_makefile_pl(void **state)
{
	struct fix *f = *state;
	put(f->dir, "Makefile.PL",
	    "use ExtUtils::MakeMaker;\n"
	    "# NAME => 'Commented'\n"
	    "WriteMakefile(\n"
	    "    NAME         => 'Foo::Bar',\n"
	    "    VERSION      => '1.05',\n"
	    "    ABSTRACT     => \"Does foo to bars\",\n"
	    "    LICENSE      => 'perl',\n"
	    "    PREREQ_PM    => {\n"
	    "        'Test::More' => '0.88',\n"
	    "        List::Util   => 0,\n"
	    "        perl         => '5.008',\n"
	    "        'Nested'     => { x => 1 },\n"
	    "    },\n"
	    "    TEST_REQUIRES => { 'Test::More' => 0, \"Test::Deep\" => 1 },\n"
	    "    META_MERGE   => {\n"
	    "        'meta-spec' => { version => 2 },\n"
	    "        resources   => { homepage => 'https://metacpan.org/dist/Foo-Bar' },\n"
	    "    },\n"
	    ");\n"
	    "__END__\n"
	    "NAME => 'after the end'\n");
	check_want(f->dir, "perl", 20, "has Makefile.PL");
	check_info(f->dir, "perl",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s,s]}", "package_name",
			     "foo-bar", "version", "1.05", "description", "Does foo to bars",
			     "license", "Artistic", "homepage", "https://metacpan.org/dist/Foo-Bar",
			     "buildsystem", "perl_makemaker", "build_depends", "Test::More",
			     "List::Util", "Nested", "Test::Deep"));
}

static void test_perl_meta_json_and_build_pl(void **state)
{
	struct fix *f = *state;
	put(f->dir, "META.json",
	    "{\n"
	    "  \"abstract\" : \"A module for bars\",\n"
	    "  \"license\" : [ \"gpl_3\" ],\n"
	    "  \"name\" : \"Foo-Bar\",\n"
	    "  \"prereqs\" : {\n"
	    "    \"runtime\" : { \"requires\" : { \"perl\" : \"5.010\", \"Moo\" : \"2\" } },\n"
	    "    \"build\" : { \"requires\" : { \"Module::Build\" : \"0.4\" } },\n"
	    "    \"test\" : { \"recommends\" : { \"Test::Pod\" : \"0\" } }\n"
	    "  },\n"
	    "  \"resources\" : { \"homepage\" : \"https://bar.example\" },\n"
	    "  \"version\" : \"2.0\"\n"
	    "}\n");
	put(f->dir, "Build.PL",
	    "use Module::Build;\n"
	    "Module::Build->new(\n"
	    "    module_name  => 'Foo::Bar',\n"
	    "    dist_version => '9.0',\n"
	    "    requires     => { 'Moo' => 2, 'Try::Tiny' => 0 },\n"
	    "=pod\n"
	    "module_name => 'In::Pod'\n"
	    "=cut\n"
	    ")->create_build_script;\n");
	check_want(f->dir, "perl", 20, "has Build.PL");
	check_info(f->dir, "perl",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s]}", "package_name",
			     "foo-bar", "version", "2.0", "description", "A module for bars",
			     "license", "GPL-3", "homepage", "https://bar.example", "buildsystem",
			     "perl_build", "build_depends", "Module::Build", "Moo", "Try::Tiny"));
}

static void test_perl_build_pl_alone(void **state)
{
	struct fix *f = *state;
	put(f->dir, "Build.PL",
	    "Module::Build->new(module_name => 'Baz', dist_version => '0.01',\n"
	    "  license => 'mit', dist_abstract => 'Bazzes')->create_build_script;\n");
	check_info(f->dir, "perl",
		   json_pack("{s:s, s:s, s:s, s:s, s:s}", "package_name", "baz", "version", "0.01",
			     "license", "Expat", "description", "Bazzes", "buildsystem",
			     "perl_build"));
}

/* Licence files */

static const char gpl3[] = "                    GNU GENERAL PUBLIC LICENSE\n"
			   "                       Version 3, 29 June 2007\n"
			   "\n"
			   " Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>\n";
static const char expat[] = "MIT License\n\nCopyright (c) 2024 Someone\n\n"
			    "Permission is hereby granted, free of charge, to any person obtaining\n"
			    "a copy of this software\n";
static const char apache[] = "\n                                 Apache License\n"
			     "                           Version 2.0, January 2004\n";

static void test_license_files(void **state)
{
	struct fix *f = *state;
	put(f->dir, "Makefile", "all:\n");
	put(f->dir, "COPYING", gpl3);
	json_t *facts = info(f->dir, "makefile");
	assert_string_equal(json_string_value(json_object_get(facts, "license")), "GPL-3");
	json_decref(facts);

	char tree[256];
	subdir(tree, sizeof(tree), f->dir, "expat");
	put(tree, "CMakeLists.txt", "project(e)\n");
	put(tree, "COPYING", "See the file LICENSE.\n");
	put(tree, "LICENSE", expat);
	put(tree, "LICENSE.txt", gpl3);
	check_info(tree, "cmake",
		   json_pack("{s:s, s:s, s:s}", "package_name", "e", "license", "Expat",
			     "buildsystem", "cmake"));

	subdir(tree, sizeof(tree), f->dir, "apache");
	put(tree, "meson.build", "project('a')\n");
	put(tree, "LICENSE.txt", apache);
	check_info(tree, "meson",
		   json_pack("{s:s, s:s, s:s}", "package_name", "a", "license", "Apache-2.0",
			     "buildsystem", "meson"));
}

static void test_license_headings(void **state)
{
	struct fix *f = *state;
	static const struct {
		const char *text, *license;
	} cases[] = {
		{"GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n", "GPL-2"},
		{"  GNU LESSER GENERAL PUBLIC LICENSE\n  Version 2.1, February 1999\n", "LGPL-2.1"},
		{"GNU LIBRARY GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n", "LGPL-2"},
		{"GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n", "LGPL-3"},
		{"Mozilla Public License Version 2.0\n==================================\n",
		 "MPL-2.0"},
		{"Copyright (c) 2020\n\nRedistribution and use in source and binary forms, with or\n"
		 "without modification, are permitted...\n3. Neither the name of the copyright\n",
		 "BSD-3-clause"},
		{"Redistribution and use in source and binary\nforms, with or without\n",
		 "BSD-2-clause"},
		{"Permission is hereby granted,\n   free of charge, to any person\n", "Expat"},
	};
	put(f->dir, "Makefile", "NAME = x\n");
	for (size_t i = 0; i < LEN(cases); i++) {
		put(f->dir, "COPYING", cases[i].text);
		check_info(f->dir, "makefile",
			   json_pack("{s:s, s:s, s:s}", "package_name", "x", "license",
				     cases[i].license, "buildsystem", "makefile"));
	}
	/* Not a heading: past the first 40 lines, or not a licence's. */
	struct strbuf late = STRBUF_INIT;
	for (int i = 0; i < 40; i++)
		strbuf_adds(&late, "preamble\n");
	strbuf_adds(&late, gpl3);
	put(f->dir, "COPYING", late.buf);
	strbuf_release(&late);
	check_info(f->dir, "makefile",
		   json_pack("{s:s, s:s}", "package_name", "x", "buildsystem", "makefile"));
	put(f->dir, "COPYING", "under the GNU General Public License version 3\n");
	check_info(f->dir, "makefile",
		   json_pack("{s:s, s:s}", "package_name", "x", "buildsystem", "makefile"));
}

static void test_metadata_license_wins(void **state)
{
	struct fix *f = *state;
	put(f->dir, "meson.build", "project('m', license : 'MIT')\n");
	put(f->dir, "COPYING", gpl3);
	check_info(f->dir, "meson",
		   json_pack("{s:s, s:s, s:s}", "package_name", "m", "license", "Expat",
			     "buildsystem", "meson"));
}

/* Errors and what facts were set before */

static void test_unreadable_file_is_an_error(void **state)
{
	struct fix *f = *state;
	char path[256];
	/* A link to itself: there, and never readable, even by root. */
	assert_int_equal(symlink("CMakeLists.txt", in(path, sizeof(path), f->dir, "CMakeLists.txt")),
			 0);
	put(f->dir, "LICENSE", expat);
	json_t *facts = json_object();
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(
	    backend_builtin_info(backend("cmake"), f->dir, every_key, facts, &err), -1);
	assert_non_null(strstr(err.buf, "cannot read "));
	assert_non_null(strstr(err.buf, "/CMakeLists.txt: "));
	/* What could be read is reported still. */
	json_t *expected = json_pack("{s:s, s:s}", "license", "Expat", "buildsystem", "cmake");
	assert_true(json_equal(facts, expected));
	json_decref(expected);
	json_decref(facts);
	strbuf_release(&err);
}

/* An auto build asks only for buildsystem (pkg_auto.c), which the table
 * answers: no build file nor licence file is read then, and one that
 * cannot be read fails nothing. */
static void test_buildsystem_alone_reads_no_file(void **state)
{
	struct fix *f = *state;
	char path[256];
	put(f->dir, "configure", "#! /bin/sh\n");
	/* Links to themselves: there, and never readable, even by root. */
	assert_int_equal(symlink("configure.ac", in(path, sizeof(path), f->dir, "configure.ac")), 0);
	assert_int_equal(symlink("LICENSE", in(path, sizeof(path), f->dir, "LICENSE")), 0);
	static const char *const buildsystem[] = {"buildsystem", NULL};
	static const char *const addons[] = {"buildsystem", "debhelper_addons", NULL};
	static const char *const name[] = {"buildsystem", "package_name", NULL};
	const struct backend_builtin *autoconf = backend("autoconf");
	const struct backend_builtin *autoreconf = backend("autoreconf");
	struct strbuf err = STRBUF_INIT;

	json_t *facts = json_object();
	assert_int_equal(backend_builtin_info(autoconf, f->dir, buildsystem, facts, &err), 0);
	assert_string_equal(err.buf, "");
	json_t *expected = json_pack("{s:s}", "buildsystem", "autoconf");
	assert_true(json_equal(facts, expected));
	json_decref(expected);
	json_decref(facts);

	facts = json_object();
	assert_int_equal(backend_builtin_info(autoreconf, f->dir, addons, facts, &err), 0);
	assert_string_equal(err.buf, "");
	expected = json_pack("{s:s, s:s}", "buildsystem", "autoconf", "debhelper_addons",
			     "autoreconf");
	assert_true(json_equal(facts, expected));
	json_decref(expected);
	json_decref(facts);

	/* Another key has them read, and says which cannot be. */
	facts = json_object();
	assert_int_equal(backend_builtin_info(autoconf, f->dir, name, facts, &err), -1);
	assert_non_null(strstr(err.buf, "/configure.ac: "));
	assert_non_null(strstr(err.buf, "/LICENSE: "));
	json_decref(facts);
	strbuf_release(&err);
}

static void test_keys_already_set_are_kept(void **state)
{
	struct fix *f = *state;
	put(f->dir, "meson.build", "project('m', version : '1.0')\ndependency('zlib')\n");
	json_t *facts = json_pack("{s:s, s:[s]}", "version", "given", "build_depends", "first");
	struct strbuf err = STRBUF_INIT;
	assert_int_equal(backend_builtin_info(backend("meson"), f->dir, every_key, facts, &err), 0);
	json_t *expected = json_pack("{s:s, s:s, s:[s,s], s:s}", "version", "given", "package_name",
				     "m", "build_depends", "first", "zlib", "buildsystem", "meson");
	assert_true(json_equal(facts, expected));
	json_decref(expected);
	json_decref(facts);
	strbuf_release(&err);
}

static void test_values_are_utf8_lines(void **state)
{
	struct fix *f = *state;
	put(f->dir, "meson.build",
	    "project('\xff\xfe', version : '1.0')\n"
	    "dependency('caf\xc3\xa9')\n"
	    "dependency('\xc3')\n");
	check_info(f->dir, "meson",
		   json_pack("{s:s, s:s, s:[s]}", "version", "1.0", "buildsystem", "meson",
			     "build_depends", "caf\xc3\xa9"));
	put(f->dir, "CMakeLists.txt",
	    "project(x DESCRIPTION \"one\n\ttwo\r\n   three\")\n");
	check_info(f->dir, "cmake",
		   json_pack("{s:s, s:s, s:s}", "package_name", "x", "description",
			     "one two three", "buildsystem", "cmake"));
}

static void test_nul_ends_the_text(void **state)
{
	struct fix *f = *state;
	static const char text[] = "AC_INIT([a], [1.0])\n\0PKG_CHECK_MODULES([X], [hidden])\n";
	put_bytes(f->dir, "configure.ac", text, sizeof(text) - 1);
	check_info(f->dir, "autoconf",
		   json_pack("{s:s, s:s, s:s}", "package_name", "a", "version", "1.0",
			     "buildsystem", "autoconf"));
}

static void test_depends_are_capped(void **state)
{
	struct fix *f = *state;
	struct strbuf text = STRBUF_INIT;
	strbuf_adds(&text, "PKG_CHECK_MODULES([X], [");
	for (int i = 0; i < 100000; i++)
		strbuf_addf(&text, "mod%d >= 1.%d ", i, i);
	strbuf_adds(&text, "])\n");
	put(f->dir, "configure.ac", text.buf);
	strbuf_release(&text);
	json_t *facts = info(f->dir, "autoconf");
	json_t *deps = json_object_get(facts, "build_depends");
	assert_int_equal(json_array_size(deps), FACTS_MAX_DEPENDS);
	assert_string_equal(json_string_value(json_array_get(deps, 0)), "mod0");
	assert_string_equal(json_string_value(json_array_get(deps, FACTS_MAX_DEPENDS - 1)),
			    "mod255");
	json_decref(facts);
}

/* Garbage */

/* Every file a reader reads (the first of those read one in place of another). */
static const char *const read_files[] = {
	"configure.ac", "configure",  "CMakeLists.txt", "meson.build", "GNUmakefile",
	"pyproject.toml", "setup.cfg", "PKG-INFO",      "setup.py",    "META.json",
	"Build.PL",     "Makefile.PL", "COPYING",
};

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The files read first, and the ones read in their place when they are
 * not there: the second garbage pass puts the data in these. */
static const char *const first_choices[] = {"GNUmakefile", "configure.ac", "COPYING"};
static const char *const second_choices[] = {"Makefile", "configure.in", "LICENSE"};

/* Runs every backend's want and info on dir: want must give a score and
 * say why, info must return 0 and set buildsystem, whatever the data; in
 * a time that shows no quadratic work on a megabyte.  The makefile
 * backend must have found its marker: the pass's own first file. */
static void run_backends(const char *dir, const char *what, const char *makefile)
{
	size_t n;
	const struct backend_builtin *b = backend_builtins(&n);
	double t = seconds();
	for (size_t i = 0; i < n; i++) {
		struct strbuf why = STRBUF_INIT;
		int score = backend_builtin_want(&b[i], dir, &why);
		if (score < 0 || !why.len)
			fail_msg("%s want on %s: %d \"%s\"", b[i].name, what, score, why.buf);
		strbuf_release(&why);
		json_t *facts = json_object();
		struct strbuf err = STRBUF_INIT;
		if (backend_builtin_info(&b[i], dir, every_key, facts, &err) != 0)
			fail_msg("%s on %s: %s", b[i].name, what, err.buf);
		assert_true(json_is_string(json_object_get(facts, "buildsystem")));
		json_decref(facts);
		strbuf_release(&err);
	}
	t = seconds() - t;
	if (t > 10)
		fail_msg("%s took %.1f s", what, t);
	char reason[64];
	snprintf(reason, sizeof(reason), "has %s", makefile);
	check_want(dir, "makefile", 10, reason);
}

/* Puts data in every file read and runs the backends; then again with
 * the first-choice files gone and the data in the ones read in their
 * place, which go afterwards. */
static void run_on_garbage(const char *dir, const char *what, const void *data, size_t len)
{
	for (size_t i = 0; i < LEN(read_files); i++)
		put_bytes(dir, read_files[i], data, len);
	run_backends(dir, what, "GNUmakefile");
	char path[256];
	for (size_t i = 0; i < LEN(first_choices); i++) {
		assert_int_equal(unlink(in(path, sizeof(path), dir, first_choices[i])), 0);
		put_bytes(dir, second_choices[i], data, len);
	}
	run_backends(dir, what, "Makefile");
	for (size_t i = 0; i < LEN(second_choices); i++)
		assert_int_equal(unlink(in(path, sizeof(path), dir, second_choices[i])), 0);
}

static void test_garbage_small(void **state)
{
	struct fix *f = *state;
	static const char *const cases[] = {
		"",
		"\n",
		"AC_INIT([foo, [1.0]\n",
		"AC_INIT([foo], [1.0]",
		"AC_INIT(",
		"AC_INIT)(][",
		"PKG_CHECK_MODULES([X], [>= >= 1",
		"PKG_CHECK_MODULES([X], [>=])",
		"PKG_CHECK_EXISTS",
		"project(",
		"project(\"x",
		"project(x VERSION",
		"project([[x",
		"project([=[x]]",
		"#[[",
		"#[==[ ]=]",
		"pkg_check_modules(",
		"pkg_check_modules(P REQUIRED",
		"find_package()",
		"project('x",
		"project('''",
		"project(version :",
		"project(license : [",
		"dependency(",
		"dependency(:",
		"dependency('z', version: '>=1'])\nx",
		"project('a', }",
		"[project",
		"[project]\nname = \"x",
		"[project]\nname = '''x",
		"[project]\ndependencies = [\"a\", [\"b\", {",
		"[project]\nlicense = {text = ",
		"[project]\nlicense = {text = \"MIT",
		"[project]\nlicense = {= \"x\"}\n=\n= =\n[[\n[]\n",
		"[metadata]\nname\nname=\n=x\n",
		"Name:\n:\nVersion",
		"setup(name=",
		"setup(name='x",
		"setup(name=\"\"\"",
		"setup",
		"NAME => '",
		"NAME =>",
		"PREREQ_PM => {",
		"PREREQ_PM => { 'a' => { 'b' =>",
		"=pod\nNAME => 'x'\n",
		"{\"name\": \"x\", \"license\": [], \"prereqs\": {\"build\": []}}",
		"{\"name\": 1, \"license\": {}, \"resources\": \"x\", \"version\": null}",
		"VERSION",
		"VERSION =",
		"VERSION ?",
		"NAME ::",
		"PACKAGE_VERSION='",
		"PACKAGE_VERSION=",
		"\\",
		"'\"'\"'\"",
		"\xff\xfe\xfd",
	};
	for (size_t i = 0; i < LEN(cases); i++)
		run_on_garbage(f->dir, cases[i], cases[i], strlen(cases[i]));
}

static void test_garbage_binary(void **state)
{
	struct fix *f = *state;
	enum { SIZE = 1 << 16 };
	unsigned char *data = malloc(SIZE);
	assert_non_null(data);
	/* A fixed generator: the same bytes each run. */
	uint32_t x = 2463534242u;
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < SIZE; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Half the rounds without NUL bytes, so they are read
			 * whole; the bytes the scanners look at made common. */
			static const char hot[] = "()[]{}'\"#=:,>\\\n \tAC_INITproject";
			unsigned char c = (unsigned char)x;
			if (round % 2)
				c = c % 3 ? (unsigned char)hot[c % (sizeof(hot) - 1)] : (c | 1);
			data[i] = c;
		}
		run_on_garbage(f->dir, "binary", data, SIZE);
	}
	free(data);
}

/* A megabyte of text after each of a few openings, each of which leaves
 * something unclosed or starts a scan that must stay linear. */
static void test_garbage_megabyte(void **state)
{
	struct fix *f = *state;
	static const struct {
		const char *head, *fill;
	} cases[] = {
		{"", "a"},
		{"AC_INIT([", "a"},
		{"", "PKG_CHECK_EXISTS("},
		{"", "AC_INIT(["},
		{"PKG_CHECK_MODULES([X], [", "m "},
		{"", "project("},
		{"", "("},
		{"", "["},
		{"", "{"},
		{"", "'"},
		{"", "\""},
		{"", "#[["},
		{"", "]"},
		{"", "x => "},
		{"", "x => {"},
		{"", "setup(name="},
		{"", "dependency('"},
		{"", "a = ["},
		{"[project]\ndependencies = [", "\"a\","},
		{"", "\n=pod\n"},
		{"", "=pod\n=cut\n"},
		{"", "VERSION = 1\n"},
		{"", "'''"},
		{"", "[[=["},
	};
	enum { SIZE = 1 << 20 };
	struct strbuf text = STRBUF_INIT;
	for (size_t i = 0; i < LEN(cases); i++) {
		strbuf_reset(&text);
		strbuf_adds(&text, cases[i].head);
		while (text.len < SIZE)
			strbuf_adds(&text, cases[i].fill);
		char what[64];
		snprintf(what, sizeof(what), "1 MB of \"%s\" after \"%.20s\"", cases[i].fill,
			 cases[i].head);
		run_on_garbage(f->dir, what, text.buf, text.len);
	}
	strbuf_release(&text);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_sorted),
		T(test_no_markers),
		T(test_markers_are_files),
		T(test_configure_goes_to_autoconf),
		T(test_autoreconf_needs_configure_ac_and_makefile_am),
		T(test_autoreconf_takes_configure_in),
		T(test_makefile_markers),
		T(test_autoconf_gnu_name),
		T(test_autoconf_multiline_init_and_modules),
		T(test_autoconf_macro_version_is_left_unset),
		T(test_autoconf_bare_arguments),
		T(test_autoconf_generated_configure),
		T(test_autoconf_configure_fills_in),
		T(test_cmake_project_and_packages),
		T(test_cmake_old_project_form),
		T(test_meson_project_and_dependencies),
		T(test_meson_license_names),
		T(test_meson_computed_version),
		T(test_pyproject),
		T(test_pyproject_string_license_and_inline_urls),
		T(test_setup_cfg_fallback),
		T(test_pkg_info_fallback),
		T(test_setup_py_fallback),
		T(test_makefile_version_and_dir_name),
		T(test_makefile_name_assignments),
		cmocka_unit_test(test_split_version),
		T(test_perl_makefile_pl),
		T(test_perl_meta_json_and_build_pl),
		T(test_perl_build_pl_alone),
		T(test_license_files),
		T(test_license_headings),
		T(test_metadata_license_wins),
		T(test_unreadable_file_is_an_error),
		T(test_buildsystem_alone_reads_no_file),
		T(test_keys_already_set_are_kept),
		T(test_values_are_utf8_lines),
		T(test_nul_ends_the_text),
		T(test_depends_are_capped),
		T(test_garbage_small),
		T(test_garbage_binary),
		T(test_garbage_megabyte),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
