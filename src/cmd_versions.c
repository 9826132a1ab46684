/* minimerge versions: the version map of what an install of the targets
 * resolves, as buildout prints its picked versions (versionmap.h). */
#include "commands.h"
#include "json_out.h"
#include "pkgdb.h"
#include "pkgsel.h"
#include "versionmap.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge versions [--json] [--picked] [-N] [--only-dependencies]\n"
	      "                          [--jump PKG] TARGET...\n"
	      "\n"
	      "Prints the version of every package an install of the targets resolves,\n"
	      "as buildout's [versions]: name = version, sorted; a package that others\n"
	      "require comes after them, with '# Required by:' and who requires it.\n"
	      "\n"
	      "options:\n"
	      "  --json      print JSON: [{name, version, choice, required_by}]\n"
	      "  --picked    only the versions picked (not named, not pinned)\n"
	      "  -h, --help  print this help and exit\n",
	      f);
}

int cmd_versions(int argc, char **argv)
{
	bool json = false, picked = false;
	struct pkgsel_options sel = {0};
	char **targets = xcalloc((size_t)argc + 1, sizeof(*targets));
	size_t ntargets = 0;
	int rc = EXIT_BAD_INPUT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took = pkgsel_take_option(argc, argv, &i, &sel);
		if (took < 0)
			goto out;
		if (took)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = EXIT_OK;
			goto out;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--picked")) {
			picked = true;
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "versions: unknown option '%s' (see minimerge versions --help)",
				   a);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (!ntargets) {
		diag_error(NULL, 0, "versions: no package named (see minimerge versions --help)");
		goto out;
	}
	struct pkgdb db;
	struct pkg **order = NULL, **roots = NULL;
	size_t n, nroots;
	if (pkgdb_open(&db) == 0 &&
	    pkgsel_select(&db, targets, ntargets, &sel, &order, &n, &roots, &nroots) == 0) {
		struct versionmap vm = VERSIONMAP_INIT;
		versionmap_build(&vm, order, n);
		if (json) {
			json_print(versionmap_to_json(&vm, picked));
		} else {
			struct strbuf text = STRBUF_INIT;
			versionmap_print(&vm, picked, &text);
			fwrite(text.buf, 1, text.len, stdout);
			strbuf_release(&text);
		}
		versionmap_free(&vm);
		rc = EXIT_OK;
	}
	free(order);
	free(roots);
	pkgdb_close(&db);
out:
	free(targets);
	return rc;
}
