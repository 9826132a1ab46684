/* minimerge install (and `minimerge TARGET...`, `minimerge -p TARGET...`):
 * builds the targets and what they need, or prints the order (-p), or says
 * what would run and why (-n, --explain, and minimerge explain). */
#include "commands.h"
#include "download.h"
#include "fetch_static.h"
#include "json_out.h"
#include "pkg_plan.h"
#include "pkg_print.h"
#include "pkgsel.h"
#include "run_cmd.h"
#include "run_versions.h"
#include "state.h"

#include "../graph/sched.h"
#include "../lib/diag.h"
#include "../lib/path.h"
#include "../lib/spawn.h"
#include "../lib/strbuf.h"
#include "../lib/units.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f, const char *name)
{
	if (!strcmp(name, "fetch")) {
		fputs("usage: minimerge fetch [OPTIONS] TARGET...\n"
		      "\n"
		      "Fetches the sources of the targets and of what they need, and\n"
		      "nothing more: downloads static archives into the download cache and\n"
		      "unpacks them into the packages' homes.  A source already in place for\n"
		      "the same URL and checksums is left alone.  The same as\n"
		      "'minimerge install -F'; the options are install's.\n",
		      f);
		return;
	}
	if (!strcmp(name, "explain")) {
		fputs("usage: minimerge explain [--json] [-N] [--only-dependencies] [--jump PKG]\n"
		      "                         TARGET...\n"
		      "       minimerge explain -c FILE [--json] [BUILDOUT OPTIONS]\n"
		      "\n"
		      "Says which actions an install of the targets would run, and why: one\n"
		      "line per action, 'ACTION: REASON'.  Runs nothing.  The options are\n"
		      "install's.  With -c, the same for the parts of a buildout config\n"
		      "(minimerge buildout --dry-run --explain).\n",
		      f);
		return;
	}
	fputs("usage: minimerge install [OPTIONS] TARGET...\n"
	      "       minimerge [OPTIONS] TARGET...\n"
	      "\n"
	      "Builds and installs the targets and what they need, in parallel, each\n"
	      "package as fetch, build and install actions.  An action whose inputs\n"
	      "did not change since its last run, and whose output is intact, is\n"
	      "skipped; one whose output is in the cache is restored from it.\n"
	      "A TARGET is a minibuild's name; a name without a version (zlib) stands\n"
	      "for the version pinned in [versions] of etc/minimerge.cfg, else the\n"
	      "highest one found (a pick).\n"
	      "\n"
	      "options:\n"
	      "  -j N                 run N actions at once (default: the number of CPUs)\n"
	      "  --fetch-jobs N       run N downloads and checkouts at once, besides\n"
	      "                       the -j actions (default 4; 0: they count in -j)\n"
	      "  -k N                 keep going until N actions failed (0: never stop;\n"
	      "                       default 1); what does not need a failed action\n"
	      "                       still runs\n"
	      "  -n, --dry-run        say what would run, run nothing\n"
	      "  --explain            say why each action runs\n"
	      "  -v, --verbose        show each command\n"
	      "  --force              run the targets' actions even if nothing changed\n"
	      "  -F, --fetchonly      fetch the sources, build nothing (minimerge fetch)\n"
	      "  --fetch-first        fetch every source, then build\n"
	      "  -u, --update         checkouts (git, hg, svn, bzr) ask their remote and\n"
	      "                       move to scm_revision or the tip of scm_branch\n"
	      "                       (else a checkout is used as it is)\n"
	      "  -o, --offline        fetch nothing: static sources must be in the\n"
	      "                       download cache (also: offline = true in\n"
	      "                       [minimerge] of etc/minimerge.cfg)\n"
	      "  -p, --pretend        print the install order and stop: one line per\n"
	      "                       package with its version, minilay, and whether\n"
	      "                       it was picked or pinned\n"
	      "  --json               with -p or -n: print JSON\n"
	      "  -N, --nodeps         the targets alone, not what they need\n"
	      "  --only-dependencies  what the targets need, not the targets\n"
	      "  --jump PKG           start the list at PKG\n"
	      "  -h, --help           print this help and exit\n"
	      "\n"
	      "Exit status: 0 done, 1 an action failed, 2 bad usage or input,\n"
	      "130 interrupted.\n",
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


struct install_options {
	bool pretend, json, dry_run, explain, verbose, force, offline;
	bool fetch_only;  /* fetch, -F: the fetch actions alone */
	bool fetch_first; /* every fetch, then the rest */
	bool update;      /* checkouts ask their remote */
	int jobs, keep_going;
	int fetch_jobs; /* downloads and checkouts at once, besides -j */
	struct pkgsel_options sel;
};

/* Where downloads go and how: the options of [minimerge] in
 * etc/minimerge.cfg, and -o.  0 or -1 (reported). */
static int fetch_settings(struct pkgdb *db, const struct install_options *o, struct arena *a,
			  struct plan *plan)
{
	plan->downloads = path_join(a, db->root, "downloads");
	plan->offline = o->offline;
	plan->update = o->update;
	plan->stall_seconds = TRANSFER_STALL_SECONDS;
	int line;
	const char *v = pkgdb_setting(db, "minimerge", "offline", &line);
	if (v && !strcmp(v, "true")) {
		plan->offline = true;
	} else if (v && strcmp(v, "false")) {
		diag_error(db->cfg_path, line, "offline = %s: true or false", v);
		return -1;
	}
	plan->unpack_limit = FETCH_UNPACK_LIMIT;
	v = pkgdb_setting(db, "minimerge", "unpack-limit", &line);
	if (v && units_parse_size(v, &plan->unpack_limit) != 0) {
		diag_error(db->cfg_path, line, "unpack-limit = %s: a size such as 500M or 8G", v);
		return -1;
	}
	v = pkgdb_setting(db, "minimerge", "stall-timeout", &line);
	if (v) {
		char *end;
		long s = strtol(v, &end, 10);
		if (end == v || *end || s < 1) {
			diag_error(db->cfg_path, line, "stall-timeout = %s: a number of seconds, 1 or more",
				   v);
			return -1;
		}
		plan->stall_seconds = s;
	}
	return 0;
}

static int run_graph(struct pkgdb *db, struct pkg **order, size_t n,
		     const struct install_options *o, bool explain_only, bool fetch_only)
{
	struct arena a = ARENA_INIT;
	struct state st = STATE_INIT;
	struct plan plan = {.db = db, .graph = GRAPH_INIT, .jobs = o->jobs, .fetch_only = fetch_only,
			    .dry_run = o->dry_run || explain_only};
	int rc = EXIT_BAD_INPUT;
	if (fetch_settings(db, o, &a, &plan) != 0 || state_open(&a, db->root, true, &st) != 0)
		goto out;
	plan.store = st.store;
	/* -N and --jump leave dependencies out of the run, not out of the
	 * builds' environments and keys: they are loaded all the same. */
	if (pkgdb_load_needs(db, order, n) != 0 || plan_packages(&plan, order, n, o->force) != 0)
		goto out;
	bool dry = o->dry_run || explain_only;
	struct run_cmd_run how = {
		.st = &st,
		.jobs = o->jobs,
		.network_jobs = o->fetch_jobs,
		.keep_going = o->keep_going,
		.dry_run = dry,
		.status = {.verbose = o->verbose,
			   .explain = o->explain && !explain_only && !o->json},
		.print_plan = explain_only || (dry && (o->json || !o->explain)),
		.json = o->json,
		.reasons = explain_only || o->json,
		.summary = !explain_only && !o->json,
	};
	if (plan.offline && !dry) {
		/* What is missing is said all at once, before anything runs:
		 * a dry run says which fetches would run. */
		struct sched_options quiet = run_cmd_sched_options(&how);
		quiet.dry_run = true;
		struct sched_summary sum;
		int r = sched_run(&plan.graph, &quiet, &sum);
		size_t missing = r == 0 ? plan_report_offline_misses(&plan) : 0;
		if (r != 0 || missing) {
			if (missing)
				diag_error(NULL, 0, "offline, and %zu source%s not at hand: nothing ran",
					   missing, missing == 1 ? " is" : "s are");
			rc = r == SCHED_BAD_INPUT ? EXIT_BAD_INPUT : EXIT_FAILED;
			goto out;
		}
	}
	rc = run_cmd_graph(&plan.graph, &how);
	if (rc < 0)
		rc = EXIT_BAD_INPUT;
out:
	plan_free(&plan);
	state_close(&st);
	arena_free(&a);
	return rc;
}

/* With --fetch-first, the downloads are done before anything builds: a
 * stack is at hand before the network goes, or fails before hours of
 * building. */
static int build(struct pkgdb *db, struct pkg **order, size_t n, const struct install_options *o,
		 bool explain_only)
{
	if (o->fetch_first && !o->fetch_only && !o->dry_run && !explain_only) {
		int rc = run_graph(db, order, n, o, false, true);
		if (rc != EXIT_OK)
			return rc;
	}
	return run_graph(db, order, n, o, explain_only, o->fetch_only);
}

/* install's flags, each setting one field of install_options. */
static const struct flag {
	const char *short_name, *long_name; /* either may be NULL */
	size_t field;
} flags[] = {
	{"-p", "--pretend", offsetof(struct install_options, pretend)},
	{"-n", "--dry-run", offsetof(struct install_options, dry_run)},
	{NULL, "--explain", offsetof(struct install_options, explain)},
	{"-v", "--verbose", offsetof(struct install_options, verbose)},
	{NULL, "--force", offsetof(struct install_options, force)},
	{"-o", "--offline", offsetof(struct install_options, offline)},
	{"-F", "--fetchonly", offsetof(struct install_options, fetch_only)},
	{NULL, "--fetch-first", offsetof(struct install_options, fetch_first)},
	{"-u", "--update", offsetof(struct install_options, update)},
};

static bool take_flag(const char *a, struct install_options *o)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const struct flag *f = &flags[i];
		if ((f->short_name && !strcmp(a, f->short_name)) ||
		    (f->long_name && !strcmp(a, f->long_name))) {
			*(bool *)((char *)o + f->field) = true;
			return true;
		}
	}
	return false;
}

/* An install that runs: the picked versions and the report after it, as
 * minimerge.cfg's [minimerge] asks. */
static int build_and_report(struct pkgdb *db, struct pkg **order, size_t n,
			    const struct install_options *o)
{
	struct run_versions_source src;
	run_versions_source_root(&src, db);
	struct run_versions rv;
	if (run_versions_read(&rv, &src, &db->arena) != 0)
		return EXIT_BAD_INPUT;
	int rc = build(db, order, n, o, false);
	if (rc == EXIT_BAD_INPUT || o->dry_run || o->fetch_only || !run_versions_wanted(&rv))
		return rc;
	struct versionmap vm = VERSIONMAP_INIT;
	versionmap_of_packages(&vm, order, n);
	if (run_versions_after(&rv, &vm, &src) != 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
	versionmap_free(&vm);
	return rc;
}

static int install_or_explain(int argc, char **argv, bool explain_only)
{
	struct install_options o = {.fetch_only = !strcmp(argv[0], "fetch")};
	o.jobs = run_cmd_default_jobs();
	o.keep_going = 1;
	o.fetch_jobs = 4;
	char **targets = xcalloc((size_t)argc + 1, sizeof(*targets));
	size_t ntargets = 0;
	int rc = EXIT_BAD_INPUT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took = pkgsel_take_option(argc, argv, &i, &o.sel);
		if (!took && !explain_only) {
			took = run_cmd_take_count(argc, argv, &i, "-j", 1, &o.jobs);
			if (!took)
				took = run_cmd_take_count(argc, argv, &i, "-k", 0, &o.keep_going);
			if (!took)
				took = run_cmd_take_count(argc, argv, &i, "--fetch-jobs", 0, &o.fetch_jobs);
		}
		if (took < 0) {
			goto out;
		} else if (took) {
			continue;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, argv[0]);
			rc = EXIT_OK;
			goto out;
		} else if (!strcmp(a, "--json")) {
			o.json = true;
		} else if (!explain_only && take_flag(a, &o)) {
			continue;
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "%s: unknown option '%s' (see minimerge %s --help)", argv[0],
				   a, argv[0]);
			goto out;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (!ntargets) {
		diag_error(NULL, 0, "%s: no package named (see minimerge %s --help)", argv[0],
			   argv[0]);
		goto out;
	}
	if (o.json && !o.pretend && !o.dry_run && !explain_only) {
		diag_error(NULL, 0, "install: --json goes with -p or -n");
		goto out;
	}
	struct pkgdb db;
	struct pkg **order = NULL, **roots = NULL;
	size_t n, nroots;
	if (pkgdb_open(&db) == 0 &&
	    pkgsel_select(&db, targets, ntargets, &o.sel, &order, &n, &roots, &nroots) == 0 &&
	    pkgdb_check_picks(&db) == 0) {
		if (o.pretend && o.json) {
			struct json_write w = JSON_OUT_INIT;
			pkg_json_list(&db, order, n, &w);
			json_out_print(&w);
			rc = EXIT_OK;
		} else if (o.pretend) {
			struct strbuf out = STRBUF_INIT;
			print_order(&db, order, n, &out);
			fwrite(out.buf, 1, out.len, stdout);
			strbuf_release(&out);
			rc = EXIT_OK;
		} else if (explain_only) {
			rc = build(&db, order, n, &o, true);
		} else {
			rc = build_and_report(&db, order, n, &o);
		}
	}
	free(order);
	free(roots);
	pkgdb_close(&db);
out:
	free(targets);
	return rc;
}

int cmd_install(int argc, char **argv)
{
	return install_or_explain(argc, argv, false);
}

/* explain -c FILE ...: why each part of a buildout config would run, which
 * is buildout's dry run with reasons. */
static int explain_config(int argc, char **argv)
{
	char **args = xcalloc((size_t)argc + 3, sizeof(*args));
	args[0] = "buildout";
	args[1] = "--dry-run";
	args[2] = "--explain";
	for (int i = 1; i < argc; i++)
		args[i + 2] = argv[i];
	int rc = cmd_buildout(argc + 2, args);
	free(args);
	return rc;
}

int cmd_explain(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "-c", 2))
			return explain_config(argc, argv);
	return install_or_explain(argc, argv, true);
}

int cmd_fetch(int argc, char **argv)
{
	return install_or_explain(argc, argv, false);
}
