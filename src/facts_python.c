/* The Python reader (facts.h): pyproject.toml through a small TOML reader
 * (tables, key = string, arrays and inline tables, comments: what the
 * [project] and [build-system] tables need, no more), then setup.cfg's
 * [metadata], PKG-INFO's headers and setup.py's literal setup() arguments,
 * each filling what the ones before left unset. */
#include "facts.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* A requirement's distribution name: "requests[socks]>=2; python_version>'3'"
 * -> requests (PEP 508: a name is letters, digits, '.', '_' and '-'). */
static void add_requirement(json_t *facts, const char *s, size_t n)
{
	const char *end = s + n;
	while (s < end && isspace((unsigned char)*s))
		s++;
	const char *name = s;
	while (s < end && (isalnum((unsigned char)*s) || strchr("._-", *s)))
		s++;
	facts_add_depend(facts, name, (size_t)(s - name));
}

/* Sets a facts key from a Python source: of a requirement, its name. */
static void set_key(json_t *facts, const char *key, const char *s, size_t n)
{
	if (!strcmp(key, "build_depends"))
		add_requirement(facts, s, n);
	else
		facts_set_key(facts, key, s, n);
}

/* pyproject.toml */

/* The TOML keys read, as table.key[.subkey] without case (Homepage or
 * homepage), and the facts key each sets. */
static const struct {
	const char *path, *key;
	bool later; /* after all the others: the build system's own needs */
} toml_keys[] = {
	{"project.name", "package_name", false},
	{"project.version", "version", false},
	{"project.description", "description", false},
	{"project.license", "license", false},
	{"project.license.text", "license", false},
	{"project.urls.homepage", "homepage", false},
	{"project.dependencies", "build_depends", false},
	{"build-system.requires", "build_depends", true},
};

struct toml {
	json_t *facts;
	json_t *later;     /* a facts object for the keys read later */
	struct facts_span table; /* the current [table]; s NULL in an [[array]] */
};

/* Where the value at p that is not a string ends: an array or an inline
 * table with all it holds (counted, not recursed into: garbage may nest
 * deep), or a scalar; NULL when the text ends first. */
static const char *toml_skip(const char *p)
{
	if (*p == '"' || *p == '\'')
		return facts_string_at(p, NULL);
	if (*p != '[' && *p != '{')
		return p + strcspn(p, ",]}#\n");
	int depth = 0;
	do {
		char c = *p;
		if (!c)
			return NULL;
		if (c == '"' || c == '\'') {
			if (!(p = facts_string_at(p, NULL)))
				return NULL;
		} else if (c == '#') {
			p += strcspn(p, "\n");
		} else {
			depth += (c == '[' || c == '{') - (c == ']' || c == '}');
			p++;
		}
	} while (depth > 0);
	return p;
}

/* A key from its n bytes at p, trimmed and unquoted. */
static struct facts_span toml_key(const char *p, size_t n)
{
	while (n && isspace((unsigned char)*p))
		p++, n--;
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= 2 && (*p == '"' || *p == '\'') && p[n - 1] == *p)
		return (struct facts_span){p + 1, n - 2};
	return (struct facts_span){p, n};
}

/* A string value: key's, or sub's in the inline table that is key's value
 * (sub.s NULL otherwise). */
static void toml_emit(struct toml *t, struct facts_span key, struct facts_span sub,
		      struct facts_span v)
{
	if (!t->table.s)
		return;
	struct strbuf path = STRBUF_INIT;
	strbuf_add(&path, t->table.s, t->table.n);
	strbuf_addc(&path, '.');
	strbuf_add(&path, key.s, key.n);
	if (sub.s) {
		strbuf_addc(&path, '.');
		strbuf_add(&path, sub.s, sub.n);
	}
	for (size_t i = 0; i < sizeof(toml_keys) / sizeof(*toml_keys); i++) {
		if (!strcasecmp(path.buf, toml_keys[i].path))
			set_key(toml_keys[i].later ? t->later : t->facts, toml_keys[i].key, v.s, v.n);
	}
	strbuf_release(&path);
}

/* The elements of the array whose '[' is just before p: its strings are
 * key's values.  Returns the array's end, or NULL when the text ends
 * first. */
static const char *toml_array(struct toml *t, struct facts_span key, const char *p)
{
	for (;;) {
		p = facts_skip_space(p);
		if (!*p)
			return NULL;
		if (*p == ']')
			return p + 1;
		struct facts_span v;
		const char *end = *p == '"' || *p == '\'' ? facts_string_at(p, &v) : toml_skip(p);
		if (!end)
			return NULL;
		if (*p == '"' || *p == '\'')
			toml_emit(t, key, (struct facts_span){0}, v);
		/* A ',', or a stray '}'. */
		p = end > p ? end : p + 1;
	}
}

/* The keys of the inline table whose '{' is just before p ({text =
 * "MIT"}).  Returns the table's end, or NULL when the text ends first. */
static const char *toml_inline(struct toml *t, struct facts_span key, const char *p)
{
	for (;;) {
		p = facts_skip_space(p);
		if (!*p)
			return NULL;
		if (*p == '}')
			return p + 1;
		size_t n = strcspn(p, "=,}\n");
		if (p[n] != '=') {
			p += n ? n : 1;
			continue;
		}
		struct facts_span sub = toml_key(p, n), v;
		p += n + 1;
		p += strspn(p, " \t");
		const char *end = *p == '"' || *p == '\'' ? facts_string_at(p, &v) : toml_skip(p);
		if (!end)
			return NULL;
		if (*p == '"' || *p == '\'')
			toml_emit(t, key, sub, v);
		p = end;
	}
}

static void read_pyproject(const char *text, json_t *facts)
{
	struct toml t = {facts, json_object(), {"", 0}};
	const char *p = text;
	while (*(p = facts_skip_space(p))) {
		size_t n;
		if (*p == '[') {
			/* [table], or [[array of tables]], whose keys are not read */
			bool array = p[1] == '[';
			p += 1 + array;
			n = strcspn(p, "]\n");
			t.table = toml_key(p, n);
			if (array || p[n] != ']')
				t.table.s = NULL;
		} else if (n = strcspn(p, "=\n"), p[n] == '=') {
			struct facts_span key = toml_key(p, n), v;
			p += n + 1;
			p += strspn(p, " \t");
			if (*p == '"' || *p == '\'') {
				if ((p = facts_string_at(p, &v)))
					toml_emit(&t, key, (struct facts_span){0}, v);
			} else if (*p == '[') {
				p = toml_array(&t, key, p + 1);
			} else if (*p == '{') {
				p = toml_inline(&t, key, p + 1);
			}
			/* Unclosed: nothing after it is read. */
			if (!p)
				break;
		}
		/* What is left of the line: a comment, a scalar, garbage. */
		p += strcspn(p, "\n");
	}
	json_t *later = json_object_get(t.later, "build_depends"), *dep;
	size_t i;
	json_array_foreach(later, i, dep) {
		facts_add_depend(facts, json_string_value(dep), json_string_length(dep));
	}
	json_decref(t.later);
}

/* setup.cfg and PKG-INFO */

struct field {
	const char *name, *key;
};

/* A "name = value" (or "name: value") line: sets the key of the field
 * named, compared without case.  A value computed by setuptools (attr:,
 * file:) or interpolated (%(...)) says nothing by itself. */
static void read_field(json_t *facts, const struct field *fields, size_t nfields, const char *line,
		       size_t len, const char *seps)
{
	size_t n = 0;
	while (n < len && !strchr(seps, line[n]))
		n++;
	if (n == len)
		return;
	struct facts_span name = toml_key(line, n);
	const char *v = line + n + 1, *end = line + len;
	v += strspn(v, " \t");
	if (v > end || !strncmp(v, "attr:", 5) || !strncmp(v, "file:", 5))
		return;
	for (const char *c = v; c + 1 < end; c++)
		if (c[0] == '%' && c[1] == '(')
			return;
	for (size_t i = 0; i < nfields; i++) {
		if (facts_is(name.s, name.n, fields[i].name, true))
			set_key(facts, fields[i].key, v, (size_t)(end - v));
	}
}

static void read_setup_cfg(const char *text, json_t *facts)
{
	static const struct field fields[] = {
		{"name", "package_name"}, {"version", "version"},
		{"url", "homepage"},       {"home_page", "homepage"},
		{"home-page", "homepage"}, {"license", "license"},
		{"description", "description"}, {"summary", "description"},
	};
	bool metadata = false;
	const char *p = text, *line;
	size_t len;
	while (facts_line(&p, &line, &len)) {
		/* Indented: the continuation of a value over lines, of which
		 * only the first is read. */
		if (!len || isspace((unsigned char)*line) || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			struct facts_span s = toml_key(line + 1, strcspn(line + 1, "]"));
			metadata = facts_is(s.s, s.n, "metadata", false);
		} else if (metadata) {
			read_field(facts, fields, sizeof(fields) / sizeof(*fields), line, len, "=:");
		}
	}
}

static void read_pkg_info(const char *text, json_t *facts)
{
	static const struct field fields[] = {
		{"Name", "package_name"}, {"Version", "version"}, {"Home-page", "homepage"},
		{"License", "license"},    {"Summary", "description"},
	};
	const char *p = text, *line;
	size_t len;
	/* The headers end at the first empty line; the body is the long
	 * description. */
	while (facts_line(&p, &line, &len) && len) {
		if (!isspace((unsigned char)*line))
			read_field(facts, fields, sizeof(fields) / sizeof(*fields), line, len, ":");
	}
}

/* setup.py */

/* The keyword arguments read from setup(): name="..." and the like, where
 * the value is a string literal and nothing more. */
static void read_setup_py(const char *text, json_t *facts)
{
	static const struct field fields[] = {
		{"name", "package_name"}, {"version", "version"}, {"url", "homepage"},
		{"license", "license"},    {"description", "description"},
	};
	bool in_setup = false;
	const char *p = text;
	while (*p) {
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		if (*p == '"' || *p == '\'') {
			if (!(p = facts_string_at(p, NULL)))
				return;
			continue;
		}
		const char *w;
		size_t n;
		if (!facts_next_word(&p, &w, &n))
			continue;
		const char *after = p + strspn(p, " \t\r\n");
		if (!in_setup) {
			/* The arguments are read from the first setup( on. */
			in_setup = facts_is(w, n, "setup", false) && *after == '(';
			continue;
		}
		if (*after != '=' || after[1] == '=' || (w > text && w[-1] == '.'))
			continue;
		const char *q = after + 1 + strspn(after + 1, " \t\r\n"), *end;
		if (*q && strchr("rRuU", *q))
			q++;
		struct facts_span v;
		if ((*q != '"' && *q != '\'') || !(end = facts_string_at(q, &v)))
			continue;
		end += strspn(end, " \t\r");
		if (!*end || !strchr(",)\n#", *end))
			continue;
		for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
			if (facts_is(w, n, fields[i].name, false))
				set_key(facts, fields[i].key, v.s, v.n);
		}
	}
}

int facts_python(const char *dir, json_t *facts, struct strbuf *err)
{
	static const struct facts_source sources[] = {
		{"pyproject.toml", read_pyproject},
		{"setup.cfg", read_setup_cfg},
		{"PKG-INFO", read_pkg_info},
		{"setup.py", read_setup_py},
	};
	return facts_read_sources(dir, sources, sizeof(sources) / sizeof(*sources), facts, err);
}
