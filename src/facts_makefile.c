/* The Makefile reader (facts.h): the plain assignments at the start of a
 * line that name the package and its version, then the tree's directory
 * name, which a release tarball makes name-version. */
#include "facts.h"

#include "../lib/path.h"

#include <string.h>

/* The variables read, without case, and the key each sets. */
static const struct {
	const char *var, *key;
} makefile_vars[] = {
	{"VERSION", "version"},
	{"NAME", "package_name"},
	{"PACKAGE", "package_name"},
	{"PROJECT", "package_name"},
};

/* VAR = value, VAR := value, VAR ::= value or VAR ?= value, in column 0:
 * a recipe line starts with a tab, and an indented one is inside some
 * conditional or define. */
static void assignment(const char *line, size_t len, json_t *facts)
{
	const char *end = line + len, *p = line;
	while (p < end && facts_word_char(*p))
		p++;
	size_t vn = (size_t)(p - line);
	const char *key = NULL;
	for (size_t i = 0; i < sizeof(makefile_vars) / sizeof(*makefile_vars); i++) {
		if (facts_is(line, vn, makefile_vars[i].var, true))
			key = makefile_vars[i].key;
	}
	if (!key)
		return;
	p += strspn(p, " \t");
	static const char *const ops[] = {"=", ":=", "::=", "?="};
	const char *v = NULL;
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops) && !v; i++) {
		if (!strncmp(p, ops[i], strlen(ops[i])))
			v = p + strlen(ops[i]);
	}
	if (!v || v > end)
		return;
	const char *hash = memchr(v, '#', (size_t)(end - v));
	if (hash)
		end = hash;
	/* A value made from other variables says nothing by itself. */
	for (const char *c = v; c < end; c++)
		if (*c == '$')
			return;
	facts_set_key(facts, key, v, (size_t)(end - v));
}

static void read_makefile(const char *text, json_t *facts)
{
	const char *p = text, *line;
	size_t len;
	while (facts_line(&p, &line, &len))
		assignment(line, len, facts);
}

/* The tree's directory name, foo-1.2: the name, and the version if the
 * Makefile gave none. */
static void read_dir_name(const char *dir, json_t *facts)
{
	struct arena a = ARENA_INIT;
	const char *path = path_abspath(&a, dir);
	const char *base = path ? strrchr(path, '/') + 1 : "";
	/* "/" names nothing. */
	if (*base) {
		size_t n;
		const char *version = facts_split_version(base, &n);
		facts_set_name(facts, base, n);
		if (version)
			facts_set(facts, "version", version, strlen(version));
	}
	arena_free(&a);
}

const char *const facts_makefiles[] = {"GNUmakefile", "makefile", "Makefile", NULL};

int facts_makefile(const char *dir, json_t *facts, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int got = facts_read_first(dir, facts_makefiles, &text, err);
	if (got > 0)
		read_makefile(text.buf, facts);
	strbuf_release(&text);
	read_dir_name(dir, facts);
	return got < 0 ? -1 : 0;
}
