/*
 * pkgsel: the packages a command works on: the targets named on the command
 * line (or every package), what they need, in install order, cut by
 * minitage's options (-N, --only-dependencies, --jump).
 */
#ifndef MINIMERGE_PKGSEL_H
#define MINIMERGE_PKGSEL_H

#include "pkgdb.h"

struct pkgsel_options {
	bool nodeps;            /* -N: the targets alone */
	bool only_dependencies; /* what the targets need, not the targets */
	const char *jump;       /* start the list at this package */
};

/* Takes argv[*i] if it is one of the options above (moving *i past a
 * value): 1 if taken, 0 if not one of them, -1 (reported) if its value is
 * missing. */
int pkgsel_take_option(int argc, char **argv, int *i, struct pkgsel_options *opts);

/* Fills *order (the caller frees it).  No targets: every package found.
 * 0 or -1 (reported). */
int pkgsel_select(struct pkgdb *db, char **targets, size_t ntargets,
		  const struct pkgsel_options *opts, struct pkg ***order, size_t *norder,
		  struct pkg ***roots, size_t *nroots);

#endif
