/* The Meson reader (facts.h): meson.build's project() and dependency()
 * calls, their arguments read as Meson's grammar has them (strings in
 * single quotes, ''' strings over lines, # comments, key : value). */
#include "facts.h"

#include <string.h>

/* Where the expression at p ends: at the ',' or ')' after it outside any
 * brackets (a stray ']' or '}' is passed over), or NULL when the text ends
 * first. */
static const char *expr_end(const char *p)
{
	int depth = 0;
	for (;;) {
		p = facts_skip_space(p);
		switch (*p) {
		case '\0':
			return NULL;
		case '\'':
			if (!(p = facts_string_at(p, NULL)))
				return NULL;
			continue;
		case '(':
		case '[':
		case '{':
			depth++;
			break;
		case ')':
		case ']':
		case '}':
			if (depth)
				depth--;
			else if (*p == ')')
				return p;
			break;
		case ',':
			if (!depth)
				return p;
			break;
		}
		p++;
	}
}

/* One argument of a call: its keyword (key.s NULL for a positional one),
 * and its string v when it is a string literal or an array starting with
 * one (license : ['MIT', 'BSD']; v.s NULL otherwise). */
struct meson_arg {
	struct facts_span key, v;
};

/* Reads the argument at p into a; returns where it ends (at its ',' or
 * the call's ')'), or NULL when the text ends first. */
static const char *meson_arg(const char *p, struct meson_arg *a)
{
	*a = (struct meson_arg){0};
	const char *w = p;
	while (facts_word_char(*w))
		w++;
	const char *colon = facts_skip_space(w);
	if (w > p && *colon == ':') {
		a->key = (struct facts_span){p, (size_t)(w - p)};
		p = facts_skip_space(colon + 1);
	}
	const char *q = *p == '[' ? facts_skip_space(p + 1) : p, *after = NULL;
	if (*q == '\'' && !(after = facts_string_at(q, &a->v)))
		return NULL;
	const char *end = expr_end(p);
	/* 'a' + b, '1.0'.strip(): not a literal. */
	if (a->v.s && p == q && facts_skip_space(after) != end)
		a->v.s = NULL;
	return end;
}

/* Reads the arguments of the call whose '(' is just before p, project()'s
 * or dependency()'s; returns the end of the call, or NULL when the text
 * ends first. */
static const char *meson_call(const char *p, bool project, json_t *facts)
{
	for (int pos = 0;; pos++) {
		struct meson_arg a;
		p = facts_skip_space(p);
		if (*p == ')')
			return p + 1;
		if (!(p = meson_arg(p, &a)))
			return NULL;
		if (*p == ',')
			p++;
		if (!a.v.s)
			continue;
		if (!project && !a.key.s && pos == 0)
			facts_add_depend(facts, a.v.s, a.v.n);
		else if (project && !a.key.s && pos == 0)
			facts_set_name(facts, a.v.s, a.v.n);
		else if (project && facts_is(a.key.s, a.key.n, "version", false))
			facts_set(facts, "version", a.v.s, a.v.n);
		else if (project && facts_is(a.key.s, a.key.n, "license", false))
			facts_set_license(facts, a.v.s, a.v.n);
	}
}

static void read_meson_build(const char *text, json_t *facts)
{
	bool had_project = false;
	const char *p = text, *w;
	size_t n;
	while (*p) {
		if (*p == '#') {
			p += strcspn(p, "\n");
		} else if (*p == '\'') {
			if (!(p = facts_string_at(p, NULL)))
				return;
		} else if (facts_next_word(&p, &w, &n)) {
			const char *open = facts_skip_space(p);
			bool project = facts_is(w, n, "project", false);
			/* x.dependency() is some object's method. */
			bool dependency = facts_is(w, n, "dependency", false) &&
					  (w == text || w[-1] != '.');
			if (*open != '(' || !(dependency || (project && !had_project)))
				continue;
			had_project |= project;
			if (!(p = meson_call(open + 1, project, facts)))
				return;
		}
	}
}

int facts_meson(const char *dir, json_t *facts, struct strbuf *err)
{
	static const struct facts_source source = {"meson.build", read_meson_build};
	return facts_read_sources(dir, &source, 1, facts, err);
}
