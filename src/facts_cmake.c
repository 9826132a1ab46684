/* The CMake reader (facts.h): CMakeLists.txt's commands and their
 * arguments as CMake's own grammar splits them (quoted, bracket and
 * unquoted arguments, line and bracket comments), its variables left
 * unexpanded. */
#include "facts.h"

#include <ctype.h>
#include <string.h>

/* Where the bracket opened at p ([[, [=[, ...) ends, just after its
 * closing ]], ]=], ...; p itself when no bracket opens there; NULL when
 * the text ends first. */
static const char *bracket_end(const char *p)
{
	if (*p != '[')
		return p;
	size_t eq = strspn(p + 1, "=");
	if (p[1 + eq] != '[')
		return p;
	for (const char *c = p + 2 + eq; (c = strchr(c, ']')); c++) {
		if (strspn(c + 1, "=") == eq && c[1 + eq] == ']')
			return c + 2 + eq;
	}
	return NULL;
}

/* After the '#' at p: a bracket comment's end, or the line's. */
static const char *comment_end(const char *p)
{
	const char *end = bracket_end(p + 1);
	return end != p + 1 ? end : p + strcspn(p, "\n");
}

/* Reading one command's arguments. */
struct cmake_args {
	const char *p;
	int depth; /* of the parentheses opened in the arguments */
};

/* The next argument in *s and *n: 1; 0 at the command's ')' (args->p
 * after it); -1 when the text ends first.  Parentheses inside the
 * arguments are skipped, as they only group a condition. */
static int cmake_arg(struct cmake_args *args, const char **s, size_t *n)
{
	const char *p = args->p;
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '#') {
			if (!(p = comment_end(p)))
				return -1;
		} else if (*p == '(') {
			args->depth++;
			p++;
		} else if (*p == ')') {
			p++;
			if (!args->depth) {
				args->p = p;
				return 0;
			}
			args->depth--;
		} else {
			break;
		}
	}
	const char *end;
	if (!*p)
		return -1;
	if (*p == '"') {
		if (!(end = facts_string_end(p + 1, '"', true)))
			return -1;
		*s = p + 1;
		*n = (size_t)(end - p - 1);
		args->p = end + 1;
		return 1;
	}
	if ((end = bracket_end(p)) != p) {
		if (!end)
			return -1;
		size_t eq = strspn(p + 1, "=");
		*s = p + 2 + eq;
		*n = (size_t)(end - p) - 2 * (2 + eq);
		args->p = end;
		return 1;
	}
	for (end = p; *end && !strchr(" \t\r\n()#\"", *end); end++) {
		if (*end == '\\' && end[1])
			end++;
	}
	*s = p;
	*n = (size_t)(end - p);
	args->p = end;
	return 1;
}

/* An argument with a variable reference in it says nothing by itself. */
static bool literal(const char *s, size_t n)
{
	return n && !memchr(s, '$', n);
}

/* project(<name> [VERSION <v>] [DESCRIPTION <d>] [HOMEPAGE_URL <url>]
 *         [LANGUAGES <lang>...]), or project(<name> <lang>...) */
static int project(struct cmake_args *args, json_t *facts)
{
	const char *key = NULL, *s;
	size_t n;
	int rc = cmake_arg(args, &s, &n);
	if (rc > 0 && literal(s, n))
		facts_set_name(facts, s, n);
	while (rc > 0 && (rc = cmake_arg(args, &s, &n)) > 0) {
		if (key && literal(s, n))
			facts_set(facts, key, s, n);
		key = facts_is(s, n, "VERSION", false)        ? "version"
		      : facts_is(s, n, "DESCRIPTION", false)  ? "description"
		      : facts_is(s, n, "HOMEPAGE_URL", false) ? "homepage"
							      : NULL;
	}
	return rc;
}

/* find_package(<Name> ...): the package's name, lowercase. */
static int find_package(struct cmake_args *args, json_t *facts)
{
	const char *s;
	size_t n;
	int rc = cmake_arg(args, &s, &n);
	if (rc > 0 && literal(s, n)) {
		struct strbuf name = STRBUF_INIT;
		for (size_t i = 0; i < n; i++)
			strbuf_addc(&name, (char)tolower((unsigned char)s[i]));
		facts_add_depend(facts, name.buf, name.len);
		strbuf_release(&name);
	}
	return rc;
}

/* pkg_check_modules(<prefix> [REQUIRED] [QUIET] ... <moduleSpec>...) and
 * pkg_search_module: the modules, their version constraints dropped. */
static int pkg_modules(struct cmake_args *args, json_t *facts)
{
	static const char *const options[] = {
		"REQUIRED", "QUIET", "NO_CMAKE_PATH", "NO_CMAKE_ENVIRONMENT_PATH",
		"IMPORTED_TARGET", "GLOBAL",
	};
	const char *s;
	size_t n;
	int rc = cmake_arg(args, &s, &n); /* the prefix */
	while (rc > 0 && (rc = cmake_arg(args, &s, &n)) > 0) {
		bool option = false;
		for (size_t i = 0; i < sizeof(options) / sizeof(*options); i++)
			option |= facts_is(s, n, options[i], false);
		if (!option)
			facts_add_modules(facts, s, n);
	}
	return rc;
}

/* Each command's arguments are read to its ')', whether used or not. */
static int skip(struct cmake_args *args, json_t *facts)
{
	(void)facts;
	const char *s;
	size_t n;
	int rc;
	do
		rc = cmake_arg(args, &s, &n);
	while (rc > 0);
	return rc;
}

static const struct {
	const char *name;
	int (*read)(struct cmake_args *args, json_t *facts);
} commands[] = {
	{"project", project},
	{"find_package", find_package},
	{"pkg_check_modules", pkg_modules},
	{"pkg_search_module", pkg_modules},
};

static void read_cmakelists(const char *text, json_t *facts)
{
	bool had_project = false;
	const char *p = text;
	while (*p) {
		if (*p == '#') {
			if (!(p = comment_end(p)))
				return;
			continue;
		}
		const char *w;
		size_t wn;
		if (!facts_next_word(&p, &w, &wn))
			continue;
		const char *open = p + strspn(p, " \t");
		if (*open != '(')
			continue;
		int (*read)(struct cmake_args *, json_t *) = skip;
		for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
			/* Command names are case-insensitive. */
			if (facts_is(w, wn, commands[i].name, true))
				read = commands[i].read;
		}
		/* Only the top project() names the tree. */
		if (read == project && had_project)
			read = skip;
		had_project |= read == project;
		struct cmake_args args = {open + 1, 0};
		/* An unclosed command runs to the end of the text. */
		if (read(&args, facts) < 0)
			return;
		p = args.p;
	}
}

int facts_cmake(const char *dir, json_t *facts, struct strbuf *err)
{
	static const struct facts_source source = {"CMakeLists.txt", read_cmakelists};
	return facts_read_sources(dir, &source, 1, facts, err);
}
