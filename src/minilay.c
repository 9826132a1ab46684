#include "minilay.h"

#include "cfg_parse.h"
#include "pkgname.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool minilay_ignored(const char *name)
{
	size_t n = strlen(name);
	static const char *const suffixes[] = {".svn", ".sav", "ignore", "~"};
	if (name[0] == '.' || !strncmp(name, "readme", 6))
		return true;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		size_t s = strlen(suffixes[i]);
		if (n >= s && !strcmp(name + n - s, suffixes[i]))
			return true;
	}
	return false;
}

/* What minitage reads of a minilays directory: its directories (ctx
 * points to true), or of a minilay: its other files; never the names it
 * skips. */
static bool minilay_entry(const char *name, bool is_dir, void *ctx)
{
	return !minilay_ignored(name) && is_dir == *(const bool *)ctx;
}

static void add_dir(struct minilays *m, size_t *cap, const char *dir)
{
	for (size_t i = 0; i < m->ndirs; i++)
		if (!strcmp(m->dirs[i], dir))
			return;
	if (m->ndirs == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		m->dirs = xrealloc(m->dirs, *cap * sizeof(*m->dirs));
	}
	m->dirs[m->ndirs++] = dir;
}

/* Whitespace-separated directories, relative ones taken from the root. */
static int add_listed(struct arena *a, struct minilays *m, size_t *cap, const char *root,
		      const char *list, const char *where, int line)
{
	for (const char *p = list; *p;) {
		while (*p && cfg_isspace((unsigned char)*p))
			p++;
		const char *start = p;
		while (*p && !cfg_isspace((unsigned char)*p))
			p++;
		if (p == start)
			break;
		char *dir = arena_strndup(a, start, (size_t)(p - start));
		dir = path_normpath(a, dir[0] == '/' ? dir : path_join(a, root, dir));
		if (!fs_is_dir(dir, true)) {
			diag_error(where, line, "minilay '%s' is not a directory", dir);
			return -1;
		}
		add_dir(m, cap, dir);
	}
	return 0;
}

static void index_file(struct arena *a, struct minilays *m, size_t *cap, const char *name,
		       size_t minilay)
{
	struct minilay_file *f = arena_alloc(a, sizeof(*f));
	f->name = name;
	f->minilay = minilay;
	struct minilay_file *first = hmap_gets(&m->by_name, name);
	if (first) {
		while (first->shadow)
			first = first->shadow;
		first->shadow = f;
		return;
	}
	hmap_put(&m->by_name, name, strlen(name), f);
	if (m->nfiles == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		m->files = xrealloc(m->files, *cap * sizeof(*m->files));
	}
	m->files[m->nfiles++] = f;
	size_t base_len;
	if (!pkgname_split(name, &base_len))
		return;
	struct minilay_versions *vs = hmap_get(&m->by_base, name, base_len);
	if (!vs) {
		vs = arena_alloc(a, sizeof(*vs));
		hmap_put(&m->by_base, name, base_len, vs);
	}
	if (vs->n == vs->cap) {
		size_t c = vs->cap ? vs->cap * 2 : 4;
		const char **bigger = arena_alloc(a, c * sizeof(*bigger));
		if (vs->n)
			memcpy(bigger, vs->names, vs->n * sizeof(*bigger));
		vs->names = bigger;
		vs->cap = c;
	}
	vs->names[vs->n++] = name;
}

static int by_file_name(const void *a, const void *b)
{
	return strcmp((*(struct minilay_file *const *)a)->name,
		      (*(struct minilay_file *const *)b)->name);
}

int minilays_open(struct arena *a, const char *root, const char *env, const char *configured,
		  const char *cfg_path, int cfg_line, struct minilays *out)
{
	*out = (struct minilays){0};
	size_t cap = 0;
	if (env && add_listed(a, out, &cap, root, env, "$MINILAYS", 0) < 0)
		return -1;
	if (configured && add_listed(a, out, &cap, root, configured, cfg_path, cfg_line) < 0)
		return -1;
	size_t nsub;
	bool dirs = true, files = false;
	const char *top = path_join(a, root, "minilays");
	const char **subs = fs_list_dir(a, top, minilay_entry, &dirs, &nsub);
	for (size_t i = 0; subs && i < nsub; i++)
		add_dir(out, &cap, path_join(a, top, subs[i]));
	free(subs);
	size_t fcap = 0;
	for (size_t i = 0; i < out->ndirs; i++) {
		size_t n;
		const char **names = fs_list_dir(a, out->dirs[i], minilay_entry, &files, &n);
		if (!names) {
			diag_error(out->dirs[i], 0, "cannot read the minilay: %s", strerror(errno));
			return -1;
		}
		for (size_t j = 0; j < n; j++)
			index_file(a, out, &fcap, names[j], i);
		free(names);
	}
	if (out->nfiles)
		qsort(out->files, out->nfiles, sizeof(*out->files), by_file_name);
	for (size_t i = 0; i < out->nfiles; i++)
		out->files[i]->index = i;
	return 0;
}

void minilays_free(struct minilays *m)
{
	free(m->dirs);
	free(m->files);
	hmap_free(&m->by_name);
	hmap_free(&m->by_base);
	*m = (struct minilays){0};
}
