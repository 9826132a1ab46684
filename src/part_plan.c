/* part_plan: a config's parts as `part` and `uninstall` actions
 * (part_plan.h). */
#include "part_plan.h"
#include "part_state.h"
#include "recipe_exec.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/hmap.h"
#include "../lib/path.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct part_job {
	struct recipe_part part;
	const struct cfg_section *section;
	struct part_plan *pp;
	bool have_old;
	struct part_state old;
	bool run_once;
	const char *lock; /* <buildout:directory>/var/<part>.cfg */
};

/* A part installed before that the config no longer has. */
struct gone_job {
	struct part_plan *pp;
	const char *name;
	const char *part_identity;
	struct part_state old;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* buildout's _uninstall: every recorded path goes, a directory with all
 * in it. */
static int remove_paths(struct graph_job *job, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (graph_job_remove_tree(job, paths[i]) != 0)
			return -1;
	return 0;
}

static void release_run(struct recipe_run *r)
{
	for (size_t i = 0; i < r->npaths; i++)
		free(r->paths[i]);
	free(r->paths);
}

/* What was installed under a state goes: the external recipe that made it
 * is asked first, then the recorded paths are removed. */
static int uninstall_state(struct part_plan *pp, struct graph_job *job, const char *name,
			   const struct part_state *old)
{
	graph_job_say(job, "Uninstalling %s.", name);
	if (old->program && access(old->program, X_OK) == 0) {
		struct recipe_part part = {
			.name = name,
			.recipe_name = old->recipe,
			.recipe = &recipe_exec,
			.recipe_data = recipe_exec_data(&pp->arena, old->program),
			.options = old->options,
			.noptions = old->noptions,
			.buildout = &pp->buildout,
		};
		struct recipe_run r = {.part = &part, .job = job, .old_paths = old->paths,
				       .nold_paths = old->npaths};
		graph_job_say(job, "Running uninstall recipe.");
		int rc = recipe_exec.uninstall(&r);
		release_run(&r);
		if (rc != 0)
			return -1;
	}
	return remove_paths(job, old->paths, old->npaths);
}

static bool paths_intact(const struct part_state *ps)
{
	for (size_t i = 0; i < ps->npaths; i++)
		if (!exists(ps->paths[i]))
			return false;
	return true;
}

/* ---- the part kind ---- */

static int part_inputs(struct graph_action *a, struct graph_inputs *in)
{
	const struct part_job *pj = a->data;
	const struct recipe_part *p = &pj->part;
	graph_input_text(in, "recipe", p->recipe_name);
	if (p->recipe->identity) {
		graph_input_text(in, "recipe-version", p->recipe->identity(p));
	} else {
		char v[32];
		snprintf(v, sizeof(v), "built-in %u", p->recipe->version);
		graph_input_text(in, "recipe-version", v);
	}
	struct strbuf name = STRBUF_INIT;
	for (size_t i = 0; i < p->noptions; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "option:%s", p->options[i].name);
		graph_input_text(in, name.buf, p->options[i].value);
	}
	strbuf_release(&name);
	return p->recipe->inputs ? p->recipe->inputs(p, in) : 0;
}

/* The part's recorded paths, what its recipe checks, and its lock. */
static bool part_intact(const struct graph_action *a)
{
	const struct part_job *pj = a->data;
	return pj->have_old && paths_intact(&pj->old) &&
	       (!pj->part.recipe->intact || pj->part.recipe->intact(&pj->part)) &&
	       (!pj->run_once || exists(pj->lock));
}

static void say_locked(struct graph_job *job, const struct part_job *pj)
{
	static const char rule[] = "------------------------------------------------------------";
	graph_job_say(job,
		      "*Skipped* *%s*\n\n"
		      "  The setup script %s has already been\n"
		      "  run. To run it again set the \"run-once\" option to \"false\",\n"
		      "  or delete the file\n"
		      "    %s\n\n%s\n",
		      pj->part.name, pj->part.name, pj->lock, rule);
}

static int write_lock(struct graph_job *job, const struct part_job *pj)
{
	struct strbuf text = STRBUF_INIT;
	strbuf_addf(&text,
		    "The presence of this file stops the setup script \"%s\" from\n"
		    "being run more than once. Delete this file and run buildout to run the\n"
		    "setup script again.\n",
		    pj->part.name);
	struct arena a = ARENA_INIT;
	int err = fs_mkdirs(path_dirname(&a, pj->lock), 0777);
	if (!err)
		err = fs_write_atomic(pj->lock, text.buf, text.len, 0);
	arena_free(&a);
	strbuf_release(&text);
	if (err)
		graph_job_fail(job, "cannot write the lock file %s: %s", pj->lock, strerror(err));
	return err ? -1 : 0;
}

/* installed_ns: when it was installed (an update or a locked part keeps
 * the install's time: annotate's dates and order). */
static void record_state(struct graph_action *a, const struct part_job *pj,
			 const char *const *paths, size_t npaths, int64_t installed_ns)
{
	const struct recipe_part *p = &pj->part;
	struct part_state ps = {
		.key = a->key,
		.recipe = p->recipe_name,
		.program = p->recipe == &recipe_exec ? recipe_exec_program(p) : NULL,
		.options = p->options,
		.noptions = p->noptions,
		.paths = (const char **)paths,
		.npaths = npaths,
		.installed_ns = installed_ns,
	};
	part_state_put(pj->pp->store, a->identity, &ps);
}

static bool recorded(const struct part_state *ps, const char *path)
{
	for (size_t i = 0; i < ps->npaths; i++)
		if (!strcmp(ps->paths[i], path))
			return true;
	return false;
}

/* Unchanged and intact: updated, the paths its update adds recorded too,
 * each once (as zc.buildout does): an update that prints the install's
 * paths again leaves the state as it is. */
static int update(struct graph_action *a, struct graph_job *job, struct part_job *pj)
{
	struct recipe_run r = {.part = &pj->part, .job = job};
	graph_job_say(job, "Updating %s.", pj->part.name);
	if (pj->part.recipe->update(&r) != 0) {
		release_run(&r);
		return -1;
	}
	const char **paths = xcalloc(pj->old.npaths + r.npaths + 1, sizeof(*paths));
	size_t n = 0;
	for (size_t i = 0; i < pj->old.npaths; i++)
		paths[n++] = pj->old.paths[i];
	for (size_t i = 0; i < r.npaths; i++)
		if (!recorded(&pj->old, r.paths[i]))
			paths[n++] = r.paths[i];
	if (n > pj->old.npaths)
		record_state(a, pj, paths, n, pj->old.installed_ns);
	free(paths);
	release_run(&r);
	return 0;
}

static int install(struct graph_action *a, struct graph_job *job, struct part_job *pj)
{
	if (pj->have_old) {
		/* Whatever happens now, the old install is gone. */
		part_state_del(pj->pp->store, a->identity);
		if (uninstall_state(pj->pp, job, pj->part.name, &pj->old) != 0)
			return -1;
	}
	graph_job_say(job, "Installing %s.", pj->part.name);
	struct recipe_run r = {.part = &pj->part, .job = job};
	if (pj->part.recipe->install(&r) != 0) {
		/* As buildout does, what a failed install made goes. */
		if (remove_paths(job, (const char *const *)r.paths, r.npaths) != 0)
			diag_warning(NULL, 0, "part %s: what its failed install made is left",
				     pj->part.name);
		release_run(&r);
		return -1;
	}
	record_state(a, pj, (const char *const *)r.paths, r.npaths, now_ns());
	release_run(&r);
	return pj->run_once ? write_lock(job, pj) : 0;
}

static int part_run(struct graph_action *a, struct graph_job *job)
{
	struct part_job *pj = a->data;
	if (pj->run_once && exists(pj->lock)) {
		/* gs.recipe.base skips the work, whatever changed, and says how
		 * to have it run again; what was installed stays as it is. */
		say_locked(job, pj);
		if (pj->have_old && !hash_equal(pj->old.key, a->key))
			record_state(a, pj, pj->old.paths, pj->old.npaths, pj->old.installed_ns);
		return 0;
	}
	/* Only a recipe with an update runs unchanged (forced): the cheap
	 * questions first, the paths' lstat last. */
	const struct recipe *rc = pj->part.recipe;
	if (pj->have_old && hash_equal(pj->old.key, a->key) && !pj->run_once && rc->has_update &&
	    rc->has_update(&pj->part) && part_intact(a))
		return update(a, job, pj);
	return install(a, job, pj);
}

static const struct graph_kind part_kind = {
	.name = "part",
	.version = 1,
	.inputs = part_inputs,
	.intact = part_intact,
	.run = part_run,
};

/* ---- the uninstall kind ---- */

static int gone_run(struct graph_action *a, struct graph_job *job)
{
	struct gone_job *gj = a->data;
	part_state_del(gj->pp->store, gj->part_identity);
	/* Its record goes too, or the part, back in the config unchanged,
	 * would be skipped with nothing installed. */
	store_del(gj->pp->store, STORE_RECORDS, gj->part_identity, strlen(gj->part_identity));
	return uninstall_state(gj->pp, job, gj->name, &gj->old);
}

static const struct graph_kind uninstall_kind = {
	.name = "uninstall",
	.version = 1,
	.run = gone_run,
};

/* ---- planning ---- */

/* An initialized section's options, resolved and sorted. */
static struct recipe_option *section_options(struct part_plan *pp, const struct cfg_section *s,
					     size_t *n)
{
	struct recipe_option *o = arena_alloc(&pp->arena, (s->nexpanded + 1) * sizeof(*o));
	for (size_t i = 0; i < s->nexpanded; i++) {
		o[i].name = s->by_name[i]->name;
		o[i].value = s->by_name[i]->resolved;
	}
	*n = s->nexpanded;
	return o;
}

static struct part_job *new_part(struct part_plan *pp, const struct cfg_section *s)
{
	const struct recipe_found *f = s->part_data;
	struct part_job *pj = arena_alloc(&pp->arena, sizeof(*pj));
	struct recipe_part *p = &pj->part;
	pj->pp = pp;
	pj->section = s;
	p->name = s->name;
	p->recipe = f->recipe;
	p->recipe_data = f->data;
	p->buildout = &pp->buildout;
	p->options = section_options(pp, s, &p->noptions);
	p->recipe_name = recipe_option(p, "recipe");
	const char *once = recipe_option(p, "run-once");
	/* Any word but false/no/off (an empty one too) is true. */
	pj->run_once = once ? recipe_bool_word(once) != 0
			    : p->recipe->run_once_default && p->recipe->run_once_default(p);
	struct strbuf lock = STRBUF_INIT;
	strbuf_addf(&lock, "%s/var/%s.cfg", pp->buildout.directory, s->name);
	pj->lock = arena_strdup(&pp->arena, lock.buf);
	strbuf_release(&lock);
	return pj;
}

/* Adds to a the needs of every part in the plan that section s refers to,
 * looking through sections that are not planned parts. */
static void add_needs(struct part_plan *pp, const struct hmap *planned, struct graph_action *a,
		      struct cfg_section *s, struct hmap *seen)
{
	for (size_t i = 0; i < s->nrefs; i++) {
		struct cfg_section *r = s->refs[i];
		if (hmap_gets(seen, r->name))
			continue;
		hmap_put(seen, r->name, strlen(r->name), r);
		struct graph_action *b = hmap_gets(planned, r->name);
		if (b && b != a)
			graph_add_need(pp->graph, a, b);
		else if (!b)
			add_needs(pp, planned, a, r, seen);
	}
}

/* A part the store says is installed; planned once the config has it. */
struct installed {
	const char *identity;
	struct part_state state;
	bool planned;
};

static void remember_installed(void *ctx, const char *identity, const struct part_state *ps)
{
	struct part_plan *pp = ctx;
	const char *name = identity + strlen("part ") + strlen(pp->scope);
	struct installed *in = arena_alloc(&pp->arena, sizeof(*in));
	in->identity = identity;
	in->state = *ps;
	hmap_put(&pp->installed, name, strlen(name), in);
}

static struct graph_action *plan_gone(struct part_plan *pp, const char *name,
				      struct installed *in)
{
	struct gone_job *gj = arena_alloc(&pp->arena, sizeof(*gj));
	gj->pp = pp;
	gj->name = name;
	gj->part_identity = in->identity;
	gj->old = in->state;
	struct strbuf id = STRBUF_INIT;
	strbuf_addf(&id, "uninstall %s%s", pp->scope, name);
	struct graph_action *g = graph_add_action(pp->graph, &uninstall_kind, id.buf, gj);
	strbuf_release(&id);
	g->forced = true;
	return g;
}

static int plan_buildout(struct part_plan *pp, struct cfg *cfg)
{
	struct cfg_section *b = cfg_section_get(cfg, "buildout");
	if (!b)
		return -1;
	struct recipe_buildout *bo = &pp->buildout;
	pp->cfg = cfg;
	bo->options = section_options(pp, b, &bo->noptions);
	struct recipe_part view = {.options = bo->options, .noptions = bo->noptions};
	bo->directory = recipe_option_or(&view, "directory", cfg->directory);
	bo->bin_directory = recipe_option_or(&view, "bin-directory", bo->directory);
	bo->parts_directory = recipe_option_or(&view, "parts-directory", bo->directory);
	const char *versions = recipe_option_or(&view, "versions", "");
	if (*versions)
		pp->pins = section_options(pp, cfg_section_get(cfg, versions), &pp->npins);
	/* Looked up for every part with a version and every external
	 * recipe, on every run. */
	for (size_t i = 0; i < pp->npins; i++) {
		char *lower = arena_strdup_lower(&pp->arena, pp->pins[i].name);
		if (!hmap_gets(&pp->pin_by_name, lower))
			hmap_put(&pp->pin_by_name, lower, strlen(lower), (void *)pp->pins[i].value);
	}
	return 0;
}

int part_plan_read(struct part_plan *pp, struct cfg *cfg, const struct cfg_load_options *load,
		   bool all_parts)
{
	cfg->part_initialized = recipe_part_initialized;
	cfg->part_ctx = &pp->arena;
	if (cfg_load(cfg, load) < 0 || cfg_init_buildout(cfg) < 0 ||
	    (all_parts && cfg_init_parts(cfg) < 0))
		return -1;
	return plan_buildout(pp, cfg);
}

/* buildout compares the names of the versions section in lower case. */
static const char *pinned(const struct part_plan *pp, struct arena *a, const char *name)
{
	return hmap_gets(&pp->pin_by_name, arena_strdup_lower(a, name));
}

/* "my.recipe:entry" is the distribution my.recipe. */
static const char *distribution(struct arena *a, const char *recipe_name)
{
	return arena_strndup(a, recipe_name, strcspn(recipe_name, ":"));
}

int part_plan_versions(const struct part_plan *pp, struct versionmap *vm)
{
	struct graph *g = pp->graph;
	struct hmap parts = HMAP_INIT, recipes = HMAP_INIT; /* name -> entry number + 1 */
	int rc = 0;
	for (size_t i = 0; i < g->nactions && rc == 0; i++) {
		const struct graph_action *a = g->actions[i];
		if (a->kind != &part_kind)
			continue;
		const struct part_job *pj = a->data;
		const struct recipe_part *p = &pj->part;
		const char *version = recipe_option(p, "version");
		if (version && *version) {
			size_t k = versionmap_add(vm, p->name, version,
						  pinned(pp, &vm->arena, p->name) ? PKG_PINNED : PKG_NAMED);
			hmap_put(&parts, p->name, strlen(p->name), (void *)(uintptr_t)(k + 1));
		}
		const char *declared = p->recipe->declared_version
					       ? p->recipe->declared_version(p) : NULL;
		if (!declared)
			continue;
		const char *dist = distribution(&vm->arena, p->recipe_name);
		const char *pin = pinned(pp, &vm->arena, dist);
		if (pin && strcmp(pin, declared)) {
			const struct cfg_option *o = cfg_find_option(pj->section, "recipe");
			diag_error(o ? o->file : pj->section->file, o ? o->line : pj->section->line,
				   "part %s: Couldn't find a distribution for '%s==%s' (the recipe "
				   "found is version %s)",
				   p->name, dist, pin, declared);
			rc = -1;
			break;
		}
		uintptr_t k = (uintptr_t)hmap_gets(&recipes, dist);
		if (!k) {
			k = versionmap_add(vm, dist, declared, pin ? PKG_PINNED : PKG_PICKED) + 1;
			hmap_put(&recipes, dist, strlen(dist), (void *)k);
		}
		versionmap_require(vm, k - 1, p->name, version && *version ? version : NULL,
				   false);
	}
	for (size_t i = 0; i < g->nactions && rc == 0; i++) {
		const struct graph_action *a = g->actions[i];
		if (a->kind != &part_kind)
			continue;
		const struct recipe_part *p = &((const struct part_job *)a->data)->part;
		const char *version = recipe_option(p, "version");
		const struct dag_node *node = &g->dag.nodes[a->node];
		for (size_t e = 0; e < node->nneeds; e++) {
			const struct graph_action *b = g->actions[node->needs[e]];
			uintptr_t k = b->kind == &part_kind
					      ? (uintptr_t)hmap_gets(&parts, ((const struct part_job *)
										 b->data)->part.name)
					      : 0;
			if (k)
				versionmap_require(vm, k - 1, p->name,
						   version && *version ? version : NULL, true);
		}
	}
	hmap_free(&parts);
	hmap_free(&recipes);
	versionmap_finish(vm);
	return rc;
}

void part_plan_settings(struct part_plan *pp, const struct recipe_buildout *run)
{
	struct recipe_buildout *bo = &pp->buildout;
	struct recipe_part view = {.options = bo->options, .noptions = bo->noptions};
	const char *cache = recipe_option(&view, "download-cache");
	if (cache && *cache)
		bo->downloads = path_join(&pp->arena, bo->directory, cache);
	else if (run->downloads)
		bo->downloads = run->downloads;
	else
		bo->downloads = path_join(&pp->arena, bo->directory, "downloads");
	bo->offline = run->offline || !strcmp(recipe_option_or(&view, "offline", "false"), "true");
	bo->stall_seconds = run->stall_seconds;
	bo->unpack_limit = run->unpack_limit;
	bo->make_env = run->make_env;
	bo->env_ctx = run->env_ctx;
	bo->store = pp->store;
}

int part_plan_make_directories(const struct part_plan *pp, bool say)
{
	const char *dirs[] = {pp->buildout.bin_directory, pp->buildout.parts_directory};
	for (size_t i = 0; i < 2; i++) {
		if (fs_is_dir(dirs[i], true))
			continue;
		if (say)
			printf("Creating directory '%s'.\n", dirs[i]);
		int err = fs_mkdirs(dirs[i], 0777);
		if (err) {
			diag_error(NULL, 0, "cannot create %s: %s", dirs[i], strerror(err));
			return -1;
		}
	}
	return 0;
}

int part_plan_config(struct part_plan *pp, struct cfg *cfg, char *const *only, size_t nonly)
{
	struct cfg_section **sections = cfg->parts;
	size_t n = cfg->nparts;
	if (only) {
		sections = arena_alloc(&pp->arena, (nonly + 1) * sizeof(*sections));
		for (n = 0; n < nonly; n++) {
			sections[n] = cfg_section_get(cfg, only[n]);
			if (!sections[n])
				return -1;
			if (!sections[n]->part_data) {
				diag_error(sections[n]->file, sections[n]->line,
					   "Missing option: %s:recipe (install names parts)",
					   only[n]);
				return -1;
			}
		}
	}
	struct strbuf id = STRBUF_INIT;
	strbuf_addf(&id, "part %s", pp->scope);
	int rc = pp->store ? part_state_each(pp->store, id.buf, remember_installed, pp, &pp->arena)
			   : 0;
	/* What left the config is uninstalled first, as buildout does: every
	 * part runs after every uninstall, which is no input of its key. */
	struct graph_action **gone = NULL;
	size_t ngone = 0;
	if (rc == 0 && !only) {
		for (size_t i = 0; i < n; i++) {
			struct installed *in = hmap_gets(&pp->installed, sections[i]->name);
			if (in)
				in->planned = true;
		}
		gone = xcalloc(pp->installed.len + 1, sizeof(*gone));
		for (size_t k = 0; k < pp->installed.cap; k++) {
			struct hmap_slot *slot = &pp->installed.slots[k];
			struct installed *in = slot->key ? slot->value : NULL;
			if (in && !in->planned)
				gone[ngone++] = plan_gone(pp, slot->key, in);
		}
	}
	struct hmap planned = HMAP_INIT;
	struct graph_action **actions = xcalloc(n + 1, sizeof(*actions));
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (hmap_gets(&planned, sections[i]->name))
			continue; /* install a a */
		struct part_job *pj = new_part(pp, sections[i]);
		strbuf_reset(&id);
		strbuf_addf(&id, "part %s%s", pp->scope, pj->part.name);
		struct installed *in = hmap_gets(&pp->installed, pj->part.name);
		if (in) {
			pj->old = in->state;
			pj->have_old = true;
		}
		actions[i] = graph_add_action(pp->graph, &part_kind, id.buf, pj);
		bool updates = pj->part.recipe->has_update && pj->part.recipe->has_update(&pj->part);
		actions[i]->forced = updates || (pj->run_once && exists(pj->lock));
		for (size_t k = 0; k < ngone; k++)
			graph_add_order(pp->graph, actions[i], gone[k]);
		hmap_put(&planned, pj->part.name, strlen(pj->part.name), actions[i]);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!actions[i])
			continue;
		struct hmap seen = HMAP_INIT;
		add_needs(pp, &planned, actions[i], sections[i], &seen);
		hmap_free(&seen);
	}
	strbuf_release(&id);
	free(gone);
	free(actions);
	hmap_free(&planned);
	return rc;
}

bool part_plan_is_uninstall(const struct graph_action *a)
{
	return a->kind == &uninstall_kind;
}

void part_plan_free(struct part_plan *pp)
{
	hmap_free(&pp->installed);
	hmap_free(&pp->pin_by_name);
	arena_free(&pp->arena);
}
