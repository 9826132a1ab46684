#include "minibuild.h"

#include "cfg_parse.h"
#include "pkgname.h"

#include "../lib/diag.h"
#include "../lib/file.h"
#include "../lib/path.h"
#include "../lib/spell.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct field {
	const char *key;
	size_t offset;
} fields[] = {
	{"category", offsetof(struct minibuild, category)},
	{"src_type", offsetof(struct minibuild, src_type)},
	{"src_uri", offsetof(struct minibuild, src_uri)},
	{"scm_branch", offsetof(struct minibuild, scm_branch)},
	{"scm_revision", offsetof(struct minibuild, scm_revision)},
	{"src_md5", offsetof(struct minibuild, src_md5)},
	{"src_sha256", offsetof(struct minibuild, src_sha256)},
	{"revision", offsetof(struct minibuild, revision_text)},
	{"install_method", offsetof(struct minibuild, install_method)},
	{"buildout_config", offsetof(struct minibuild, buildout_config)},
	{"buildout_parts", offsetof(struct minibuild, buildout_parts)},
	{"configure_options", offsetof(struct minibuild, configure_options)},
	{"make_options", offsetof(struct minibuild, make_options)},
	{"make_targets", offsetof(struct minibuild, make_targets)},
	{"install_targets", offsetof(struct minibuild, install_targets)},
	{"url", offsetof(struct minibuild, url)},
	{"homepage", offsetof(struct minibuild, homepage)},
	{"license", offsetof(struct minibuild, license)},
	{"description", offsetof(struct minibuild, description)},
};
enum { NFIELDS = sizeof(fields) / sizeof(fields[0]) };

static const char *const src_types[] = {"git", "hg", "svn", "bzr", "static", "path", NULL};
static const char *const install_methods[] = {"buildout", "cmmi", "auto", "none", NULL};

static struct minibuild_value *field_at(struct minibuild *mb, size_t i)
{
	return (struct minibuild_value *)((char *)mb + fields[i].offset);
}

bool minibuild_category_valid(const char *category)
{
	static const char letters_digits[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	return *category && strspn(category, letters_digits) == strlen(category);
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return true;
	return false;
}

static void join_set(struct strbuf *sb, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", set[i]);
}

/* ${name} from [minitage.variables]; unknown names stay as written.  Two
 * passes, as minitage makes, so a variable may use another. */
static const char *expand_variables(struct arena *a, const struct hmap *vars, const char *v)
{
	if (!vars || !strstr(v, "${"))
		return v;
	for (int pass = 0; pass < 2; pass++) {
		struct strbuf sb = STRBUF_INIT;
		const char *p = v;
		const char *open;
		while ((open = strstr(p, "${"))) {
			const char *close = strchr(open + 2, '}');
			if (!close)
				break;
			const char *val = hmap_get(vars, open + 2, (size_t)(close - open - 2));
			strbuf_add(&sb, p, (size_t)(open - p));
			if (val)
				strbuf_adds(&sb, val);
			else
				strbuf_add(&sb, open, (size_t)(close + 1 - open));
			p = close + 1;
		}
		strbuf_adds(&sb, p);
		v = arena_strndup(a, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	return v;
}

/* Python's str.split(): runs of whitespace separate, none are empty. */
static size_t split_words(struct arena *a, const char *v, const char ***out)
{
	size_t n = 0, cap = 0;
	const char **words = NULL;
	for (const char *p = v;;) {
		while (*p && cfg_isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && !cfg_isspace((unsigned char)*p))
			p++;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			const char **bigger = arena_alloc(a, cap * sizeof(*bigger));
			if (n)
				memcpy(bigger, words, n * sizeof(*words));
			words = bigger;
		}
		words[n++] = arena_strndup(a, start, (size_t)(p - start));
	}
	*out = words;
	return n;
}

static bool contains(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void warn_unknown_key(const char *path, int line, const char *key)
{
	const char *known[NFIELDS + 1];
	for (size_t i = 0; i < NFIELDS; i++)
		known[i] = fields[i].key;
	known[NFIELDS] = "dependencies";
	const char *near;
	if (spell_nearest(key, known, NFIELDS + 1, &near, 1))
		diag_warning(path, line, "unknown key '%s' in [minibuild] (did you mean '%s'?)", key,
			     near);
	else
		diag_warning(path, line, "unknown key '%s' in [minibuild]", key);
}

/* The dependencies with dependencies-<os> placed first (without repeating
 * one) or dependencies-<os>-replace instead, as minitage does. */
static void set_dependencies(struct arena *a, struct minibuild *mb, const struct minibuild_value *all,
			     const struct minibuild_value *os_extra,
			     const struct minibuild_value *os_replace)
{
	const struct minibuild_value *base = os_replace->value ? os_replace : all;
	const char **words = NULL;
	size_t n = base->value ? split_words(a, base->value, &words) : 0;
	mb->dependencies_line = base->line;
	if (!os_replace->value && os_extra->value) {
		const char **extra;
		size_t nextra = split_words(a, os_extra->value, &extra);
		const char **merged = arena_alloc(a, (n + nextra + 1) * sizeof(*merged));
		size_t m = 0;
		for (size_t i = 0; i < nextra; i++)
			if (!contains(merged, m, extra[i]))
				merged[m++] = extra[i];
		for (size_t i = 0; i < n; i++)
			if (!contains(merged, m, words[i]))
				merged[m++] = words[i];
		words = merged;
		n = m;
		if (!mb->dependencies_line)
			mb->dependencies_line = os_extra->line;
	}
	mb->dependencies = words;
	mb->ndependencies = n;
}

static int check(const struct minibuild *mb)
{
	const char *path = mb->path;
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;
	if (mb->src_type.value && !one_of(mb->src_type.value, src_types)) {
		join_set(&sb, src_types);
		diag_error(path, mb->src_type.line, "src_type '%s' is not one of %s",
			   mb->src_type.value, sb.buf);
		rc = -1;
	} else if (mb->src_uri.value && !mb->src_type.value) {
		join_set(&sb, src_types);
		diag_error(path, mb->src_uri.line,
			   "src_uri is given but src_type is not (one of %s)", sb.buf);
		rc = -1;
	} else if (mb->src_uri.value && !mb->category.value) {
		diag_error(path, mb->src_uri.line, "src_uri is given but category is not");
		rc = -1;
	} else if (mb->category.value && !minibuild_category_valid(mb->category.value)) {
		diag_error(path, mb->category.line,
			   "category '%s' may hold only letters and digits", mb->category.value);
		rc = -1;
	} else if (mb->install_method.value && !one_of(mb->install_method.value, install_methods)) {
		join_set(&sb, install_methods);
		diag_error(path, mb->install_method.line, "install_method '%s' is not one of %s",
			   mb->install_method.value, sb.buf);
		rc = -1;
	} else if (!mb->install_method.value && !mb->ndependencies) {
		diag_error(path, mb->section_line,
			   "the minibuild has neither an install_method nor dependencies");
		rc = -1;
	}
	strbuf_release(&sb);
	return rc;
}

static void read_revision(struct minibuild *mb)
{
	const char *v = mb->revision_text.value;
	if (!v)
		return;
	char *end;
	long r = strtol(v, &end, 10);
	if (!*v || *end || r < 0 || r > 1000000000) {
		diag_warning(mb->path, mb->revision_text.line,
			     "revision '%s' is not a whole number; using 0", v);
		return;
	}
	mb->revision = (int)r;
}

int minibuild_parse(struct arena *a, const struct minibuild_context *ctx, const char *path,
		    const char *name, const char *minilay, const char *text, size_t len,
		    struct minibuild *out)
{
	*out = (struct minibuild){.name = name, .path = path, .minilay = minilay};
	if (!pkgname_valid(name)) {
		diag_error(path, 0, "Invalid minibuild name : '%s'", name);
		return -1;
	}
	out->version = pkgname_split(name, &out->base_len);
	out->meta = !strncmp(name, "meta-", 5);
	struct cfg_file f = {0};
	int rc = cfg_parse(a, path, text, len, &f);
	struct cfg_file_section *s = rc == 0 ? cfg_file_find(&f, "minibuild") : NULL;
	if (rc == 0 && !s) {
		diag_error(path, 0, "no [minibuild] section");
		rc = -1;
	}
	struct minibuild_value deps = {0}, os_extra = {0}, os_replace = {0};
	size_t oslen = strlen(ctx->os);
	for (size_t i = 0; rc == 0 && i < s->ndeltas; i++) {
		const struct cfg_delta *d = s->deltas[i];
		if (d->add || d->remove) {
			diag_error(path, d->add ? d->add_line : d->remove_line,
				   "'%s' uses += or -=, which a minibuild does not have", d->name);
			rc = -1;
			break;
		}
		char *key = arena_strdup_lower(a, d->name);
		struct minibuild_value v = {expand_variables(a, ctx->variables, d->set), d->set_line};
		const char *os_part = key + strlen("dependencies-");
		if (!strcmp(key, "dependencies")) {
			deps = v;
		} else if (!strncmp(key, "dependencies-", 13)) {
			if (!strncmp(os_part, ctx->os, oslen) && !os_part[oslen])
				os_extra = v;
			else if (!strncmp(os_part, ctx->os, oslen) && !strcmp(os_part + oslen, "-replace"))
				os_replace = v;
		} else {
			size_t k = 0;
			while (k < NFIELDS && strcmp(fields[k].key, key))
				k++;
			if (k < NFIELDS)
				*field_at(out, k) = v;
			else
				warn_unknown_key(path, d->set_line, key);
		}
	}
	if (rc == 0) {
		out->section_line = s->line;
		set_dependencies(a, out, &deps, &os_extra, &os_replace);
		read_revision(out);
		rc = check(out);
	}
	cfg_file_free(&f);
	return rc;
}

int minibuild_load(struct arena *a, const struct minibuild_context *ctx, const char *minilay,
		   const char *name, struct minibuild *out)
{
	const char *path = path_join(a, minilay, name);
	struct strbuf text = STRBUF_INIT;
	int err;
	/* A FIFO would block the read and /dev/zero never end it. */
	int got = file_read_regular(path, &text, &err);
	if (got == -2)
		diag_error(path, 0, "not a regular file, so not a minibuild");
	else if (got < 0)
		diag_error(path, 0, "cannot read the minibuild: %s", strerror(err));
	if (got < 0) {
		strbuf_release(&text);
		return -1;
	}
	int rc = minibuild_parse(a, ctx, path, name, minilay, text.buf, text.len, out);
	strbuf_release(&text);
	return rc;
}

size_t minibuild_fields(const struct minibuild *mb, struct minibuild_field *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < NFIELDS && n < max; i++)
		out[n++] = (struct minibuild_field){
			fields[i].key, (const struct minibuild_value *)((const char *)mb + fields[i].offset)};
	return n;
}
