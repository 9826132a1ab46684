/*
 * path: POSIX path arithmetic with the exact results of Python's os.path
 * (join, dirname, normpath, abspath, relpath, expanduser), because buildout
 * configs are defined by what zc.buildout computes.  Results are allocated
 * from the arena given; inputs are not changed.
 */
#ifndef MINIMERGE_PATH_H
#define MINIMERGE_PATH_H

#include "arena.h"

#include <stdbool.h>

char *path_join(struct arena *a, const char *dir, const char *name);
char *path_dirname(struct arena *a, const char *path);
char *path_normpath(struct arena *a, const char *path);
/* NULL only if the working directory cannot be read. */
char *path_abspath(struct arena *a, const char *path);
char *path_relpath(struct arena *a, const char *path, const char *start);
char *path_expanduser(struct arena *a, const char *path);
/* True for "scheme://..." as buildout's _isurl. */
bool path_is_url(const char *s);

#endif
