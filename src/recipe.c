/* recipe: finding a part's recipe, the checks every part gets, and what the
 * recipes share (options, recorded paths, running a command). */
#include "recipe.h"
#include "build_env.h"
#include "recipe_exec.h"

#include "../lib/diag.h"
#include "../lib/path.h"
#include "../lib/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct recipe *const builtins[] = {
	&recipe_cmmi, &recipe_download, &recipe_command, &recipe_template, &recipe_mkdir,
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

const struct recipe *recipe_find(const char *name, const char *file, int line)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		for (const char *const *n = builtins[i]->names; *n; n++)
			if (!strcmp(*n, name))
				return builtins[i];
	if (recipe_exec_find(name))
		return &recipe_exec;
	struct strbuf known = STRBUF_INIT;
	for (size_t i = 0; i < NBUILTINS; i++)
		for (const char *const *n = builtins[i]->names; *n; n++)
			strbuf_addf(&known, "%s%s", known.len ? ", " : "", *n);
	diag_error(file, line,
		   "unknown recipe '%s': not built in (%s), not exec:PATH, and no directory of "
		   "that name on $MINIMERGE_RECIPE_PATH",
		   name, known.buf);
	strbuf_release(&known);
	return NULL;
}

/* gs.recipe.base refuses a part whose [buildout] lacks what recipes rely
 * on; an empty value is as unusable as none. */
static int check_buildout(struct cfg *cfg, struct cfg_section *s)
{
	struct cfg_section *b = cfg_find_section(cfg, "buildout");
	if (!b) {
		diag_error(s->file, s->line, "part %s: \"buildout\" options absent from \"buildout\" "
					     "dictionary.",
			   s->name);
		return -1;
	}
	static const char *const needed[] = {"directory", "bin-directory"};
	for (size_t i = 0; i < 2; i++) {
		bool failed = false;
		const char *v = cfg_get(cfg, b, needed[i], &failed);
		if (failed)
			return -1;
		if (!v || !*v) {
			diag_error(s->file, s->line,
				   "part %s: \"%s\" value not in the \"buildout\" options", s->name,
				   needed[i]);
			return -1;
		}
	}
	return 0;
}

int recipe_part_initialized(void *ctx, struct cfg *cfg, struct cfg_section *s)
{
	struct arena *a = ctx;
	bool failed = false;
	const char *name = cfg_get(cfg, s, "recipe", &failed);
	struct cfg_option *o = cfg_find_option(s, "recipe");
	const char *file = o ? o->file : s->file;
	int line = o ? o->line : s->line;
	const struct recipe *r = recipe_find(name, file, line);
	if (!r || check_buildout(cfg, s) != 0)
		return -1;
	struct recipe_init ri = {.cfg = cfg, .section = s, .arena = a};
	if (r->init && r->init(&ri) != 0)
		return -1;
	struct recipe_found *f = arena_alloc(a, sizeof(*f));
	f->recipe = r;
	f->data = ri.recipe_data;
	s->part_data = f;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct recipe_option *)a)->name,
		      ((const struct recipe_option *)b)->name);
}

void recipe_options_sort(struct recipe_option *options, size_t n)
{
	qsort(options, n, sizeof(*options), by_name);
}

static const struct recipe_option *find_option(const struct recipe_part *p, const char *name)
{
	size_t lo = 0, hi = p->noptions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->options[mid].name, name);
		if (!c)
			return &p->options[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *recipe_option(const struct recipe_part *p, const char *name)
{
	const struct recipe_option *o = find_option(p, name);
	return o ? o->value : NULL;
}

const char *recipe_option_or(const struct recipe_part *p, const char *name, const char *dflt)
{
	const char *v = recipe_option(p, name);
	return v && *v ? v : dflt;
}

int recipe_bool_word(const char *v)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	for (size_t i = 0; i < 3; i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

int recipe_option_bool(const struct recipe_run *r, const char *name, bool dflt, bool *out)
{
	const char *v = recipe_option(r->part, name);
	*out = dflt;
	if (!v || !*v)
		return 0;
	int b = recipe_bool_word(v);
	if (b >= 0) {
		*out = b;
		return 0;
	}
	graph_job_fail(r->job, "%s = %s: true or false (yes/no, on/off)", name, v);
	return -1;
}

void recipe_init_error(const struct recipe_init *ri, const char *option, const char *fmt, ...)
{
	const struct cfg_section *s = ri->section;
	const struct cfg_option *o = cfg_find_option(s, option);
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	diag_error(o ? o->file : s->file, o ? o->line : s->line, "part %s: %s", s->name, msg.buf);
	strbuf_release(&msg);
}

int recipe_init_check_mode(const struct recipe_init *ri, const char *example)
{
	bool failed = false;
	const char *mode = cfg_get(ri->cfg, ri->section, "mode", &failed);
	if (failed)
		return -1;
	if (!mode || !*mode || !mode[strspn(mode, "01234567")])
		return 0;
	recipe_init_error(ri, "mode", "mode = %s: an octal number such as %s", mode, example);
	return -1;
}

mode_t recipe_option_mode(const struct recipe_part *p, mode_t dflt)
{
	const char *mode = recipe_option(p, "mode");
	return mode && *mode ? (mode_t)strtol(mode, NULL, 8) : dflt;
}

const char *recipe_path(struct arena *a, const char *dir, const char *path)
{
	return path_normpath(a, path_join(a, dir, path));
}

const char *recipe_init_directory(struct recipe_init *ri)
{
	bool failed = false;
	struct cfg_section *b = cfg_section_get(ri->cfg, "buildout");
	/* recipe_part_initialized has checked that directory is there. */
	const char *dir = b ? cfg_get(ri->cfg, b, "directory", &failed) : NULL;
	return failed ? NULL : dir;
}

const char *recipe_set_dir(struct recipe_init *ri, const char *option)
{
	bool failed = false;
	const char *dir = recipe_init_directory(ri);
	if (!dir)
		return NULL;
	struct cfg_section *b = cfg_section_get(ri->cfg, "buildout");
	const char *parts = cfg_get(ri->cfg, b, "parts-directory", &failed);
	const char *v = cfg_get(ri->cfg, ri->section, option, &failed);
	if (failed)
		return NULL;
	const char *abs = !v || !*v ? path_join(ri->arena, parts && *parts ? parts : dir,
						 ri->section->name)
				     : recipe_path(ri->arena, dir, v);
	cfg_set(ri->cfg, ri->section, option, abs);
	return abs;
}

void recipe_add_path(struct recipe_run *r, const char *path)
{
	struct arena a = ARENA_INIT;
	const char *abs = recipe_path(&a, r->part->buildout->directory, path);
	for (size_t i = 0; i < r->npaths; i++)
		if (!strcmp(r->paths[i], abs)) {
			arena_free(&a);
			return;
		}
	if (r->npaths == r->cappaths) {
		r->cappaths = r->cappaths ? 2 * r->cappaths : 4;
		r->paths = xrealloc(r->paths, r->cappaths * sizeof(*r->paths));
	}
	r->paths[r->npaths++] = xstrdup(abs);
	arena_free(&a);
}

char **recipe_env(const struct recipe_part *p)
{
	const struct recipe_buildout *bo = p->buildout;
	return bo->make_env ? bo->make_env(bo->env_ctx) : NULL;
}

int recipe_spawn(struct recipe_run *r, const char *const *argv, const char *dir,
		 char *const *envp)
{
	char **own = envp ? NULL : recipe_env(r->part);
	int rc = graph_job_spawn(r->job, argv, dir ? dir : r->part->buildout->directory,
				 envp ? envp : own);
	if (own)
		build_env_free(own);
	return rc;
}
