/*
 * facts: what a source tree's own build files say about it, for the
 * built-in backends (backend_builtin.h): its name, version, homepage,
 * licence, one-line description and the modules its build requires.  One
 * reader a build system (facts_<system>.c), each reading only the files at
 * the top of the tree, and what they share (facts_common.c).
 *
 * The keys set in the JSON object facts are those of pkgme's info
 * (research/pkgme.md §3):
 *     package_name, version, homepage, license, description  strings
 *     build_depends  an array of strings: the modules as the build files
 *                    name them, in order of appearance, each once
 * A key the tree says nothing about is left unset, and a key already set
 * is never changed: a reader tries its sources most trusted first and each
 * only fills what the ones before left, and a caller's own keys stay.
 * Values are one line of valid UTF-8, white space folded; one that is not
 * UTF-8 is left out.  Licences are Debian's short names (GPL-3, Expat, ...)
 * where the name is known, else the text the metadata gives.
 *
 * The readers are made for any input (they are fuzzed): a file that is
 * malformed only tells less, a NUL byte ends a file's text, and the time
 * they take grows linearly with it.  They return 0, or -1 with a message
 * appended to err when a file is there but cannot be read.
 */
#ifndef MINIMERGE_FACTS_H
#define MINIMERGE_FACTS_H

#include "../lib/strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* autoconf's input files, in the order it takes them, up to a NULL:
 * configure.ac, configure.in. */
extern const char *const facts_autoconf_inputs[];
/* The names make looks for a makefile by, in its order, up to a NULL:
 * GNUmakefile, makefile, Makefile. */
extern const char *const facts_makefiles[];

/* configure.ac (else configure.in): AC_INIT, PKG_CHECK_MODULES and
 * PKG_CHECK_EXISTS; then the generated configure script's PACKAGE_TARNAME,
 * PACKAGE_VERSION and PACKAGE_URL for what is still unset. */
int facts_autoconf(const char *dir, json_t *facts, struct strbuf *err);
/* CMakeLists.txt: project(), find_package(), pkg_check_modules() and
 * pkg_search_module(). */
int facts_cmake(const char *dir, json_t *facts, struct strbuf *err);
/* meson.build: project() and dependency(). */
int facts_meson(const char *dir, json_t *facts, struct strbuf *err);
/* GNUmakefile, makefile or Makefile (the first there): VERSION and NAME,
 * PACKAGE or PROJECT assignments; then the name and version in the tree's
 * directory name (foo-1.2). */
int facts_makefile(const char *dir, json_t *facts, struct strbuf *err);
/* pyproject.toml ([project], [project.urls], [build-system] requires),
 * then setup.cfg's [metadata], PKG-INFO and setup.py's literal setup()
 * arguments. */
int facts_python(const char *dir, json_t *facts, struct strbuf *err);
/* META.json, then Build.PL and Makefile.PL. */
int facts_perl(const char *dir, json_t *facts, struct strbuf *err);
/* "license" from the first licence file (COPYING, LICENSE, ...) whose
 * first 40 lines hold a licence's heading, when it is not set yet. */
int facts_license_files(const char *dir, json_t *facts, struct strbuf *err);

/* What the readers share. */

/* The most build_depends a tree gives: a build file naming more is
 * garbage, and each is checked against the others once. */
#define FACTS_MAX_DEPENDS 256

/* Whether dir/name is a regular file (a symbolic link to one counts). */
bool facts_has_file(const char *dir, const char *name);
/* Reads the first of names (NULL-ended) that is in dir, or the first that
 * cannot be read, into text (reset first), cut at its first NUL byte: 1
 * read, 0 none is there (or not a regular file), -1 with the reason
 * appended to err. */
int facts_read_first(const char *dir, const char *const *names, struct strbuf *text,
		     struct strbuf *err);
/* A file a reader reads, and the function that reads its text. */
struct facts_source {
	const char *file;
	void (*read)(const char *text, json_t *facts);
};
/* Reads the file of each of the n sources that is there, in order (the
 * most trusted first, as each only fills what is unset).  0, or -1 when
 * one could not be read (err says why; the others are read still). */
int facts_read_sources(const char *dir, const struct facts_source *sources, size_t n,
		       json_t *facts, struct strbuf *err);
/* The next line of the text at *p (without its "\n" or "\r\n") in *line
 * and *len, *p moved past it; false at the end of the text. */
bool facts_line(const char **p, const char **line, size_t *len);
/* n bytes of a file's text. */
struct facts_span {
	const char *s;
	size_t n;
};
/* Whether the n bytes at s are word, the whole of it; nocase compares
 * ASCII letters without their case. */
bool facts_is(const char *s, size_t n, const char *word, bool nocase);
/* The string whose opening quote is at p ('...' or "...", or '''...''' or
 * """...""" over lines, as Python, TOML and Meson write them): its text in
 * *v when v is not NULL, and where it ends (after its closing quote), or
 * NULL when the text ends first. */
const char *facts_string_at(const char *p, struct facts_span *v);
/* Where the string whose opening quote is just before p ends: at its
 * closing quote, a backslash escaping the character after it; NULL when
 * the text (or, unless multiline, the line) ends first. */
const char *facts_string_end(const char *p, char quote, bool multiline);
/* After white space, newlines and '#' comments (Meson's, TOML's, Perl's,
 * Python's). */
const char *facts_skip_space(const char *p);
/* Steps over the identifier ([A-Za-z0-9_]+) at *p, giving it in *w and
 * *n: true; or over the one character at *p, which starts none: false. */
bool facts_next_word(const char **p, const char **w, size_t *n);
/* strstr(p, s) in a time bounded by where s is found: the sanitizers'
 * strstr measures all the rest of the text at each call, which makes a
 * scan that calls it at every string quadratic. */
const char *facts_find(const char *p, const char *s);
/* Whether c may be part of an identifier: [A-Za-z0-9_]. */
bool facts_word_char(char c);

/* Sets key to the n bytes at s, white space and control characters folded
 * to single spaces and trimmed, unless key is set, the result is empty or
 * it is not UTF-8. */
void facts_set(json_t *facts, const char *key, const char *s, size_t n);
/* package_name: lowercase, with "::" and runs of white space made '-'
 * (Foo::Bar -> foo-bar). */
void facts_set_name(json_t *facts, const char *s, size_t n);
/* license: a known name (SPDX, CPAN's, common spellings) as Debian's short
 * name, another as it is; "unknown" is none. */
void facts_set_license(json_t *facts, const char *s, size_t n);
/* Sets key as its kind wants: package_name through facts_set_name,
 * license through facts_set_license, build_depends through
 * facts_add_depend, the others through facts_set.  "unknown" in any case
 * (distutils' and CPAN's placeholder) is no value. */
void facts_set_key(json_t *facts, const char *key, const char *s, size_t n);
/* Appends a module to build_depends, trimmed, unless it is empty, not
 * UTF-8, there already or one too many. */
void facts_add_depend(json_t *facts, const char *s, size_t n);
/* Appends the modules of a pkg-config module list ("a >= 1.0 b, c<2"):
 * the words between white space and commas less the comparison operators,
 * the versions after them and constraints attached to a name; a word that
 * is not a literal name (a variable, a macro) is left out. */
void facts_add_modules(json_t *facts, const char *s, size_t n);
/* Splits a directory name such as foo-1.2 at its last '-', when a version
 * follows it (a digit, then only [0-9A-Za-z.+~_]).  Returns the version (in
 * name) with the name's length before the '-' in *base_len, or NULL with
 * *base_len = strlen(name). */
const char *facts_split_version(const char *name, size_t *base_len);

#endif
