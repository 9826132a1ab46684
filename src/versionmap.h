/*
 * versionmap: what a run resolved, at which version (DESIGN §1): each
 * package of an install order that has a version, by its base name, with
 * how its version was chosen (named, pinned in [versions], or picked) and
 * the packages that require it (the package graph's edges).  Printed as
 * buildout prints its picked versions: `[versions]`, the sorted
 * `name = version` lines, then each required one after a blank line and
 * its `# Required by:` comments.
 *
 * Memory: entries and their strings live in the map's arena.
 */
#ifndef MINIMERGE_VERSIONMAP_H
#define MINIMERGE_VERSIONMAP_H

#include "pkgdb.h"

#include "../lib/arena.h"
#include "../lib/strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct version_entry {
	const char *name;    /* the base name: zlib */
	const char *version; /* 1.2.13 */
	enum pkg_choice choice;
	const char **required_by; /* "hello==1.0" (a name without version alone), sorted */
	size_t nrequired_by;
};

struct versionmap {
	struct arena arena;
	struct version_entry *entries; /* sorted by name */
	size_t n;
};

#define VERSIONMAP_INIT {ARENA_INIT, NULL, 0}

/* The map of the packages of order (as pkgsel gives them). */
void versionmap_build(struct versionmap *vm, struct pkg **order, size_t n);
/* buildout's text; picked_only: the picked entries alone. */
void versionmap_print(const struct versionmap *vm, bool picked_only, struct strbuf *out);
/* [{"name", "version", "choice", "required_by": [...]}, ...], in the
 * text's order of names (a list: a name may come with two versions). */
json_t *versionmap_to_json(const struct versionmap *vm, bool picked_only);
void versionmap_free(struct versionmap *vm);

#endif
