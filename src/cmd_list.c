/* minimerge list: the packages the minilays hold. */
#include "commands.h"
#include "json_out.h"
#include "pkg_print.h"
#include "pkgdb.h"
#include "pkgname.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge list [--all] [--json] [PATTERN]\n"
	      "\n"
	      "Lists the minibuilds found, sorted by name, each with its minilay.\n"
	      "PATTERN is a shell glob on the name (zlib*).\n"
	      "\n"
	      "options:\n"
	      "  --all       also list the copies that an earlier minilay shadows\n"
	      "  --json      print JSON: a list of {name, minilay, shadowed}\n"
	      "  -h, --help  print this help and exit\n",
	      f);
}

int cmd_list(int argc, char **argv)
{
	bool all = false, json = false;
	const char *pattern = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--all")) {
			all = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (a[0] == '-' || pattern) {
			diag_error(NULL, 0, "list: unexpected '%s' (see minimerge list --help)", a);
			return EXIT_BAD_INPUT;
		} else {
			pattern = a;
		}
	}
	struct pkgdb db;
	if (pkgdb_open(&db) < 0) {
		pkgdb_close(&db);
		return EXIT_BAD_INPUT;
	}
	json_t *list = json_array();
	struct strbuf out = STRBUF_INIT;
	int width = 4;
	for (size_t i = 0; i < db.minilays.nfiles; i++) {
		int l = (int)strlen(db.minilays.files[i]->name);
		width = l > width ? l : width;
	}
	for (size_t i = 0; i < db.minilays.nfiles; i++) {
		const struct minilay_file *f = db.minilays.files[i];
		if (pattern && fnmatch(pattern, f->name, 0) != 0)
			continue;
		/* Not a package (and perhaps not even text for JSON). */
		if (!pkgname_valid(f->name)) {
			diag_warning(db.minilays.dirs[f->minilay], 0,
				     "skipped a file whose name is not a valid minibuild name");
			continue;
		}
		for (const struct minilay_file *c = f; c; c = all ? c->shadow : NULL) {
			const char *minilay = db.minilays.dirs[c->minilay];
			if (json) {
				json_t *o = json_object();
				json_object_set_new(o, "name", json_string(c->name));
				json_object_set_new(o, "minilay", json_string(minilay));
				json_object_set_new(o, "shadowed", json_boolean(c != f));
				json_array_append_new(list, o);
			} else {
				strbuf_addf(&out, "%-*s  %s%s\n", width, c->name,
					    pkg_minilay_shown(&db, minilay), c != f ? "  (shadowed)" : "");
			}
		}
	}
	if (json)
		json_print(list);
	else
		json_decref(list);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	pkgdb_close(&db);
	return EXIT_OK;
}
