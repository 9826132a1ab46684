/* minimerge info, minitagify and debianize: what the backends say about a
 * project's tree, shown, written as a minibuild, or written as Debian
 * packaging (issue 8). */
#include "backend.h"
#include "commands.h"
#include "debianize.h"
#include "json_out.h"
#include "pkgdb.h"
#include "pkgname.h"
#include "project_info.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A project's tree as the backends see it. */
struct project {
	struct arena arena;
	struct backend_set set;
	const char *dir; /* absolute */
	struct backend_score *scores;
	size_t neligible;
	json_t *facts;
	struct project_info info;
	/* build_depends as minibuild names where a minilay has one; the rest
	 * as the backend named them, in unmapped */
	const char **deps, **unmapped;
	size_t ndeps, nunmapped;
};

static void project_close(struct project *p)
{
	project_info_free(&p->info);
	json_decref(p->facts);
	free(p->scores);
	backend_set_free(&p->set);
	arena_free(&p->arena);
}

static void say_log(const struct strbuf *log, bool verbose)
{
	if (verbose && log->len)
		fputs(log->buf, stderr);
}

/* Ranks the backends for dir; with want_info, asks the winner its facts.
 * 0 or -1 (reported). */
static int project_open(struct project *p, const char *dir, bool want_info, bool verbose)
{
	memset(p, 0, sizeof(*p));
	struct strbuf log = STRBUF_INIT, err = STRBUF_INIT;
	int rc = -1;
	p->dir = path_abspath(&p->arena, dir);
	if (!p->dir) {
		diag_error(NULL, 0, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (backend_set_load(&p->set, &err) != 0 ||
	    backend_rank(&p->set, p->dir, &p->arena, &p->scores, &log, &err) != 0) {
		say_log(&log, verbose);
		diag_error(NULL, 0, "%s", err.buf);
		goto out;
	}
	while (p->neligible < p->set.n && p->scores[p->neligible].score > 0)
		p->neligible++;
	if (!p->neligible) {
		say_log(&log, verbose);
		backend_describe_none(&p->set, p->scores, p->dir, &err);
		diag_error(NULL, 0, "%s", err.buf);
		goto out;
	}
	const struct backend *b = p->scores[0].backend;
	int r = want_info ? backend_info(&p->set, b, p->dir, &p->arena, project_info_keys,
					 &p->facts, &log, &err)
			  : 0;
	if (r == 0 && want_info && project_info_read(&p->info, p->facts, &p->arena, &err) != 0)
		r = -1;
	if (r != 0) {
		say_log(&log, verbose);
		/* A user error (exit 42) is the backend's words alone. */
		if (r == -2)
			diag_error(NULL, 0, "%s", err.buf);
		else
			diag_error(NULL, 0, "backend %s: %s", b->name, err.buf);
		goto out;
	}
	say_log(&log, verbose);
	rc = 0;
out:
	strbuf_release(&log);
	strbuf_release(&err);
	return rc;
}

/* The minibuild a module stands for: its name lower-cased, when a minilay
 * has a minibuild of that name or of that base name.  0 or -1 (reported:
 * the root's settings are bad). */
static int map_depends(struct project *p)
{
	size_t n = p->info.nbuild_depends;
	p->deps = arena_alloc(&p->arena, (n + 1) * sizeof(*p->deps));
	p->unmapped = arena_alloc(&p->arena, (n + 1) * sizeof(*p->unmapped));
	if (n == 0)
		return 0;
	struct pkgdb db;
	int rc = pkgdb_open(&db);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *name = p->info.build_depends[i];
		char *lower = arena_strdup_lower(&p->arena, name);
		if (hmap_gets(&db.minilays.by_base, lower) || hmap_gets(&db.minilays.by_name, lower))
			p->deps[p->ndeps++] = lower;
		else
			p->unmapped[p->nunmapped++] = name;
	}
	pkgdb_close(&db);
	return rc;
}

/* ---- info ---- */

static void info_usage(FILE *f)
{
	fputs("usage: minimerge info [--which-backends | --dump | --json] [-v] [DIR]\n"
	      "\n"
	      "Asks the backends about the project in DIR (default: the current\n"
	      "directory) and shows what the chosen one reports: its name and\n"
	      "version, build system, dependencies, homepage, license...\n"
	      "\n"
	      "options:\n"
	      "  --which-backends  print the backends that want DIR, best first:\n"
	      "                    'name (score), ...'\n"
	      "  --dump            print every key as JSON, with selected_backend and\n"
	      "                    eligible_backends (--json: the same)\n"
	      "  -v, --verbose     show what the backends' scripts wrote on stderr\n"
	      "  -h, --help        print this help and exit\n"
	      "\n"
	      "Backends: $MINIMERGE_BACKEND_PATHS (else $PKGME_BACKEND_PATHS, else\n"
	      "the installed share/minimerge/backends), then the built-in ones.\n",
	      f);
}

static json_t *string_list(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Every key, then the choice, as pkgme's --dump has them. */
static json_t *info_json(const struct project *p)
{
	json_t *o = project_info_to_json(&p->info);
	json_object_set_new(o, "minibuild_depends", string_list(p->deps, p->ndeps));
	json_object_set_new(o, "selected_backend", json_string(p->scores[0].backend->name));
	json_t *eligible = json_array();
	for (size_t i = 0; i < p->neligible; i++)
		json_array_append_new(eligible, json_string(p->scores[i].backend->name));
	json_object_set_new(o, "eligible_backends", eligible);
	return o;
}

static void info_text(const struct project *p, json_t *o)
{
	const struct backend_score *w = &p->scores[0];
	printf("backend: %s (score %d%s%s)\n", w->backend->name, w->score, w->reason ? ": " : "",
	       w->reason ? w->reason : "");
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		if (!strcmp(key, "selected_backend")) {
			continue; /* said first */
		} else if (json_is_string(v)) {
			/* One key a line: a long value's next lines are indented. */
			const char *line = json_string_value(v);
			printf("%s:", key);
			for (const char *indent = " ";; indent = "  ") {
				int n = (int)strcspn(line, "\n");
				printf("%s%.*s\n", n || indent[1] ? indent : "", n, line);
				if (!line[n])
					break;
				line += n + 1;
			}
		} else if (json_is_array(v) && json_array_size(v) && strcmp(key, "eligible_backends")) {
			printf("%s:", key);
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				printf(" %s", json_string_value(e));
			putchar('\n');
		}
	}
}

/* The arguments the three commands share: options, then at most one DIR. */
struct args {
	const char *dir;
	bool verbose;
};

/* 0: taken; -1: an error (reported). */
static int shared_arg(const char *cmd, const char *a, struct args *args)
{
	if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
		args->verbose = true;
		return 0;
	}
	if (a[0] == '-' && a[1]) {
		diag_error(NULL, 0, "%s: unknown option '%s' (see minimerge %s --help)", cmd, a, cmd);
		return -1;
	}
	if (args->dir) {
		diag_error(NULL, 0, "%s: one directory at most, not '%s' too (see minimerge %s --help)",
			   cmd, a, cmd);
		return -1;
	}
	args->dir = a;
	return 0;
}

int cmd_info(int argc, char **argv)
{
	struct args args = {NULL, false};
	bool which = false, dump = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			info_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--which-backends")) {
			which = true;
		} else if (!strcmp(a, "--dump") || !strcmp(a, "--json")) {
			dump = true;
		} else if (shared_arg("info", a, &args) != 0) {
			return EXIT_BAD_INPUT;
		}
	}
	if (which && dump) {
		diag_error(NULL, 0, "info: --which-backends and --dump exclude each other");
		return EXIT_BAD_INPUT;
	}
	struct project p;
	int rc = EXIT_BAD_INPUT;
	if (project_open(&p, args.dir ? args.dir : ".", !which, args.verbose) == 0) {
		if (which) {
			for (size_t i = 0; i < p.neligible; i++)
				printf("%s%s (%d)", i ? ", " : "", p.scores[i].backend->name,
				       p.scores[i].score);
			putchar('\n');
			rc = EXIT_OK;
		} else if (map_depends(&p) == 0) {
			json_t *o = info_json(&p);
			if (dump) {
				json_print(o); /* takes o */
			} else {
				info_text(&p, o);
				json_decref(o);
			}
			rc = EXIT_OK;
		}
	}
	project_close(&p);
	return rc;
}

/* ---- minitagify ---- */

static void minitagify_usage(FILE *f)
{
	fputs("usage: minimerge minitagify [-o FILE] [--category NAME] [--force] [-v] [DIR]\n"
	      "\n"
	      "Writes a minibuild for the project in DIR (default: the current\n"
	      "directory) from what the chosen backend reports: install_method = auto,\n"
	      "the tree as its source (src_type = path), its build dependencies that\n"
	      "a minilay has as dependencies, homepage, license and description.\n"
	      "\n"
	      "options:\n"
	      "  -o FILE          where to write it ('-': stdout); default NAME-VERSION\n"
	      "                   (or NAME when the version is unknown) in the current\n"
	      "                   directory\n"
	      "  --category NAME  its category (default: dependencies)\n"
	      "  --force          replace an existing file\n"
	      "  -v, --verbose    show what the backends' scripts wrote on stderr\n"
	      "  -h, --help       print this help and exit\n",
	      f);
}

/* NAME-VERSION when that is a valid minibuild name, else NAME. */
static const char *minibuild_name(struct arena *a, const struct project_info *pi)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s-%s", pi->package_name, pi->version);
	const char *name = strcmp(pi->version, "0") && pkgname_valid(sb.buf) ? sb.buf
									      : pi->package_name;
	const char *r = arena_strdup(a, name);
	strbuf_release(&sb);
	return r;
}

static void add_key(struct strbuf *out, const char *key, const char *value)
{
	if (value && *value)
		strbuf_addf(out, "%s = %s\n", key, value);
}

static void minibuild_text(const struct project *p, const char *category, struct strbuf *out)
{
	const struct backend_score *w = &p->scores[0];
	const struct project_info *pi = &p->info;
	strbuf_addf(out, "# Written by minimerge minitagify: backend %s (score %d%s%s).\n",
		    w->backend->name, w->score, w->reason ? ": " : "", w->reason ? w->reason : "");
	strbuf_adds(out, "[minibuild]\n");
	if (p->ndeps) {
		strbuf_adds(out, "dependencies =");
		for (size_t i = 0; i < p->ndeps; i++)
			strbuf_addf(out, " %s", p->deps[i]);
		strbuf_addc(out, '\n');
	}
	if (p->nunmapped) {
		strbuf_adds(out, "# Needed too, but no minilay has them:");
		for (size_t i = 0; i < p->nunmapped; i++)
			strbuf_addf(out, " %s", p->unmapped[i]);
		strbuf_addc(out, '\n');
	}
	add_key(out, "src_type", "path");
	add_key(out, "src_uri", p->dir);
	add_key(out, "install_method", "auto");
	add_key(out, "category", category);
	add_key(out, "homepage", pi->homepage);
	if (strcmp(pi->license, "unknown"))
		add_key(out, "license", pi->license);
	/* One line: a minibuild's value, not a control file's long text. */
	size_t synopsis = strcspn(pi->description, "\n");
	if (strcmp(pi->description, "a package"))
		strbuf_addf(out, "description = %.*s\n", (int)synopsis, pi->description);
}

int cmd_minitagify(int argc, char **argv)
{
	struct args args = {NULL, false};
	const char *output = NULL, *category = "dependencies";
	bool force = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			minitagify_usage(stdout);
			return EXIT_OK;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--category")) && i + 1 == argc) {
			diag_error(NULL, 0, "minitagify: %s needs a value", a);
			return EXIT_BAD_INPUT;
		} else if (!strcmp(a, "-o")) {
			output = argv[++i];
		} else if (!strcmp(a, "--category")) {
			category = argv[++i];
		} else if (!strcmp(a, "--force")) {
			force = true;
		} else if (shared_arg("minitagify", a, &args) != 0) {
			return EXIT_BAD_INPUT;
		}
	}
	if (!minibuild_category_valid(category)) {
		diag_error(NULL, 0, "minitagify: --category %s: letters and digits only", category);
		return EXIT_BAD_INPUT;
	}
	struct project p;
	int rc = EXIT_BAD_INPUT;
	struct strbuf text = STRBUF_INIT;
	if (project_open(&p, args.dir ? args.dir : ".", true, args.verbose) == 0 &&
	    map_depends(&p) == 0) {
		minibuild_text(&p, category, &text);
		const char *path = output ? output : minibuild_name(&p.arena, &p.info);
		struct stat st;
		int err;
		if (!strcmp(path, "-")) {
			fwrite(text.buf, 1, text.len, stdout);
			rc = EXIT_OK;
		} else if (!force && lstat(path, &st) == 0) {
			diag_error(path, 0, "already exists (--force replaces it)");
		} else if ((err = fs_write_atomic(path, text.buf, text.len, 0)) != 0) {
			diag_error(path, 0, "cannot write it: %s", strerror(err));
		} else {
			printf("wrote %s\n", path);
			rc = EXIT_OK;
		}
	}
	strbuf_release(&text);
	project_close(&p);
	return rc;
}

/* ---- debianize ---- */

static void debianize_usage(FILE *f)
{
	fputs("usage: minimerge debianize [-d DIST] [-v] [DIR]\n"
	      "\n"
	      "Writes Debian packaging for the project in DIR (default: the current\n"
	      "directory) as pkgme does: debian/control, rules, changelog, compat,\n"
	      "copyright and source/format, from what the chosen backend reports.\n"
	      "Existing files are replaced.\n"
	      "\n"
	      "options:\n"
	      "  -d, --distro DIST  the changelog's distribution (default: the\n"
	      "                     backend's, else DISTRIB_CODENAME of\n"
	      "                     /etc/lsb-release, else UNRELEASED)\n"
	      "  -v, --verbose      show what the backends' scripts wrote on stderr\n"
	      "  -h, --help         print this help and exit\n",
	      f);
}

int cmd_debianize(int argc, char **argv)
{
	struct args args = {NULL, false};
	const char *distro = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			debianize_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--distro")) {
			if (i + 1 == argc || !*argv[i + 1]) {
				diag_error(NULL, 0, "debianize: %s needs a distribution", a);
				return EXIT_BAD_INPUT;
			}
			distro = argv[++i];
		} else if (shared_arg("debianize", a, &args) != 0) {
			return EXIT_BAD_INPUT;
		}
	}
	struct project p;
	int rc = EXIT_BAD_INPUT;
	struct strbuf written = STRBUF_INIT, err = STRBUF_INIT;
	if (project_open(&p, args.dir ? args.dir : ".", true, args.verbose) == 0) {
		if (distro)
			p.info.distribution = distro;
		if (debianize_write(&p.info, p.dir, &written, &err) != 0) {
			diag_error(NULL, 0, "debianize: %s", err.buf);
		} else {
			for (const char *l = written.buf; *l; l += strcspn(l, "\n") + 1)
				printf("wrote %.*s\n", (int)strcspn(l, "\n"), l);
			rc = EXIT_OK;
		}
	}
	strbuf_release(&written);
	strbuf_release(&err);
	project_close(&p);
	return rc;
}
