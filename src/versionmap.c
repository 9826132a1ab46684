/* versionmap: name -> version of what a run resolved (versionmap.h). */
#include "versionmap.h"
#include "pkgname.h"

#include "../lib/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* minitage keeps several versions of a name side by side (python-2.4,
 * python-2.5): by name, then by version. */
static int by_name(const void *a, const void *b)
{
	const struct version_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : pkgname_version_cmp(x->version, y->version);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "hello==1.0", as buildout names a requiring distribution. */
static const char *requirer(struct arena *a, const struct pkg *p)
{
	size_t base;
	const char *v = pkgname_split(p->mb.name, &base);
	if (!v)
		return p->mb.name;
	char *s = arena_alloc(a, base + strlen(v) + 3);
	memcpy(s, p->mb.name, base);
	strcpy(s + base, "==");
	strcpy(s + base + 2, v);
	return s;
}

void versionmap_build(struct versionmap *vm, struct pkg **order, size_t n)
{
	struct arena *a = &vm->arena;
	struct hmap index = HMAP_INIT; /* minibuild name -> its entry's number + 1 */
	vm->entries = arena_alloc(a, (n + 1) * sizeof(*vm->entries));
	vm->n = 0;
	for (size_t i = 0; i < n; i++) {
		size_t base;
		const char *v = pkgname_split(order[i]->mb.name, &base);
		if (!v)
			continue;
		struct version_entry *e = &vm->entries[vm->n];
		*e = (struct version_entry){arena_strndup(a, order[i]->mb.name, base), v,
					    order[i]->choice, NULL, 0};
		hmap_put(&index, order[i]->mb.name, strlen(order[i]->mb.name),
			 (void *)(uintptr_t)++vm->n);
	}
	/* Counted, then filled: each entry's list is one allocation. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < vm->n; k++) {
			struct version_entry *e = &vm->entries[k];
			if (pass == 1)
				e->required_by = arena_alloc(a, (e->nrequired_by + 1) *
								    sizeof(*e->required_by));
			e->nrequired_by = 0;
		}
		for (size_t i = 0; i < n; i++) {
			const char *name = pass == 1 ? requirer(a, order[i]) : NULL;
			for (size_t d = 0; d < order[i]->ndeps; d++) {
				const char *dep = order[i]->deps[d]->mb.name;
				uintptr_t k = (uintptr_t)hmap_get(&index, dep, strlen(dep));
				if (!k)
					continue;
				struct version_entry *e = &vm->entries[k - 1];
				if (pass == 1)
					e->required_by[e->nrequired_by] = name;
				e->nrequired_by++;
			}
		}
	}
	for (size_t k = 0; k < vm->n; k++)
		qsort(vm->entries[k].required_by, vm->entries[k].nrequired_by,
		      sizeof(*vm->entries[k].required_by), by_string);
	qsort(vm->entries, vm->n, sizeof(*vm->entries), by_name);
	hmap_free(&index);
}

static bool shown(const struct version_entry *e, bool picked_only)
{
	return !picked_only || e->choice == PKG_PICKED;
}

void versionmap_print(const struct versionmap *vm, bool picked_only, struct strbuf *out)
{
	strbuf_adds(out, "[versions]\n");
	for (size_t k = 0; k < vm->n; k++) {
		const struct version_entry *e = &vm->entries[k];
		if (shown(e, picked_only) && !e->nrequired_by)
			strbuf_addf(out, "%s = %s\n", e->name, e->version);
	}
	for (size_t k = 0; k < vm->n; k++) {
		const struct version_entry *e = &vm->entries[k];
		if (!shown(e, picked_only) || !e->nrequired_by)
			continue;
		strbuf_adds(out, "\n# Required by:\n");
		for (size_t r = 0; r < e->nrequired_by; r++)
			strbuf_addf(out, "# %s\n", e->required_by[r]);
		strbuf_addf(out, "%s = %s\n", e->name, e->version);
	}
}

json_t *versionmap_to_json(const struct versionmap *vm, bool picked_only)
{
	static const char *const choices[] = {"named", "pinned", "picked"};
	json_t *list = json_array();
	for (size_t k = 0; k < vm->n; k++) {
		const struct version_entry *e = &vm->entries[k];
		if (!shown(e, picked_only))
			continue;
		json_t *req = json_array();
		for (size_t r = 0; r < e->nrequired_by; r++)
			json_array_append_new(req, json_string(e->required_by[r]));
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "name", e->name,
						      "version", e->version, "choice",
						      choices[e->choice], "required_by", req));
	}
	return list;
}

void versionmap_free(struct versionmap *vm)
{
	arena_free(&vm->arena);
	*vm = (struct versionmap)VERSIONMAP_INIT;
}
