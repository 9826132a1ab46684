/*
 * versionmap: what a run resolved, at which version (DESIGN §1): each
 * package or part that has a version, by its base name, with how its
 * version was chosen (named, pinned in [versions], or picked) and what
 * requires it (the graph's edges).  Printed as buildout prints its picked
 * versions: `[versions]`, the sorted `name = version` lines, then each
 * required one after a blank line and its `# Required by:` comments; or as
 * buildout.dumppickedversions printed them.
 *
 * Built by whoever knows the run (versionmap_of_packages for an install
 * order, part_plan_versions for a config's parts): entries are added, then
 * the edges, then versionmap_finish sorts both.
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

/* One edge: requirer needs the entry it is listed under. */
struct version_requirer {
	const char *name, *version; /* the requirer's; version NULL when it has none */
	bool exact;                 /* it asked for this very version (==) */
};

struct version_entry {
	const char *name;    /* the base name: zlib */
	const char *version; /* 1.2.13 */
	enum pkg_choice choice;
	struct version_requirer *required_by; /* sorted as buildout sorts "name==version" */
	size_t nrequired_by;
};

struct versionmap {
	struct arena arena;
	struct version_entry *entries; /* sorted by name, then version, once finished */
	size_t n, cap;
	struct version_edge *edges; /* until versionmap_finish */
	size_t nedges, capedges;
};

#define VERSIONMAP_INIT {ARENA_INIT, NULL, 0, 0, NULL, 0, 0}

/* Adds an entry (the strings are copied); its number, for versionmap_require. */
size_t versionmap_add(struct versionmap *vm, const char *name, const char *version,
		      enum pkg_choice choice);
/* Entry k is required by name (at version, or NULL). */
void versionmap_require(struct versionmap *vm, size_t k, const char *name, const char *version,
			bool exact);
/* Sorts the entries and gives each its requirers; entry numbers change. */
void versionmap_finish(struct versionmap *vm);

/* The map of the packages of order (as pkgsel gives them), finished. */
void versionmap_of_packages(struct versionmap *vm, struct pkg **order, size_t n);

bool versionmap_has_picks(const struct versionmap *vm);

enum versionmap_style {
	VERSIONMAP_BUILDOUT,   /* "# Required by:" / "# name==version" */
	VERSIONMAP_DUMPPICKED, /* "#Required by:" / "#name version" */
};
/* The text; picked_only: the picked entries alone. */
void versionmap_print(const struct versionmap *vm, bool picked_only, enum versionmap_style style,
		      struct strbuf *out);
/* [{"name", "version", "choice", "required_by": [...]}, ...], in the
 * text's order of names (a list: a name may come with two versions). */
json_t *versionmap_to_json(const struct versionmap *vm, bool picked_only);
void versionmap_free(struct versionmap *vm);

#endif
