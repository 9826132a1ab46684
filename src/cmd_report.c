/* minimerge report: sends the picked-versions report of what an install of
 * the targets, or a run of a config, resolves, without running it
 * (report.h). */
#include "commands.h"
#include "pkgsel.h"
#include "run_versions.h"

#include "../lib/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge report [--url URL] [--format form|json] [-N]\n"
	      "                        [--only-dependencies] [--jump PKG] TARGET...\n"
	      "       minimerge report [--url URL] [--format form|json] -c FILE\n"
	      "\n"
	      "Sends the report buildout.sendpickedversions sends after a run (the\n"
	      "settings, the packages with their versions and requirements, the pins)\n"
	      "for what an install of the targets, or a run of the config FILE,\n"
	      "resolves; nothing is built.  The URL and format are those of the\n"
	      "settings (send-data-url, send-data-format) unless given here.  A URL\n"
	      "gets a POST to URL/; file://PATH writes the document to PATH; no URL\n"
	      "prints it.  A failure to send is printed and is no error.\n"
	      "\n"
	      "options:\n"
	      "  -c FILE          a buildout config (a path or URL), not packages\n"
	      "  --url URL        where to send it\n"
	      "  --format FORMAT  form: the form field 'data' (Whiskers before 2014),\n"
	      "                   json: {\"data\": ...} as JSON (Whiskers since)\n"
	      "  -h, --help       print this help and exit\n",
	      f);
}

struct report_args {
	const char *config, *url, *format;
};

static int send(const struct versionmap *vm, const struct run_versions_source *src,
		struct arena *a, void *ctx)
{
	const struct report_args *r = ctx;
	struct run_versions rv;
	if (run_versions_read(&rv, src, a) != 0)
		return EXIT_BAD_INPUT;
	if (r->url)
		rv.send.url = *r->url ? r->url : NULL;
	if (r->format)
		rv.send.json_body = !strcmp(r->format, "json");
	run_versions_report(&rv, vm, src);
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_args r = {0};
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
		const char **value = !strcmp(a, "-c")         ? &r.config
				     : !strcmp(a, "--url")    ? &r.url
				     : !strcmp(a, "--format") ? &r.format
							      : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = EXIT_OK;
			goto out;
		} else if (value) {
			if (i + 1 >= argc) {
				diag_error(NULL, 0, "report: %s needs a value", a);
				goto out;
			}
			*value = argv[++i];
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "report: unknown option '%s' (see minimerge report --help)",
				   a);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (r.format && strcmp(r.format, "form") && strcmp(r.format, "json")) {
		diag_error(NULL, 0, "report: --format is form or json, not '%s'", r.format);
	} else if (r.config && ntargets) {
		diag_error(NULL, 0, "report: -c FILE or packages, not both");
	} else if (!r.config && !ntargets) {
		diag_error(NULL, 0, "report: no package named (see minimerge report --help)");
	} else {
		rc = run_versions_resolve(r.config, targets, ntargets, &sel, send, &r);
	}
out:
	free(targets);
	return rc;
}
