#include "pkg_print.h"

#include "../lib/path.h"

#include <string.h>

const char *pkg_choice_word(const struct pkg *p)
{
	return p->choice == PKG_PICKED ? "picked" : p->choice == PKG_PINNED ? "pinned" : "";
}

const char *pkg_minilay_shown(struct pkgdb *db, const char *minilay)
{
	size_t n = strlen(db->root);
	if (!strncmp(minilay, db->root, n) && minilay[n] == '/')
		return minilay + n + 1;
	return minilay;
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *pkg_to_json(struct pkgdb *db, const struct pkg *p, bool full)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(p->mb.name));
	json_object_set_new(o, "version", string_or_null(p->mb.version));
	json_object_set_new(o, "minilay", json_string(p->mb.minilay));
	json_object_set_new(o, "path", json_string(p->mb.path));
	json_object_set_new(o, "meta", json_boolean(p->mb.meta));
	json_object_set_new(o, "choice", json_string(p->choice == PKG_PICKED   ? "picked"
						     : p->choice == PKG_PINNED ? "pinned"
									       : "named"));
	json_object_set_new(o, "requested_as", string_or_null(p->requested_as));
	json_t *deps = json_array();
	if (p->deps_loaded)
		for (size_t i = 0; i < p->ndeps; i++)
			json_array_append_new(deps, json_string(p->deps[i]->mb.name));
	else
		for (size_t i = 0; i < p->mb.ndependencies; i++)
			json_array_append_new(deps, json_string(p->mb.dependencies[i]));
	json_object_set_new(o, "dependencies", deps);
	json_object_set_new(o, "installed", json_boolean(pkgdb_installed(db, p)));
	if (full) {
		struct minibuild_field fields[32];
		size_t n = minibuild_fields(&p->mb, fields, 32);
		json_t *keys = json_object();
		for (size_t i = 0; i < n; i++)
			if (fields[i].value->value)
				json_object_set_new(keys, fields[i].key,
						    json_string(fields[i].value->value));
		json_object_set_new(o, "revision", json_integer(p->mb.revision));
		json_object_set_new(o, "keys", keys);
	}
	return o;
}
