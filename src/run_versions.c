/* run_versions: the picked versions and the report after a run
 * (run_versions.h). */
#include "run_versions.h"

#include "commands.h"
#include "recipe.h"

#include "../lib/diag.h"

#include <stdlib.h>
#include <string.h>

static const char *const known_extensions[] = {"buildout.sendpickedversions",
					      "buildout.dumppickedversions", NULL};

static int read_extensions(struct run_versions *rv, const struct run_versions_setting *s)
{
	const char *p = s->value;
	while (p && *p) {
		p += strspn(p, " \t\n");
		size_t len = strcspn(p, " \t\n");
		if (!len)
			break;
		if (len == strlen(known_extensions[0]) && !strncmp(p, known_extensions[0], len))
			rv->report = true;
		else if (len == strlen(known_extensions[1]) && !strncmp(p, known_extensions[1], len))
			rv->picked.dump = true;
		else
			diag_warning(s->file, s->line,
				     "extension '%.*s' is not one minimerge has (%s, %s): ignored",
				     (int)len, p, known_extensions[0], known_extensions[1]);
		p += len;
	}
	return 0;
}

static int invalid(const struct run_versions_setting *s, const char *name, const char *want)
{
	diag_error(s->file, s->line, "Invalid value for '%s' option: '%s'%s", name, s->value, want);
	return -1;
}

static void config_setting(const void *ctx, const char *name, struct run_versions_setting *out)
{
	const struct part_plan *pp = ctx;
	struct recipe_part view = {.options = pp->buildout.options,
				   .noptions = pp->buildout.noptions};
	const struct cfg_option *o = cfg_find_option(cfg_find_section(pp->cfg, "buildout"), name);
	*out = (struct run_versions_setting){recipe_option(&view, name), o ? o->file : NULL,
					     o ? o->line : 0};
}

static struct report_pair *option_pairs(struct arena *a, const struct recipe_option *o, size_t n)
{
	struct report_pair *p = arena_alloc(a, (n + 1) * sizeof(*p));
	for (size_t i = 0; i < n; i++)
		p[i] = (struct report_pair){o[i].name, o[i].value};
	return p;
}

void run_versions_source_config(struct run_versions_source *src, struct cfg *cfg,
				const struct part_plan *pp)
{
	*src = (struct run_versions_source){
		.get = config_setting,
		.ctx = pp,
		.dir = pp->buildout.directory,
		.view = {.config = option_pairs(&cfg->arena, pp->buildout.options,
						pp->buildout.noptions),
			 .nconfig = pp->buildout.noptions,
			 .pins = option_pairs(&cfg->arena, pp->pins, pp->npins),
			 .npins = pp->npins,
			 .directory = pp->buildout.directory}};
}

static void root_setting(const void *ctx, const char *name, struct run_versions_setting *out)
{
	const struct pkgdb *db = ctx;
	out->value = pkgdb_setting(db, "minimerge", name, &out->line);
	out->file = db->cfg_path;
}

/* The values a section of minimerge.cfg sets. */
static struct report_pair *section_pairs(struct pkgdb *db, const char *name, size_t *n)
{
	const struct cfg_file_section *s = cfg_file_find(&db->cfg, name);
	size_t count = s ? s->ndeltas : 0;
	struct report_pair *p = arena_alloc(&db->arena, (count + 1) * sizeof(*p));
	*n = 0;
	for (size_t i = 0; i < count; i++)
		if (s->deltas[i]->set)
			p[(*n)++] = (struct report_pair){s->deltas[i]->name, s->deltas[i]->set};
	return p;
}

void run_versions_source_root(struct run_versions_source *src, struct pkgdb *db)
{
	*src = (struct run_versions_source){.get = root_setting, .ctx = db, .dir = db->root,
					    .url_reports = true, .view = {.directory = db->root}};
	src->view.config = section_pairs(db, "minimerge", &src->view.nconfig);
	src->view.pins = section_pairs(db, "versions", &src->view.npins);
}

int run_versions_read(struct run_versions *rv, const struct run_versions_source *src,
		      struct arena *a)
{
	void (*get)(const void *, const char *, struct run_versions_setting *) = src->get;
	const void *ctx = src->ctx;
	*rv = (struct run_versions){.picked = {.dir = src->dir, .overwrite = true},
				    .send = {.timeout_seconds = REPORT_TIMEOUT_SECONDS}};
	gettimeofday(&rv->started, NULL);
	struct run_versions_setting s;
	get(ctx, "show-picked-versions", &s);
	if (s.value && strcmp(s.value, "true") && strcmp(s.value, "false"))
		return invalid(&s, "show-picked-versions", "");
	rv->picked.show = s.value && !strcmp(s.value, "true");
	get(ctx, "update-versions-file", &s);
	if (s.value && *s.value)
		rv->picked.update_file = s.value;
	get(ctx, "dump-picked-versions-file", &s);
	if (s.value) {
		size_t skip = strspn(s.value, " \t\n"), len = strlen(s.value + skip);
		while (len && strchr(" \t\n", s.value[skip + len - 1]))
			len--;
		if (len)
			rv->picked.dump_file = arena_strndup(a, s.value + skip, len);
	}
	get(ctx, "overwrite-picked-versions-file", &s);
	if (s.value)
		rv->picked.overwrite = recipe_bool_word(s.value) == 1;
	get(ctx, "extensions", &s);
	read_extensions(rv, &s);
	get(ctx, "send-data-url", &s);
	if (!s.value || !*s.value)
		get(ctx, "whiskers-url", &s);
	if (s.value && *s.value) {
		rv->send.url = s.value;
		rv->report |= src->url_reports;
	}
	get(ctx, "send-data-format", &s);
	if (s.value && strcmp(s.value, "form") && strcmp(s.value, "json"))
		return invalid(&s, "send-data-format", " (form or json)");
	rv->send.json_body = s.value && !strcmp(s.value, "json");
	get(ctx, "send-data-timeout", &s);
	if (s.value) {
		char *end;
		long t = strtol(s.value, &end, 10);
		if (end == s.value || *end || t <= 0 || t > 86400)
			return invalid(&s, "send-data-timeout", " (seconds, 1 to 86400)");
		rv->send.timeout_seconds = t;
	}
	return 0;
}

bool run_versions_wanted(const struct run_versions *rv)
{
	return rv->picked.show || rv->picked.update_file || rv->picked.dump || rv->report;
}

int run_versions_check_picks(const struct versionmap *vm, const struct run_versions_source *src)
{
	struct run_versions_setting s;
	src->get(src->ctx, "allow-picked-versions", &s);
	if (!s.value || strcmp(s.value, "false"))
		return 0;
	int rc = 0;
	for (size_t k = 0; k < vm->n; k++) {
		if (vm->entries[k].choice == PKG_PICKED) {
			diag_error(s.file, s.line, "Picked: %s = %s", vm->entries[k].name,
				   vm->entries[k].version);
			rc = -1;
		}
	}
	return rc;
}

void run_versions_report(const struct run_versions *rv, const struct versionmap *vm,
			 const struct run_versions_source *src)
{
	struct report_input in = src->view;
	in.started = rv->started;
	gettimeofday(&in.finished, NULL);
	json_t *doc = report_document(vm, &in);
	report_send(doc, &rv->send);
	json_decref(doc);
}

int run_versions_after(const struct run_versions *rv, const struct versionmap *vm,
		       const struct run_versions_source *src)
{
	int rc = picked_report(vm, &rv->picked);
	if (rv->report)
		run_versions_report(rv, vm, src);
	return rc;
}

static int config_resolve(const char *file,
			  int (*fn)(const struct versionmap *, const struct run_versions_source *,
				    struct arena *, void *),
			  void *ctx)
{
	struct cfg cfg = {0};
	struct graph graph = GRAPH_INIT;
	struct part_plan pp = {.arena = ARENA_INIT, .scope = "", .graph = &graph};
	struct versionmap vm = VERSIONMAP_INIT;
	struct run_versions_source src;
	int rc = EXIT_BAD_INPUT;
	struct cfg_load_options load = {.config_file = file, .user_defaults = true};
	if (part_plan_read(&pp, &cfg, &load, true) == 0 &&
	    part_plan_config(&pp, &cfg, NULL, 0) == 0 && part_plan_versions(&pp, &vm) == 0) {
		run_versions_source_config(&src, &cfg, &pp);
		rc = fn(&vm, &src, &pp.arena, ctx);
	}
	versionmap_free(&vm);
	graph_free(&graph);
	part_plan_free(&pp);
	cfg_free(&cfg);
	return rc;
}

int run_versions_resolve(const char *config, char **targets, size_t ntargets,
			 const struct pkgsel_options *sel,
			 int (*fn)(const struct versionmap *, const struct run_versions_source *,
				   struct arena *, void *),
			 void *ctx)
{
	if (config)
		return config_resolve(config, fn, ctx);
	struct pkgdb db;
	struct pkg **order = NULL, **roots = NULL;
	size_t n, nroots;
	int rc = EXIT_BAD_INPUT;
	if (pkgdb_open(&db) == 0 &&
	    pkgsel_select(&db, targets, ntargets, sel, &order, &n, &roots, &nroots) == 0) {
		struct run_versions_source src;
		run_versions_source_root(&src, &db);
		struct versionmap vm = VERSIONMAP_INIT;
		versionmap_of_packages(&vm, order, n);
		rc = fn(&vm, &src, &db.arena, ctx);
		versionmap_free(&vm);
	}
	free(order);
	free(roots);
	pkgdb_close(&db);
	return rc;
}
