#include "pkgdb.h"

#include "pkgname.h"
#include "root.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/file.h"
#include "../lib/path.h"
#include "../lib/spell.h"
#include "../lib/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const struct cfg_delta *setting(const struct pkgdb *db, const char *section,
				       const char *name)
{
	const struct cfg_file_section *s = cfg_file_find(&db->cfg, section);
	const struct cfg_delta *d = s ? cfg_file_section_find(s, name) : NULL;
	return d && d->set ? d : NULL;
}

const char *pkgdb_setting(const struct pkgdb *db, const char *section, const char *name,
			  int *line)
{
	const struct cfg_delta *d = setting(db, section, name);
	if (line)
		*line = d ? d->set_line : 0;
	return d ? d->set : NULL;
}

static int read_settings(struct pkgdb *db)
{
	struct arena *a = &db->arena;
	db->cfg_path = path_join(a, db->root, "etc/minimerge.cfg");
	struct strbuf text = STRBUF_INIT;
	int err;
	if (file_read(db->cfg_path, &text, &err) < 0) {
		strbuf_release(&text);
		if (err == ENOENT)
			return 0;
		diag_error(db->cfg_path, 0, "cannot read: %s", strerror(err));
		return -1;
	}
	int rc = cfg_parse(a, db->cfg_path, text.buf, text.len, &db->cfg);
	strbuf_release(&text);
	const struct cfg_file_section *vars = cfg_file_find(&db->cfg, "minitage.variables");
	for (size_t i = 0; rc == 0 && vars && i < vars->ndeltas; i++)
		if (vars->deltas[i]->set)
			hmap_put(&db->variables, vars->deltas[i]->name, strlen(vars->deltas[i]->name),
				 (void *)vars->deltas[i]->set);
	return rc;
}

int pkgdb_open(struct pkgdb *db)
{
	*db = (struct pkgdb){0};
	struct arena *a = &db->arena;
	db->root = root_find(a);
	if (!db->root || read_settings(db) < 0)
		return -1;
	struct utsname u;
	char *os = arena_strdup_lower(a, uname(&u) == 0 ? u.sysname : "unknown");
	db->ctx = (struct minibuild_context){&db->variables, os};
	const struct cfg_delta *listed = setting(db, "minimerge", "minilays");
	return minilays_open(a, db->root, getenv("MINILAYS"), listed ? listed->set : NULL,
			     db->cfg_path, listed ? listed->set_line : 0, &db->minilays);
}

void pkgdb_close(struct pkgdb *db)
{
	ahead_stop(db->ahead);
	if (db->ahead_loaded)
		for (size_t i = 0; i < db->minilays.nfiles; i++)
			strbuf_release(&db->ahead_loaded[i].diags);
	free(db->ahead_loaded);
	arena_free(&db->ahead_arena);
	for (size_t i = 0; i < db->npkgs; i++)
		free(db->bynode[i]->deps);
	free(db->bynode);
	dag_free(&db->dag);
	hmap_free(&db->pkgs);
	hmap_free(&db->variables);
	hmap_free(&db->installed);
	minilays_free(&db->minilays);
	cfg_file_free(&db->cfg);
	arena_free(&db->arena);
}

static void report_missing(struct pkgdb *db, const char *name, const char *where, int line)
{
	const struct minilays *m = &db->minilays;
	const char **names = xmalloc((m->nfiles + 1) * sizeof(*names));
	for (size_t i = 0; i < m->nfiles; i++)
		names[i] = m->files[i]->name;
	const char *near[3];
	size_t n = spell_nearest(name, names, m->nfiles, near, 3);
	free(names);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s'%s'", i ? ", " : " (did you mean ", near[i]);
	if (n)
		strbuf_adds(&sb, "?)");
	diag_error(where, line, "The minibuild '%s' was not found in %zu minilay%s%s", name,
		   m->ndirs, m->ndirs == 1 ? "" : "s", sb.buf);
	strbuf_release(&sb);
}

/* The name a base name stands for: its pinned version, else the highest. */
static const char *choose_version(struct pkgdb *db, const char *base, enum pkg_choice *choice,
				  const char *where)
{
	const struct minilay_versions *vs = hmap_gets(&db->minilays.by_base, base);
	const struct cfg_delta *pin = setting(db, "versions", base);
	if (pin) {
		*choice = PKG_PINNED;
		const char *want = arena_strdup(&db->arena, pin->set);
		for (size_t i = 0; vs && i < vs->n; i++)
			if (!strcmp(pkgname_split(vs->names[i], &(size_t){0}), want))
				return vs->names[i];
		diag_error(db->cfg_path, pin->set_line,
			   "'%s' is pinned to version %s, but no minilay has %s-%s%s%s%s", base, want,
			   base, want, where ? " (needed by " : "", where ? where : "", where ? ")" : "");
		return NULL;
	}
	if (!vs)
		return NULL;
	*choice = PKG_PICKED;
	const char *best = vs->names[0];
	for (size_t i = 1; i < vs->n; i++)
		if (pkgname_version_cmp(pkgname_split(vs->names[i], &(size_t){0}),
					pkgname_split(best, &(size_t){0})) > 0)
			best = vs->names[i];
	return best;
}

static struct pkg *load(struct pkgdb *db, const char *name, enum pkg_choice choice,
			const char *requested_as)
{
	struct pkg *p = hmap_gets(&db->pkgs, name);
	if (p)
		return p;
	const struct minilay_file *f = hmap_gets(&db->minilays.by_name, name);
	p = arena_alloc(&db->arena, sizeof(*p));
	if (!ahead_claim(db->ahead, f->index)) {
		struct pkgdb_loaded *l = &db->ahead_loaded[f->index];
		diag_replay(l->diags.buf, l->diags.len);
		if (l->rc < 0)
			return NULL;
		p->mb = l->mb;
	} else if (minibuild_load(&db->arena, &db->ctx, db->minilays.dirs[f->minilay], f->name,
				  &p->mb) < 0) {
		return NULL;
	}
	p->choice = choice;
	p->requested_as = requested_as;
	p->node = dag_add_node(&db->dag);
	if (db->npkgs == db->cappkgs) {
		db->cappkgs = db->cappkgs ? db->cappkgs * 2 : 64;
		db->bynode = xrealloc(db->bynode, db->cappkgs * sizeof(*db->bynode));
	}
	db->bynode[db->npkgs++] = p;
	hmap_put(&db->pkgs, p->mb.name, strlen(p->mb.name), p);
	return p;
}

struct pkg *pkgdb_resolve(struct pkgdb *db, const char *name, const char *where, int line)
{
	if (hmap_gets(&db->minilays.by_name, name))
		return load(db, name, PKG_NAMED, NULL);
	enum pkg_choice choice = PKG_NAMED;
	const char *chosen = NULL;
	size_t base_len;
	if (!pkgname_split(name, &base_len)) {
		chosen = choose_version(db, name, &choice, where);
		if (!chosen && choice == PKG_PINNED)
			return NULL;
	}
	if (!chosen) {
		report_missing(db, name, where, line);
		return NULL;
	}
	struct pkg *p = load(db, chosen, choice, arena_strdup(&db->arena, name));
	return p;
}

/* On the thread: nothing here is the caller's while it runs. */
static void load_ahead(void *ctx, size_t i)
{
	struct pkgdb *db = ctx;
	const struct minilay_file *f = db->minilays.files[i];
	struct pkgdb_loaded *l = &db->ahead_loaded[i];
	diag_capture(&l->diags);
	l->rc = minibuild_load(&db->ahead_arena, &db->ctx, db->minilays.dirs[f->minilay], f->name,
			       &l->mb);
	diag_capture(NULL);
}

void pkgdb_load_ahead_all(struct pkgdb *db)
{
	if (db->ahead || !db->minilays.nfiles)
		return;
	db->ahead_loaded = xcalloc(db->minilays.nfiles, sizeof(*db->ahead_loaded));
	for (size_t i = 0; i < db->minilays.nfiles; i++)
		db->ahead_loaded[i].diags = (struct strbuf)STRBUF_INIT;
	db->ahead = ahead_start(db->minilays.nfiles, load_ahead, db);
}

int pkgdb_load_needs(struct pkgdb *db, struct pkg **pkgs, size_t n)
{
	/* A work list, not recursion: chains can be thousands deep. */
	size_t cap = n + 16, len = 0;
	struct pkg **todo = xmalloc(cap * sizeof(*todo));
	for (size_t i = 0; i < n; i++)
		todo[len++] = pkgs[i];
	int rc = 0;
	while (len && rc == 0) {
		struct pkg *p = todo[--len];
		if (p->deps_loaded)
			continue;
		p->deps_loaded = true;
		p->deps = xmalloc((p->mb.ndependencies + 1) * sizeof(*p->deps));
		for (size_t i = 0; i < p->mb.ndependencies; i++) {
			struct pkg *d = pkgdb_resolve(db, p->mb.dependencies[i], p->mb.path,
						      p->mb.dependencies_line);
			if (!d) {
				rc = -1;
				break;
			}
			p->deps[p->ndeps++] = d;
			dag_add_edge(&db->dag, p->node, d->node);
			if (!d->deps_loaded) {
				if (len == cap)
					todo = xrealloc(todo, (cap *= 2) * sizeof(*todo));
				todo[len++] = d;
			}
		}
	}
	free(todo);
	return rc;
}

int pkgdb_order(struct pkgdb *db, struct pkg **roots, size_t n, struct pkg ***order,
		size_t *norder)
{
	size_t *nodes = xmalloc((n + 1) * sizeof(*nodes));
	for (size_t i = 0; i < n; i++)
		nodes[i] = roots[i]->node;
	struct dag_order o;
	int rc = dag_order(&db->dag, nodes, n, &o);
	free(nodes);
	if (rc < 0) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < o.ncycle; i++)
			strbuf_addf(&sb, "%s%s", i ? " -> " : "", db->bynode[o.cycle[i]]->mb.name);
		const struct pkg *first = db->bynode[o.cycle[0]];
		diag_error(first->mb.path, first->mb.dependencies_line, "Circular dependency: %s",
			   sb.buf);
		strbuf_release(&sb);
		dag_order_free(&o);
		return -1;
	}
	*order = xmalloc((o.n + 1) * sizeof(**order));
	for (size_t i = 0; i < o.n; i++)
		(*order)[i] = db->bynode[o.nodes[i]];
	*norder = o.n;
	dag_order_free(&o);
	return 0;
}

int pkgdb_check_picks(struct pkgdb *db)
{
	const struct cfg_delta *allow = setting(db, "minimerge", "allow-picked-versions");
	if (!allow || !strcmp(allow->set, "true"))
		return 0;
	if (strcmp(allow->set, "false")) {
		diag_error(db->cfg_path, allow->set_line,
			   "Invalid value for 'allow-picked-versions' option: '%s'", allow->set);
		return -1;
	}
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < db->npkgs; i++) {
		const struct pkg *p = db->bynode[i];
		if (p->choice == PKG_PICKED)
			strbuf_addf(&sb, "\n  %s = %s", p->requested_as, p->mb.version);
	}
	if (!sb.len)
		return 0;
	diag_error(db->cfg_path, allow->set_line,
		   "allow-picked-versions is false, but these versions were picked "
		   "(pin them in [versions]):%s",
		   sb.buf);
	strbuf_release(&sb);
	return -1;
}

static bool keep_directory(const char *name, bool is_dir, void *ctx)
{
	(void)name;
	(void)ctx;
	return is_dir;
}

bool pkgdb_installed(struct pkgdb *db, const struct pkg *p)
{
	if (!p->mb.category.value || p->mb.meta)
		return false;
	const char *category = p->mb.category.value;
	/* One listing per category instead of a stat per package: a
	 * 10,000-package graph asks about every one. */
	if (!hmap_gets(&db->installed, category)) {
		hmap_put(&db->installed, category, strlen(category), db);
		size_t n = 0;
		const char **dirs = fs_list_dir(&db->arena, path_join(&db->arena, db->root, category),
						keep_directory, NULL, &n);
		for (size_t i = 0; dirs && i < n; i++) {
			const char *key = path_join(&db->arena, category, dirs[i]);
			hmap_put(&db->installed, key, strlen(key), db);
		}
		free(dirs);
	}
	struct strbuf key = STRBUF_INIT;
	strbuf_addf(&key, "%s/%s", category, p->mb.name);
	bool installed = hmap_get(&db->installed, key.buf, key.len) != NULL;
	strbuf_release(&key);
	return installed;
}
