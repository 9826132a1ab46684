/* What the facts readers share (facts.h): reading the tree's files, the
 * scanning chores, setting the keys with their cleaning, and the licence
 * names and licence files. */
#include "facts.h"

#include "../lib/file.h"
#include "../lib/path.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

bool facts_has_file(const char *dir, const char *name)
{
	struct arena a = ARENA_INIT;
	struct stat st;
	bool is = stat(path_join(&a, dir, name), &st) == 0 && S_ISREG(st.st_mode);
	arena_free(&a);
	return is;
}

/* Reads dir/name into text (reset first), cut at its first NUL byte: 1,
 * 0 not there (or not a regular file), -1 with the reason in err. */
static int facts_read(const char *dir, const char *name, struct strbuf *text,
		      struct strbuf *err)
{
	struct arena a = ARENA_INIT;
	const char *path = path_join(&a, dir, name);
	strbuf_reset(text);
	int e = 0;
	int rc = file_read_regular(path, text, &e);
	if (rc == -1 && (e == ENOENT || e == ENOTDIR || e == EISDIR))
		rc = -2;
	if (rc == -1) {
		if (err->len)
			strbuf_addc(err, '\n');
		strbuf_addf(err, "cannot read %s: %s", path, strerror(e));
	}
	arena_free(&a);
	if (rc != 0)
		strbuf_reset(text);
	/* The scanners are plain C string code: a NUL byte, which no build
	 * file has, ends the text. */
	text->len = strlen(text->buf);
	return rc == 0 ? 1 : rc == -2 ? 0 : -1;
}

int facts_read_first(const char *dir, const char *const *names, struct strbuf *text,
		     struct strbuf *err)
{
	int got = 0;
	for (; *names && !got; names++)
		got = facts_read(dir, *names, text, err);
	return got;
}

int facts_read_sources(const char *dir, const struct facts_source *sources, size_t n,
		       json_t *facts, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		int got = facts_read(dir, sources[i].file, &text, err);
		if (got > 0)
			sources[i].read(text.buf, facts);
		if (got < 0)
			rc = -1;
	}
	strbuf_release(&text);
	return rc;
}

bool facts_line(const char **p, const char **line, size_t *len)
{
	if (!**p)
		return false;
	size_t n = strcspn(*p, "\n");
	*line = *p;
	*p += n + ((*p)[n] == '\n');
	*len = n && (*line)[n - 1] == '\r' ? n - 1 : n;
	return true;
}

const char *facts_string_end(const char *p, char quote, bool multiline)
{
	for (; *p && *p != quote; p++) {
		if (*p == '\n' && !multiline)
			return NULL;
		if (*p == '\\' && p[1])
			p++;
	}
	return *p ? p : NULL;
}

bool facts_is(const char *s, size_t n, const char *word, bool nocase)
{
	if (strlen(word) != n)
		return false;
	return !(nocase ? strncasecmp(s, word, n) : memcmp(s, word, n));
}

const char *facts_string_at(const char *p, struct facts_span *v)
{
	char q = *p;
	size_t quotes = p[1] == q && p[2] == q ? 3 : 1;
	const char *s = p + quotes, *end;
	if (quotes == 3) {
		const char triple[] = {q, q, q, '\0'};
		end = facts_find(s, triple);
	} else {
		end = facts_string_end(s, q, false);
	}
	if (!end)
		return NULL;
	if (v)
		*v = (struct facts_span){s, (size_t)(end - s)};
	return end + quotes;
}

const char *facts_skip_space(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p != '#')
			return p;
		p += strcspn(p, "\n");
	}
}

bool facts_next_word(const char **p, const char **w, size_t *n)
{
	const char *end = *p;
	while (facts_word_char(*end))
		end++;
	*w = *p;
	*n = (size_t)(end - *p);
	*p = end > *p ? end : *p + 1;
	return *n > 0;
}

const char *facts_find(const char *p, const char *s)
{
	size_t n = strlen(s);
	for (; (p = strchr(p, *s)); p++) {
		if (!strncmp(p, s, n))
			return p;
	}
	return NULL;
}

bool facts_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Copies s into out with white space and control characters folded to
 * single spaces and trimmed: values are one line. */
static void fold(struct strbuf *out, const char *s, size_t n)
{
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f) {
			space = out->len > 0;
			continue;
		}
		if (space)
			strbuf_addc(out, ' ');
		space = false;
		strbuf_addc(out, (char)c);
	}
}

/* The setters of text folded already, n bytes at v with a NUL after them,
 * each setting key as facts.h says.  The facts_ ones fold what they are
 * given, once, and call them (fold_then). */

static void set_folded(json_t *facts, const char *key, const char *v, size_t n)
{
	/* json_stringn refuses what is not UTF-8. */
	json_t *j = n && !json_object_get(facts, key) ? json_stringn(v, n) : NULL;
	if (j)
		json_object_set_new(facts, key, j);
}

static void set_name_folded(json_t *facts, const char *key, const char *v, size_t n)
{
	struct strbuf name = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ' ') {
			strbuf_addc(&name, '-');
		} else if (v[i] == ':' && v[i + 1] == ':') {
			strbuf_addc(&name, '-');
			i++;
		} else {
			strbuf_addc(&name, (char)tolower((unsigned char)v[i]));
		}
	}
	set_folded(facts, key, name.buf, name.len);
	strbuf_release(&name);
}

/* Licence names as SPDX, CPAN::Meta::Spec and the usual spellings give
 * them, and Debian's short name for each; compared without case.  The
 * "or later" forms go to the version named. */
static const struct {
	const char *name, *debian;
} license_names[] = {
	{"MIT", "Expat"},
	{"MIT License", "Expat"},
	{"Expat", "Expat"},
	{"GPL-2", "GPL-2"},
	{"GPL-2.0", "GPL-2"},
	{"GPL-2.0-only", "GPL-2"},
	{"GPL-2.0-or-later", "GPL-2"},
	{"GPL-2.0+", "GPL-2"},
	{"GPLv2", "GPL-2"},
	{"GPLv2+", "GPL-2"},
	{"gpl_2", "GPL-2"},
	{"GPL-3", "GPL-3"},
	{"GPL-3.0", "GPL-3"},
	{"GPL-3.0-only", "GPL-3"},
	{"GPL-3.0-or-later", "GPL-3"},
	{"GPL-3.0+", "GPL-3"},
	{"GPLv3", "GPL-3"},
	{"GPLv3+", "GPL-3"},
	{"gpl_3", "GPL-3"},
	{"LGPL-2.1", "LGPL-2.1"},
	{"LGPL-2.1-only", "LGPL-2.1"},
	{"LGPL-2.1-or-later", "LGPL-2.1"},
	{"LGPL-2.1+", "LGPL-2.1"},
	{"LGPLv2.1", "LGPL-2.1"},
	{"lgpl_2_1", "LGPL-2.1"},
	{"LGPL-3", "LGPL-3"},
	{"LGPL-3.0", "LGPL-3"},
	{"LGPL-3.0-only", "LGPL-3"},
	{"LGPL-3.0-or-later", "LGPL-3"},
	{"LGPL-3.0+", "LGPL-3"},
	{"LGPLv3", "LGPL-3"},
	{"lgpl_3_0", "LGPL-3"},
	{"Apache-2.0", "Apache-2.0"},
	{"Apache 2.0", "Apache-2.0"},
	{"apache_2_0", "Apache-2.0"},
	{"BSD-3-Clause", "BSD-3-clause"},
	{"bsd", "BSD-3-clause"}, /* CPAN's: the three-clause licence */
	{"BSD-2-Clause", "BSD-2-clause"},
	{"MPL-2.0", "MPL-2.0"},
	{"mozilla_2_0", "MPL-2.0"},
	{"perl", "Artistic"},
	{"perl_5", "Artistic"},
	{"Artistic-1.0", "Artistic"},
	{"Artistic-1.0-Perl", "Artistic"},
	{"artistic_1", "Artistic"},
	{"Artistic-2.0", "Artistic-2.0"},
	{"artistic_2", "Artistic-2.0"},
};

static void set_license_folded(json_t *facts, const char *key, const char *v, size_t n)
{
	if (facts_is(v, n, "unknown", true))
		return;
	const char *name = v;
	for (size_t i = 0; i < sizeof(license_names) / sizeof(*license_names); i++) {
		if (facts_is(v, n, license_names[i].name, true)) {
			name = license_names[i].debian;
			break;
		}
	}
	set_folded(facts, key, name, strlen(name));
}

static bool has_value(const json_t *array, const json_t *value)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v) {
		if (json_equal(v, value))
			return true;
	}
	return false;
}

static void add_depend_folded(json_t *facts, const char *key, const char *v, size_t n)
{
	json_t *deps = json_object_get(facts, key);
	if (deps && (!json_is_array(deps) || json_array_size(deps) >= FACTS_MAX_DEPENDS))
		return;
	json_t *dep = n ? json_stringn(v, n) : NULL;
	if (!dep)
		return;
	if (!deps) {
		deps = json_array();
		json_object_set_new(facts, key, deps);
	}
	if (!has_value(deps, dep))
		json_array_append(deps, dep);
	json_decref(dep);
}

/* facts_set_key's setter: by key, "unknown" being none. */
static void set_key_folded(json_t *facts, const char *key, const char *v, size_t n)
{
	if (facts_is(v, n, "unknown", true))
		return;
	if (!strcmp(key, "package_name"))
		set_name_folded(facts, key, v, n);
	else if (!strcmp(key, "license"))
		set_license_folded(facts, key, v, n);
	else if (!strcmp(key, "build_depends"))
		add_depend_folded(facts, key, v, n);
	else
		set_folded(facts, key, v, n);
}

/* Folds the n bytes at s and sets key to them with set, one of the
 * setters of folded text. */
static void fold_then(void (*set)(json_t *, const char *, const char *, size_t), json_t *facts,
		      const char *key, const char *s, size_t n)
{
	struct strbuf v = STRBUF_INIT;
	fold(&v, s, n);
	set(facts, key, v.buf, v.len);
	strbuf_release(&v);
}

void facts_set(json_t *facts, const char *key, const char *s, size_t n)
{
	if (!json_object_get(facts, key))
		fold_then(set_folded, facts, key, s, n);
}

void facts_set_name(json_t *facts, const char *s, size_t n)
{
	fold_then(set_name_folded, facts, "package_name", s, n);
}

void facts_set_license(json_t *facts, const char *s, size_t n)
{
	fold_then(set_license_folded, facts, "license", s, n);
}

void facts_add_depend(json_t *facts, const char *s, size_t n)
{
	fold_then(add_depend_folded, facts, "build_depends", s, n);
}

void facts_set_key(json_t *facts, const char *key, const char *s, size_t n)
{
	fold_then(set_key_folded, facts, key, s, n);
}

/* Whether c is one of set; NUL never is. */
static bool one_of(const char *set, char c)
{
	return c && strchr(set, c);
}

void facts_add_modules(json_t *facts, const char *s, size_t n)
{
	static const char sep[] = " \t\r\n,";
	static const char ops[] = "<>=!";
	const char *end = s + n;
	bool skip_version = false;
	while (s < end) {
		while (s < end && one_of(sep, *s))
			s++;
		const char *w = s;
		while (s < end && !one_of(sep, *s))
			s++;
		if (w == s)
			break;
		if (skip_version) {
			skip_version = false;
			continue;
		}
		/* The name ends at an operator; an operator with nothing after
		 * it has its version in the next word. */
		const char *op = w;
		while (op < s && !one_of(ops, *op))
			op++;
		const char *ver = op;
		while (ver < s && one_of(ops, *ver))
			ver++;
		skip_version = op < s && ver == s;
		bool literal = op > w;
		for (const char *c = w; c < op; c++)
			if (!*c || one_of("$@`[](){}\\", *c))
				literal = false;
		if (literal)
			facts_add_depend(facts, w, (size_t)(op - w));
	}
}

const char *facts_split_version(const char *name, size_t *base_len)
{
	const char *dash = strrchr(name, '-');
	*base_len = strlen(name);
	if (!dash || dash == name || !isdigit((unsigned char)dash[1]))
		return NULL;
	for (const char *c = dash + 1; *c; c++)
		if (!isalnum((unsigned char)*c) && !one_of(".+~_", *c))
			return NULL;
	*base_len = (size_t)(dash - name);
	return dash + 1;
}

/* Licence files */

static const char *const license_files[] = {
	"COPYING", "LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING.txt",
};

/* The licence whose heading stands in text (white space folded), or NULL.
 * The Lesser and Library GPLs are asked before the GPL: their texts name
 * it too, never in capitals. */
static const char *license_heading(const char *text)
{
	if (strstr(text, "GNU LESSER GENERAL PUBLIC LICENSE")) {
		if (strstr(text, "Version 3"))
			return "LGPL-3";
		if (strstr(text, "Version 2.1"))
			return "LGPL-2.1";
		return NULL;
	}
	if (strstr(text, "GNU LIBRARY GENERAL PUBLIC LICENSE"))
		return strstr(text, "Version 2") ? "LGPL-2" : NULL;
	if (strstr(text, "GNU GENERAL PUBLIC LICENSE")) {
		if (strstr(text, "Version 3"))
			return "GPL-3";
		if (strstr(text, "Version 2"))
			return "GPL-2";
		return NULL;
	}
	if (strstr(text, "Apache License") && strstr(text, "Version 2.0"))
		return "Apache-2.0";
	if (strstr(text, "Mozilla Public License Version 2.0"))
		return "MPL-2.0";
	if (strstr(text, "Permission is hereby granted, free of charge"))
		return "Expat";
	if (strstr(text, "Redistribution and use in source and binary forms"))
		return strstr(text, "Neither the name") ? "BSD-3-clause" : "BSD-2-clause";
	return NULL;
}

int facts_license_files(const char *dir, json_t *facts, struct strbuf *err)
{
	if (json_object_get(facts, "license"))
		return 0;
	struct strbuf text = STRBUF_INIT, head = STRBUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < sizeof(license_files) / sizeof(*license_files); i++) {
		int got = facts_read(dir, license_files[i], &text, err);
		if (got < 0)
			rc = -1;
		if (got <= 0)
			continue;
		/* Headings are at the top; folded, a sentence broken across
		 * lines is found whole. */
		const char *p = text.buf, *line;
		size_t len;
		int lines = 0;
		while (lines < 40 && facts_line(&p, &line, &len))
			lines++;
		strbuf_reset(&head);
		fold(&head, text.buf, (size_t)(p - text.buf));
		const char *name = license_heading(head.buf);
		if (name) {
			set_folded(facts, "license", name, strlen(name));
			break;
		}
	}
	strbuf_release(&head);
	strbuf_release(&text);
	return rc;
}
