/* minimerge versions: the version map of what an install of the targets,
 * or a run of a config, resolves, as buildout prints its picked versions
 * (versionmap.h). */
#include "commands.h"
#include "json_out.h"
#include "pkgsel.h"
#include "run_versions.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge versions [--json] [--picked] [-N] [--only-dependencies]\n"
	      "                          [--jump PKG] TARGET...\n"
	      "       minimerge versions [--json] [--picked] -c FILE\n"
	      "\n"
	      "Prints the version of every package an install of the targets resolves,\n"
	      "or of every part and external recipe a run of the config FILE plans,\n"
	      "as buildout's [versions]: name = version, sorted; one that others\n"
	      "require comes after them, with '# Required by:' and who requires it.\n"
	      "\n"
	      "options:\n"
	      "  -c FILE     a buildout config (a path or URL), not packages\n"
	      "  --json      print JSON: [{name, version, choice, required_by}]\n"
	      "  --picked    only the versions picked (not named, not pinned)\n"
	      "  -h, --help  print this help and exit\n",
	      f);
}

struct print_args {
	bool json, picked;
};

static int print_map(const struct versionmap *vm, const struct run_versions_source *src,
		     struct arena *a, void *ctx)
{
	(void)src, (void)a;
	const struct print_args *pa = ctx;
	if (pa->json) {
		json_print(versionmap_to_json(vm, pa->picked));
		return EXIT_OK;
	}
	struct strbuf text = STRBUF_INIT;
	versionmap_print(vm, pa->picked, VERSIONMAP_BUILDOUT, &text);
	fwrite(text.buf, 1, text.len, stdout);
	strbuf_release(&text);
	return EXIT_OK;
}

int cmd_versions(int argc, char **argv)
{
	struct print_args pa = {0};
	const char *config = NULL;
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
			pa.json = true;
		} else if (!strcmp(a, "--picked")) {
			pa.picked = true;
		} else if (!strncmp(a, "-c", 2)) {
			config = a[2] ? a + 2 : argv[++i];
			if (!config) {
				diag_error(NULL, 0, "versions: -c needs a file");
				goto out;
			}
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "versions: unknown option '%s' (see minimerge versions --help)",
				   a);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (config && ntargets) {
		diag_error(NULL, 0, "versions: -c FILE or packages, not both");
		goto out;
	}
	if (!config && !ntargets) {
		diag_error(NULL, 0, "versions: no package named (see minimerge versions --help)");
		goto out;
	}
	rc = run_versions_resolve(config, targets, ntargets, &sel, print_map, &pa);
out:
	free(targets);
	return rc;
}
