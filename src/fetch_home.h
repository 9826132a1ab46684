/*
 * fetch_home: a package's home as a fetch changes it.  A new source tree
 * is made next to the home (HOME.unpack), then takes its place: the home's
 * parts/ (build directory and install prefix) moves into it first, and the
 * old tree goes (or is kept, as a changed VCS URL keeps it).  Until the
 * last rename the home is as it was; a run stopped in between leaves
 * HOME.unpack or HOME.old, which the next fetch removes.
 */
#ifndef MINIMERGE_FETCH_HOME_H
#define MINIMERGE_FETCH_HOME_H

#include "../lib/strbuf.h"

#include <stdbool.h>

/* rm -rf: 0, or -1 with the reason appended to why. */
int fetch_home_remove(const char *path, struct strbuf *why);

/* Puts tree in home's place, with home's parts/; the old home is removed,
 * or renamed to keep_as when that is not NULL.  0, or -1 with the reason
 * appended to why (the home as it was). */
int fetch_home_swap_in(const char *tree, const char *home, const char *keep_as,
		       struct strbuf *why);

#endif
