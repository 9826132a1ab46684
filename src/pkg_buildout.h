/*
 * pkg_buildout: a package whose install method is buildout, installed the
 * minitage way.  Once its source is on disk, the config it holds
 * (buildout_config, default buildout.cfg) is read with buildout:directory
 * set to the package's home, and its parts (those of buildout_parts when
 * given, as `buildout install PART...`; else [buildout] parts) join the
 * graph between the package's fetch and its install: each part needs the
 * installs of the package's dependencies and sees their prefixes
 * (build_env.h); the install needs every part.  A part that left the
 * config is uninstalled before the parts and the install run, as buildout
 * does (graph_add_order: no input of their keys).  Parts are named
 * `part cat/pkg:NAME`, their uninstalls `uninstall cat/pkg:NAME`.
 *
 * Memory: the config and the parts' plan live until pkg_buildout_free;
 * the graph's actions point into them.
 */
#ifndef MINIMERGE_PKG_BUILDOUT_H
#define MINIMERGE_PKG_BUILDOUT_H

#include "recipe.h"

#include "../cache/store.h"
#include "../graph/graph.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pkg_buildout_options {
	const char *config;    /* the config's path */
	const char *directory; /* the package's home: buildout:directory */
	const char *scope;     /* "cat/pkg:" */
	char *const *only;     /* buildout_parts, or NULL: [buildout] parts */
	size_t nonly;
	struct store *store;
	/* The install's settings: the root's download cache, offline, the
	 * limits, -j, and the environment with the dependencies' prefixes. */
	struct recipe_buildout run;
	bool make_directories; /* bin/ and parts/, as buildout makes them: not in a dry run */
};

struct pkg_buildout;

/* Nothing is read yet.  The options' strings must outlive it. */
struct pkg_buildout *pkg_buildout_new(const struct pkg_buildout_options *o);
/* Reads the config and adds its parts to g: each needs what install needs
 * (the dependencies' installs; not what it only runs after, its fetch);
 * install needs each part.  Once: a later call adds nothing and returns
 * what the first returned.  0 or -1 (reported: the config's file and
 * line). */
int pkg_buildout_reveal(struct pkg_buildout *b, struct graph *g, struct graph_action *install);
void pkg_buildout_free(struct pkg_buildout *b);

#endif
