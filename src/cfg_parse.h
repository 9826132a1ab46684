/*
 * cfg_parse: one buildout INI file, parsed as zc.buildout's configparser
 * parses it (research/buildout.md §1), into the changes it makes.
 *
 * Each option of each section becomes a delta: the value it sets (=), the
 * lines it adds (+=) and removes (-=).  As in buildout >= 3.1.1, repeated
 * += and -= of one option in one file accumulate and a later = resets them.
 * Sections named twice are merged; the last = of an option wins.  Sections
 * whose [name:condition] is false are left out.  Every string is in the
 * arena given.
 */
#ifndef MINIMERGE_CFG_PARSE_H
#define MINIMERGE_CFG_PARSE_H

#include "../lib/arena.h"
#include "../lib/hmap.h"

#include <stdbool.h>
#include <stddef.h>

struct cfg_delta {
	const char *name;     /* without the + or - of += and -= */
	const char *set;      /* NULL: no = */
	const char *add;      /* NULL: no += (lines joined by \n) */
	const char *remove;   /* NULL: no -= */
	int set_line, add_line, remove_line;
};

struct cfg_file_section {
	const char *name;
	int line;
	struct cfg_delta **deltas; /* in order of first appearance */
	size_t ndeltas, capdeltas;
	struct hmap index;
};

struct cfg_file {
	const char *path; /* as given: a path or a URL */
	struct cfg_file_section **sections;
	size_t nsections, capsections;
	struct hmap index;
};

/* Parses text (len bytes, need not be NUL-terminated) read from path.
 * Returns 0, or -1 after reporting every bad line.  Free with
 * cfg_file_free (the strings stay in the arena). */
int cfg_parse(struct arena *a, const char *path, const char *text, size_t len,
	      struct cfg_file *out);
void cfg_file_free(struct cfg_file *f);

/* The section of f named name, created if new.  For files made by hand (the
 * [buildout] defaults, the command line) as much as parsed ones. */
struct cfg_file_section *cfg_file_section_for(struct arena *a, struct cfg_file *f,
					      const char *name, size_t len, int line);
/* Records "name op= value" (op is '=', '+' or '-') in section s.  name and
 * value are kept, not copied: literals or strings in the arena. */
void cfg_file_add(struct arena *a, struct cfg_file_section *s,
		  const char *name, char op, const char *value, int line);

struct cfg_file_section *cfg_file_find(const struct cfg_file *f, const char *name);
struct cfg_delta *cfg_file_section_find(const struct cfg_file_section *s, const char *name);

/* old + "\n" + more, as buildout's += joins values. */
const char *cfg_join_lines(struct arena *a, const char *old, const char *more);

/* Python's str.isspace for one byte (ASCII whitespace and \x1c-\x1f). */
bool cfg_isspace(int c);
/* A name buildout accepts in ${section:option}: [-a-zA-Z0-9 ._]+. */
bool cfg_ref_name_valid(const char *s, size_t n);

#endif
