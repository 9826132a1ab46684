/*
 * part_state: what a buildout part installed, kept in the store (LMDB,
 * STORE_PARTS) under the part's identity: the key it was installed with,
 * its recipe, its resolved options, the paths it created, when, and for an
 * external recipe the program that uninstalls it.  It is buildout's
 * .installed.cfg, one entry per part, written as the part finishes rather
 * than as one file rewritten after each part.
 *
 * Stored as a JSON object; read whole.  Memory: a part_state's strings are
 * in the arena given to part_state_each.
 */
#ifndef MINIMERGE_PART_STATE_H
#define MINIMERGE_PART_STATE_H

#include "recipe.h"

#include "../cache/store.h"
#include "../lib/arena.h"
#include "../lib/hash.h"
#include "../lib/strbuf.h"

#include <jansson.h>
#include <stdint.h>

struct part_state {
	struct hash128 key;
	const char *recipe;
	const char *program; /* an external recipe's, or NULL */
	struct recipe_option *options; /* sorted by name */
	size_t noptions;
	const char **paths;
	size_t npaths;
	int64_t installed_ns; /* wall clock: install order and annotate's date */
};

/* Pending until the store is flushed. */
void part_state_put(struct store *s, const char *identity, const struct part_state *ps);
void part_state_del(struct store *s, const char *identity);

/* Calls fn for each part of the store whose identity is prefix and a
 * name without a colon (not a package's part under a config's prefix),
 * oldest install first.  0, or -1 (reported). */
typedef void part_state_visit_fn(void *ctx, const char *identity, const struct part_state *ps);
int part_state_each(struct store *s, const char *prefix, part_state_visit_fn *fn, void *ctx,
		    struct arena *a);

/* Appends when it was installed, local time: "2026-11-21T06:07:29". */
void part_state_when(const struct part_state *ps, struct strbuf *out);

/* As JSON, for annotate --json: {"name", "recipe", "options", "paths",
 * "key", "installed"}. */
json_t *part_state_to_json(const char *name, const struct part_state *ps);

#endif
