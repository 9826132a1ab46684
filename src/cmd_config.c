/* minimerge config: the resolved buildout config. */
#include "cfg.h"
#include "cfg_print.h"
#include "commands.h"
#include "json_out.h"

#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge config [-c FILE] [-U] [-o] [--json] [--annotate]\n"
	      "                        [SECTION[:OPTION]] [SECTION:OPTION=VALUE...]\n"
	      "\n"
	      "Reads a buildout config as zc.buildout does (extends, +=, -=, ${},\n"
	      "macros, conditional sections, defaults) and prints the sections a run\n"
	      "uses: [buildout], the versions section, and every part with what it\n"
	      "refers to.  SECTION or SECTION:OPTION prints just that.\n"
	      "\n"
	      "options:\n"
	      "  -c FILE       the config (a path or URL; default: buildout.cfg)\n"
	      "  -U            do not read the user defaults\n"
	      "                ($BUILDOUT_HOME/default.cfg or ~/.buildout/default.cfg)\n"
	      "  -o            offline: buildout:offline=true\n"
	      "  --json        print JSON instead of INI text\n"
	      "  --annotate    print the raw values and where each came from, in\n"
	      "                buildout's annotate format\n"
	      "  -h, --help    print this help and exit\n"
	      "\n"
	      "SECTION:OPTION=VALUE sets an option (OPTION+=VALUE and OPTION-=VALUE\n"
	      "add and remove lines); without SECTION: the section is buildout.\n",
	      f);
}

static int print_query(struct cfg *cfg, const char *query, bool json)
{
	const char *colon = strchr(query, ':');
	char *secname = colon ? strndup(query, (size_t)(colon - query)) : strdup(query);
	struct cfg_section *s = cfg_find_section(cfg, secname);
	int rc = EXIT_BAD_INPUT;
	if (!s) {
		diag_error(NULL, 0, "Section not found: %s", secname);
		goto out;
	}
	s = cfg_section_get(cfg, secname);
	if (!s)
		goto out;
	struct strbuf sb = STRBUF_INIT;
	if (colon) {
		bool failed = false;
		const char *v = cfg_get(cfg, s, colon + 1, &failed);
		if (failed)
			goto out;
		if (!v) {
			diag_error(NULL, 0, "Key not found: %s", colon + 1);
			goto out;
		}
		if (json) {
			struct json_write w = JSON_OUT_INIT;
			json_write_string(&w, v);
			json_out_print(&w);
		} else {
			strbuf_addf(&sb, "%s\n", v);
		}
	} else if (json) {
		struct json_write w = JSON_OUT_INIT;
		cfg_print_json(cfg, s, &w);
		json_out_print(&w);
	} else {
		cfg_print_text(cfg, s, &sb);
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	rc = EXIT_OK;
out:
	free(secname);
	return rc;
}

int cmd_config(int argc, char **argv)
{
	struct cfg cfg = {0};
	struct cfg_load_options opts = {.config_file = "buildout.cfg", .user_defaults = true};
	struct cfg_assignment *assigns = xcalloc((size_t)argc + 1, sizeof(*assigns));
	bool json = false, annotate = false, offline = false;
	const char *query = NULL;
	int rc = EXIT_BAD_INPUT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			rc = EXIT_OK;
			goto out;
		} else if (!strcmp(a, "-c")) {
			if (++i == argc) {
				diag_error(NULL, 0, "-c needs a file");
				goto out;
			}
			opts.config_file = argv[i];
		} else if (!strncmp(a, "-c", 2)) {
			opts.config_file = a + 2;
		} else if (!strcmp(a, "-U")) {
			opts.user_defaults = false;
		} else if (!strcmp(a, "-o")) {
			offline = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--annotate")) {
			annotate = true;
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "config: unknown option '%s' (see minimerge config --help)", a);
			goto out;
		} else if (cfg_parse_assignment(&cfg.arena, a, &assigns[opts.nassignments])) {
			opts.nassignments++;
		} else if (!query) {
			query = a;
		} else {
			diag_error(NULL, 0, "config: one SECTION[:OPTION] at most, not '%s' too", a);
			goto out;
		}
	}
	if (offline)
		assigns[opts.nassignments++] =
			(struct cfg_assignment){"buildout", "offline", "true"};
	opts.assignments = assigns;
	opts.history = annotate;
	if (cfg_load(&cfg, &opts) < 0)
		goto out;
	struct strbuf out = STRBUF_INIT;
	if (annotate && query && strchr(query, ':')) {
		diag_error(NULL, 0, "config: --annotate takes a SECTION, not an option");
		goto out;
	}
	if (annotate && query && !cfg_find_section(&cfg, query)) {
		diag_error(NULL, 0, "Section not found: %s", query);
		goto out;
	}
	if (annotate)
		cfg_print_annotate(&cfg, query, &out);
	if (cfg_init_buildout(&cfg) < 0 || (!annotate && !query && cfg_init_parts(&cfg) < 0)) {
		strbuf_release(&out);
		goto out;
	}
	if (annotate) {
		fwrite(out.buf, 1, out.len, stdout);
		rc = EXIT_OK;
	} else if (query) {
		rc = print_query(&cfg, query, json);
	} else if (json) {
		struct json_write w = JSON_OUT_INIT;
		cfg_print_json(&cfg, NULL, &w);
		json_out_print(&w);
		rc = EXIT_OK;
	} else {
		cfg_print_text(&cfg, NULL, &out);
		fwrite(out.buf, 1, out.len, stdout);
		rc = EXIT_OK;
	}
	strbuf_release(&out);
out:
	cfg_free(&cfg);
	free(assigns);
	return rc;
}
