#include "project_info.h"

#include "../lib/file.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *const project_info_keys[] = {
	"extra_files", "extra_files_from_paths", "package_name", "version", "architecture",
	"section", "maintainer", "distribution", "description", "license", "homepage",
	"depends", "build_depends", "buildsystem", "debhelper_addons", "extra_targets",
	"explicit_copyright", "extra_control_binary_fields", NULL,
};

const char *project_info_clean_name(struct arena *a, const char *name)
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
	const char *r = arena_strdup(a, sb.buf ? sb.buf : "");
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
		for (const char *p = text.buf; p && *p;) {
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
	if (json_is_string(v))
		return json_loads(json_string_value(v), 0, NULL);
	return json_is_object(v) ? json_deep_copy(v) : NULL;
}

int project_info_read(struct project_info *pi, const json_t *facts, struct arena *a,
		      struct strbuf *err)
{
	memset(pi, 0, sizeof(*pi));
	struct {
		const char *key;
		const char **to;
		const char *sep; /* a list's entries joined with; NULL: no list */
	} texts[] = {
		{"package_name", &pi->package_name, NULL},
		{"version", &pi->version, NULL},
		{"architecture", &pi->architecture, " "},
		{"section", &pi->section, NULL},
		{"maintainer", &pi->maintainer, NULL},
		{"distribution", &pi->distribution, NULL},
		{"description", &pi->description, NULL},
		{"license", &pi->license, NULL},
		{"homepage", &pi->homepage, NULL},
		{"depends", &pi->depends, ", "},
		{"buildsystem", &pi->buildsystem, NULL},
		{"debhelper_addons", &pi->debhelper_addons, ","},
		{"extra_targets", &pi->extra_targets, NULL},
		{"explicit_copyright", &pi->explicit_copyright, NULL},
		{"extra_control_binary_fields", &pi->extra_control_binary_fields, NULL},
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		const json_t *v = json_object_get(facts, texts[i].key);
		if (!v || json_is_null(v))
			continue;
		*texts[i].to = texts[i].sep ? text_or_list(a, v, texts[i].sep) : text_of(a, v);
		if (!*texts[i].to) {
			strbuf_addf(err, "the backend's value for '%s' is not %s", texts[i].key,
				    texts[i].sep ? "a string or a list of strings" : "a string");
			return -1;
		}
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
	pi->package_name = project_info_clean_name(a, raw);
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
	pi->distribution = or(pi->distribution, or(lsb_codename(a), "UNRELEASED"));
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
