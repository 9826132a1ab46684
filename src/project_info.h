/*
 * project_info: what a backend reports about a project, with pkgme's
 * defaults and cleaning (research/pkgme.md §3).  A backend's facts (a
 * JSON object, backend_info) become plain strings: only package_name is
 * required; the rest fall back to pkgme's defaults (version "0",
 * architecture "any", section "misc", maintainer from $DEBEMAIL,
 * description "a package", license "unknown", distribution from
 * /etc/lsb-release else "UNRELEASED") or stay NULL (not said).
 *
 * Memory: strings live in the arena given; the JSON objects of extra
 * files are owned by the info (project_info_free).
 */
#ifndef MINIMERGE_PROJECT_INFO_H
#define MINIMERGE_PROJECT_INFO_H

#include "../lib/arena.h"
#include "../lib/strbuf.h"

#include <jansson.h>
#include <stddef.h>

/* The keys a backend is asked for, NULL-ended, in the order all_info gets
 * them. */
extern const char *const project_info_keys[];

struct project_info {
	const char *package_name; /* lower case, [a-z0-9+.-], at least 2 characters */
	const char *version;
	const char *architecture;  /* "any", "all", or architectures separated by spaces */
	const char *section;
	const char *maintainer;    /* "Name <email>" */
	const char *distribution;
	const char *description;   /* first line the synopsis, then the long text */
	const char *license;
	const char *homepage;      /* NULL: not said (as the rest below) */
	const char *depends;
	const char *buildsystem;   /* debhelper's name: autoconf, cmake, meson... */
	const char *debhelper_addons; /* comma separated */
	const char *extra_targets; /* rules text after dh's */
	const char *explicit_copyright;
	const char *extra_control_binary_fields;
	const char **build_depends; /* as the backend named them */
	size_t nbuild_depends;
	json_t *extra_files;        /* relative path -> content; NULL: none */
	json_t *extra_files_from_paths; /* relative path -> absolute source path */
};

/* Reads facts (not changed) into pi.  0, or -1 with why in err: no
 * package_name (pkgme's "The backend didn't provide a value for
 * 'package_name'"), a name too short once cleaned, or a value of the wrong
 * type, named by its key. */
int project_info_read(struct project_info *pi, const json_t *facts, struct arena *a,
		      struct strbuf *err);
void project_info_free(struct project_info *pi);

/* Every key of project_info_keys: its value, null where none. */
json_t *project_info_to_json(const struct project_info *pi);

/* s with every control character a blank, in the arena: a backend's value
 * that must stay on its line. */
const char *project_info_one_line(struct arena *a, const char *s);

#endif
