/* The autoconf reader (facts.h): configure.ac's macros, their arguments
 * split as m4 splits them, then the variables of the configure script
 * autoconf generated from it (a release tarball has both). */
#include "facts.h"

#include <ctype.h>
#include <string.h>

struct m4_arg {
	const char *s;
	size_t n;
};

/* The most arguments kept: AC_INIT has five. */
enum { M4_ARGS = 5 };

/* The argument from start to end with its leading white space dropped (as
 * m4 drops it), its trailing white space too, and its quotes when it is
 * quoted whole ([a] but not [a] [b]). */
static struct m4_arg m4_unquote(const char *start, const char *end)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end - start >= 2 && *start == '[' && end[-1] == ']') {
		int depth = 0;
		const char *c = start;
		for (; c < end; c++) {
			depth += (*c == '[') - (*c == ']');
			if (!depth)
				break;
		}
		if (c == end - 1)
			return (struct m4_arg){start + 1, (size_t)(end - start - 2)};
	}
	return (struct m4_arg){start, (size_t)(end - start)};
}

/* Reads the arguments of the macro call whose '(' is just before p, split
 * at the commas outside quotes and parentheses; a '#' outside quotes starts
 * a comment.  The first M4_ARGS go to args, *nargs gets how many there
 * are.  Returns the end of the call (after its ')'), or NULL when the text
 * ends first. */
static const char *m4_args(const char *p, struct m4_arg *args, size_t *nargs)
{
	int quote = 0, paren = 0;
	size_t n = 0;
	for (const char *start = p;; p++) {
		char c = *p;
		if (!c)
			return NULL;
		if (quote) {
			quote += (c == '[') - (c == ']');
		} else if (c == '[') {
			quote = 1;
		} else if (c == '#') {
			p += strcspn(p, "\n");
			if (!*p)
				return NULL;
		} else if (c == '(') {
			paren++;
		} else if (c == ')' && paren) {
			paren--;
		} else if (c == ',' || c == ')') {
			if (n < M4_ARGS)
				args[n] = m4_unquote(start, p);
			n++;
			start = p + 1;
			if (c == ')') {
				*nargs = n;
				return p + 1;
			}
		}
	}
}

/* Whether an argument is a literal rather than a macro call, an m4 quote
 * or a shell expansion. */
static bool m4_literal(struct m4_arg a)
{
	for (size_t i = 0; i < a.n; i++)
		if (strchr("()[]$`", a.s[i]))
			return false;
	return a.n > 0;
}

/* A version is a literal with a digit: a word without one (VERSION,
 * my_version) is a macro m4 expands. */
static bool m4_version(struct m4_arg a)
{
	if (!m4_literal(a))
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (isdigit((unsigned char)a.s[i]))
			return true;
	return false;
}

/* The tarname autoconf makes of a package's name when AC_INIT gives none:
 * every "GNU " dropped, lowercase, and each character but [_a-z0-9] made
 * '-' (GNU Example Project -> example-project). */
static void set_tarname(json_t *facts, struct m4_arg name)
{
	struct strbuf t = STRBUF_INIT;
	for (size_t i = 0; i < name.n; i++) {
		if (name.n - i >= 4 && !memcmp(name.s + i, "GNU ", 4)) {
			i += 3;
			continue;
		}
		char c = (char)tolower((unsigned char)name.s[i]);
		strbuf_addc(&t, facts_word_char(c) ? c : '-');
	}
	facts_set(facts, "package_name", t.buf, t.len);
	strbuf_release(&t);
}

/* AC_INIT(package, version, [bug-report], [tarname], [url]) */
static void ac_init(json_t *facts, const struct m4_arg *a, size_t n)
{
	if (n > 3 && m4_literal(a[3]))
		facts_set_name(facts, a[3].s, a[3].n);
	else if (m4_literal(a[0]))
		set_tarname(facts, a[0]);
	if (n > 1 && m4_version(a[1]))
		facts_set(facts, "version", a[1].s, a[1].n);
	if (n > 4 && m4_literal(a[4]))
		facts_set(facts, "homepage", a[4].s, a[4].n);
}

/* The macros read, and the argument that lists the modules pkg-config
 * is asked for (-1: AC_INIT, which has none). */
static const struct {
	const char *name;
	int modules;
} m4_macros[] = {
	{"AC_INIT", -1},
	{"PKG_CHECK_MODULES", 1},
	{"PKG_CHECK_MODULES_STATIC", 1},
	{"PKG_CHECK_EXISTS", 0},
};

static void read_configure_ac(const char *text, json_t *facts)
{
	const char *p = text;
	while (*p) {
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		const char *w;
		size_t wn;
		if (!facts_next_word(&p, &w, &wn))
			continue;
		if (facts_is(w, wn, "dnl", false)) {
			p += strcspn(p, "\n");
			continue;
		}
		/* m4 takes arguments only from a '(' right after the name. */
		if (*p != '(')
			continue;
		int macro = -1;
		for (size_t i = 0; i < sizeof(m4_macros) / sizeof(*m4_macros); i++) {
			if (facts_is(w, wn, m4_macros[i].name, false))
				macro = (int)i;
		}
		if (macro < 0)
			continue;
		struct m4_arg args[M4_ARGS];
		size_t n;
		/* An unclosed call runs to the end: nothing after it is read,
		 * which keeps the time linear on garbage. */
		p = m4_args(p + 1, args, &n);
		if (!p)
			return;
		int modules = m4_macros[macro].modules;
		if (modules < 0)
			ac_init(facts, args, n);
		else if ((size_t)modules < n)
			facts_add_modules(facts, args[modules].s, args[modules].n);
	}
}

/* The configure script's PACKAGE_TARNAME='hello' lines. */
static void read_configure(const char *text, json_t *facts)
{
	static const struct {
		const char *var, *key;
	} vars[] = {
		{"PACKAGE_TARNAME=", "package_name"},
		{"PACKAGE_VERSION=", "version"},
		{"PACKAGE_URL=", "homepage"},
	};
	const char *p = text, *line;
	size_t len;
	while (facts_line(&p, &line, &len)) {
		for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
			size_t vn = strlen(vars[i].var);
			if (len < vn || memcmp(line, vars[i].var, vn))
				continue;
			const char *v = line + vn, *end = line + len;
			if (v < end && *v == '\'') {
				v++;
				const char *close = memchr(v, '\'', (size_t)(end - v));
				end = close ? close : v;
			}
			facts_set_key(facts, vars[i].key, v, (size_t)(end - v));
		}
	}
}

const char *const facts_autoconf_inputs[] = {"configure.ac", "configure.in", NULL};

int facts_autoconf(const char *dir, json_t *facts, struct strbuf *err)
{
	static const struct facts_source configure = {"configure", read_configure};
	struct strbuf text = STRBUF_INIT;
	int got = facts_read_first(dir, facts_autoconf_inputs, &text, err);
	if (got > 0)
		read_configure_ac(text.buf, facts);
	strbuf_release(&text);
	/* A generated configure is hundreds of KB: read only for what
	 * configure.ac left unset (a key set is never changed). */
	if (json_object_get(facts, "package_name") && json_object_get(facts, "version") &&
	    json_object_get(facts, "homepage"))
		return got < 0 ? -1 : 0;
	int rc = facts_read_sources(dir, &configure, 1, facts, err);
	return got < 0 ? -1 : rc;
}
