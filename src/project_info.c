#include "project_info.h"

#include "../lib/file.h"

#include <ctype.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *const project_info_keys[] = {
	"extra_files", "extra_files_from_paths", "package_name", "version", "architecture",
	"section", "maintainer", "distribution", "description", "license", "homepage",
	"depends", "build_depends", "buildsystem", "debhelper_addons", "extra_targets",
	"explicit_copyright", "extra_control_binary_fields", NULL,
};

const char *project_info_one_line(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s);
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return out;
}

/* pkgme's cleaning of a package name: lower case, [a-z0-9+.-] only, no
 * leading '.', '+' or '-'. */
static const char *clean_name(struct arena *a, const char *name)
{
	char *out = arena_alloc(a, strlen(name) + 1);
	size_t n = 0;
	for (const char *p = name; *p; p++) {
		char c = (char)tolower((unsigned char)*p);
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '.' ||
			  c == '-';
		if (ok && !(n == 0 && (c == '.' || c == '+' || c == '-')))
			out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

/* A scalar as text (an all_info may answer version 1.0, a number); NULL
 * for anything else. */
static const char *text_of(struct arena *a, const json_t *v)
{
	if (json_is_string(v))
		return arena_strdup(a, json_string_value(v));
	if (json_is_number(v) || json_is_boolean(v)) {
		char *t = json_dumps(v, JSON_ENCODE_ANY);
		const char *r = arena_strdup(a, t ? t : "");
		free(t);
		return r;
	}
	return NULL;
}

/* A string, or a list of strings joined with sep. */
static const char *text_or_list(struct arena *a, const json_t *v, const char *sep)
{
	if (!json_is_array(v))
		return text_of(a, v);
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e)
	{
		const char *t = text_of(a, e);
		if (!t) {
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_addf(&sb, "%s%s", i ? sep : "", t);
	}
	const char *r = arena_strdup(a, sb.buf);
	strbuf_release(&sb);
	return r;
}

static const char *trimmed(struct arena *a, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return arena_strndup(a, s, len);
}

/* build_depends: a list, or a string of entries separated by commas. */
static int read_depends(struct project_info *pi, const json_t *v, struct arena *a)
{
	size_t cap = json_is_array(v) ? json_array_size(v) : 1;
	if (json_is_string(v))
		for (const char *p = json_string_value(v); *p; p++)
			cap += *p == ',';
	else if (!json_is_array(v))
		return -1;
	pi->build_depends = arena_alloc(a, (cap + 1) * sizeof(*pi->build_depends));
	if (json_is_string(v)) {
		for (const char *p = json_string_value(v); *p;) {
			size_t len = strcspn(p, ",");
			const char *d = trimmed(a, p, len);
			if (*d)
				pi->build_depends[pi->nbuild_depends++] = d;
			p += len + (p[len] == ',');
		}
		return 0;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e)
	{
		const char *d = text_of(a, e);
		if (!d)
			return -1;
		d = trimmed(a, d, strlen(d));
		if (*d)
			pi->build_depends[pi->nbuild_depends++] = d;
	}
	return 0;
}

/* RFC 822's "Name <address>", as pkgme reads it: a bare address is its
 * own name, an address without '@' becomes person@example.com. */
static const char *clean_maintainer(struct arena *a, const char *m)
{
	const char *lt = strchr(m, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *name, *address;
	if (lt && gt) {
		name = trimmed(a, m, (size_t)(lt - m));
		address = trimmed(a, lt + 1, (size_t)(gt - lt - 1));
	} else {
		name = address = trimmed(a, m, strlen(m));
	}
	if (!strchr(address, '@'))
		address = "person@example.com";
	if (!*name)
		name = address;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s <%s>", name, address);
	const char *r = arena_strdup(a, sb.buf);
	strbuf_release(&sb);
	return r;
}

/* DISTRIB_CODENAME of /etc/lsb-release, as pkgme finds the default. */
static const char *lsb_codename(struct arena *a)
{
	struct strbuf text = STRBUF_INIT;
	int err;
	const char *found = NULL;
	if (file_read("/etc/lsb-release", &text, &err) == 0) {
		for (const char *p = text.buf; *p;) {
			size_t len = strcspn(p, "\n");
			if (!strncmp(p, "DISTRIB_CODENAME=", 17) && len > 17)
				found = trimmed(a, p + 17, len - 17);
			p += len + (p[len] == '\n');
		}
	}
	strbuf_release(&text);
	return found && *found ? found : NULL;
}

static const char *or(const char *v, const char *dflt)
{
	return v ? v : dflt;
}

static json_t *files_of(const json_t *v)
{
	json_t *o = json_is_string(v) ? json_loads(json_string_value(v), 0, NULL)
				      : json_deep_copy(v);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The keys that are text, and where each goes. */
static const struct {
	const char *key;
	size_t offset;
	const char *sep; /* a list's entries joined with; NULL: no list */
	bool lines;      /* may hold several lines */
} texts[] = {
#define TEXT(k, sep, lines) {#k, offsetof(struct project_info, k), sep, lines}
	TEXT(package_name, NULL, false),
	TEXT(version, NULL, false),
	TEXT(architecture, " ", false),
	TEXT(section, NULL, false),
	TEXT(maintainer, NULL, false),
	TEXT(distribution, NULL, false),
	TEXT(description, NULL, true),
	TEXT(license, NULL, false),
	TEXT(homepage, NULL, false),
	TEXT(depends, ", ", false),
	TEXT(buildsystem, NULL, false),
	TEXT(debhelper_addons, ",", false),
	TEXT(extra_targets, NULL, true),
	TEXT(explicit_copyright, NULL, true),
	TEXT(extra_control_binary_fields, NULL, true),
#undef TEXT
};

static const char **field(struct project_info *pi, size_t i)
{
	return (const char **)((char *)pi + texts[i].offset);
}

json_t *project_info_to_json(const struct project_info *pi)
{
	json_t *o = json_object();
	for (const char *const *k = project_info_keys; *k; k++) {
		json_t *v = NULL;
		if (!strcmp(*k, "build_depends")) {
			v = json_array();
			for (size_t i = 0; i < pi->nbuild_depends; i++)
				json_array_append_new(v, json_string(pi->build_depends[i]));
		} else if (!strcmp(*k, "extra_files")) {
			v = pi->extra_files ? json_deep_copy(pi->extra_files) : json_object();
		} else if (!strcmp(*k, "extra_files_from_paths")) {
			v = pi->extra_files_from_paths ? json_deep_copy(pi->extra_files_from_paths)
						       : json_object();
		}
		for (size_t i = 0; !v && i < sizeof(texts) / sizeof(*texts); i++) {
			const char *t = *field((struct project_info *)pi, i);
			if (!strcmp(*k, texts[i].key))
				v = t ? json_string(t) : json_null();
		}
		json_object_set_new(o, *k, v ? v : json_null());
	}
	return o;
}

int project_info_read(struct project_info *pi, const json_t *facts, struct arena *a,
		      struct strbuf *err)
{
	memset(pi, 0, sizeof(*pi));
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		const json_t *v = json_object_get(facts, texts[i].key);
		if (!v || json_is_null(v))
			continue;
		const char **to = field(pi, i);
		*to = texts[i].sep ? text_or_list(a, v, texts[i].sep) : text_of(a, v);
		if (!*to) {
			strbuf_addf(err, "the backend's value for '%s' is not %s", texts[i].key,
				    texts[i].sep ? "a string or a list of strings" : "a string");
			return -1;
		}
		/* A value on a line of its own (a control field, a minibuild key)
		 * must not start another. */
		if (!texts[i].lines)
			*to = project_info_one_line(a, *to);
	}
	const json_t *deps = json_object_get(facts, "build_depends");
	if (deps && !json_is_null(deps) && read_depends(pi, deps, a) != 0) {
		strbuf_adds(err, "the backend's value for 'build_depends' is not a string or a "
				 "list of strings");
		return -1;
	}
	const char *file_keys[] = {"extra_files", "extra_files_from_paths"};
	json_t **file_to[] = {&pi->extra_files, &pi->extra_files_from_paths};
	for (int k = 0; k < 2; k++) {
		const json_t *v = json_object_get(facts, file_keys[k]);
		if (!v || json_is_null(v))
			continue;
		*file_to[k] = files_of(v);
		if (!*file_to[k]) {
			strbuf_addf(err, "the backend's value for '%s' is not an object of paths",
				    file_keys[k]);
			project_info_free(pi);
			return -1;
		}
	}
	if (!pi->package_name) {
		strbuf_adds(err, "The backend didn't provide a value for 'package_name'");
		project_info_free(pi);
		return -1;
	}
	const char *raw = pi->package_name;
	pi->package_name = clean_name(a, raw);
	if (strlen(pi->package_name) < 2) {
		strbuf_addf(err, "Package name must be at least two characters long: '%s'", raw);
		project_info_free(pi);
		return -1;
	}
	pi->version = or(pi->version, "0");
	pi->architecture = or(pi->architecture, "any");
	pi->section = or(pi->section, "misc");
	const char *debemail = getenv("DEBEMAIL");
	pi->maintainer = clean_maintainer(
		a, or(pi->maintainer, debemail && *debemail ? debemail : "A Person <someone@example.com>"));
	if (!pi->distribution)
		pi->distribution = or(lsb_codename(a), "UNRELEASED");
	pi->description = or(pi->description, "a package");
	pi->license = or(pi->license, "unknown");
	return 0;
}

void project_info_free(struct project_info *pi)
{
	json_decref(pi->extra_files);
	json_decref(pi->extra_files_from_paths);
	pi->extra_files = pi->extra_files_from_paths = NULL;
}
