/* minimerge graph: the package graph of targets, as text, JSON, DOT or a
 * tree; or their actions (--actions); or the last run as a trace. */
#include "commands.h"
#include "json_out.h"
#include "pkg_plan.h"
#include "pkg_print.h"
#include "pkgsel.h"
#include "state.h"

#include "../graph/trace.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: minimerge graph [--json|--dot|--tree] [--actions] [--trace FILE]\n"
	      "                       [-N] [--only-dependencies] [--jump PKG] [TARGET...]\n"
	      "\n"
	      "Prints the package graph of the targets (every package found when none\n"
	      "is named): each package in install order, needs first, with what it\n"
	      "needs.\n"
	      "\n"
	      "options:\n"
	      "  --json               print JSON: root, targets, order, packages\n"
	      "  --dot                print the graph in Graphviz's DOT language\n"
	      "  --tree               print an indented tree from each target, each\n"
	      "                       package once; [+] marks installed ones\n"
	      "  --actions            the actions instead of the packages: each\n"
	      "                       package's fetch, build and install, with what\n"
	      "                       each needs (text, --json or --dot)\n"
	      "  --trace FILE         write the last run of the targets' actions to\n"
	      "                       FILE as a Chrome trace (open it in Perfetto or\n"
	      "                       chrome://tracing); - is stdout\n"
	      "  -N, --nodeps         the targets alone, not what they need\n"
	      "  --only-dependencies  what the targets need, not the targets\n"
	      "  --jump PKG           start the list at PKG\n"
	      "  -h, --help           print this help and exit\n",
	      f);
}

enum format { TEXT, JSON, DOT, TREE };

static void print_json(struct pkgdb *db, struct pkg **roots, size_t nroots, struct pkg **order,
		       size_t n)
{
	struct json_write w = JSON_OUT_INIT;
	json_write_object(&w);
	json_write_member(&w, "root", db->root);
	json_write_key(&w, "targets");
	pkg_json_names(roots, nroots, &w);
	json_write_key(&w, "order");
	pkg_json_names(order, n, &w);
	json_write_key(&w, "packages");
	pkg_json_list(db, order, n, &w);
	json_write_end(&w);
	json_out_print(&w);
}

/* Graphviz IDs are quoted, so any name is safe but a quote or backslash. */
static void dot_id(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}

static void print_dot(struct pkg **order, size_t n, struct strbuf *out)
{
	strbuf_adds(out, "digraph packages {\n  rankdir=LR;\n");
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(out, "  ");
		dot_id(out, order[i]->mb.name);
		strbuf_adds(out, order[i]->mb.meta ? " [shape=box];\n" : ";\n");
		for (size_t j = 0; j < order[i]->ndeps; j++) {
			strbuf_adds(out, "  ");
			dot_id(out, order[i]->mb.name);
			strbuf_adds(out, " -> ");
			dot_id(out, order[i]->deps[j]->mb.name);
			strbuf_adds(out, ";\n");
		}
	}
	strbuf_adds(out, "}\n");
}

/* As `spack spec` prints: depth-first, each package once, needs indented
 * under what needs them, ^ before a need.  An explicit stack: no C
 * recursion over chains thousands deep. */
static void print_tree(struct pkgdb *db, struct pkg **roots, size_t nroots, struct strbuf *out)
{
	unsigned char *shown = xcalloc(db->npkgs + 1, 1);
	/* A package is pushed once for each edge into it, at most. */
	size_t edges = nroots;
	for (size_t i = 0; i < db->npkgs; i++)
		edges += db->bynode[i]->ndeps;
	struct frame {
		struct pkg *p;
		size_t depth;
	} *stack = xmalloc((edges + 1) * sizeof(*stack));
	for (size_t r = 0; r < nroots; r++) {
		size_t len = 0;
		stack[len++] = (struct frame){roots[r], 0};
		while (len) {
			struct frame f = stack[--len];
			if (shown[f.p->node])
				continue;
			shown[f.p->node] = 1;
			strbuf_addf(out, "%s%*s%s%s\n", pkgdb_installed(db, f.p) ? "[+] " : " -  ",
				    (int)(4 * f.depth), "", f.depth ? "^" : "", f.p->mb.name);
			for (size_t j = f.p->ndeps; j-- > 0;)
				if (!shown[f.p->deps[j]->node])
					stack[len++] = (struct frame){f.p->deps[j], f.depth + 1};
		}
	}
	free(stack);
	free(shown);
}

static void print_text(struct pkg **order, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(out, "%s:", order[i]->mb.name);
		for (size_t j = 0; j < order[i]->ndeps; j++)
			strbuf_addf(out, " %s", order[i]->deps[j]->mb.name);
		strbuf_addc(out, '\n');
	}
}

static void print_actions(const struct graph *g, enum format format, struct strbuf *out)
{
	json_t *list = format == JSON ? json_array() : NULL;
	if (format == DOT)
		strbuf_adds(out, "digraph actions {\n  rankdir=LR;\n");
	for (size_t i = 0; i < g->nactions; i++) {
		const struct graph_action *a = g->actions[i];
		const struct dag_node *n = &g->dag.nodes[a->node];
		json_t *needs = list ? json_array() : NULL;
		if (format == DOT) {
			strbuf_adds(out, "  ");
			dot_id(out, a->identity);
			strbuf_adds(out, ";\n");
		} else if (format != JSON) {
			strbuf_addf(out, "%s:", a->identity);
		}
		for (size_t k = 0; k < n->nneeds; k++) {
			const char *need = g->actions[n->needs[k]]->identity;
			if (needs) {
				json_array_append_new(needs, json_string(need));
			} else if (format == DOT) {
				strbuf_adds(out, "  ");
				dot_id(out, a->identity);
				strbuf_adds(out, " -> ");
				dot_id(out, need);
				strbuf_adds(out, ";\n");
			} else {
				strbuf_addf(out, " %s", need);
			}
		}
		if (list)
			json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "action", a->identity,
							      "kind", a->kind->name, "needs", needs));
		else if (format != DOT)
			strbuf_addc(out, '\n');
	}
	if (format == DOT)
		strbuf_adds(out, "}\n");
	if (list)
		json_print(list);
}

static int write_trace(struct plan *p, const char *file)
{
	struct arena a = ARENA_INIT;
	struct state st = STATE_INIT;
	int rc = EXIT_FAILED;
	json_t *doc = NULL;
	int opened = state_open(&a, p->db->root, false, &st);
	if (opened == 1)
		diag_error(NULL, 0, "graph --trace: nothing has run in %s yet", p->db->root);
	if (opened == 0 && (doc = graph_trace(&p->graph, st.store))) {
		if (!strcmp(file, "-")) {
			json_print(doc);
			doc = NULL;
			rc = EXIT_OK;
		} else if (json_dump_file(doc, file, JSON_COMPACT) == 0) {
			rc = EXIT_OK;
		} else {
			diag_error(file, 0, "cannot write the trace");
		}
	}
	json_decref(doc);
	state_close(&st);
	arena_free(&a);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	bool actions = false;
	const char *trace = NULL;
	enum format format = TEXT;
	struct pkgsel_options sel = {0};
	char **targets = xcalloc((size_t)argc + 1, sizeof(*targets));
	size_t ntargets = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int took = pkgsel_take_option(argc, argv, &i, &sel);
		if (took < 0) {
			free(targets);
			return EXIT_BAD_INPUT;
		} else if (took) {
			continue;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(targets);
			return EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			format = JSON;
		} else if (!strcmp(a, "--dot")) {
			format = DOT;
		} else if (!strcmp(a, "--tree")) {
			format = TREE;
		} else if (!strcmp(a, "--actions")) {
			actions = true;
		} else if (!strcmp(a, "--trace") || !strncmp(a, "--trace=", 8)) {
			trace = a[7] == '=' ? a + 8 : i + 1 < argc ? argv[++i] : NULL;
			if (!trace || !*trace) {
				diag_error(NULL, 0, "graph: --trace needs a file name (- for stdout)");
				free(targets);
				return EXIT_BAD_INPUT;
			}
		} else if (a[0] == '-') {
			diag_error(NULL, 0, "graph: unknown option '%s' (see minimerge graph --help)", a);
			free(targets);
			return EXIT_BAD_INPUT;
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	struct pkgdb db;
	struct pkg **order = NULL, **roots = NULL;
	size_t n, nroots;
	int rc = EXIT_BAD_INPUT;
	if (pkgdb_open(&db) == 0 &&
	    pkgsel_select(&db, targets, ntargets, &sel, &order, &n, &roots, &nroots) == 0 &&
	    pkgdb_check_picks(&db) == 0) {
		struct strbuf out = STRBUF_INIT;
		struct plan plan = {.db = &db, .graph = GRAPH_INIT};
		rc = EXIT_OK;
		if ((actions || trace) && format == TREE) {
			diag_error(NULL, 0, "graph: --tree shows packages, not actions");
			rc = EXIT_BAD_INPUT;
		} else if (actions || trace) {
			if (plan_packages(&plan, order, n, false) != 0)
				rc = EXIT_BAD_INPUT;
			else if (trace)
				rc = write_trace(&plan, trace);
			else
				print_actions(&plan.graph, format, &out);
		} else if (format == JSON) {
			print_json(&db, roots, nroots, order, n);
		} else if (format == DOT) {
			print_dot(order, n, &out);
		} else if (format == TREE) {
			print_tree(&db, roots, nroots, &out);
		} else {
			print_text(order, n, &out);
		}
		fwrite(out.buf, 1, out.len, stdout);
		strbuf_release(&out);
		plan_free(&plan);
	}
	free(order);
	free(roots);
	free(targets);
	pkgdb_close(&db);
	return rc;
}
