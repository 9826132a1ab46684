/* recipe_exec: external recipes, a program per recipe fed one JSON document
 * per phase (recipe_exec.h). */
#include "recipe_exec.h"
#include "build_env.h"

#include "../lib/diag.h"
#include "../lib/file.h"
#include "../lib/fsutil.h"
#include "../lib/hash.h"
#include "../lib/hmap.h"
#include "../cache/tree.h"
#include "../lib/path.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* pkgme's exit status for "the user did something wrong; the output says
 * what". */
enum { USER_ERROR_STATUS = 42 };

struct exec_recipe {
	const char *program;  /* absolute */
	const char *identity; /* program and declared version */
	const char *version;  /* declared in recipe.json, or NULL */
	bool run_once, update;
};

static bool is_program(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The recipe directory for name on $MINIMERGE_RECIPE_PATH, in out. */
static bool find_on_path(const char *name, struct strbuf *out)
{
	const char *path = getenv("MINIMERGE_RECIPE_PATH");
	if (!path || !*path || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	size_t namelen = strcspn(name, ":");
	for (int pass = 0; pass < (name[namelen] ? 2 : 1); pass++) {
		int len = pass ? (int)namelen : (int)strlen(name);
		for (const char *p = path; *p;) {
			size_t n = strcspn(p, ":");
			if (n) {
				strbuf_reset(out);
				strbuf_addf(out, "%.*s/%.*s", (int)n, p, len, name);
				struct strbuf prog = STRBUF_INIT;
				strbuf_addf(&prog, "%s/recipe", out->buf);
				bool found = is_program(prog.buf);
				strbuf_release(&prog);
				if (found)
					return true;
			}
			p += n + (p[n] == ':');
		}
	}
	return false;
}

/* A recipe found on the path.  A name is looked up once for the process,
 * its recipe.json read once (when it reads well): the path and what is on
 * it are taken as they are when first looked at, whatever part names them
 * later. */
struct on_path {
	const char *dir;
	bool declared; /* recipe.json read: recipe is filled in */
	struct exec_recipe recipe;
};

/* name -> struct on_path; both in the arena, which lives as long as the
 * process.  Config loading looks up on the main thread; the lock keeps
 * that from mattering. */
static struct {
	pthread_mutex_t lock;
	struct arena arena;
	struct hmap names;
} found = {PTHREAD_MUTEX_INITIALIZER, ARENA_INIT, HMAP_INIT};

/* The recipe of that name on the path, found now or before; NULL if there
 * is none (not remembered).  Under found.lock. */
static struct on_path *look_up(const char *name)
{
	struct on_path *e = hmap_gets(&found.names, name);
	if (e)
		return e;
	struct strbuf dir = STRBUF_INIT;
	if (find_on_path(name, &dir)) {
		e = arena_alloc(&found.arena, sizeof(*e));
		e->dir = arena_strdup(&found.arena, dir.buf);
		const char *key = arena_strdup(&found.arena, name);
		hmap_put(&found.names, key, strlen(key), e);
	}
	strbuf_release(&dir);
	return e;
}

bool recipe_exec_find(const char *name)
{
	if (!strncmp(name, "exec:", 5))
		return true;
	pthread_mutex_lock(&found.lock);
	bool there = look_up(name) != NULL;
	pthread_mutex_unlock(&found.lock);
	return there;
}

/* recipe.json beside a recipe found on the path. */
static int read_declaration(const char *dir, struct exec_recipe *er, const char **version,
			    struct arena *a)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	strbuf_addf(&path, "%s/recipe.json", dir);
	int err = 0, rc = 0;
	if (file_read(path.buf, &text, &err) != 0) {
		if (err != ENOENT) {
			diag_error(path.buf, 0, "cannot read: %s", strerror(err));
			rc = -1;
		}
		goto out;
	}
	json_error_t je;
	json_t *doc = json_loadb(text.buf, text.len, 0, &je);
	json_t *v = doc ? json_object_get(doc, "version") : NULL;
	json_t *once = doc ? json_object_get(doc, "run-once") : NULL;
	json_t *update = doc ? json_object_get(doc, "update") : NULL;
	if (!json_is_object(doc) || (v && !json_is_string(v)) || (once && !json_is_boolean(once)) ||
	    (update && !json_is_boolean(update))) {
		diag_error(path.buf, doc ? 0 : je.line,
			   "%s: want an object {\"version\": STRING, \"run-once\": BOOL, "
			   "\"update\": BOOL}, each optional",
			   doc ? "not what a recipe declares" : je.text);
		rc = -1;
	} else {
		*version = v ? arena_strdup(a, json_string_value(v)) : "";
		er->run_once = once && json_is_true(once);
		er->update = update && json_is_true(update);
	}
	json_decref(doc);
out:
	strbuf_release(&path);
	strbuf_release(&text);
	return rc;
}

/* e's program and what its recipe.json declares.  0, or -1 (reported). */
static int declare(struct on_path *e)
{
	struct exec_recipe *er = &e->recipe;
	const char *version = "";
	if (read_declaration(e->dir, er, &version, &found.arena) != 0)
		return -1;
	er->program = path_join(&found.arena, e->dir, "recipe");
	struct strbuf text = STRBUF_INIT;
	strbuf_addf(&text, "%s%s%s", er->program, *version ? " version " : "", version);
	er->identity = arena_strdup(&found.arena, text.buf);
	er->version = *version ? version : NULL;
	strbuf_release(&text);
	e->declared = true;
	return 0;
}

static int exec_init(struct recipe_init *ri)
{
	bool failed = false;
	const char *name = cfg_get(ri->cfg, ri->section, "recipe", &failed);
	struct cfg_option *o = cfg_find_option(ri->section, "recipe");
	const char *file = o ? o->file : ri->section->file;
	int line = o ? o->line : ri->section->line;
	if (strncmp(name, "exec:", 5)) {
		/* recipe_find has just found it: the parts of one recipe share
		 * what was read for the first. */
		pthread_mutex_lock(&found.lock);
		struct on_path *e = look_up(name);
		int rc = e && (e->declared || declare(e) == 0) ? 0 : -1;
		pthread_mutex_unlock(&found.lock);
		if (!e)
			diag_error(file, line, "part %s: recipe %s: not on $MINIMERGE_RECIPE_PATH",
				   ri->section->name, name);
		if (rc != 0)
			return -1;
		ri->recipe_data = &e->recipe;
		return 0;
	}
	struct exec_recipe *er = arena_alloc(ri->arena, sizeof(*er));
	er->program = recipe_path(ri->arena, ri->cfg->directory, name + 5);
	if (!is_program(er->program)) {
		diag_error(file, line, "part %s: recipe %s: %s is not an executable file",
			   ri->section->name, name, er->program);
		return -1;
	}
	er->identity = er->program;
	ri->recipe_data = er;
	return 0;
}

/* The program's content is in the key: hashed through the stat cache, so
 * a no-op run of many parts of one recipe reads it once, or not at all. */
static int exec_inputs(const struct recipe_part *p, struct graph_inputs *in)
{
	const struct exec_recipe *er = p->recipe_data;
	struct hash128 h;
	int rc = tree_file_hash(p->buildout->store, er->program, &h);
	if (rc == 1)
		diag_error(er->program, 0, "part %s: the recipe's program is gone", p->name);
	if (rc != 0)
		return -1;
	char hex[HASH_HEX_LEN + 1];
	hash_hex(h, hex);
	graph_input_hash(in, "recipe-program", h, hex);
	return 0;
}

static json_t *options_json(const struct recipe_option *o, size_t n)
{
	json_t *obj = json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(obj, o[i].name, json_string(o[i].value));
	return obj;
}

/* The document as a file to read from: a pipe could fill up before the
 * program reads it.  A descriptor, or -1 (reported). */
static int document_fd(struct recipe_run *r, const char *phase)
{
	const struct recipe_part *p = r->part;
	json_t *doc = json_pack("{s:o, s:s, s:o, s:s}", "buildout",
				options_json(p->buildout->options, p->buildout->noptions), "name",
				p->name, "options", options_json(p->options, p->noptions), "phase",
				phase);
	if (r->old_paths) {
		json_t *paths = json_array();
		for (size_t i = 0; i < r->nold_paths; i++)
			json_array_append_new(paths, json_string(r->old_paths[i]));
		json_object_set_new(doc, "paths", paths);
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	int fd = fs_open_scratch();
	int err = fd < 0 ? errno : fs_write_all(fd, text, strlen(text));
	if (!err && lseek(fd, 0, SEEK_SET) != 0)
		err = errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		fd = -1;
		graph_job_fail(r->job, "cannot write the recipe's input: %s", strerror(err));
	}
	free(text);
	return fd;
}

/* The output, a JSON list of paths, recorded.  An update or uninstall may
 * print nothing. */
static int take_paths(struct recipe_run *r, const char *phase, const struct strbuf *out)
{
	size_t start = 0;
	while (start < out->len && strchr(" \t\r\n", out->buf[start]))
		start++;
	if (start == out->len && strcmp(phase, "install"))
		return 0;
	json_error_t je;
	json_t *list = json_loadb(out->buf, out->len, 0, &je);
	bool ok = json_is_array(list);
	for (size_t i = 0; ok && i < json_array_size(list); i++)
		ok = json_is_string(json_array_get(list, i)) &&
		     *json_string_value(json_array_get(list, i));
	if (!ok) {
		graph_job_fail(r->job,
			       "recipe %s (%s) printed what is not a JSON list of paths: %.200s%s",
			       r->part->recipe_name, phase, out->buf, out->len > 200 ? "..." : "");
		json_decref(list);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(list); i++)
		recipe_add_path(r, json_string_value(json_array_get(list, i)));
	json_decref(list);
	return 0;
}

static int run_phase(struct recipe_run *r, const char *phase)
{
	const struct exec_recipe *er = r->part->recipe_data;
	int in = document_fd(r, phase);
	if (in < 0)
		return -1;
	const char *argv[] = {er->program, phase, NULL};
	struct spawn_options o;
	spawn_options_init(&o);
	o.argv = argv;
	o.cwd = r->part->buildout->directory;
	char **envp = recipe_env(r->part);
	o.envp = envp;
	o.stdin_fd = in;
	struct spawn_result res;
	struct strbuf out = STRBUF_INIT;
	int rc = graph_job_exec(r->job, &o, true, &out, &res);
	close(in);
	if (envp)
		build_env_free(envp);
	if (rc < 0) {
		strbuf_release(&out);
		return -1;
	}
	if (rc == 0) {
		rc = take_paths(r, phase, &out);
	} else if (res.exited && res.code == USER_ERROR_STATUS) {
		while (out.len && strchr(" \t\r\n", out.buf[out.len - 1]))
			out.buf[--out.len] = '\0';
		graph_job_fail(r->job, "%s", out.len ? out.buf : "the recipe failed (exit 42)");
	} else {
		struct strbuf why = STRBUF_INIT;
		spawn_result_describe(&res, er->program, 0, &why);
		graph_job_fail(r->job, "recipe %s (%s): %s", r->part->recipe_name, phase, why.buf);
		strbuf_release(&why);
	}
	if (out.len && fs_write_all(graph_job_log_fd(r->job), out.buf, out.len) != 0)
		diag_warning(NULL, 0, "cannot write the log of part %s", r->part->name);
	strbuf_release(&out);
	return rc == 0 ? 0 : -1;
}

static int exec_install(struct recipe_run *r)
{
	return run_phase(r, "install");
}

static int exec_update(struct recipe_run *r)
{
	return run_phase(r, "update");
}

static int exec_uninstall(struct recipe_run *r)
{
	return run_phase(r, "uninstall");
}

static bool exec_has_update(const struct recipe_part *p)
{
	return ((const struct exec_recipe *)p->recipe_data)->update;
}

static const char *exec_identity(const struct recipe_part *p)
{
	return ((const struct exec_recipe *)p->recipe_data)->identity;
}

static const char *exec_declared_version(const struct recipe_part *p)
{
	return ((const struct exec_recipe *)p->recipe_data)->version;
}

static bool exec_run_once(const struct recipe_part *p)
{
	return ((const struct exec_recipe *)p->recipe_data)->run_once;
}

const char *recipe_exec_program(const struct recipe_part *p)
{
	return ((const struct exec_recipe *)p->recipe_data)->program;
}

void *recipe_exec_data(struct arena *a, const char *program)
{
	struct exec_recipe *er = arena_alloc(a, sizeof(*er));
	er->program = arena_strdup(a, program);
	er->identity = er->program;
	return er;
}


const struct recipe recipe_exec = {
	.init = exec_init,
	.inputs = exec_inputs,
	.install = exec_install,
	.has_update = exec_has_update,
	.update = exec_update,
	.uninstall = exec_uninstall,
	.identity = exec_identity,
	.declared_version = exec_declared_version,
	.run_once_default = exec_run_once,
};
