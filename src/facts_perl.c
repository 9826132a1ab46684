/* The Perl reader (facts.h): META.json, the CPAN distribution metadata,
 * through jansson; then the key => 'value' pairs of Build.PL and
 * Makefile.PL, found by a scan that knows Perl's strings, comments and POD
 * but not its grammar. */
#include "facts.h"

#include <ctype.h>
#include <string.h>

/* META.json */

static void meta_string(json_t *facts, const char *key, const json_t *v)
{
	if (json_is_string(v))
		facts_set_key(facts, key, json_string_value(v), json_string_length(v));
}

/* The modules a requirements object names (its keys), perl itself aside:
 * {"Test::More": "0.88", "perl": "5.008"}. */
static void meta_requires(json_t *facts, json_t *requires)
{
	const char *module;
	json_t *version;
	json_object_foreach(requires, module, version) {
		if (strcmp(module, "perl"))
			facts_add_depend(facts, module, strlen(module));
	}
}

static void read_meta_json(const char *text, json_t *facts)
{
	json_t *meta = json_loads(text, 0, NULL);
	if (!json_is_object(meta)) {
		json_decref(meta);
		return;
	}
	meta_string(facts, "package_name", json_object_get(meta, "name"));
	meta_string(facts, "version", json_object_get(meta, "version"));
	meta_string(facts, "description", json_object_get(meta, "abstract"));
	json_t *license = json_object_get(meta, "license");
	meta_string(facts, "license", json_is_array(license) ? json_array_get(license, 0) : license);
	meta_string(facts, "homepage", json_object_get(json_object_get(meta, "resources"), "homepage"));
	/* Version 2 of the spec: prereqs by phase; 1.4: by kind at the top. */
	static const char *const phases[] = {"configure", "build", "test", "runtime"};
	json_t *prereqs = json_object_get(meta, "prereqs");
	for (size_t i = 0; i < sizeof(phases) / sizeof(*phases); i++)
		meta_requires(facts, json_object_get(json_object_get(prereqs, phases[i]), "requires"));
	static const char *const kinds[] = {"configure_requires", "build_requires", "requires"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		meta_requires(facts, json_object_get(meta, kinds[i]));
	json_decref(meta);
}

/* Build.PL and Makefile.PL */

/* The keys read, as Makefile.PL (ExtUtils::MakeMaker) and Build.PL
 * (Module::Build) spell them; homepage is META_MERGE's resource. */
static const struct {
	const char *name, *key;
} pl_keys[] = {
	{"DISTNAME", "package_name"}, {"NAME", "package_name"},
	{"dist_name", "package_name"}, {"module_name", "package_name"},
	{"VERSION", "version"},       {"dist_version", "version"},
	{"ABSTRACT", "description"},  {"dist_abstract", "description"},
	{"LICENSE", "license"},       {"license", "license"},
	{"homepage", "homepage"},
};

/* The keys whose value is a hash of modules and their versions. */
static const char *const pl_requires[] = {
	"PREREQ_PM",   "CONFIGURE_REQUIRES", "BUILD_REQUIRES", "TEST_REQUIRES",
	"requires",    "configure_requires", "build_requires", "test_requires",
};

/* A word or a string at p: a bareword (Foo::Bar) or a quoted string, in
 * *w; returns where it ends, p itself when there is none, NULL when a
 * string runs to the end of the text. */
static const char *pl_word(const char *p, struct facts_span *w)
{
	if (*p == '\'' || *p == '"') {
		const char *end = facts_string_end(p + 1, *p, true);
		if (!end)
			return NULL;
		*w = (struct facts_span){p + 1, (size_t)(end - p - 1)};
		return end + 1;
	}
	const char *end = p;
	if (facts_word_char(*p)) {
		while (facts_word_char(*end) || *end == ':')
			end++;
	}
	*w = (struct facts_span){p, (size_t)(end - p)};
	return end;
}

/* Whether "=>" follows p: what stands at p is a hash key. */
static bool pl_arrow(const char *p)
{
	return !strncmp(facts_skip_space(p), "=>", 2);
}

/* The keys of the hash whose '{' is just before p, the modules required;
 * returns the hash's end, or NULL when the text ends first. */
static const char *pl_hash(const char *p, json_t *facts)
{
	int depth = 0;
	for (;;) {
		struct facts_span w;
		p = facts_skip_space(p);
		const char *end = pl_word(p, &w);
		if (!end || !*p)
			return NULL;
		if (end > p) {
			if (!depth && pl_arrow(end) && !facts_is(w.s, w.n, "perl", false))
				facts_add_depend(facts, w.s, w.n);
			p = end;
			continue;
		}
		if (strchr("{[(", *p)) {
			depth++;
		} else if (strchr("}])", *p)) {
			if (!depth)
				return p + 1;
			depth--;
		}
		p++;
	}
}

/* A line that starts POD (=head1, =pod, ...) up to its =cut line; NULL when
 * there is none. */
static const char *pl_pod_end(const char *p)
{
	const char *cut = facts_find(p, "\n=cut");
	return cut ? cut + 5 : NULL;
}

/* The value after "key =>" at p: a string sets its facts key, a hash of
 * modules adds them.  Returns where to go on scanning, or NULL when the
 * text ends first. */
static const char *pl_value(struct facts_span key, const char *p, json_t *facts)
{
	if (*p == '\'' || *p == '"') {
		struct facts_span v;
		const char *end = pl_word(p, &v);
		if (!end)
			return NULL;
		for (size_t i = 0; i < sizeof(pl_keys) / sizeof(*pl_keys); i++) {
			if (facts_is(key.s, key.n, pl_keys[i].name, false))
				facts_set_key(facts, pl_keys[i].key, v.s, v.n);
		}
		return end;
	}
	if (*p == '{') {
		for (size_t i = 0; i < sizeof(pl_requires) / sizeof(*pl_requires); i++) {
			if (facts_is(key.s, key.n, pl_requires[i], false))
				return pl_hash(p + 1, facts);
		}
	}
	/* Another hash (META_MERGE, WriteMakefile's own): its pairs are
	 * scanned as any. */
	return p;
}

static void read_pl(const char *text, json_t *facts)
{
	const char *p = text;
	while (p && *p) {
		bool line_start = p == text || p[-1] == '\n';
		if (line_start && *p == '=' && isalpha((unsigned char)p[1])) {
			p = pl_pod_end(p);
			continue;
		}
		if (line_start && (!strncmp(p, "__END__", 7) || !strncmp(p, "__DATA__", 8)))
			return;
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		struct facts_span key;
		const char *end = pl_word(p, &key);
		if (end == p) {
			p++;
		} else if (end && pl_arrow(end)) {
			p = pl_value(key, facts_skip_space(facts_skip_space(end) + 2), facts);
		} else {
			p = end;
		}
	}
}

int facts_perl(const char *dir, json_t *facts, struct strbuf *err)
{
	static const struct facts_source sources[] = {
		{"META.json", read_meta_json},
		{"Build.PL", read_pl},
		{"Makefile.PL", read_pl},
	};
	return facts_read_sources(dir, sources, sizeof(sources) / sizeof(*sources), facts, err);
}
