/*
 * backend_builtin: the backends written in C (issue 8), beside the external
 * ones of backend.h, which speak pkgme's script protocol.  Each scores a
 * source tree from an ordered table of marker files, as debhelper, Spack
 * and ognibuild do (research/pkgme.md §7), with the seed's scale: 10 a
 * generic backend (makefile), 20 one specific to a build system (autoconf,
 * autoreconf, cmake, meson, python, perl), 30 a highly specialised one
 * (none yet).  A tree several of them want goes to the highest score, ties
 * to the lowest name (backend.h).
 *
 * Only the top directory of the tree is looked at.  What each reports
 * comes from the tree's own build files (facts.h).  Nothing here runs a
 * child process: a built-in backend only reads files.  The table is
 * static: nothing here is allocated.
 */
#ifndef MINIMERGE_BACKEND_BUILTIN_H
#define MINIMERGE_BACKEND_BUILTIN_H

#include "../lib/strbuf.h"

#include <jansson.h>
#include <stddef.h>

struct backend_builtin {
	const char *name;
	int score; /* what want gives a tree the backend wants */
	/* The files that make the backend want a tree, tried in order, up
	 * to a NULL. */
	const char *const *markers;
	/* NULL, or debhelper's build system for a tree with markers[i] at
	 * [i] (perl: Build.PL's is perl_build); else it is buildsystem. */
	const char *const *marker_buildsystems;
	const char *absent; /* want's reason when no marker is there */
	/* The reader of the backend's build files (facts.h). */
	int (*facts)(const char *dir, json_t *facts, struct strbuf *err);
	const char *buildsystem; /* debhelper's name for the build system */
	const char *addons;      /* "debhelper_addons", or NULL */
	/* NULL, or what backend_builtin_want asks in the place of the
	 * markers (autoreconf: two files and the lack of a third). */
	int (*want)(const struct backend_builtin *b, const char *dir, struct strbuf *reason);
};

/* The built-in backends, sorted by name; *n gets how many. */
const struct backend_builtin *backend_builtins(size_t *n);

/* The score b gives the tree at dir (0: b does not want it), with why in
 * reason (appended): what it found ("has CMakeLists.txt"), or why it does
 * not want the tree ("no CMakeLists.txt"). */
int backend_builtin_want(const struct backend_builtin *b, const char *dir, struct strbuf *reason);

/* Sets in facts (a JSON object) "buildsystem", debhelper's name for the
 * build system (with "debhelper_addons" where one is needed: autoreconf),
 * and, when keys (NULL-ended, the keys asked for) has one but those two,
 * what the tree at dir says (facts.h) and the licence from a licence file
 * when the build files name none: a build that asks only for buildsystem
 * reads no file.  Every key found is set, asked or not.  0, or -1 with why
 * appended to err (naming the file) when a file that is there cannot be
 * read; what the others said is set still.  A malformed file is no error:
 * it only says less. */
int backend_builtin_info(const struct backend_builtin *b, const char *dir,
			 const char *const *keys, json_t *facts, struct strbuf *err);

#endif
