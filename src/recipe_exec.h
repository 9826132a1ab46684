/*
 * recipe_exec: external recipes, for every recipe minimerge does not build
 * in.  `recipe = exec:PATH` names a program (relative to the config's
 * directory); any other name is looked up on $MINIMERGE_RECIPE_PATH
 * (colon-separated directories): <dir>/<name>/recipe, the first found
 * winning (for `name:entry`, <dir>/<name:entry>/ then <dir>/<name>/).
 * Beside it an optional recipe.json declares {"version": "1.2",
 * "run-once": true, "update": true}: the version joins the part's key,
 * run-once is the parts' default, and update asks for the update phase on
 * unchanged parts (which are otherwise skipped).  A name is looked up on
 * the path, and its recipe.json read, once per process: every part of that
 * recipe shares them (memory kept to the process's end).
 *
 * Each phase runs the program once, in the buildout directory, with one
 * JSON document on stdin: {"buildout": {...}, "name": PART, "options":
 * {...}, "phase": "install" | "update" | "uninstall"} (uninstall also gets
 * "paths", what install recorded).  It prints the JSON list of the paths it
 * created (update and uninstall may print nothing) and exits 0.  Exit 42 is
 * a user error whose output is the message, as pkgme's backends do;
 * stderr goes to the part's log.
 */
#ifndef MINIMERGE_RECIPE_EXEC_H
#define MINIMERGE_RECIPE_EXEC_H

#include "recipe.h"

/* Whether name is an external recipe: exec:, or found on the path. */
bool recipe_exec_find(const char *name);

/* For a part installed with an external recipe: the program, kept in its
 * state, and the recipe data that runs it again (to uninstall). */
const char *recipe_exec_program(const struct recipe_part *p);
void *recipe_exec_data(struct arena *a, const char *program);

extern const struct recipe recipe_exec;

#endif
