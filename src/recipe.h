/*
 * recipe: what installs a buildout part.  A config names it (`recipe =
 * zc.recipe.cmmi`); recipe_find maps that name to a built-in recipe (a C
 * module, recipe_*.c) or to an external one (recipe_exec.c): `exec:PATH`,
 * or a directory of that name on $MINIMERGE_RECIPE_PATH.
 *
 * A recipe has three phases, run in a worker thread: install (a new or
 * changed part: the paths it creates are recorded), update (an unchanged
 * part, only for a recipe that has work to do then, such as a command's
 * update-command), uninstall (before a changed part is installed again and
 * when a part leaves the config; the recorded paths are removed after it in
 * any case).  Before any of that, when the config is read, recipe_init
 * checks the part as gs.recipe.base does and lets the recipe set the options
 * other sections may refer to (a cmmi part's location).
 *
 * Memory: a recipe_part and its strings live in the arena of whoever built
 * it (the part plan); phases only read it.  Paths a phase adds are malloc'd
 * and belong to the recipe_run.
 */
#ifndef MINIMERGE_RECIPE_H
#define MINIMERGE_RECIPE_H

#include "cfg.h"

#include "../cache/store.h"
#include "../graph/graph.h"
#include "../lib/arena.h"
#include "../lib/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct recipe;

struct recipe_option {
	const char *name, *value;
};

/* What every part of a run shares: [buildout] and the run's settings. */
struct recipe_buildout {
	const char *directory, *bin_directory, *parts_directory;
	struct recipe_option *options; /* all of [buildout], resolved, sorted by name */
	size_t noptions;
	const char *downloads; /* the download cache (<root>/downloads) */
	struct store *store;   /* the run's: verified downloads, hashed programs */
	bool offline;
	long stall_seconds;    /* a download that stalls this long is retried */
	uint64_t unpack_limit; /* the most bytes an archive may unpack to */
	/* A package's buildout: the environment of every child a recipe runs,
	 * its dependencies' prefixes exported (build_env.h), made as a child
	 * starts, not when the parts are planned (a no-op run of a deep stack
	 * must not pay for every package's list of prefixes); any thread.
	 * NULL for a config run on its own. */
	char **(*make_env)(const void *env_ctx);
	const void *env_ctx;
};

struct recipe_part {
	const char *name;        /* the section */
	const char *recipe_name; /* as the config wrote it */
	const struct recipe *recipe;
	void *recipe_data;       /* the recipe's own, from its init */
	struct recipe_option *options; /* resolved, sorted by name */
	size_t noptions;
	const struct recipe_buildout *buildout;
};

/* One phase of one part. */
struct recipe_run {
	const struct recipe_part *part;
	struct graph_job *job;
	/* install: the paths it created; update: paths to add to the record.
	 * Absolute; malloc'd. */
	char **paths;
	size_t npaths, cappaths;
	/* uninstall: what was recorded at install. */
	const char *const *old_paths;
	size_t nold_paths;
};

/* When the config is read: the part's section, to check and fill in. */
struct recipe_init {
	struct cfg *cfg;
	struct cfg_section *section;
	struct arena *arena; /* for recipe_data */
	void *recipe_data;   /* set by init if the recipe keeps something */
};

struct recipe {
	const char *const *names; /* NULL-ended: the names configs use (a built-in's) */
	/* Bumped when what the recipe does changes: every part using it is
	 * installed again. */
	unsigned version;
	/* Checks options and sets the ones it computes.  NULL: nothing to do.
	 * 0 or -1 (reported: the option's file and line). */
	int (*init)(struct recipe_init *ri);
	/* Inputs of the part's key besides its options and the recipe's
	 * identity (a template's input file).  NULL: none. */
	int (*inputs)(const struct recipe_part *p, struct graph_inputs *in);
	/* 0, or -1 after graph_job_fail. */
	int (*install)(struct recipe_run *r);
	/* Whether an unchanged part of this recipe is updated at all; NULL:
	 * never (the part is skipped). */
	bool (*has_update)(const struct recipe_part *p);
	int (*update)(struct recipe_run *r);
	/* Whether what an unchanged part made is still there, besides its
	 * recorded paths (which are checked in any case).  NULL: yes. */
	bool (*intact)(const struct recipe_part *p);
	/* NULL: removing the recorded paths is all. */
	int (*uninstall)(struct recipe_run *r);
	/* The text that identifies the recipe's code in keys: NULL for a
	 * built-in (its name and version are used). */
	const char *(*identity)(const struct recipe_part *p);
	/* The version the recipe's own files declare (an external recipe's
	 * recipe.json), for the version map: NULL for none, and for a
	 * built-in (it is minimerge's code, not a distribution of its own). */
	const char *(*declared_version)(const struct recipe_part *p);
	/* run-once's default for this recipe's parts: NULL is false. */
	bool (*run_once_default)(const struct recipe_part *p);
};

/* The recipe for a name as configs write it ("zc.recipe.cmmi",
 * "exec:bin/r", "my.recipe:entry").  NULL if there is none, after
 * reporting, at file:line, the names known. */
const struct recipe *recipe_find(const char *name, const char *file, int line);

/* What recipe_part_initialized attaches to a part's section. */
struct recipe_found {
	const struct recipe *recipe;
	void *data;
};

/* cfg's part_initialized hook: the recipe is found, the gs.recipe.base
 * checks made and the recipe's init run; a recipe_found is attached to the
 * section (s->part_data).  ctx is the arena that holds it. */
int recipe_part_initialized(void *ctx, struct cfg *cfg, struct cfg_section *s);

/* Sorts options by name, the order recipe_option looks them up in. */
void recipe_options_sort(struct recipe_option *options, size_t n);
/* A resolved option of the part, or NULL. */
const char *recipe_option(const struct recipe_part *p, const char *name);
/* The same, or dflt when absent or empty. */
const char *recipe_option_or(const struct recipe_part *p, const char *name, const char *dflt);
/* buildout's boolean words, in any case: 1 for true/yes/on, 0 for
 * false/no/off, -1 for any other word (each caller has its own rule for
 * those). */
int recipe_bool_word(const char *v);
/* An option as a boolean word.  An absent or empty option is dflt;
 * another word is an error (reported, -1). */
int recipe_option_bool(const struct recipe_run *r, const char *name, bool dflt, bool *out);
/* init: an error at the option's file and line (the section's when the
 * option is not set), after "part NAME: ". */
void recipe_init_error(const struct recipe_init *ri, const char *option, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* init: the mode option, if set, is an octal number ("such as
 * example").  0, or -1 (reported). */
int recipe_init_check_mode(const struct recipe_init *ri, const char *example);
/* The part's mode option, or dflt when it is not set. */
mode_t recipe_option_mode(const struct recipe_part *p, mode_t dflt);
/* path made absolute against dir, and normal (no "..", no "//"). */
const char *recipe_path(struct arena *a, const char *dir, const char *path);
/* init: buildout:directory, which relative paths of a part are relative
 * to (a package's home in a package's buildout, not the config's
 * directory).  NULL after reporting. */
const char *recipe_init_directory(struct recipe_init *ri);
/* init: the absolute value of a directory option (relative to the buildout
 * directory), by default <parts-directory>/<part>, set in the section so
 * other sections see it.  NULL after reporting. */
const char *recipe_set_dir(struct recipe_init *ri, const char *option);
/* Records a path the phase created (made absolute against the buildout
 * directory). */
void recipe_add_path(struct recipe_run *r, const char *path);
/* The environment of the part's children: a package build's (build_env.h)
 * for a package's buildout, else NULL: environ.  Free with
 * build_env_free. */
char **recipe_env(const struct recipe_part *p);
/* Runs argv in dir (NULL: the buildout directory) with envp (NULL:
 * recipe_env's), output to the part's log.  0, or -1 after
 * graph_job_fail. */
int recipe_spawn(struct recipe_run *r, const char *const *argv, const char *dir,
		 char *const *envp);

extern const struct recipe recipe_command, recipe_mkdir, recipe_template, recipe_download,
	recipe_cmmi;

#endif
