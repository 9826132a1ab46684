/* versionmap: name -> version of what a run resolved (versionmap.h). */
#include "versionmap.h"
#include "pkgname.h"

#include "../lib/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct version_edge {
	size_t entry;
	struct version_requirer by;
};

size_t versionmap_add(struct versionmap *vm, const char *name, const char *version,
		      enum pkg_choice choice)
{
	if (vm->n == vm->cap) {
		vm->cap = vm->cap ? vm->cap * 2 : 16;
		vm->entries = xrealloc(vm->entries, vm->cap * sizeof(*vm->entries));
	}
	vm->entries[vm->n] = (struct version_entry){arena_strdup(&vm->arena, name),
						    arena_strdup(&vm->arena, version), choice,
						    NULL, 0};
	return vm->n++;
}

void versionmap_require(struct versionmap *vm, size_t k, const char *name, const char *version,
			bool exact)
{
	if (vm->nedges == vm->capedges) {
		vm->capedges = vm->capedges ? vm->capedges * 2 : 16;
		vm->edges = xrealloc(vm->edges, vm->capedges * sizeof(*vm->edges));
	}
	struct arena *a = &vm->arena;
	vm->edges[vm->nedges++] = (struct version_edge){
		k, {arena_strdup(a, name), version ? arena_strdup(a, version) : NULL, exact}};
}

/* minitage keeps several versions of a name side by side (python-2.4,
 * python-2.5): by name, then by version. */
static int by_name(const void *a, const void *b)
{
	const struct version_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : pkgname_version_cmp(x->version, y->version);
}

/* The i-th byte of "name==version" ("name" without a version), 0 past
 * its end. */
static unsigned char requirer_at(const struct version_requirer *r, size_t i, size_t name_len)
{
	if (i < name_len)
		return (unsigned char)r->name[i];
	if (!r->version)
		return 0;
	i -= name_len;
	if (i < 2)
		return '=';
	return (unsigned char)r->version[i - 2];
}

/* As buildout sorts them: the strings "name==version". */
static int by_requirer(const void *a, const void *b)
{
	const struct version_requirer *x = a, *y = b;
	size_t nx = strlen(x->name), ny = strlen(y->name);
	for (size_t i = 0;; i++) {
		unsigned char cx = requirer_at(x, i, nx), cy = requirer_at(y, i, ny);
		if (cx != cy || !cx)
			return (int)cx - (int)cy;
	}
}

void versionmap_finish(struct versionmap *vm)
{
	for (size_t e = 0; e < vm->nedges; e++)
		vm->entries[vm->edges[e].entry].nrequired_by++;
	for (size_t k = 0; k < vm->n; k++) {
		struct version_entry *en = &vm->entries[k];
		en->required_by = arena_alloc(&vm->arena, (en->nrequired_by + 1) *
								  sizeof(*en->required_by));
		en->nrequired_by = 0;
	}
	for (size_t e = 0; e < vm->nedges; e++) {
		struct version_entry *en = &vm->entries[vm->edges[e].entry];
		en->required_by[en->nrequired_by++] = vm->edges[e].by;
	}
	for (size_t k = 0; k < vm->n; k++)
		qsort(vm->entries[k].required_by, vm->entries[k].nrequired_by,
		      sizeof(*vm->entries[k].required_by), by_requirer);
	if (vm->n)
		qsort(vm->entries, vm->n, sizeof(*vm->entries), by_name);
	free(vm->edges);
	vm->edges = NULL;
	vm->nedges = vm->capedges = 0;
}

void versionmap_of_packages(struct versionmap *vm, struct pkg **order, size_t n)
{
	struct hmap index = HMAP_INIT; /* minibuild name -> its entry's number + 1 */
	struct strbuf base = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *v = pkgname_split(order[i]->mb.name, &len);
		if (!v)
			continue;
		strbuf_reset(&base);
		strbuf_add(&base, order[i]->mb.name, len);
		size_t k = versionmap_add(vm, base.buf, v, order[i]->choice);
		hmap_put(&index, order[i]->mb.name, strlen(order[i]->mb.name),
			 (void *)(uintptr_t)(k + 1));
	}
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *v = pkgname_split(order[i]->mb.name, &len);
		strbuf_reset(&base);
		strbuf_add(&base, order[i]->mb.name, v ? len : strlen(order[i]->mb.name));
		for (size_t d = 0; d < order[i]->ndeps; d++) {
			const struct pkg *dep = order[i]->deps[d];
			uintptr_t k = (uintptr_t)hmap_get(&index, dep->mb.name, strlen(dep->mb.name));
			if (k)
				versionmap_require(vm, k - 1, base.buf, v,
						   !strcmp(order[i]->mb.dependencies[d],
							   dep->mb.name));
		}
	}
	strbuf_release(&base);
	hmap_free(&index);
	versionmap_finish(vm);
}

bool versionmap_has_picks(const struct versionmap *vm)
{
	for (size_t k = 0; k < vm->n; k++)
		if (vm->entries[k].choice == PKG_PICKED)
			return true;
	return false;
}

static bool shown(const struct version_entry *e, bool picked_only)
{
	return !picked_only || e->choice == PKG_PICKED;
}

/* buildout names a requiring distribution "hello==1.0";
 * dumppickedversions as pkg_resources does, "hello 1.0". */
static void print_requirer(const struct version_requirer *r, enum versionmap_style style,
			   struct strbuf *out)
{
	bool buildout = style == VERSIONMAP_BUILDOUT;
	strbuf_addf(out, buildout ? "# %s" : "#%s", r->name);
	if (r->version)
		strbuf_addf(out, buildout ? "==%s" : " %s", r->version);
	strbuf_addc(out, '\n');
}

void versionmap_print(const struct versionmap *vm, bool picked_only, enum versionmap_style style,
		      struct strbuf *out)
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
		strbuf_adds(out, style == VERSIONMAP_BUILDOUT ? "\n# Required by:\n"
							       : "\n#Required by:\n");
		for (size_t r = 0; r < e->nrequired_by; r++)
			print_requirer(&e->required_by[r], style, out);
		strbuf_addf(out, "%s = %s\n", e->name, e->version);
	}
}

json_t *versionmap_to_json(const struct versionmap *vm, bool picked_only)
{
	static const char *const choices[] = {"named", "pinned", "picked"};
	json_t *list = json_array();
	struct strbuf by = STRBUF_INIT;
	for (size_t k = 0; k < vm->n; k++) {
		const struct version_entry *e = &vm->entries[k];
		if (!shown(e, picked_only))
			continue;
		json_t *req = json_array();
		for (size_t r = 0; r < e->nrequired_by; r++) {
			const struct version_requirer *q = &e->required_by[r];
			strbuf_reset(&by);
			strbuf_adds(&by, q->name);
			if (q->version)
				strbuf_addf(&by, "==%s", q->version);
			json_array_append_new(req, json_string(by.buf));
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o}", "name", e->name,
						      "version", e->version, "choice",
						      choices[e->choice], "required_by", req));
	}
	strbuf_release(&by);
	return list;
}

void versionmap_free(struct versionmap *vm)
{
	arena_free(&vm->arena);
	free(vm->entries);
	free(vm->edges);
	*vm = (struct versionmap)VERSIONMAP_INIT;
}
