/*
 * part_plan: a buildout config's parts become actions (DESIGN §2, plan).
 * Each part is one `part` action; a part needs every part it refers to
 * through ${section:option} (directly, or through sections that are not
 * parts) and those of its <part-dependencies>, so parts with no edge
 * between them run in parallel.  A part installed before and no longer
 * wanted becomes an `uninstall` action that every part runs after
 * (graph_add_order): buildout uninstalls before it installs, and an
 * uninstall is no input of the parts' keys.
 *
 * A part's key: its recipe and the recipe's version (a built-in's, or an
 * external program's content), every resolved option, what the recipe adds
 * (a template's text), and the outputs of the parts it needs.  The same key
 * and its recorded paths intact: skipped.  Otherwise its run uninstalls
 * what the part installed before (part_state.h) and installs it anew.  A
 * part whose recipe has an update (a command's update-command) runs each
 * time: unchanged, it is updated.  run-once (gs.recipe.base) locks a part
 * after its install with <buildout:directory>/var/<part>.cfg.
 *
 * Memory: the plan's data lives in its arena; worker threads read it and
 * write nothing but the store and their own results.
 */
#ifndef MINIMERGE_PART_PLAN_H
#define MINIMERGE_PART_PLAN_H

#include "cfg.h"
#include "recipe.h"
#include "versionmap.h"

#include "../cache/store.h"
#include "../graph/graph.h"
#include "../lib/arena.h"
#include "../lib/hmap.h"

#include <stdbool.h>

struct part_plan {
	struct graph *graph;
	struct store *store;
	struct arena arena;
	/* Between "part " and the part's name in identities: "" for a
	 * config run on its own. */
	const char *scope;
	struct cfg *cfg;                 /* part_plan_read's */
	struct recipe_buildout buildout; /* the run's settings: the caller's */
	/* The versions section (buildout:versions), resolved, sorted by name;
	 * none when it is empty. */
	struct recipe_option *pins;
	size_t npins;
	struct hmap pin_by_name; /* lower-cased name -> value, as buildout looks */
	/* The parts the store says are installed, by name: read once. */
	struct hmap installed;
};

/* Reads the config as a buildout run does (load's file, user defaults and
 * assignments; [buildout] checked; with all_parts, every part of [buildout]
 * parts initialized) and fills pp->buildout's directories and options and
 * pp->pins from it; first.  0 or -1 (reported); free cfg and pp either
 * way. */
int part_plan_read(struct part_plan *pp, struct cfg *cfg, const struct cfg_load_options *load,
		   bool all_parts);
/* The run's settings, after part_plan_read, from run's: the download
 * cache ([buildout] download-cache, else run's downloads, else
 * <directory>/downloads), offline ([buildout] offline = true, or run's),
 * the limits and the environment; the store is pp's. */
void part_plan_settings(struct part_plan *pp, const struct recipe_buildout *run);
/* buildout makes its bin and parts directories before anything runs,
 * saying so when say is set.  0 or -1 (reported). */
int part_plan_make_directories(const struct part_plan *pp, bool say);
/* Adds the parts to the graph: those named in only (install PART...: no
 * part is uninstalled then), else cfg->parts, every part initialized (call
 * cfg_init_parts first).  Parts installed before and not among them get an
 * uninstall action, added first (none without a store: a look that
 * runs nothing).  0 or -1 (reported). */
int part_plan_config(struct part_plan *pp, struct cfg *cfg, char *const *only, size_t nonly);

/* The version map of the planned parts (versionmap.h), finished: each part
 * with a `version` option (pinned when the versions section names the
 * part, else named), each external recipe that declares a version (pinned
 * when the versions section names it, else picked: found on the recipe
 * path), and what requires them: a recipe its parts, a part the parts that
 * need it.  0, or -1 when a recipe's declared version is not the one
 * pinned (reported at the part's recipe option). */
int part_plan_versions(const struct part_plan *pp, struct versionmap *vm);

/* Whether a is one of the uninstall actions. */
bool part_plan_is_uninstall(const struct graph_action *a);

void part_plan_free(struct part_plan *pp);

#endif
