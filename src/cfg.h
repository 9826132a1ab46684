/*
 * cfg: buildout configurations, read as zc.buildout reads them.
 *
 * cfg_load reads a config and everything it extends, the [buildout]
 * defaults, the user defaults file and command-line assignments, and merges
 * them into raw sections (values before ${} substitution and macros),
 * keeping, when asked, each option's history for `annotate`.
 * cfg_section_get then initializes a section on demand as buildout does:
 * macros (<=) expanded, every ${} substituted, <part-dependencies>
 * followed.  Sections nobody asks for are never substituted, so a bad
 * reference in them is no error (buildout's lazy rule).  cfg_init_buildout
 * does what Buildout() does at start-up: the directory options made
 * absolute, the boolean and log-level checks, the versions section.
 *
 * Errors are reported through diag (FILE:LINE of the option at fault) and
 * returned as -1 / NULL.  All memory belongs to the struct cfg and is freed by
 * cfg_free.  Section and option names are case-sensitive.
 */
#ifndef MINIMERGE_CFG_H
#define MINIMERGE_CFG_H

#include "../lib/arena.h"
#include "../lib/hmap.h"
#include "../lib/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Sources that are not files, spelled as buildout's annotate spells them. */
#define CFG_SRC_DEFAULT "DEFAULT_VALUE"
#define CFG_SRC_COMPUTED "COMPUTED_VALUE"
#define CFG_SRC_COMMAND_LINE "COMMAND_LINE_VALUE"

enum cfg_op { CFG_SET, CFG_OVERRIDE, CFG_ADD, CFG_REMOVE, CFG_DIRECTORY };

/* One change to an option, newest first: what `annotate` prints. */
struct cfg_step {
	enum cfg_op op;
	const char *value;  /* the value set, added or removed */
	const char *source; /* file path, URL, or one of CFG_SRC_* */
	int line;           /* line in source, 0 if none */
	struct cfg_step *prev;
};

struct cfg_option {
	const char *name;
	/* The raw merged value.  While has_base is false the option was only
	 * ever added to (+=) or removed from (-=): value holds the lines added
	 * and removed the lines removed, waiting for a macro to give a base. */
	const char *value;
	const char *removed;
	const char *file; /* where the value was last changed, for errors */
	struct cfg_step *history; /* kept only when cfg_load was asked to */
	/* Substitution: value with ${} replaced, set once resolved. */
	const char *resolved;
	int line;
	bool has_base;
	bool resolving; /* on the current chain of references: a cycle if met */
};

struct cfg_section {
	const char *name;
	struct cfg_option **options; /* in order of first appearance */
	size_t noptions, capoptions;
	struct hmap index;
	const char *file; /* the first header that named it */
	int line;
	/* After initialization: the options with macros applied.  A section
	 * that uses none has expanded == options, and index serves for both. */
	struct cfg_option **expanded;
	size_t nexpanded;
	struct hmap expanded_index;
	/* Once initialized: the expanded options sorted by name (bytewise), the
	 * order buildout resolves and prints them in; nexpanded of them. */
	struct cfg_option **by_name;
	enum { CFG_RAW, CFG_INITIALIZING, CFG_INITIALIZED } state;
	/* The other sections its options referred to (${sec:opt}) and its
	 * <part-dependencies>, each once, in the order first met. */
	struct cfg_section **refs;
	size_t nrefs, caprefs;
	void *part_data; /* what the part_initialized hook attached to a part */
};

struct cfg {
	struct arena arena;
	struct cfg_section **sections; /* in order of first appearance */
	size_t nsections, capsections;
	struct hmap index;
	const char *directory; /* the config file's directory */
	int depth;             /* references being resolved, one inside another */
	bool history;          /* options keep their history */
	struct strbuf scratch; /* where resolving builds values */
	/* The parts: every section other than [buildout] with a non-empty
	 * recipe, in the order their initialization finished, which is
	 * buildout's install order (a part after those it refers to). */
	struct cfg_section **parts;
	size_t nparts, capparts;
	/* Called when a part has been initialized, before it joins parts, as
	 * buildout creates the part's recipe then: the recipe may set options
	 * (cfg_set) that later references see.  0, or -1 (reported). */
	int (*part_initialized)(void *ctx, struct cfg *cfg, struct cfg_section *s);
	void *part_ctx;
};

struct cfg_assignment {
	const char *section; /* "buildout" when the argument had no colon */
	const char *option;  /* may end in + or -, as in buildout */
	const char *value;
};

struct cfg_load_options {
	const char *config_file;           /* path or URL */
	bool user_defaults;                /* read $BUILDOUT_HOME/default.cfg */
	bool history;                      /* keep every change, for annotate */
	const struct cfg_assignment *assignments;
	size_t nassignments;
};

/* Parses a command-line "sec:opt=value" as buildout does; false if it has no
 * '='.  The strings point into the arena. */
bool cfg_parse_assignment(struct arena *a, const char *arg, struct cfg_assignment *out);

/* 0 or -1 (reported).  On -1 the cfg is still freed with cfg_free. */
int cfg_load(struct cfg *cfg, const struct cfg_load_options *opts);
/* The start-up of a buildout run; 0 or -1 (reported). */
int cfg_init_buildout(struct cfg *cfg);
/* Initializes what `buildout install` touches: [buildout], the versions
 * section and every part with what it references.  0 or -1 (reported). */
int cfg_init_parts(struct cfg *cfg);
void cfg_free(struct cfg *cfg);

struct cfg_section *cfg_find_section(const struct cfg *cfg, const char *name);
struct cfg_option *cfg_find_option(const struct cfg_section *s, const char *name);
/* The section, initialized; NULL (reported) if missing or broken. */
struct cfg_section *cfg_section_get(struct cfg *cfg, const char *name);
/* A resolved value of an initialized section; NULL if it has no such option
 * (not reported), and sets *failed on a substitution error (reported). */
const char *cfg_get(struct cfg *cfg, struct cfg_section *s, const char *option,
		    bool *failed);
/* text with its ${} references replaced, as if it were an option of s
 * defined at file:line (a template's text), in cfg's arena (text may go
 * once it returns).  NULL after reporting. */
const char *cfg_substitute(struct cfg *cfg, struct cfg_section *s, const char *text,
			   const char *file, int line);
/* Sets an option of a section to a final, resolved value (as buildout's
 * Options.__setitem__ does for the computed directories). */
void cfg_set(struct cfg *cfg, struct cfg_section *s, const char *option, const char *value);

#endif
