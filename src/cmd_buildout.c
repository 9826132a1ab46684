/* minimerge buildout: runs a buildout config natively, its parts as a
 * parallel graph (part_plan.h), or shows what it installed (--annotate). */
#include "cfg.h"
#include "commands.h"
#include "download.h"
#include "fetch_static.h"
#include "json_out.h"
#include "part_plan.h"
#include "part_state.h"
#include "recipe.h"
#include "run_cmd.h"
#include "run_versions.h"
#include "state.h"

#include "../graph/sched.h"
#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge buildout [-c FILE] [-U] [-o|-O] [-n|-N] [-v] [-j N] [-k N]\n"
	      "                          [--dry-run] [--explain] [--annotate [--json]]\n"
	      "                          [SECTION:OPTION=VALUE...] [install PART...]\n"
	      "\n"
	      "Runs a buildout config as zc.buildout does, natively: every part is an\n"
	      "action, and parts that do not refer to one another run in parallel.\n"
	      "The parts are those of [buildout] parts and every part they refer to\n"
	      "through ${part:option}; 'install PART...' runs the parts named alone.\n"
	      "A part whose recipe, options and needed parts did not change, and whose\n"
	      "paths are still there, is skipped; a changed one is uninstalled and\n"
	      "installed anew; one that left the config is uninstalled.  What each part\n"
	      "installed is kept in .minimerge/ beside the config.\n"
	      "\n"
	      "options:\n"
	      "  -c FILE       the config (a path or URL; default: buildout.cfg)\n"
	      "  -U            do not read the user defaults\n"
	      "                ($BUILDOUT_HOME/default.cfg or ~/.buildout/default.cfg)\n"
	      "  -o, -O        offline (buildout:offline=true), or not\n"
	      "  -n, -N        buildout:newest=true, or false\n"
	      "  -v            show each command\n"
	      "  -j N          run N parts at once (default: the number of CPUs)\n"
	      "  -k N          keep going until N parts failed (0: never; default 1)\n"
	      "  --dry-run     say which parts would run, run nothing\n"
	      "  --explain     say why each part runs\n"
	      "  --annotate    print what each part installed: its options, paths, key\n"
	      "                and date, in .installed.cfg's form (--json: JSON)\n"
	      "  -h, --help    print this help and exit\n"
	      "\n"
	      "SECTION:OPTION=VALUE sets an option (OPTION+=VALUE and OPTION-=VALUE\n"
	      "add and remove lines); without SECTION: the section is buildout.\n"
	      "\n"
	      "Exit status: 0 done, 1 a part failed, 2 bad usage or config,\n"
	      "130 interrupted.\n",
	      f);
}

struct buildout_options {
	struct cfg_load_options load;
	struct cfg_assignment *assigns;
	bool dry_run, explain, annotate, json, verbose;
	int jobs, keep_going;
	char **only; /* install PART...: these parts alone */
	size_t nonly;
	bool install_named;
};

static void add_assignment(struct buildout_options *o, const char *option, const char *value)
{
	o->assigns[o->load.nassignments++] = (struct cfg_assignment){"buildout", option, value};
}

/* 0, 1 after --help, or -1 (reported). */
static int parse_args(int argc, char **argv, struct arena *a, struct buildout_options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		int took;
		if (o->install_named) {
			o->only[o->nonly++] = argv[i];
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strncmp(arg, "-c", 2)) {
			const char *v = arg[2] ? arg + 2 : next;
			if (!v) {
				diag_error(NULL, 0, "-c needs a file");
				return -1;
			}
			i += !arg[2];
			o->load.config_file = v;
		} else if ((took = run_cmd_take_count(argc, argv, &i, "-j", 1, &o->jobs)) ||
			   (took = run_cmd_take_count(argc, argv, &i, "-k", 0, &o->keep_going))) {
			if (took < 0)
				return -1;
		} else if (!strcmp(arg, "--dry-run")) {
			o->dry_run = true;
		} else if (!strcmp(arg, "--explain")) {
			o->explain = true;
		} else if (!strcmp(arg, "--annotate")) {
			o->annotate = true;
		} else if (!strcmp(arg, "--json")) {
			o->json = true;
		} else if (arg[0] == '-' && arg[1] && arg[1] != '-' &&
			   !arg[strspn(arg + 1, "UoOnNv") + 1]) {
			/* Buildout's single-letter flags, bundled as it takes them. */
			for (const char *f = arg + 1; *f; f++) {
				if (*f == 'U')
					o->load.user_defaults = false;
				else if (*f == 'o' || *f == 'O')
					add_assignment(o, "offline", *f == 'o' ? "true" : "false");
				else if (*f == 'n' || *f == 'N')
					add_assignment(o, "newest", *f == 'n' ? "true" : "false");
				else
					o->verbose = true;
			}
		} else if (arg[0] == '-') {
			diag_error(NULL, 0,
				   "buildout: unknown option '%s' (see minimerge buildout --help)", arg);
			return -1;
		} else if (cfg_parse_assignment(a, arg, &o->assigns[o->load.nassignments])) {
			o->load.nassignments++;
		} else if (!strcmp(arg, "install")) {
			o->install_named = true;
		} else {
			diag_error(NULL, 0,
				   "buildout: '%s' is neither SECTION:OPTION=VALUE nor 'install' "
				   "(see minimerge buildout --help)",
				   arg);
			return -1;
		}
	}
	if (o->json && !o->annotate && !o->dry_run) {
		diag_error(NULL, 0, "buildout: --json goes with --annotate or --dry-run");
		return -1;
	}
	return 0;
}

static void print_value(const char *name, const char *value, struct strbuf *out)
{
	strbuf_addf(out, "%s =", name);
	if (*value)
		strbuf_addc(out, ' ');
	for (const char *p = value; *p; p++) {
		strbuf_addc(out, *p);
		if (*p == '\n')
			strbuf_addc(out, '\t');
	}
	strbuf_addc(out, '\n');
}

struct annotate_ctx {
	const char *prefix;
	struct strbuf names; /* text: [buildout] parts */
	json_t *list;      /* --json */
	struct strbuf out; /* text */
};

static void annotate_one(void *ctx, const char *identity, const struct part_state *ps)
{
	struct annotate_ctx *c = ctx;
	const char *name = identity + strlen(c->prefix);
	strbuf_addf(&c->names, " %s", name);
	if (c->list) {
		json_array_append_new(c->list, part_state_to_json(name, ps));
		return;
	}
	char hex[HASH_HEX_LEN + 1];
	hash_hex(ps->key, hex);
	struct strbuf when = STRBUF_INIT;
	part_state_when(ps, &when);
	struct strbuf paths = STRBUF_INIT;
	for (size_t i = 0; i < ps->npaths; i++)
		strbuf_addf(&paths, "%s%s", i ? "\n" : "", ps->paths[i]);
	strbuf_addf(&c->out, "\n[%s]\n", name);
	strbuf_addf(&c->out, "# installed %s, key %s\n", when.buf, hex);
	strbuf_release(&when);
	print_value("__buildout_installed__", paths.buf, &c->out);
	for (size_t i = 0; i < ps->noptions; i++)
		print_value(ps->options[i].name, ps->options[i].value, &c->out);
	strbuf_release(&paths);
}

/* What the parts installed, oldest first. */
static int annotate(const char *dir, bool json)
{
	struct arena a = ARENA_INIT;
	struct state st = STATE_INIT;
	struct annotate_ctx c = {.prefix = "part ", .list = json ? json_array() : NULL,
				 .names = STRBUF_INIT, .out = STRBUF_INIT};
	int rc = EXIT_FAILED;
	int opened = state_open(&a, dir, false, &st);
	if (opened < 0)
		goto out;
	if (opened == 0 && part_state_each(st.store, c.prefix, annotate_one, &c, &a) != 0)
		goto out;
	if (json) {
		json_print(json_pack("{s:O}", "parts", c.list));
	} else {
		printf("[buildout]\nparts =%s\n", c.names.buf ? c.names.buf : "");
		fwrite(c.out.buf, 1, c.out.len, stdout);
	}
	rc = EXIT_OK;
out:
	json_decref(c.list);
	strbuf_release(&c.out);
	strbuf_release(&c.names);
	state_close(&st);
	arena_free(&a);
	return rc;
}

static int run(struct cfg *cfg, const struct buildout_options *o, struct part_plan *pp)
{
	struct arena a = ARENA_INIT;
	struct state st = STATE_INIT;
	struct graph graph = GRAPH_INIT;
	struct versionmap vm = VERSIONMAP_INIT;
	int rc = EXIT_BAD_INPUT;
	pp->graph = &graph;
	if (state_open(&a, pp->buildout.directory, true, &st) != 0)
		goto out;
	pp->store = st.store;
	if (part_plan_config(pp, cfg, o->install_named ? o->only : NULL, o->nonly) != 0)
		goto out;
	struct recipe_buildout run = {.stall_seconds = TRANSFER_STALL_SECONDS,
				      .unpack_limit = FETCH_UNPACK_LIMIT};
	part_plan_settings(pp, &run);
	struct run_versions_source src;
	run_versions_source_config(&src, cfg, pp);
	struct run_versions rv;
	if (run_versions_read(&rv, &src, &a) != 0 || part_plan_versions(pp, &vm) != 0 ||
	    run_versions_check_picks(&vm, &src) != 0)
		goto out;
	if (!o->dry_run && part_plan_make_directories(pp, true) != 0)
		goto out;
	struct run_cmd_run how = {
		.st = &st,
		.jobs = o->jobs,
		.keep_going = o->keep_going,
		.dry_run = o->dry_run,
		.status = {.verbose = o->verbose,
			   .explain = o->explain && !o->dry_run && !o->json,
			   .quiet_starts = true},
		.print_plan = o->dry_run,
		.json = o->json,
		.reasons = o->explain || o->json,
		.summary = !o->json,
	};
	int r = run_cmd_graph(&graph, &how);
	if (r < 0)
		goto out;
	rc = r;
	if (!o->dry_run && run_versions_after(&rv, &vm, &src) != 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
out:
	versionmap_free(&vm);
	graph_free(&graph);
	state_close(&st);
	arena_free(&a);
	return rc;
}

int cmd_buildout(int argc, char **argv)
{
	struct cfg cfg = {0};
	struct part_plan pp = {.arena = ARENA_INIT, .scope = ""};
	struct buildout_options o = {
		.load = {.config_file = "buildout.cfg", .user_defaults = true},
		.keep_going = 1,
	};
	o.jobs = run_cmd_default_jobs();
	o.assigns = xcalloc((size_t)argc * 2 + 1, sizeof(*o.assigns));
	o.only = xcalloc((size_t)argc + 1, sizeof(*o.only));
	int rc = EXIT_BAD_INPUT;
	int parsed = parse_args(argc, argv, &cfg.arena, &o);
	if (parsed != 0) {
		rc = parsed > 0 ? EXIT_OK : EXIT_BAD_INPUT;
		goto out;
	}
	if (o.install_named && !o.nonly)
		o.install_named = false; /* "install" alone: every part */
	o.load.assignments = o.assigns;
	if (part_plan_read(&pp, &cfg, &o.load, !o.install_named && !o.annotate) != 0)
		goto out;
	rc = o.annotate ? annotate(pp.buildout.directory, o.json) : run(&cfg, &o, &pp);
out:
	part_plan_free(&pp);
	cfg_free(&cfg);
	free(o.assigns);
	free(o.only);
	return rc;
}
