/* recipe_cmmi: zc.recipe.cmmi and hexagonit.recipe.cmmi (also
 * minitage.recipe.cmmi): configure, make, make install of a source.
 *
 * The source is `url` (with `md5sum` and/or `sha256`, fetched through the
 * download cache as recipe_download does), unpacked into
 * <parts-directory>/<part>__compile__ and its single top directory
 * entered; or `path`, a tree built where it is (its files are not in the
 * part's key: change an option to build it again).  The patch files of
 * `patch` (zc) and `patches` (hexagonit), relative to the buildout
 * directory, are applied in order with `patch-binary` (default patch) and
 * `patch-options` or zc's `patch_options` (default -p0).
 *
 * Then `configure-command` (default ./configure) runs with `--prefix=`
 * `prefix` (default location), `configure-options` and zc's
 * `extra_options`; then `make-binary` (default make) with `make-options`;
 * then again with `make-targets` (default install).  Options are split on
 * whitespace into arguments; no shell runs, quotes are not read.  Each
 * original decides differently whether --prefix is given; see
 * wants_prefix.  The steps run in the source with the environment of a
 * package's build (build_env.h: MAKEFLAGS=-jN) and the part's
 * `environment`: NAME=VALUE words as zc.recipe.cmmi reads them (a word not
 * starting NAME= continues the value before it), with hexagonit's
 * %(NAME)s standing for NAME's value in minimerge's own environment.
 *
 * `location` (default <parts-directory>/<part>; set when the config is
 * read, so other sections may refer to ${part:location}) is created and
 * recorded before the build, so that what a failed make install left
 * goes with it.  The build directory goes after a successful build; after
 * a failed one it is left to look into, and removed by the next attempt.
 *
 * Not done: zc's shared, autogen and source-directory-contains,
 * hexagonit's hooks, keep-compile-dir and environment-section. */
#include "recipe.h"
#include "recipe_download.h"

#include "build_env.h"
#include "fetch_static.h"

#include "../lib/argv.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What init reads once: the part's environment, expanded. */
struct cmmi {
	const char **env; /* NAME=VALUE */
	size_t nenv;
	const char *env_text; /* the same, a line each: a key input */
};

/* ---- when the config is read ---- */

static bool is_name_char(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* zc.recipe.cmmi's test for a word that starts a setting: \w+= not
 * starting with a digit. */
static bool starts_setting(const char *w, size_t len)
{
	size_t n = 0;
	while (n < len && is_name_char(w[n]))
		n++;
	return n > 0 && n < len && w[n] == '=' && !(w[0] >= '0' && w[0] <= '9');
}

/* hexagonit's %(NAME)s: NAME's value in our environment ("" if unset). */
static void expand(struct strbuf *out, const char *s)
{
	while (*s) {
		const char *end = s[0] == '%' && s[1] == '(' ? strchr(s + 2, ')') : NULL;
		if (end && end[1] == 's') {
			char *name = xstrdup(s + 2);
			name[end - (s + 2)] = '\0';
			const char *v = getenv(name);
			strbuf_adds(out, v ? v : "");
			free(name);
			s = end + 2;
		} else {
			strbuf_addc(out, *s++);
		}
	}
}

static void add_setting(struct recipe_init *ri, struct cmmi *c, struct strbuf *text,
			const struct strbuf *setting)
{
	struct strbuf e = STRBUF_INIT;
	expand(&e, setting->buf);
	c->env[c->nenv++] = arena_strdup(ri->arena, e.buf);
	strbuf_addf(text, "%s\n", e.buf);
	strbuf_release(&e);
}

static int read_environment(struct recipe_init *ri, struct cmmi *c)
{
	struct cfg_section *s = ri->section;
	bool failed = false;
	const char *v = cfg_get(ri->cfg, s, "environment", &failed);
	if (failed)
		return -1;
	v = v ? v : "";
	c->env = arena_alloc(ri->arena, (strlen(v) / 2 + 1) * sizeof(*c->env));
	struct strbuf setting = STRBUF_INIT, text = STRBUF_INIT;
	int rc = 0;
	for (v += strspn(v, " \t\n"); *v && rc == 0; v += strspn(v, " \t\n")) {
		size_t len = strcspn(v, " \t\n");
		if (starts_setting(v, len)) {
			if (setting.len)
				add_setting(ri, c, &text, &setting);
			strbuf_reset(&setting);
		} else if (!setting.len) {
			recipe_init_error(ri, "environment", "environment: '%.*s' is not NAME=VALUE",
					  (int)len, v);
			rc = -1;
		} else {
			strbuf_addc(&setting, ' ');
		}
		strbuf_add(&setting, v, len);
		v += len;
	}
	if (rc == 0 && setting.len)
		add_setting(ri, c, &text, &setting);
	c->env_text = arena_strdup(ri->arena, text.buf);
	strbuf_release(&setting);
	strbuf_release(&text);
	return rc;
}

static int cmmi_init(struct recipe_init *ri)
{
	struct cfg_section *s = ri->section;
	bool failed = false;
	const char *url = cfg_get(ri->cfg, s, "url", &failed);
	const char *path = cfg_get(ri->cfg, s, "path", &failed);
	const char *patch = cfg_get(ri->cfg, s, "patch", &failed);
	const char *patches = cfg_get(ri->cfg, s, "patches", &failed);
	if (failed)
		return -1;
	bool has_url = url && *url, has_path = path && *path;
	if (has_url == has_path) {
		recipe_init_error(ri, "url", "%s",
				  has_url ? "url and path: give one source only"
					  : "no url (or path, a source tree): what is to be built");
		return -1;
	}
	if (has_path && ((patch && *patch) || (patches && *patches))) {
		recipe_init_error(ri, patches && *patches ? "patches" : "patch",
				  "patches with path: they would change %s, which is not the "
				  "part's",
				  path);
		return -1;
	}
	if (recipe_download_check_sums(ri) != 0 ||
	    (has_path && !recipe_set_dir(ri, "path")) ||
	    !recipe_set_dir(ri, "location"))
		return -1;
	struct cmmi *c = arena_alloc(ri->arena, sizeof(*c));
	if (read_environment(ri, c) != 0)
		return -1;
	ri->recipe_data = c;
	return 0;
}

/* The environment reaches the build: the variables a package's build has
 * in its key, and the part's settings as expanded. */
static int cmmi_inputs(const struct recipe_part *p, struct graph_inputs *in)
{
	const struct cmmi *c = p->recipe_data;
	struct strbuf name = STRBUF_INIT;
	for (const char *const *v = build_env_inputs; *v; v++) {
		const char *val = getenv(*v);
		strbuf_reset(&name);
		strbuf_addf(&name, "env:%s", *v);
		graph_input_text(in, name.buf, val ? val : "");
	}
	strbuf_release(&name);
	graph_input_text(in, "env:environment", c->env_text);
	return 0;
}

/* ---- the build ---- */

static bool has_prefix_word(const char *text)
{
	for (text += strspn(text, " \t\n"); *text; text += strspn(text, " \t\n")) {
		if (!strncmp(text, "--prefix", 8) && strchr(" \t\n=", text[8]))
			return true;
		text += strcspn(text, " \t\n");
	}
	return false;
}

/* zc.recipe.cmmi gives --prefix unless configure-options is set (it is
 * their replacement); hexagonit.recipe.cmmi unless configure-command is
 * set (a Makefile.PL has no such option) or configure-options holds one.
 * The other names go hexagonit's way, which never leaves the prefix to
 * configure's /usr/local without being asked. */
static bool wants_prefix(const struct recipe_part *p)
{
	const char *options = recipe_option_or(p, "configure-options", "");
	if (!strcmp(p->recipe_name, "zc.recipe.cmmi"))
		return !*options;
	return !recipe_option_or(p, "configure-command", NULL) && !has_prefix_word(options) &&
	       !has_prefix_word(recipe_option_or(p, "extra_options", ""));
}

/* The build's environment: a package build's, the part's settings over
 * it.  Free with build_env_free. */
static char **make_env(const struct recipe_run *r)
{
	const struct cmmi *c = r->part->recipe_data;
	const struct recipe_buildout *bo = r->part->buildout;
	char **base = bo->make_env ? bo->make_env(bo->env_ctx)
				   : build_env_make(NULL, 0, graph_job_jobs(r->job));
	char **envp = build_env_override(base, (const char *const *)c->env, c->nenv);
	build_env_free(base);
	return envp;
}

static int spawn(struct recipe_run *r, const struct argv *w, const char *dir, char **envp)
{
	return recipe_spawn(r, argv_list(w), dir, envp);
}

static int apply_patches(struct recipe_run *r, const char *src, char **envp)
{
	const struct recipe_part *p = r->part;
	struct argv files = ARGV_INIT;
	argv_add_words(&files, recipe_option_or(p, "patch", ""));
	argv_add_words(&files, recipe_option_or(p, "patches", ""));
	const char *options =
		recipe_option_or(p, "patch-options", recipe_option_or(p, "patch_options", "-p0"));
	struct arena a = ARENA_INIT;
	int rc = 0;
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		const char *f = files.v[i];
		const char *abs = recipe_path(&a, p->buildout->directory, f);
		struct argv argv = ARGV_INIT;
		argv_add_words(&argv, recipe_option_or(p, "patch-binary", "patch"));
		argv_add_words(&argv, options);
		argv_add(&argv, "-i");
		argv_add(&argv, abs);
		rc = spawn(r, &argv, src, envp);
		argv_free(&argv);
	}
	arena_free(&a);
	argv_free(&files);
	return rc;
}

static int configure_make_install(struct recipe_run *r, const char *src, char **envp)
{
	const struct recipe_part *p = r->part;
	struct argv conf = ARGV_INIT, make = ARGV_INIT, install = ARGV_INIT;
	argv_add_words(&conf, recipe_option_or(p, "configure-command", "./configure"));
	if (wants_prefix(p))
		argv_addf(&conf, "--prefix=%s",
			  recipe_option_or(p, "prefix", recipe_option(p, "location")));
	argv_add_words(&conf, recipe_option_or(p, "configure-options", ""));
	argv_add_words(&conf, recipe_option_or(p, "extra_options", ""));
	argv_add_words(&make, recipe_option_or(p, "make-binary", "make"));
	argv_add_words(&make, recipe_option_or(p, "make-options", ""));
	argv_add_words(&install, recipe_option_or(p, "make-binary", "make"));
	argv_add_words(&install, recipe_option_or(p, "make-options", ""));
	argv_add_words(&install, recipe_option_or(p, "make-targets", "install"));
	int rc = spawn(r, &conf, src, envp) != 0 || spawn(r, &make, src, envp) != 0 ||
			 spawn(r, &install, src, envp) != 0
		 ? -1
		 : 0;
	argv_free(&conf);
	argv_free(&make);
	argv_free(&install);
	return rc;
}

/* The url's archive unpacked into build; the tree to build is appended
 * to src. */
static int unpack_source(struct recipe_run *r, const char *build, struct strbuf *src)
{
	struct strbuf file = STRBUF_INIT;
	int rc = recipe_download_fetch(r, &file);
	if (rc == 0)
		rc = recipe_download_unpack(r, file.buf, build);
	strbuf_release(&file);
	if (rc == 0) {
		struct strbuf why = STRBUF_INIT;
		rc = fetch_static_tree(build, src, &why);
		if (rc != 0)
			graph_job_fail(r->job, "%s", why.buf);
		strbuf_release(&why);
	}
	return rc;
}

static int make_location(struct recipe_run *r)
{
	const char *location = recipe_option(r->part, "location");
	int err = fs_mkdirs(location, 0777);
	if (err) {
		graph_job_fail(r->job, "cannot create %s: %s", location, strerror(err));
		return -1;
	}
	recipe_add_path(r, location);
	return 0;
}

/* configure, make, make install, and what comes before them. */
static int build_in(struct recipe_run *r, const char *src)
{
	if (!fs_is_dir(src, true)) {
		graph_job_fail(r->job, "%s is not a directory", src);
		return -1;
	}
	if (make_location(r) != 0)
		return -1;
	char **envp = make_env(r);
	int rc = apply_patches(r, src, envp) != 0 || configure_make_install(r, src, envp) != 0
			 ? -1
			 : 0;
	build_env_free(envp);
	return rc;
}

static int cmmi_install(struct recipe_run *r)
{
	const struct recipe_part *p = r->part;
	const char *path = recipe_option(p, "path");
	if (path && *path)
		return build_in(r, path);
	struct strbuf build = STRBUF_INIT, src = STRBUF_INIT;
	strbuf_addf(&build, "%s/%s__compile__", p->buildout->parts_directory, p->name);
	int rc = unpack_source(r, build.buf, &src);
	if (rc == 0 && build_in(r, src.buf) != 0) {
		graph_job_say(r->job, "%s: the build is left in %s to look into", p->name,
			      src.buf);
		rc = -1;
	}
	if (rc == 0)
		rc = graph_job_remove_tree(r->job, build.buf);
	strbuf_release(&build);
	strbuf_release(&src);
	return rc;
}

static const char *const names[] = {"zc.recipe.cmmi", "minitage.recipe.cmmi",
				    "hexagonit.recipe.cmmi", "cmmi", NULL};

const struct recipe recipe_cmmi = {
	.names = names,
	.version = 1,
	.init = cmmi_init,
	.inputs = cmmi_inputs,
	.install = cmmi_install,
};
