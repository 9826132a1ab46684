/*
 * pkgdb: the packages of a root.  It reads <root>/etc/minimerge.cfg (the
 * minilays, [minitage.variables], [versions], allow-picked-versions), finds
 * the minilays, resolves names to minibuilds (an exact file name, else the
 * pinned or the highest version of a base name), loads what targets need and
 * orders it with graph/dag.
 */
#ifndef MINIMERGE_PKGDB_H
#define MINIMERGE_PKGDB_H

#include "cfg_parse.h"
#include "minibuild.h"
#include "minilay.h"

#include "../graph/dag.h"
#include "../lib/ahead.h"
#include "../lib/arena.h"
#include "../lib/hmap.h"
#include "../lib/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

enum pkg_choice {
	PKG_NAMED,  /* asked for by its exact name */
	PKG_PINNED, /* a base name, its version from [versions] */
	PKG_PICKED, /* a base name, the highest version found */
};

struct pkg {
	struct minibuild mb;
	size_t node; /* in the pkgdb's dag */
	enum pkg_choice choice;
	const char *requested_as; /* the base name, when pinned or picked */
	struct pkg **deps;        /* resolved dependencies, in order */
	size_t ndeps;
	bool deps_loaded;
	bool target; /* named on the command line (pkgsel) */
};

/* A minibuild the thread of pkgdb_load_ahead_all loaded. */
struct pkgdb_loaded {
	struct minibuild mb;
	int rc;              /* minibuild_load's */
	struct strbuf diags; /* its messages, written when the caller takes it */
};

struct pkgdb {
	struct arena arena;
	const char *root;
	const char *cfg_path; /* <root>/etc/minimerge.cfg, read if it exists */
	struct cfg_file cfg;
	struct hmap variables;
	struct minibuild_context ctx;
	struct minilays minilays;
	struct hmap pkgs;    /* name -> struct pkg, loaded */
	struct pkg **bynode; /* node -> pkg */
	size_t npkgs, cappkgs;
	struct dag dag;
	/* With pkgdb_load_ahead_all, a thread loads minibuilds from the last
	 * up while the caller loads from the first (NULL: not started, or it
	 * could not start); what it loads is in ahead_loaded, by file index,
	 * its strings in ahead_arena. */
	struct ahead *ahead;
	struct pkgdb_loaded *ahead_loaded;
	struct arena ahead_arena;
	/* pkgdb_installed lists each category directory once: "category" for
	 * those listed, "category/name" for each directory in them (or link
	 * to one). */
	struct hmap installed;
};

/* Finds the root and reads its settings and minilays.  0 or -1 (reported).
 * Call pkgdb_close either way. */
int pkgdb_open(struct pkgdb *db);
void pkgdb_close(struct pkgdb *db);

/* The package a name stands for, loaded (not its dependencies).  where and
 * line say who asked, for the error.  NULL (reported) if none. */
struct pkg *pkgdb_resolve(struct pkgdb *db, const char *name, const char *where, int line);

/* The value of an option of <root>/etc/minimerge.cfg ([minimerge]
 * offline, ...), or NULL; *line (if line) is where it is set. */
const char *pkgdb_setting(const struct pkgdb *db, const char *section, const char *name,
			  int *line);

/* For a caller that loads every minibuild of the minilays in file order:
 * a thread loads them from the other end.  (Reading ahead a package's
 * dependencies as an install finds them was measured slower: the handoffs
 * cost more than the reads.) */
void pkgdb_load_ahead_all(struct pkgdb *db);

/* Loads everything the packages need, transitively.  0 or -1 (reported). */
int pkgdb_load_needs(struct pkgdb *db, struct pkg **pkgs, size_t n);

/* The packages the roots need and the roots, needs first.  A cycle is an
 * error naming it.  The caller frees *order.  0 or -1 (reported). */
int pkgdb_order(struct pkgdb *db, struct pkg **roots, size_t n, struct pkg ***order,
		size_t *norder);

/* With allow-picked-versions = false, every pick is an error; lists them
 * all.  0 or -1 (reported). */
int pkgdb_check_picks(struct pkgdb *db);

/* Whether the package is installed: <root>/<category>/<name> exists. */
bool pkgdb_installed(struct pkgdb *db, const struct pkg *p);

#endif
