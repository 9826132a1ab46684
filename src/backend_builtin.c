/* The built-in backends (backend_builtin.h): a table of marker files, a
 * facts reader (facts.h) and debhelper's name for the build system, and
 * the two functions that read it. */
#include "backend_builtin.h"

#include "facts.h"

#include <stdbool.h>
#include <string.h>

/* The first of b's markers that dir has, or -1. */
static int marker(const struct backend_builtin *b, const char *dir)
{
	for (int i = 0; b->markers && b->markers[i]; i++) {
		if (facts_has_file(dir, b->markers[i]))
			return i;
	}
	return -1;
}

/* A tree autoconf's tools make a configure script for; one that has the
 * script already goes to the autoconf backend, as debmake does it
 * (research/pkgme.md §7). */
static int want_autoreconf(const struct backend_builtin *b, const char *dir,
			   struct strbuf *reason)
{
	if (facts_has_file(dir, "configure")) {
		strbuf_adds(reason, "has a configure script: the autoconf backend builds it");
		return 0;
	}
	const char *const *ac = facts_autoconf_inputs;
	while (*ac && !facts_has_file(dir, *ac))
		ac++;
	if (!*ac) {
		strbuf_adds(reason, "no configure.ac");
		return 0;
	}
	if (!facts_has_file(dir, "Makefile.am")) {
		strbuf_adds(reason, "no Makefile.am");
		return 0;
	}
	strbuf_addf(reason, "has %s and Makefile.am", *ac);
	return b->score;
}

static const struct backend_builtin builtins[] = {
	{
		.name = "autoconf",
		.score = 20,
		.markers = (const char *const[]){"configure", NULL},
		.absent = "no configure script",
		.facts = facts_autoconf,
		.buildsystem = "autoconf",
	},
	{
		.name = "autoreconf",
		.score = 20,
		.facts = facts_autoconf,
		.buildsystem = "autoconf",
		.addons = "autoreconf",
		.want = want_autoreconf,
	},
	{
		.name = "cmake",
		.score = 20,
		.markers = (const char *const[]){"CMakeLists.txt", NULL},
		.absent = "no CMakeLists.txt",
		.facts = facts_cmake,
		.buildsystem = "cmake",
	},
	{
		.name = "makefile",
		.score = 10,
		.markers = facts_makefiles,
		.absent = "no Makefile",
		.facts = facts_makefile,
		.buildsystem = "makefile",
	},
	{
		.name = "meson",
		.score = 20,
		.markers = (const char *const[]){"meson.build", NULL},
		.absent = "no meson.build",
		.facts = facts_meson,
		.buildsystem = "meson",
	},
	{
		.name = "perl",
		.score = 20,
		.markers = (const char *const[]){"Build.PL", "Makefile.PL", NULL},
		.marker_buildsystems = (const char *const[]){"perl_build", "perl_makemaker"},
		.absent = "no Build.PL or Makefile.PL",
		.facts = facts_perl,
		.buildsystem = "perl_makemaker",
	},
	{
		.name = "python",
		.score = 20,
		.markers = (const char *const[]){"pyproject.toml", "setup.py", NULL},
		.absent = "no pyproject.toml or setup.py",
		.facts = facts_python,
		.buildsystem = "pybuild",
	},
};

const struct backend_builtin *backend_builtins(size_t *n)
{
	*n = sizeof(builtins) / sizeof(*builtins);
	return builtins;
}

int backend_builtin_want(const struct backend_builtin *b, const char *dir, struct strbuf *reason)
{
	if (b->want)
		return b->want(b, dir, reason);
	int m = marker(b, dir);
	if (m < 0) {
		strbuf_adds(reason, b->absent);
		return 0;
	}
	strbuf_addf(reason, "has %s", b->markers[m]);
	return b->score;
}

/* Whether one of keys is for the tree's files to answer: one but the two
 * the table does. */
static bool asks_files(const char *const *keys)
{
	for (; *keys; keys++) {
		if (strcmp(*keys, "buildsystem") && strcmp(*keys, "debhelper_addons"))
			return true;
	}
	return false;
}

int backend_builtin_info(const struct backend_builtin *b, const char *dir,
			 const char *const *keys, json_t *facts, struct strbuf *err)
{
	int rc = 0;
	if (asks_files(keys)) {
		rc = b->facts(dir, facts, err);
		if (facts_license_files(dir, facts, err) < 0)
			rc = -1;
	}
	/* Only a backend whose markers name build systems of their own
	 * looks for its marker again. */
	int m = b->marker_buildsystems ? marker(b, dir) : -1;
	const char *buildsystem = m >= 0 ? b->marker_buildsystems[m] : b->buildsystem;
	json_object_set_new(facts, "buildsystem", json_string(buildsystem));
	if (b->addons)
		json_object_set_new(facts, "debhelper_addons", json_string(b->addons));
	return rc;
}
