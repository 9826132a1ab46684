/*
 * minibuild: one package description of a minilay, as minitage reads it
 * (research/minitage.md §2).  The file is read with the project's INI reader
 * (cfg_parse), keys lower-cased as Python's ConfigParser does, ${var} filled
 * from [minitage.variables], then checked: a broken minibuild is an error
 * naming its file and line, an unknown key a warning with the nearest known
 * key.
 */
#ifndef MINIMERGE_MINIBUILD_H
#define MINIMERGE_MINIBUILD_H

#include "../lib/arena.h"
#include "../lib/hmap.h"

#include <stdbool.h>
#include <stddef.h>

struct minibuild_value {
	const char *value; /* NULL: not given */
	int line;
};

struct minibuild {
	const char *name;    /* the file's name: the package */
	const char *path;    /* the file */
	const char *minilay; /* the directory it was found in */
	const char *version; /* from the name, or NULL (pkgname_split) */
	size_t base_len;     /* the name without its version */
	bool meta;           /* meta-*: dependencies only, nothing to build */
	int section_line;

	/* The dependencies after dependencies-<os>[-replace], in order. */
	const char **dependencies;
	size_t ndependencies;
	int dependencies_line;

	int revision; /* packaging revision; 0 if not given */
	struct minibuild_value src_type, src_uri, scm_branch, scm_revision, src_md5,
		src_sha256, install_method, category, url, homepage, license, description,
		buildout_config, buildout_parts, configure_options, make_options,
		make_targets, install_targets, revision_text;
};

/* The inputs every minibuild of a run shares. */
struct minibuild_context {
	const struct hmap *variables; /* [minitage.variables]: name -> value */
	const char *os;               /* uname -s, lower-cased */
};

/* Parses and checks the minibuild text (len bytes) read from path.  Returns
 * 0, or -1 after reporting.  Strings live in the arena. */
int minibuild_parse(struct arena *a, const struct minibuild_context *ctx, const char *path,
		    const char *name, const char *minilay, const char *text, size_t len,
		    struct minibuild *out);

/* A category minitage accepts: letters and digits, at least one. */
bool minibuild_category_valid(const char *category);

/* Reads and parses the file minilay/name.  0 or -1 (reported). */
int minibuild_load(struct arena *a, const struct minibuild_context *ctx, const char *minilay,
		   const char *name, struct minibuild *out);

/* The fields in file order for show and --json: key, value (NULL if unset). */
struct minibuild_field {
	const char *key;
	const struct minibuild_value *value;
};
size_t minibuild_fields(const struct minibuild *mb, struct minibuild_field *out, size_t max);

#endif
