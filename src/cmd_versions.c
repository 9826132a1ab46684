/* minimerge versions and minimerge report: the version map of what an
 * install of the targets, or a run of a config, resolves (versionmap.h),
 * printed as buildout prints its picked versions, or sent as
 * buildout.sendpickedversions sends it (report.h).  Nothing runs. */
#include "commands.h"
#include "json_out.h"
#include "pkgsel.h"
#include "run_versions.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void versions_usage(FILE *f)
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

static void report_usage(FILE *f)
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

struct map_args {
	bool report;
	bool json, picked;        /* versions */
	const char *url, *format; /* report */
};

static int print_map(const struct versionmap *vm, const struct run_versions_source *src,
		     struct arena *a, void *ctx)
{
	(void)src, (void)a;
	const struct map_args *m = ctx;
	if (m->json) {
		json_print(versionmap_to_json(vm, m->picked));
		return EXIT_OK;
	}
	struct strbuf text = STRBUF_INIT;
	versionmap_print(vm, m->picked, VERSIONMAP_BUILDOUT, &text);
	fwrite(text.buf, 1, text.len, stdout);
	strbuf_release(&text);
	return EXIT_OK;
}

static int send_map(const struct versionmap *vm, const struct run_versions_source *src,
		    struct arena *a, void *ctx)
{
	const struct map_args *m = ctx;
	struct run_versions rv;
	if (run_versions_read(&rv, src, a) != 0)
		return EXIT_BAD_INPUT;
	if (m->url)
		rv.send.url = *m->url ? m->url : NULL;
	if (m->format)
		rv.send.json_body = !strcmp(m->format, "json");
	run_versions_report(&rv, vm, src);
	return EXIT_OK;
}

/* The value of an option that takes one (-c FILE, -cFILE, --url URL), or
 * NULL after reporting that it is missing. */
static const char *option_value(int argc, char **argv, int *i, const char *cmd)
{
	const char *a = argv[*i];
	if (!strncmp(a, "-c", 2) && a[2])
		return a + 2;
	if (*i + 1 < argc)
		return argv[++*i];
	diag_error(NULL, 0, "%s: %s needs a value", cmd, a);
	return NULL;
}

static int versions_or_report(int argc, char **argv, struct map_args *m)
{
	const char *cmd = argv[0];
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
		const char **value = !strncmp(a, "-c", 2)                ? &config
				     : !m->report                          ? NULL
				     : !strcmp(a, "--url")                 ? &m->url
				     : !strcmp(a, "--format")              ? &m->format
									   : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			(m->report ? report_usage : versions_usage)(stdout);
			rc = EXIT_OK;
			goto out;
		} else if (value) {
			if (!(*value = option_value(argc, argv, &i, cmd)))
				goto out;
		} else if (!m->report && !strcmp(a, "--json")) {
			m->json = true;
		} else if (!m->report && !strcmp(a, "--picked")) {
			m->picked = true;
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "%s: unknown option '%s' (see minimerge %s --help)", cmd, a,
				   cmd);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (m->format && strcmp(m->format, "form") && strcmp(m->format, "json"))
		diag_error(NULL, 0, "%s: --format is form or json, not '%s'", cmd, m->format);
	else if (config && ntargets)
		diag_error(NULL, 0, "%s: -c FILE or packages, not both", cmd);
	else if (!config && !ntargets)
		diag_error(NULL, 0, "%s: no package named (see minimerge %s --help)", cmd, cmd);
	else
		rc = run_versions_resolve(config, targets, ntargets, &sel,
					  m->report ? send_map : print_map, m);
out:
	free(targets);
	return rc;
}

int cmd_versions(int argc, char **argv)
{
	struct map_args m = {.report = false};
	return versions_or_report(argc, argv, &m);
}

int cmd_report(int argc, char **argv)
{
	struct map_args m = {.report = true};
	return versions_or_report(argc, argv, &m);
}
