/* minimerge show: one package, resolved, with where it came from and what
 * needs it. */
#include "commands.h"
#include "json_out.h"
#include "pkg_print.h"
#include "pkgdb.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge show [--json] NAME\n"
	      "\n"
	      "Shows the minibuild NAME stands for: its file and minilay, the copies\n"
	      "it shadows, whether its version was pinned or picked, its keys, what\n"
	      "it needs and which packages need it.\n"
	      "\n"
	      "options:\n"
	      "  --json      print JSON\n"
	      "  -h, --help  print this help and exit\n",
	      f);
}

static void add_list(struct strbuf *out, const char *label, struct pkg **v, size_t n)
{
	strbuf_addf(out, "%-13s", label);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, " %s", v[i]->mb.name);
	strbuf_adds(out, n ? "\n" : " (none)\n");
}

static void show(struct pkgdb *db, const struct pkg *p, const struct minilay_file *f,
		 struct pkg **needed_by, size_t nneeded_by, bool json)
{
	if (json) {
		struct json_write w = JSON_OUT_INIT;
		json_write_object(&w);
		pkg_json_members(db, p, true, &w);
		json_write_key(&w, "shadows");
		json_write_array(&w);
		for (const struct minilay_file *c = f->shadow; c; c = c->shadow)
			json_write_string(&w, db->minilays.dirs[c->minilay]);
		json_write_end(&w);
		json_write_key(&w, "needed_by");
		pkg_json_names(needed_by, nneeded_by, &w);
		json_write_end(&w);
		json_out_print(&w);
		return;
	}
	struct strbuf out = STRBUF_INIT;
	strbuf_addf(&out, "%s", p->mb.name);
	if (p->requested_as)
		strbuf_addf(&out, " (%s for %s)", pkg_choice_word(p), p->requested_as);
	strbuf_addf(&out, "\n%-13s %s\n%-13s %s\n%-13s %s\n", "file:", p->mb.path, "minilay:",
		    pkg_minilay_shown(db, p->mb.minilay), "version:",
		    p->mb.version ? p->mb.version : "(none)");
	for (const struct minilay_file *c = f->shadow; c; c = c->shadow)
		strbuf_addf(&out, "%-13s %s\n", "shadows:",
			    pkg_minilay_shown(db, db->minilays.dirs[c->minilay]));
	strbuf_addf(&out, "%-13s %s\n", "installed:", pkgdb_installed(db, p) ? "yes" : "no");
	add_list(&out, "needs:", p->deps, p->ndeps);
	add_list(&out, "needed by:", needed_by, nneeded_by);
	struct minibuild_field fields[32];
	size_t n = minibuild_fields(&p->mb, fields, 32);
	for (size_t i = 0; i < n; i++)
		if (fields[i].value->value)
			strbuf_addf(&out, "%s = %s\n", fields[i].key, fields[i].value->value);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct pkg *const *)a)->mb.name, (*(struct pkg *const *)b)->mb.name);
}

/* What needs a package: every minibuild must be read, and what it needs
 * resolved.  Cycles elsewhere are no matter here. */
static int load_everything(struct pkgdb *db)
{
	for (size_t i = 0; i < db->minilays.nfiles; i++)
		if (!pkgdb_resolve(db, db->minilays.files[i]->name, NULL, 0))
			return -1;
	return pkgdb_load_needs(db, db->bynode, db->npkgs);
}

int cmd_show(int argc, char **argv)
{
	bool json = false;
	char *name = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (a[0] == '-' || name) {
			diag_error(NULL, 0, "show: unexpected '%s' (see minimerge show --help)", a);
			return EXIT_BAD_INPUT;
		} else {
			name = argv[i];
		}
	}
	if (!name) {
		diag_error(NULL, 0, "show: no package named (see minimerge show --help)");
		return EXIT_BAD_INPUT;
	}
	struct pkgdb db;
	int rc = EXIT_BAD_INPUT;
	struct pkg **needed_by = NULL;
	struct pkg *p = NULL;
	if (pkgdb_open(&db) == 0 && (p = pkgdb_resolve(&db, name, NULL, 0)) &&
	    load_everything(&db) == 0) {
		needed_by = xmalloc((db.npkgs + 1) * sizeof(*needed_by));
		size_t n = 0;
		for (size_t i = 0; i < db.npkgs; i++)
			for (size_t j = 0; j < db.bynode[i]->ndeps; j++)
				if (db.bynode[i]->deps[j] == p) {
					needed_by[n++] = db.bynode[i];
					break;
				}
		qsort(needed_by, n, sizeof(*needed_by), by_name);
		show(&db, p, hmap_gets(&db.minilays.by_name, p->mb.name), needed_by, n, json);
		rc = EXIT_OK;
	}
	free(needed_by);
	pkgdb_close(&db);
	return rc;
}
