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

void pkg_json_names(struct pkg *const *pkgs, size_t n, struct json_write *w)
{
	json_write_array(w);
	for (size_t i = 0; i < n; i++)
		json_write_string(w, pkgs[i]->mb.name);
	json_write_end(w);
}

void pkg_json_list(struct pkgdb *db, struct pkg *const *pkgs, size_t n, struct json_write *w)
{
	json_write_array(w);
	for (size_t i = 0; i < n; i++) {
		json_write_object(w);
		pkg_json_members(db, pkgs[i], false, w);
		json_write_end(w);
	}
	json_write_end(w);
}

void pkg_json_members(struct pkgdb *db, const struct pkg *p, bool full, struct json_write *w)
{
	json_write_member(w, "name", p->mb.name);
	json_write_member(w, "version", p->mb.version);
	json_write_member(w, "minilay", p->mb.minilay);
	json_write_member(w, "path", p->mb.path);
	json_write_key(w, "meta");
	json_write_bool(w, p->mb.meta);
	json_write_member(w, "choice", p->choice == PKG_PICKED   ? "picked"
				       : p->choice == PKG_PINNED ? "pinned"
								 : "named");
	json_write_member(w, "requested_as", p->requested_as);
	json_write_key(w, "dependencies");
	if (p->deps_loaded) {
		pkg_json_names(p->deps, p->ndeps, w);
	} else {
		json_write_array(w);
		for (size_t i = 0; i < p->mb.ndependencies; i++)
			json_write_string(w, p->mb.dependencies[i]);
		json_write_end(w);
	}
	json_write_key(w, "installed");
	json_write_bool(w, pkgdb_installed(db, p));
	if (full) {
		json_write_key(w, "revision");
		json_write_int(w, p->mb.revision);
		struct minibuild_field fields[32];
		size_t n = minibuild_fields(&p->mb, fields, 32);
		json_write_key(w, "keys");
		json_write_object(w);
		for (size_t i = 0; i < n; i++)
			if (fields[i].value->value)
				json_write_member(w, fields[i].key, fields[i].value->value);
		json_write_end(w);
	}
}
