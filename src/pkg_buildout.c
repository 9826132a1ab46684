/* pkg_buildout: a buildout package's parts (pkg_buildout.h). */
#include "pkg_buildout.h"
#include "cfg.h"
#include "part_plan.h"
#include "recipe.h"

#include "../lib/diag.h"

#include <stdlib.h>

struct pkg_buildout {
	struct pkg_buildout_options o;
	struct cfg cfg;
	struct part_plan pp;
	bool revealed;
	int result;
};

struct pkg_buildout *pkg_buildout_new(const struct pkg_buildout_options *o)
{
	struct pkg_buildout *b = xcalloc(1, sizeof(*b));
	b->o = *o;
	b->pp.arena = (struct arena)ARENA_INIT;
	b->pp.scope = o->scope;
	return b;
}

static int plan(struct pkg_buildout *b, struct graph *g, struct graph_action *install)
{
	const struct pkg_buildout_options *o = &b->o;
	/* The package's home is the buildout's directory, wherever the
	 * config is: the parts go under it, where dependents look. */
	struct cfg_assignment dir = {"buildout", "directory", o->directory};
	struct cfg_load_options load = {.config_file = o->config, .user_defaults = true,
					.assignments = &dir, .nassignments = 1};
	struct part_plan *pp = &b->pp;
	pp->graph = g;
	pp->store = o->store;
	if (part_plan_read(pp, &b->cfg, &load, !o->only) != 0)
		return -1;
	part_plan_settings(pp, &o->run);
	size_t before = g->nactions;
	if (part_plan_config(pp, &b->cfg, o->only, o->nonly) != 0)
		return -1;
	/* Until the parts join it, what the install needs (its fetch is an
	 * order) is the installs of the package's dependencies: each part
	 * needs them.  The install is the sum of the parts, and an uninstall
	 * (which the parts run after) no part of it. */
	size_t ndeps = g->dag.nodes[install->node].nneeds;
	for (size_t i = before; i < g->nactions; i++) {
		struct graph_action *a = g->actions[i];
		if (part_plan_is_uninstall(a)) {
			graph_add_order(g, install, a);
			continue;
		}
		for (size_t k = 0; k < ndeps; k++) {
			/* Read again each time: the install's needs grow. */
			size_t dep = g->dag.nodes[install->node].needs[k];
			if (!graph_only_after(install, dep))
				graph_add_need(g, a, g->actions[dep]);
		}
		graph_add_need(g, install, a);
	}
	return o->make_directories ? part_plan_make_directories(pp, false) : 0;
}

int pkg_buildout_reveal(struct pkg_buildout *b, struct graph *g, struct graph_action *install)
{
	if (!b->revealed) {
		b->revealed = true;
		b->result = plan(b, g, install);
	}
	return b->result;
}

void pkg_buildout_free(struct pkg_buildout *b)
{
	if (!b)
		return;
	part_plan_free(&b->pp);
	cfg_free(&b->cfg);
	free(b);
}
