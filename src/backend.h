/*
 * backend: pkgme's backends (seeds/pkgme-backends.txt, research/pkgme.md
 * §1-3).  A backend looks at a project's tree, says how well it can handle
 * it (`want`: a score, and why), and reports facts about it (`info`: the
 * keys of project_info.h).
 *
 * External backends are directories of executables, found on
 * $MINIMERGE_BACKEND_PATHS (colon separated; $PKGME_BACKEND_PATHS when ours
 * is unset or empty), else in <prefix>/share/minimerge/backends
 * (MINIMERGE_BACKEND_DIR, set by the build).  A backend's name is its directory's;
 * the first directory holding a name wins; names starting with '.', files
 * and missing directories are skipped.  The built-in backends
 * (backend_builtin.h) come after every directory: an external backend of
 * the same name replaces one.
 *
 * Scripts run as pkgme runs them: no arguments, in the project's
 * directory, with <backend dir>/../../helpers appended to PATH when it
 * exists; exit 42 is a user error whose output is the message.  Unlike
 * pkgme's, a script's stderr is kept apart from its stdout (it goes to the
 * caller's log, and into the message when the script fails), and each
 * script runs under a timeout ($MINIMERGE_BACKEND_TIMEOUT seconds, default
 * 60).
 *
 * The winner is the highest score above 0; a tie goes to the lowest name
 * (strcmp), so the choice never depends on the order of directories.
 *
 * Errors are messages in the caller's strbuf, not reports: a command says
 * them with diag_error, a build action with graph_job_fail.
 * Memory: the set's names and paths live in its arena; what rank and info
 * make (reasons, paths) in the arena they are given, so that builds on
 * several threads may share one set.
 */
#ifndef MINIMERGE_BACKEND_H
#define MINIMERGE_BACKEND_H

#include "backend_builtin.h"

#include "../lib/arena.h"
#include "../lib/strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	BACKEND_USER_ERROR = 42,          /* a script's exit status: the user's mistake */
	BACKEND_OUTPUT_MAX = 4 * 1024 * 1024, /* the most a script may print */
};

struct backend {
	const char *name;
	const char *dir; /* an external backend's directory; NULL: built in */
	const struct backend_builtin *builtin;
	const char *helpers; /* the helpers directory added to its PATH, or NULL */
};

struct backend_set {
	struct arena arena;
	struct backend *v;
	size_t n, cap;
	const char *searched; /* the directories looked in, ':'-joined */
	double timeout;       /* seconds a script may run */
};

struct backend_score {
	const struct backend *backend;
	int score;
	const char *reason; /* NULL: none given */
};

/* Finds the backends (external ones on the paths above, the default
 * directory when neither variable is set; then the built-in ones).  0, or -1 with why in
 * err (a bad $MINIMERGE_BACKEND_TIMEOUT).  Free with backend_set_free
 * either way. */
int backend_set_load(struct backend_set *s, struct strbuf *err);
void backend_set_free(struct backend_set *s);


/* Asks every backend whether it wants the tree at dir.  *scores gets one
 * entry per backend (malloc'd, the caller frees it), the eligible ones
 * first, by score then name.  What the scripts wrote on stderr is
 * appended to log (may be NULL).  0, or -1 with why in err: no directory
 * dir, a `want` that is missing, cannot run, fails, times out, prints more
 * than BACKEND_OUTPUT_MAX bytes or answers something that is no score; or
 * -2 for a user error (exit 42), whose output alone is in err. */
int backend_rank(const struct backend_set *s, const char *dir, struct arena *a,
		 struct backend_score **scores, struct strbuf *log, struct strbuf *err);

/* Whether ranked scores have a winner: scores[0] when its score is above 0. */
bool backend_has_winner(const struct backend_score *scores, size_t n);

/* pkgme's message for a tree no backend wants, with each backend's score:
 * "No eligible backends for DIR. Tried a (0: why), b (0)", sorted by
 * name.  (pkgme's "No backends found" cannot happen: the built-in ones
 * are always there.) */
void backend_describe_none(const struct backend_set *s, const struct backend_score *scores,
			   const char *dir, struct strbuf *out);

/* The facts backend b reports for the tree at dir, as a JSON object (the
 * caller owns it): from `all_info`, given the JSON list of keys on stdin,
 * when the backend has that script; else from one script per key, each
 * value the script's stdout without its trailing newline (a missing
 * script: the key is left out).  keys is NULL-ended.  0, -1 with why in
 * err, or -2 with a user error's words (as backend_rank). */
int backend_info(const struct backend_set *s, const struct backend *b, const char *dir,
		 struct arena *a, const char *const *keys, json_t **facts, struct strbuf *log,
		 struct strbuf *err);

#endif
