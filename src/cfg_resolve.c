/* Initializing sections as buildout does on first access: macros, ${}
 * substitution, <part-dependencies>; and buildout's start-up checks. */
#include "cfg.h"

#include "cfg_internal.h"
#include "cfg_parse.h"

#include "../lib/diag.h"
#include "../lib/path.h"
#include "../lib/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* References nested deeper than this are refused rather than risking the
 * stack: no real config comes near it. */
enum { MAX_DEPTH = 2000 };

const char *cfg_raw_value(struct cfg *cfg, const struct cfg_option *o)
{
	if (o->has_base)
		return o->value;
	const char *v = o->value ? o->value : "";
	return o->removed ? cfg_remove_lines(&cfg->arena, v, o->removed) : v;
}

/* An option of a section that initialize has expanded.  A section without
 * macros is its own expansion and shares its index. */
static struct cfg_option *find_expanded_n(const struct cfg_section *s, const char *name,
					  size_t len)
{
	return hmap_get(s->expanded == s->options ? &s->index : &s->expanded_index, name, len);
}

static struct cfg_option *find_expanded(const struct cfg_section *s, const char *name)
{
	return find_expanded_n(s, name, strlen(name));
}

static struct cfg_option *copy_option(struct cfg *cfg, const struct cfg_option *from,
				      const char *value)
{
	struct cfg_option *o = arena_alloc(&cfg->arena, sizeof(*o));
	*o = *from;
	o->value = value;
	o->removed = NULL;
	o->has_base = true;
	o->resolved = NULL;
	o->resolving = false;
	return o;
}

/* A macro's result: name -> option, in a growing list. */
struct optlist {
	struct cfg_option **items;
	size_t n, cap;
	struct hmap index;
};

static void optlist_put(struct optlist *l, struct cfg_option *o)
{
	size_t len = strlen(o->name);
	struct cfg_option *old = hmap_get(&l->index, o->name, len);
	if (old) {
		for (size_t i = 0; i < l->n; i++)
			if (l->items[i] == old)
				l->items[i] = o;
	} else {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
		}
		l->items[l->n++] = o;
	}
	hmap_put(&l->index, o->name, len, o);
}

/* The options of section s with its macros (<=) applied, sources first,
 * then s's own options over them.  doing is the chain, for loops. */
static int expand_macros(struct cfg *cfg, struct cfg_section *s, const char **doing,
			 size_t ndoing, struct optlist *out)
{
	struct cfg_option *lt = cfg_find_option(s, "<");
	if (!strcmp(s->name, "buildout") || !lt) {
		for (size_t i = 0; i < s->noptions; i++) {
			struct cfg_option *o = s->options[i];
			optlist_put(out, copy_option(cfg, o, cfg_raw_value(cfg, o)));
		}
		return 0;
	}
	for (size_t i = 0; i < ndoing; i++)
		if (!strcmp(doing[i], s->name)) {
			diag_error(lt->file, lt->line, "Infinite extending loop '%s'", s->name);
			return -1;
		}
	if (ndoing >= MAX_DEPTH) {
		diag_error(lt->file, lt->line, "macros nested more than %d deep", MAX_DEPTH);
		return -1;
	}
	doing[ndoing++] = s->name;
	struct optlist base = {0};
	const char *src = cfg_raw_value(cfg, lt);
	for (const char *p = src;;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *name = p;
		while (n && cfg_isspace((unsigned char)*name))
			name++, n--;
		while (n && cfg_isspace((unsigned char)name[n - 1]))
			n--;
		if (n) {
			char *iname = arena_strndup(&cfg->arena, name, n);
			struct cfg_section *from = cfg_find_section(cfg, iname);
			if (!from) {
				diag_error(lt->file, lt->line, "No section named '%s'", iname);
				goto fail;
			}
			if (expand_macros(cfg, from, doing, ndoing, &base) < 0)
				goto fail;
		}
		if (!e)
			break;
		p = e + 1;
	}
	/* s's own options over the macro's; a += or -= with nothing below it
	 * in the files applies to the macro's value. */
	for (size_t i = 0; i < s->noptions; i++) {
		struct cfg_option *o = s->options[i];
		if (o == lt)
			continue;
		const char *v;
		struct cfg_option *under = hmap_gets(&base.index, o->name);
		if (o->has_base) {
			v = o->value;
		} else if (under) {
			v = under->value;
			if (o->value)
				v = cfg_join_lines(&cfg->arena, v, o->value);
			if (o->removed)
				v = cfg_remove_lines(&cfg->arena, v, o->removed);
		} else {
			v = cfg_raw_value(cfg, o);
		}
		optlist_put(&base, copy_option(cfg, o, v));
	}
	for (size_t i = 0; i < base.n; i++)
		optlist_put(out, base.items[i]);
	free(base.items);
	hmap_free(&base.index);
	return 0;
fail:
	free(base.items);
	hmap_free(&base.index);
	return -1;
}

static int initialize(struct cfg *cfg, struct cfg_section *s);

static struct cfg_section *section_at(struct cfg *cfg, const char *name, size_t len,
				      const char *file, int line)
{
	struct cfg_section *s = hmap_get(&cfg->index, name, len);
	if (!s) {
		diag_error(file, line, "The referenced section, '%.*s', was not defined.", (int)len,
			   name);
		return NULL;
	}
	/* A section being initialized is returned as it is, as buildout
	 * does; its options resolve on demand. */
	if (s->state == CFG_RAW && initialize(cfg, s) < 0)
		return NULL;
	return s;
}

struct cfg_section *cfg_section_get(struct cfg *cfg, const char *name)
{
	return section_at(cfg, name, strlen(name), NULL, 0);
}

static void add_ref(struct cfg_section *from, struct cfg_section *to)
{
	if (from == to)
		return;
	for (size_t i = 0; i < from->nrefs; i++)
		if (from->refs[i] == to)
			return;
	if (from->nrefs == from->caprefs) {
		from->caprefs = from->caprefs ? 2 * from->caprefs : 4;
		from->refs = xrealloc(from->refs, from->caprefs * sizeof(*from->refs));
	}
	from->refs[from->nrefs++] = to;
}

static const char *resolve(struct cfg *cfg, struct cfg_section *s, struct cfg_option *o,
			   bool *failed);

/* One reference ${section:option} found in option o of section s. */
static int substitute_ref(struct cfg *cfg, struct cfg_section *s, struct cfg_option *o,
			  const char *ref, size_t len, struct strbuf *out)
{
	const char *inner = ref + 2;
	size_t n = len - 3;
	const char *colon = memchr(inner, ':', n);
	if (!colon) {
		diag_error(o->file, o->line, "The substitution, %.*s, doesn't contain a colon.",
			   (int)len, ref);
		return -1;
	}
	size_t seclen = (size_t)(colon - inner), optlen = n - seclen - 1;
	if (memchr(colon + 1, ':', optlen)) {
		diag_error(o->file, o->line, "The substitution, %.*s, has too many colons.",
			   (int)len, ref);
		return -1;
	}
	bool valid = (seclen == 0 || cfg_ref_name_valid(inner, seclen)) &&
		     cfg_ref_name_valid(colon + 1, optlen);
	if (!valid && !cfg_ref_name_valid(inner, seclen)) {
		diag_error(o->file, o->line,
			   "The section name in substitution, %.*s, has invalid characters.",
			   (int)len, ref);
		return -1;
	}
	if (!valid) {
		diag_error(o->file, o->line,
			   "The option name in substitution, %.*s, has invalid characters.",
			   (int)len, ref);
		return -1;
	}
	const char *secname = seclen ? inner : s->name;
	if (!seclen)
		seclen = strlen(s->name);
	const char *optname = colon + 1;
	struct cfg_section *target = section_at(cfg, secname, seclen, o->file, o->line);
	if (!target)
		return -1;
	add_ref(s, target);
	struct cfg_option *to = find_expanded_n(target, optname, optlen);
	if (!to) {
		static const char own_name[] = "_buildout_section_name_";
		if (optlen == sizeof(own_name) - 1 && !memcmp(optname, own_name, optlen)) {
			strbuf_adds(out, s->name);
			return 0;
		}
		diag_error(o->file, o->line, "Referenced option does not exist: %.*s %.*s",
			   (int)seclen, secname, (int)optlen, optname);
		return -1;
	}
	bool failed = false;
	const char *v = resolve(cfg, target, to, &failed);
	if (failed)
		return -1;
	strbuf_adds(out, v);
	return 0;
}

/* o's value with every ${...} replaced; $$ protects what follows it. */
static const char *resolve(struct cfg *cfg, struct cfg_section *s, struct cfg_option *o,
			   bool *failed)
{
	if (o->resolved)
		return o->resolved;
	if (!strstr(o->value, "${")) {
		o->resolved = o->value;
		return o->resolved;
	}
	if (o->resolving) {
		diag_error(o->file, o->line,
			   "Circular reference in substitutions: %s:%s refers back to itself",
			   s->name, o->name);
		*failed = true;
		return NULL;
	}
	if (cfg->depth >= MAX_DEPTH) {
		diag_error(o->file, o->line, "references nested more than %d deep", MAX_DEPTH);
		*failed = true;
		return NULL;
	}
	o->resolving = true;
	cfg->depth++;
	/* References resolve one inside another: each value is built at the
	 * end of the one scratch buffer, which gives the room back when done. */
	struct strbuf *out = &cfg->scratch;
	size_t start = out->len;
	const char *p = o->value;
	int rc = 0;
	while (*p && rc == 0) {
		/* One pass to the next "$$" or "${", whichever comes first. */
		const char *ref = strchr(p, '$');
		while (ref && ref[1] != '$' && ref[1] != '{')
			ref = strchr(ref + 1, '$');
		if (!ref) {
			strbuf_adds(out, p);
			break;
		}
		if (ref[1] == '$') {
			/* $$ is kept, and the next piece starts after it. */
			strbuf_add(out, p, (size_t)(ref - p) + 2);
			p = ref + 2;
			continue;
		}
		const char *close = strchr(ref + 2, '}');
		/* A reference never spans a $$: the value is split on it first. */
		for (const char *q = ref + 2; close && q + 1 < close; q++)
			if (q[0] == '$' && q[1] == '$')
				close = NULL;
		if (!close) {
			const char *dd = strstr(ref + 2, "$$");
			size_t upto = dd ? (size_t)(dd - p) : strlen(p);
			strbuf_add(out, p, upto);
			p += upto;
			continue;
		}
		strbuf_add(out, p, (size_t)(ref - p));
		rc = substitute_ref(cfg, s, o, ref, (size_t)(close - ref) + 1, out);
		p = close + 1;
	}
	cfg->depth--;
	o->resolving = false;
	if (rc == 0)
		o->resolved = arena_strndup(&cfg->arena, out->buf + start, out->len - start);
	strbuf_setlen(out, start);
	if (rc < 0) {
		*failed = true;
		return NULL;
	}
	return o->resolved;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct cfg_option *const *)a)->name,
		      (*(struct cfg_option *const *)b)->name);
}

static int initialize(struct cfg *cfg, struct cfg_section *s)
{
	s->state = CFG_INITIALIZING;
	if (!strcmp(s->name, "buildout") || !cfg_find_option(s, "<")) {
		/* No macro: the raw options are used as they are, with any
		 * pending += or -= settled. */
		for (size_t i = 0; i < s->noptions; i++) {
			struct cfg_option *o = s->options[i];
			if (!o->has_base) {
				o->value = cfg_raw_value(cfg, o);
				o->removed = NULL;
				o->has_base = true;
			}
		}
		s->expanded = s->options;
		s->nexpanded = s->noptions;
	} else {
		const char **doing = xmalloc(MAX_DEPTH * sizeof(*doing));
		struct optlist l = {0};
		int rc = expand_macros(cfg, s, doing, 0, &l);
		free(doing);
		if (rc < 0) {
			free(l.items);
			hmap_free(&l.index);
			return -1;
		}
		/* "<" has done its work; only [buildout] keeps it, and it can
		 * come in only from [buildout] used as a macro. */
		if (hmap_gets(&l.index, "<")) {
			size_t k = 0;
			for (size_t i = 0; i < l.n; i++)
				if (strcmp(l.items[i]->name, "<"))
					l.items[k++] = l.items[i];
			l.n = k;
			hmap_free(&l.index);
			for (size_t i = 0; i < k; i++)
				hmap_put(&l.index, l.items[i]->name, strlen(l.items[i]->name),
					 l.items[i]);
		}
		s->expanded = l.items;
		s->nexpanded = l.n;
		s->expanded_index = l.index;
	}
	/* Every option with a reference is substituted now, in name order, as
	 * buildout forces them when a section is first used. */
	s->by_name = arena_alloc(&cfg->arena, (s->nexpanded + 1) * sizeof(*s->by_name));
	if (s->nexpanded) {
		memcpy(s->by_name, s->expanded, s->nexpanded * sizeof(*s->by_name));
		qsort(s->by_name, s->nexpanded, sizeof(*s->by_name), by_name);
	}
	for (size_t i = 0; i < s->nexpanded; i++) {
		bool failed = false;
		resolve(cfg, s, s->by_name[i], &failed);
		if (failed)
			return -1;
	}
	if (strcmp(s->name, "buildout")) {
		struct cfg_option *deps = find_expanded(s, "<part-dependencies>");
		if (deps) {
			char *list = arena_strdup(&cfg->arena, deps->resolved);
			char *save = NULL;
			for (char *t = strtok_r(list, " \t\n\r\f\v", &save); t;
			     t = strtok_r(NULL, " \t\n\r\f\v", &save)) {
				struct cfg_section *d =
					section_at(cfg, t, strlen(t), deps->file, deps->line);
				if (!d)
					return -1;
				add_ref(s, d);
			}
		}
	}
	s->state = CFG_INITIALIZED;
	struct cfg_option *recipe = strcmp(s->name, "buildout") ? find_expanded(s, "recipe") : NULL;
	if (recipe && *recipe->resolved) {
		if (cfg->part_initialized && cfg->part_initialized(cfg->part_ctx, cfg, s) < 0)
			return -1;
		if (cfg->nparts == cfg->capparts) {
			cfg->capparts = cfg->capparts ? 2 * cfg->capparts : 16;
			cfg->parts = xrealloc(cfg->parts, cfg->capparts * sizeof(*cfg->parts));
		}
		cfg->parts[cfg->nparts++] = s;
	}
	return 0;
}

const char *cfg_get(struct cfg *cfg, struct cfg_section *s, const char *option, bool *failed)
{
	struct cfg_option *o = find_expanded(s, option);
	if (!o)
		return NULL;
	return resolve(cfg, s, o, failed);
}

const char *cfg_substitute(struct cfg *cfg, struct cfg_section *s, const char *text,
			   const char *file, int line)
{
	struct cfg_option o = {.name = "(text)", .value = text, .file = file, .line = line,
			       .has_base = true};
	bool failed = false;
	const char *v = resolve(cfg, s, &o, &failed);
	/* A text without references comes back as it is: the caller's. */
	return failed ? NULL : v == text ? arena_strdup(&cfg->arena, text) : v;
}

void cfg_set(struct cfg *cfg, struct cfg_section *s, const char *option, const char *value)
{
	struct cfg_option *o = find_expanded(s, option);
	bool added = !o;
	if (!o && s->expanded == s->options) {
		o = cfg_add_option(cfg, s, arena_strdup(&cfg->arena, option));
		o->has_base = true;
		s->expanded = s->options;
		s->nexpanded = s->noptions;
	} else if (!o) {
		o = arena_alloc(&cfg->arena, sizeof(*o));
		o->name = arena_strdup(&cfg->arena, option);
		o->file = s->file;
		o->line = s->line;
		o->has_base = true;
		struct optlist l = {s->expanded, s->nexpanded, s->nexpanded, s->expanded_index};
		optlist_put(&l, o);
		s->expanded = l.items;
		s->nexpanded = l.n;
		s->expanded_index = l.index;
	}
	if (s->by_name && added) {
		/* nexpanded counts o already. */
		struct cfg_option **v = arena_alloc(&cfg->arena, (s->nexpanded + 1) * sizeof(*v));
		size_t k = 0;
		while (k + 1 < s->nexpanded && strcmp(s->by_name[k]->name, o->name) < 0) {
			v[k] = s->by_name[k];
			k++;
		}
		v[k] = o;
		memcpy(v + k + 1, s->by_name + k, (s->nexpanded - 1 - k) * sizeof(*v));
		s->by_name = v;
	}
	o->value = o->resolved = arena_strdup(&cfg->arena, value);
}

/* buildout's _buildout_path: relative to the buildout directory, unless a
 * reference is still in it. */
static const char *buildout_path(struct cfg *cfg, const char *dir, const char *v)
{
	if (strstr(v, "${"))
		return v;
	return path_join(&cfg->arena, dir, v);
}

static int check_bool(struct cfg_option *o, const char *name, const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "false")) {
		if (out)
			*out = v[0] == 't';
		return 0;
	}
	diag_error(o ? o->file : NULL, o ? o->line : 0, "Invalid value for '%s' option: '%s'",
		   name, v);
	return -1;
}

/* Python's int(): optional sign, digits with single underscores between,
 * spaces around. */
static bool python_int(const char *s)
{
	while (cfg_isspace((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s) || (*s == '_' && isdigit((unsigned char)s[1])))
		s++;
	while (cfg_isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

int cfg_init_buildout(struct cfg *cfg)
{
	static const char *const dirs[] = {"bin-directory", "parts-directory", "eggs-directory",
					   "develop-eggs-directory"};
	struct cfg_section *b = cfg_find_section(cfg, "buildout");
	struct cfg_option *dir = cfg_find_option(b, "directory");
	const char *directory = cfg_raw_value(cfg, dir);
	/* First, on the raw values, so references to them see absolute paths. */
	for (size_t i = 0; i < 4; i++) {
		struct cfg_option *o = cfg_find_option(b, dirs[i]);
		if (o) {
			o->value = buildout_path(cfg, directory, cfg_raw_value(cfg, o));
			o->has_base = true;
			o->removed = NULL;
		}
	}
	struct cfg_option *off = cfg_find_option(b, "offline");
	bool offline = false;
	if (check_bool(off, "offline", off ? cfg_raw_value(cfg, off) : "", &offline) < 0)
		return -1;
	struct cfg_option *newest = cfg_find_option(b, "newest");
	if (!offline &&
	    check_bool(newest, "newest", newest ? cfg_raw_value(cfg, newest) : "", NULL) < 0)
		return -1;

	b = cfg_section_get(cfg, "buildout");
	if (!b)
		return -1;
	bool failed = false;
	directory = cfg_get(cfg, b, "directory", &failed);
	if (failed)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		const char *v = cfg_get(cfg, b, dirs[i], &failed);
		if (failed)
			return -1;
		if (v)
			cfg_set(cfg, b, dirs[i], buildout_path(cfg, directory, v));
	}
	const char *installed = cfg_get(cfg, b, "installed", &failed);
	if (installed && *installed)
		cfg_set(cfg, b, "installed", path_join(&cfg->arena, directory, installed));

	const char *level = cfg_get(cfg, b, "log-level", &failed);
	if (level && strcmp(level, "DEBUG") && strcmp(level, "INFO") && strcmp(level, "WARNING") &&
	    strcmp(level, "ERROR") && strcmp(level, "CRITICAL") && !python_int(level)) {
		struct cfg_option *o = find_expanded(b, "log-level");
		diag_error(o->file, o->line, "Invalid logging level %s", level);
		return -1;
	}
	const char *verbosity = cfg_get(cfg, b, "verbosity", &failed);
	if (verbosity && !python_int(verbosity)) {
		struct cfg_option *o = find_expanded(b, "verbosity");
		diag_error(o->file, o->line, "Invalid verbosity %s", verbosity);
		return -1;
	}

	struct cfg_option *vname = cfg_find_option(cfg_find_section(cfg, "buildout"), "versions");
	const char *versions = vname ? cfg_raw_value(cfg, vname) : "";
	if (*versions && !section_at(cfg, versions, strlen(versions), vname->file, vname->line))
		return -1;

	static const char *const bools[] = {"prefer-final", "use-dependency-links",
					    "allow-picked-versions", "show-picked-versions"};
	for (size_t i = 0; i < 4; i++) {
		const char *v = cfg_get(cfg, b, bools[i], &failed);
		if (v && check_bool(find_expanded(b, bools[i]), bools[i], v, NULL) < 0)
			return -1;
	}
	const char *abi = cfg_get(cfg, b, "abi-tag-eggs", &failed);
	if (abi && check_bool(find_expanded(b, "abi-tag-eggs"), "abi-tag-eggs", abi, NULL) < 0)
		return -1;
	const char *ifc = cfg_get(cfg, b, "install-from-cache", &failed);
	bool from_cache = false;
	if (ifc && check_bool(find_expanded(b, "install-from-cache"), "install-from-cache", ifc,
			      &from_cache) < 0)
		return -1;
	if (from_cache && offline) {
		struct cfg_option *o = find_expanded(b, "install-from-cache");
		diag_error(o->file, o->line,
			   "install-from-cache can't be used with offline mode. Nothing is "
			   "installed, even from cache, in offline mode, which might better be "
			   "called 'no-install mode'.");
		return -1;
	}
	return 0;
}

int cfg_init_parts(struct cfg *cfg)
{
	struct cfg_section *b = cfg_section_get(cfg, "buildout");
	if (!b)
		return -1;
	bool failed = false;
	const char *parts = cfg_get(cfg, b, "parts", &failed);
	if (failed)
		return -1;
	if (!parts)
		return 0;
	struct cfg_option *o = find_expanded(b, "parts");
	char *list = arena_strdup(&cfg->arena, parts);
	char *save = NULL;
	for (char *t = strtok_r(list, " \t\n\r\f\v", &save); t;
	     t = strtok_r(NULL, " \t\n\r\f\v", &save))
		if (!section_at(cfg, t, strlen(t), o->file, o->line))
			return -1;
	return 0;
}
