#include "pkgsel.h"

#include "../lib/diag.h"

#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct pkg *const *)a)->mb.name, (*(struct pkg *const *)b)->mb.name);
}

int pkgsel_select(struct pkgdb *db, char **targets, size_t ntargets,
		  const struct pkgsel_options *opts, struct pkg ***order, size_t *norder,
		  struct pkg ***roots, size_t *nroots)
{
	*order = NULL;
	*norder = 0;
	if (opts->jump && opts->nodeps) {
		diag_error(NULL, 0, "--jump and -N/--nodeps cannot be used together");
		return -1;
	}
	size_t n = ntargets ? ntargets : db->minilays.nfiles;
	if (!ntargets)
		pkgdb_load_ahead_all(db);
	struct pkg **r = xmalloc((n + 1) * sizeof(*r));
	size_t nr = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = ntargets ? targets[i] : db->minilays.files[i]->name;
		struct pkg *p = pkgdb_resolve(db, name, NULL, 0);
		if (!p) {
			free(r);
			return -1;
		}
		if (!p->target)
			r[nr++] = p;
		p->target = true;
	}
	/* Ties in the order are broken by name, so the same targets always
	 * give the same order whatever order they were named in. */
	qsort(r, nr, sizeof(*r), by_name);
	*roots = r;
	*nroots = nr;
	if (opts->nodeps) {
		*order = xmalloc((nr + 1) * sizeof(**order));
		memcpy(*order, r, nr * sizeof(*r));
		*norder = nr;
		return 0;
	}
	if (pkgdb_load_needs(db, r, nr) < 0 || pkgdb_order(db, r, nr, order, norder) < 0)
		return -1;
	size_t from = 0;
	if (opts->jump) {
		while (from < *norder && strcmp((*order)[from]->mb.name, opts->jump))
			from++;
		if (from == *norder) {
			diag_error(NULL, 0, "--jump %s: no such package in the list", opts->jump);
			return -1;
		}
	}
	size_t kept = 0;
	for (size_t i = from; i < *norder; i++)
		if (!opts->only_dependencies || !(*order)[i]->target)
			(*order)[kept++] = (*order)[i];
	*norder = kept;
	return 0;
}

int pkgsel_take_option(int argc, char **argv, int *i, struct pkgsel_options *opts)
{
	const char *a = argv[*i];
	if (!strcmp(a, "-N") || !strcmp(a, "--nodeps")) {
		opts->nodeps = true;
	} else if (!strcmp(a, "--only-dependencies")) {
		opts->only_dependencies = true;
	} else if (!strncmp(a, "--jump=", 7)) {
		opts->jump = a + 7;
	} else if (!strcmp(a, "--jump")) {
		if (*i + 1 == argc) {
			diag_error(NULL, 0, "--jump needs a package");
			return -1;
		}
		opts->jump = argv[++*i];
	} else {
		return 0;
	}
	return 1;
}
