/* minimerge install (and `minimerge -p TARGET...`): the install order of
 * targets.  Until the executor lands it only pretends (-p). */
#include "commands.h"
#include "json_out.h"
#include "pkg_print.h"
#include "pkgsel.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge install -p [--json] [-N] [--only-dependencies] [--jump PKG]\n"
	      "                         TARGET...\n"
	      "       minimerge -p [OPTIONS] TARGET...\n"
	      "\n"
	      "Installs the targets and what they need, in order.  A TARGET is a\n"
	      "minibuild's name; a name without a version (zlib) stands for the\n"
	      "version pinned in [versions] of etc/minimerge.cfg, else the highest\n"
	      "one found (a pick).\n"
	      "\n"
	      "options:\n"
	      "  -p, --pretend        print the install order and stop: one line per\n"
	      "                       package with its version, minilay, and whether\n"
	      "                       it was picked or pinned\n"
	      "  --json               print the order as JSON\n"
	      "  -N, --nodeps         the targets alone, not what they need\n"
	      "  --only-dependencies  what the targets need, not the targets\n"
	      "  --jump PKG           start the list at PKG\n"
	      "  -h, --help           print this help and exit\n"
	      "\n"
	      "Building is not there yet: install needs -p.\n",
	      f);
}

static void print_order(struct pkgdb *db, struct pkg **order, size_t n, struct strbuf *out)
{
	int wname = 4, wversion = 7, wminilay = 7;
	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(order[i]->mb.name);
		wname = l > wname ? l : wname;
		l = order[i]->mb.version ? (int)strlen(order[i]->mb.version) : 1;
		wversion = l > wversion ? l : wversion;
		l = (int)strlen(pkg_minilay_shown(db, order[i]->mb.minilay));
		wminilay = l > wminilay ? l : wminilay;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pkg *p = order[i];
		const char *how = p->mb.meta ? "meta" : pkg_choice_word(p);
		struct strbuf line = STRBUF_INIT;
		strbuf_addf(&line, "%-*s  %-*s  %-*s  %s", wname, p->mb.name, wversion,
			    p->mb.version ? p->mb.version : "-", wminilay,
			    pkg_minilay_shown(db, p->mb.minilay), how);
		while (line.len && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';
		strbuf_addf(out, "%s\n", line.buf);
		strbuf_release(&line);
	}
}

int cmd_install(int argc, char **argv)
{
	bool pretend = false, json = false;
	struct pkgsel_options sel = {0};
	char **targets = xcalloc((size_t)argc + 1, sizeof(*targets));
	size_t ntargets = 0;
	int rc = EXIT_BAD_INPUT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took = pkgsel_take_option(argc, argv, &i, &sel);
		if (took < 0) {
			goto out;
		} else if (took) {
			continue;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = EXIT_OK;
			goto out;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretend")) {
			pretend = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "install: unknown option '%s' (see minimerge install --help)",
				   a);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (!ntargets) {
		diag_error(NULL, 0, "install: no package named (see minimerge install --help)");
		goto out;
	}
	if (!pretend) {
		diag_error(NULL, 0, "install: building is not implemented yet; -p prints the "
				    "install order");
		goto out;
	}
	struct pkgdb db;
	struct pkg **order = NULL, **roots = NULL;
	size_t n, nroots;
	if (pkgdb_open(&db) == 0 &&
	    pkgsel_select(&db, targets, ntargets, &sel, &order, &n, &roots, &nroots) == 0 &&
	    pkgdb_check_picks(&db) == 0) {
		if (json) {
			json_t *list = json_array();
			for (size_t i = 0; i < n; i++)
				json_array_append_new(list, pkg_to_json(&db, order[i], false));
			json_print(list);
		} else {
			struct strbuf out = STRBUF_INIT;
			print_order(&db, order, n, &out);
			fwrite(out.buf, 1, out.len, stdout);
			strbuf_release(&out);
		}
		rc = EXIT_OK;
	}
	free(order);
	free(roots);
	pkgdb_close(&db);
out:
	free(targets);
	return rc;
}
