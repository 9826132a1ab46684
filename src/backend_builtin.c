/* The built-in backends (backend_builtin.h): each a table of marker files,
 * a facts reader (facts.h) and debhelper's name for its build system. */
#include "backend_builtin.h"

#include "facts.h"

enum { MARKERS = 3 };

struct builtin {
	int score;
	/* The files that make the backend want a tree, tried in order, each
	 * with debhelper's build system when it is not the backend's own. */
	struct {
		const char *file, *buildsystem;
	} markers[MARKERS];
	const char *absent; /* the reason when no marker is there */
	int (*facts)(const char *dir, json_t *facts, struct strbuf *err);
	const char *buildsystem;
	const char *addons; /* debhelper_addons, or NULL */
};

/* The first of b's markers that dir has, or -1. */
static int marker(const struct builtin *b, const char *dir)
{
	for (int i = 0; i < MARKERS && b->markers[i].file; i++) {
		if (facts_has_file(dir, b->markers[i].file))
			return i;
	}
	return -1;
}

static int want(const struct builtin *b, const char *dir, struct strbuf *reason)
{
	int m = marker(b, dir);
	if (m < 0) {
		strbuf_adds(reason, b->absent);
		return 0;
	}
	strbuf_addf(reason, "has %s", b->markers[m].file);
	return b->score;
}

static int info(const struct builtin *b, const char *dir, json_t *facts, struct strbuf *err)
{
	int rc = b->facts(dir, facts, err);
	if (facts_license_files(dir, facts, err) < 0)
		rc = -1;
	int m = marker(b, dir);
	const char *buildsystem = m >= 0 && b->markers[m].buildsystem ? b->markers[m].buildsystem
								       : b->buildsystem;
	json_object_set_new(facts, "buildsystem", json_string(buildsystem));
	if (b->addons)
		json_object_set_new(facts, "debhelper_addons", json_string(b->addons));
	return rc;
}

static const struct builtin autoconf = {
	.score = 20,
	.markers = {{.file = "configure"}},
	.absent = "no configure script",
	.facts = facts_autoconf,
	.buildsystem = "autoconf",
};
/* Its markers are two files and the lack of one: want_autoreconf. */
static const struct builtin autoreconf = {
	.score = 20,
	.facts = facts_autoconf,
	.buildsystem = "autoconf",
	.addons = "autoreconf",
};
static const struct builtin cmake = {
	.score = 20,
	.markers = {{.file = "CMakeLists.txt"}},
	.absent = "no CMakeLists.txt",
	.facts = facts_cmake,
	.buildsystem = "cmake",
};
static const struct builtin makefile = {
	.score = 10,
	.markers = {{.file = "GNUmakefile"}, {.file = "makefile"}, {.file = "Makefile"}},
	.absent = "no Makefile",
	.facts = facts_makefile,
	.buildsystem = "makefile",
};
static const struct builtin meson = {
	.score = 20,
	.markers = {{.file = "meson.build"}},
	.absent = "no meson.build",
	.facts = facts_meson,
	.buildsystem = "meson",
};
static const struct builtin perl = {
	.score = 20,
	.markers = {{"Build.PL", "perl_build"}, {"Makefile.PL", "perl_makemaker"}},
	.absent = "no Build.PL or Makefile.PL",
	.facts = facts_perl,
	.buildsystem = "perl_makemaker",
};
static const struct builtin python = {
	.score = 20,
	.markers = {{.file = "pyproject.toml"}, {.file = "setup.py"}},
	.absent = "no pyproject.toml or setup.py",
	.facts = facts_python,
	.buildsystem = "pybuild",
};

/* A tree autoconf's tools make a configure script for; one that has the
 * script already goes to the autoconf backend, as debmake does it
 * (research/pkgme.md §7). */
static int want_autoreconf(const char *dir, struct strbuf *reason)
{
	if (facts_has_file(dir, "configure")) {
		strbuf_adds(reason, "has a configure script: the autoconf backend builds it");
		return 0;
	}
	const char *ac = facts_has_file(dir, "configure.ac")   ? "configure.ac"
			 : facts_has_file(dir, "configure.in") ? "configure.in"
							       : NULL;
	if (!ac) {
		strbuf_adds(reason, "no configure.ac");
		return 0;
	}
	if (!facts_has_file(dir, "Makefile.am")) {
		strbuf_adds(reason, "no Makefile.am");
		return 0;
	}
	strbuf_addf(reason, "has %s and Makefile.am", ac);
	return autoreconf.score;
}

/* The API's functions take no context: one pair a backend. */
#define BUILTIN_WANT(b)                                             \
	static int want_##b(const char *dir, struct strbuf *reason) \
	{                                                           \
		return want(&b, dir, reason);                       \
	}
#define BUILTIN_INFO(b)                                                          \
	static int info_##b(const char *dir, json_t *facts, struct strbuf *err) \
	{                                                                        \
		return info(&b, dir, facts, err);                                \
	}
BUILTIN_WANT(autoconf)
BUILTIN_WANT(cmake)
BUILTIN_WANT(makefile)
BUILTIN_WANT(meson)
BUILTIN_WANT(perl)
BUILTIN_WANT(python)
BUILTIN_INFO(autoconf)
BUILTIN_INFO(autoreconf)
BUILTIN_INFO(cmake)
BUILTIN_INFO(makefile)
BUILTIN_INFO(meson)
BUILTIN_INFO(perl)
BUILTIN_INFO(python)

static const struct backend_builtin builtins[] = {
	{"autoconf", want_autoconf, info_autoconf},
	{"autoreconf", want_autoreconf, info_autoreconf},
	{"cmake", want_cmake, info_cmake},
	{"makefile", want_makefile, info_makefile},
	{"meson", want_meson, info_meson},
	{"perl", want_perl, info_perl},
	{"python", want_python, info_python},
};

const struct backend_builtin *backend_builtins(size_t *n)
{
	*n = sizeof(builtins) / sizeof(*builtins);
	return builtins;
}
