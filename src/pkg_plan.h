/*
 * pkg_plan: packages become actions (DESIGN §2, plan).  Each package that
 * builds expands into `fetch`, `build` and `install` actions of the kinds
 * defined here (a meta- package into none); a build needs its package's
 * fetch and the install of every package its package depends on (through
 * meta- packages), an install its build.  A package whose install method
 * is buildout has no build: its fetch brings its config's parts
 * (pkg_buildout.h), which need those installs, and its install runs after
 * its fetch and needs the parts.
 *
 * Where things go (DESIGN §6): a package's home is <root>/<category>/<name>,
 * its install prefix <home>/parts/part and its build directory
 * <home>/parts/build, both left out of a source tree that is the home.
 *
 * Memory: the plan's data lives in the graph's arena and the pkgdb's, and
 * is read, not written, by the worker threads.
 */
#ifndef MINIMERGE_PKG_PLAN_H
#define MINIMERGE_PKG_PLAN_H

#include "pkgdb.h"

#include "../cache/store.h"
#include "../graph/graph.h"
#include "../lib/hash.h"

#include <stdbool.h>
#include <stdint.h>

struct backend_set;
struct pkg_buildout;

struct plan {
	struct pkgdb *db;
	struct store *store; /* for the stat cache and source manifests; NULL: only
			      * the graph is wanted, not a run */
	struct graph graph;
	int jobs;            /* -j: MAKEFLAGS for the builds' own make */
	const char *downloads; /* <root>/downloads: the download cache */
	bool offline;          /* fetch from the download cache only */
	bool update;           /* -u: checkouts ask their remote */
	bool dry_run;          /* nothing is made: not even a buildout's directories */
	/* The fetch actions alone, each run unless its source is in place
	 * (not intermediate, as they are in a whole install). */
	bool fetch_only;
	long stall_seconds;    /* a download that stalls this long is retried */
	uint64_t unpack_limit; /* the most bytes an archive may unpack to */
	bool have_compiler;
	struct hash128 compiler; /* the C compiler's identity, found once when a
				  * package builds with cmmi */
	char *compiler_text;
	struct backend_set *backends; /* found when a package builds with auto */
	struct hash128 backends_identity; /* backend_set_identity of backends */
	/* "env:NAME" and the value of each of build_env_inputs, read once:
	 * every build and install has them as inputs. */
	const char **env_names, **env_values;
	size_t nenv;
	void **owned; /* other allocations of the plan, to free */
	size_t nowned, capowned;
	struct pkg_buildout **buildouts; /* of buildout packages whose parts are known */
	size_t nbuildouts, capbuildouts;
};

/* Adds the actions of the packages (in install order) to plan->graph.
 * targets are marked forced when force is set.  0 or -1 (reported: a
 * package that cannot be built yet, or is misplaced). */
int plan_packages(struct plan *p, struct pkg **order, size_t n, bool force_targets);
/* Offline, after a dry run of plan->graph: reports, one error each, every
 * fetch that would run and has nothing to work from (a download not in
 * the download cache, a checkout not there).  Returns how many. */
size_t plan_report_offline_misses(const struct plan *p);

void plan_free(struct plan *p);

#endif
