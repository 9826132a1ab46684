#include "cfg_cond.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Python's values, as far as the names buildout offers need them. */
enum kind { V_NONE, V_BOOL, V_INT, V_STR };

struct value {
	enum kind kind;
	long long i;     /* V_BOOL and V_INT */
	size_t len;      /* V_STR */
	char buf[64];    /* V_STR: the characters; values are copied whole */
};

#if defined(__linux__)
#define SYS_PLATFORM "linux"
#elif defined(__APPLE__)
#define SYS_PLATFORM "darwin"
#elif defined(__CYGWIN__)
#define SYS_PLATFORM "cygwin"
#elif defined(__sun)
#define SYS_PLATFORM "sunos5"
#elif defined(__FreeBSD__)
#define SYS_PLATFORM "freebsd"
#else
#define SYS_PLATFORM "unknown"
#endif

static bool little_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

/* buildout's _default_globals, for the machine minimerge runs on.  minimerge
 * is not a Python; the python* names describe a CPython 3 that is newer than
 * the 3.6 the list stops at, as on every current Debian. */
static int lookup(const char *name, size_t len, struct value *v)
{
	static const char *const false_names[] = {
		"python2",  "python24", "python25", "python26", "python27", "python30",
		"python31", "python32", "python33", "python34", "python35", "python36",
		"pypy",     "jython",   "ironpython", "windows",
	};
	for (size_t i = 0; i < sizeof(false_names) / sizeof(*false_names); i++)
		if (strlen(false_names[i]) == len && !memcmp(false_names[i], name, len)) {
			v->kind = V_BOOL;
			v->i = 0;
			return 0;
		}
	const char *platform = SYS_PLATFORM;
	struct {
		const char *name;
		bool value;
	} flags[] = {
		{"python3", true},
		{"cpython", true},
		{"linux", strncmp(platform, "linux", 5) == 0},
		{"cygwin", strncmp(platform, "cygwin", 6) == 0},
		{"solaris", strncmp(platform, "sunos", 5) == 0},
		{"macosx", strncmp(platform, "darwin", 6) == 0},
		{"posix", true},
		{"bits32", sizeof(void *) == 4},
		{"bits64", sizeof(void *) == 8},
		{"little_endian", little_endian()},
		{"big_endian", !little_endian()},
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		if (strlen(flags[i].name) == len && !memcmp(flags[i].name, name, len)) {
			v->kind = V_BOOL;
			v->i = flags[i].value;
			return 0;
		}
	struct {
		const char *name, *value;
	} strings[] = {
		{"sys.platform", platform},
		{"os.name", "posix"},
		{"sys.byteorder", little_endian() ? "little" : "big"},
	};
	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		if (strlen(strings[i].name) == len && !memcmp(strings[i].name, name, len)) {
			v->kind = V_STR;
			v->len = strlen(strings[i].value);
			memcpy(v->buf, strings[i].value, v->len + 1);
			return 0;
		}
	return -1;
}

struct ev {
	const char *p;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct ev *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct ev *e, const char *fmt, ...)
{
	if (e->failed)
		return;
	e->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->err, e->errlen, fmt, ap);
	va_end(ap);
}

static void skip_space(struct ev *e)
{
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
}

static bool is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* Consumes keyword kw if it is the next token. */
static bool keyword(struct ev *e, const char *kw)
{
	skip_space(e);
	size_t n = strlen(kw);
	if (strncmp(e->p, kw, n) == 0 && !is_ident((unsigned char)e->p[n])) {
		e->p += n;
		return true;
	}
	return false;
}

static bool truthy(const struct value *v)
{
	switch (v->kind) {
	case V_NONE:
		return false;
	case V_BOOL:
	case V_INT:
		return v->i != 0;
	default:
		return v->len != 0;
	}
}

static void parse_or(struct ev *e, bool live, struct value *out);

static void parse_string(struct ev *e, struct value *v)
{
	char quote = *e->p++;
	size_t n = 0;
	while (*e->p && *e->p != quote) {
		char c = *e->p++;
		if (c == '\\' && *e->p) {
			c = *e->p++;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		if (n + 1 >= sizeof(v->buf)) {
			fail(e, "a string longer than %zu characters", sizeof(v->buf) - 1);
			return;
		}
		v->buf[n++] = c;
	}
	if (*e->p != quote) {
		fail(e, "a string that is not closed");
		return;
	}
	e->p++;
	v->buf[n] = '\0';
	v->kind = V_STR;
	v->len = n;
}

static void parse_primary(struct ev *e, bool live, struct value *v)
{
	skip_space(e);
	memset(v, 0, sizeof(*v));
	const char *start = e->p;
	if (*e->p == '(') {
		e->p++;
		parse_or(e, live, v);
		skip_space(e);
		if (*e->p != ')')
			fail(e, "')' expected at '%s'", e->p);
		else
			e->p++;
		return;
	}
	if (*e->p == '\'' || *e->p == '"') {
		parse_string(e, v);
		return;
	}
	if (isdigit((unsigned char)*e->p)) {
		v->kind = V_INT;
		while (isdigit((unsigned char)*e->p)) {
			if (v->i > (INT32_MAX - 9) / 10) {
				fail(e, "a number too large");
				return;
			}
			v->i = v->i * 10 + (*e->p++ - '0');
		}
		if (is_ident((unsigned char)*e->p) || *e->p == '.')
			fail(e, "only whole numbers are understood, not '%s'", start);
		return;
	}
	if (!is_ident_start((unsigned char)*e->p)) {
		fail(e, *e->p ? "unexpected '%s'" : "an expression that ends too early%s", e->p);
		return;
	}
	while (is_ident((unsigned char)*e->p) ||
	       (*e->p == '.' && is_ident_start((unsigned char)e->p[1])))
		e->p++;
	size_t len = (size_t)(e->p - start);
	if (len == 4 && !memcmp(start, "True", 4)) {
		v->kind = V_BOOL;
		v->i = 1;
	} else if (len == 5 && !memcmp(start, "False", 5)) {
		v->kind = V_BOOL;
	} else if (len == 4 && !memcmp(start, "None", 4)) {
		v->kind = V_NONE;
	} else if (live && lookup(start, len, v) < 0) {
		fail(e, "unknown name '%.*s' (known: python2, python3, cpython, linux, "
			"windows, macosx, posix, bits32, bits64, little_endian, big_endian, "
			"sys.platform, os.name, ...)",
		     (int)len, start);
	}
	skip_space(e);
	if (*e->p == '(' || *e->p == '[')
		fail(e, "calls and subscripts are not evaluated: '%s'", start);
}

enum cmp { C_NONE, C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_IN, C_NOT_IN, C_IS, C_IS_NOT };

static enum cmp parse_cmp_op(struct ev *e)
{
	skip_space(e);
	static const struct {
		const char *tok;
		enum cmp op;
	} ops[] = {{"==", C_EQ}, {"!=", C_NE}, {"<=", C_LE}, {">=", C_GE}, {"<", C_LT}, {">", C_GT}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		if (!strncmp(e->p, ops[i].tok, strlen(ops[i].tok))) {
			e->p += strlen(ops[i].tok);
			return ops[i].op;
		}
	const char *save = e->p;
	if (keyword(e, "in"))
		return C_IN;
	if (keyword(e, "not")) {
		if (keyword(e, "in"))
			return C_NOT_IN;
		e->p = save;
		return C_NONE;
	}
	if (keyword(e, "is"))
		return keyword(e, "not") ? C_IS_NOT : C_IS;
	return C_NONE;
}

static bool same_value(const struct value *a, const struct value *b)
{
	bool an = a->kind == V_BOOL || a->kind == V_INT;
	bool bn = b->kind == V_BOOL || b->kind == V_INT;
	if (an && bn)
		return a->i == b->i;
	if (a->kind != b->kind)
		return false;
	if (a->kind == V_STR)
		return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
	return true; /* None is None */
}

static bool contains(const struct value *hay, const struct value *needle)
{
	for (size_t i = 0; i + needle->len <= hay->len; i++)
		if (!memcmp(hay->buf + i, needle->buf, needle->len))
			return true;
	return false;
}

static bool compare(struct ev *e, enum cmp op, const struct value *a, const struct value *b)
{
	switch (op) {
	case C_EQ:
		return same_value(a, b);
	case C_NE:
		return !same_value(a, b);
	case C_IS:
	case C_IS_NOT:
		return (a->kind == b->kind && same_value(a, b)) == (op == C_IS);
	case C_IN:
	case C_NOT_IN:
		if (a->kind != V_STR || b->kind != V_STR) {
			fail(e, "'in' needs two strings");
			return false;
		}
		return contains(b, a) == (op == C_IN);
	default:
		break;
	}
	int c;
	bool an = a->kind == V_BOOL || a->kind == V_INT;
	bool bn = b->kind == V_BOOL || b->kind == V_INT;
	if (an && bn) {
		c = (a->i > b->i) - (a->i < b->i);
	} else if (a->kind == V_STR && b->kind == V_STR) {
		size_t n = a->len < b->len ? a->len : b->len;
		c = memcmp(a->buf, b->buf, n);
		if (!c)
			c = (a->len > b->len) - (a->len < b->len);
	} else {
		fail(e, "cannot order values of different kinds");
		return false;
	}
	switch (op) {
	case C_LT:
		return c < 0;
	case C_LE:
		return c <= 0;
	case C_GT:
		return c > 0;
	default:
		return c >= 0;
	}
}

/* Python chains comparisons: a < b < c is a < b and b < c. */
static void parse_comparison(struct ev *e, bool live, struct value *out)
{
	struct value left;
	parse_primary(e, live, &left);
	bool result = true, chained = false;
	for (;;) {
		enum cmp op = parse_cmp_op(e);
		if (op == C_NONE || e->failed)
			break;
		/* Once a link is false, Python evaluates no more of the chain. */
		struct value right;
		parse_primary(e, live && result, &right);
		if (live && result && !e->failed)
			result = compare(e, op, &left, &right);
		left = right;
		chained = true;
	}
	if (chained) {
		memset(out, 0, sizeof(*out));
		out->kind = V_BOOL;
		out->i = result;
	} else {
		*out = left;
	}
}

static void parse_not(struct ev *e, bool live, struct value *out)
{
	if (keyword(e, "not")) {
		struct value v;
		parse_not(e, live, &v);
		memset(out, 0, sizeof(*out));
		out->kind = V_BOOL;
		out->i = !truthy(&v);
		return;
	}
	parse_comparison(e, live, out);
}

/* and/or short-circuit as in Python: what is not evaluated is only parsed. */
static void parse_and(struct ev *e, bool live, struct value *out)
{
	parse_not(e, live, out);
	while (!e->failed && keyword(e, "and")) {
		bool go = live && truthy(out);
		struct value right;
		parse_not(e, go, &right);
		if (go)
			*out = right;
	}
}

static void parse_or(struct ev *e, bool live, struct value *out)
{
	parse_and(e, live, out);
	while (!e->failed && keyword(e, "or")) {
		bool go = live && !truthy(out);
		struct value right;
		parse_and(e, go, &right);
		if (go)
			*out = right;
	}
}

int cfg_cond_eval(const char *expr, bool *result, char *err, size_t errlen)
{
	struct ev e = {.p = expr, .err = err, .errlen = errlen};
	struct value v;
	parse_or(&e, true, &v);
	skip_space(&e);
	if (!e.failed && *e.p)
		fail(&e, "unexpected '%s'", e.p);
	if (e.failed)
		return -1;
	*result = truthy(&v);
	return 0;
}
