/*
 * pkg_print: how a package is shown, as JSON (every command's --json) and
 * as the words of the text output, so that list, show, graph and -p agree.
 */
#ifndef MINIMERGE_PKG_PRINT_H
#define MINIMERGE_PKG_PRINT_H

#include "pkgdb.h"

#include "../lib/json_write.h"

/* The members of a package's JSON object (the caller opens and closes it):
 * name, version, minilay, path, meta, choice, requested_as, dependencies,
 * installed; with full, its revision and the minibuild's keys too. */
void pkg_json_members(struct pkgdb *db, const struct pkg *p, bool full, struct json_write *w);
/* An array of the n packages' names. */
void pkg_json_names(struct pkg *const *pkgs, size_t n, struct json_write *w);
/* An array of the n packages' objects (not full). */
void pkg_json_list(struct pkgdb *db, struct pkg *const *pkgs, size_t n, struct json_write *w);

/* "picked", "pinned" or "" */
const char *pkg_choice_word(const struct pkg *p);

/* The minilay as the user would name it: relative to the root when inside. */
const char *pkg_minilay_shown(struct pkgdb *db, const char *minilay);

#endif
