/* minimerge cache: what the store and the CAS hold, and their upkeep. */
#include "commands.h"
#include "json_out.h"
#include "root.h"
#include "state.h"

#include "../cache/cas.h"
#include "../cache/record.h"
#include "../cache/tree.h"
#include "../lib/units.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The default size gc keeps, as ccache's. */
#define CACHE_DEFAULT_MAX ((uint64_t)5 << 30)

static void usage(FILE *f)
{
	fputs("usage: minimerge cache stats [--json]\n"
	      "       minimerge cache verify\n"
	      "       minimerge cache gc [--max-size SIZE]\n"
	      "       minimerge cache clear\n"
	      "\n"
	      "The root's cache: the artifacts (packed install prefixes, named by\n"
	      "their hash) and the action cache that maps keys to them.\n"
	      "\n"
	      "  stats    how many artifacts, their size, and the store's entries\n"
	      "  verify   re-hash every artifact; drop the corrupt and the missing\n"
	      "  gc       drop the least recently used artifacts until the rest fit in\n"
	      "           SIZE (default 5G; suffixes K, M, G, T are powers of 1024)\n"
	      "  clear    drop every artifact and the action cache; the records of\n"
	      "           the last runs stay, so intact installs are still skipped\n",
	      f);
}


static int count_one(void *ctx, const void *k, size_t kl, const void *v, size_t vl)
{
	(void)k, (void)kl, (void)v, (void)vl;
	++*(uint64_t *)ctx;
	return 0;
}

static bool in_cas(void *ctx, struct hash128 artifact)
{
	return cas_has(ctx, artifact);
}

static int stats(struct state *st, bool json)
{
	struct cas_stats cs;
	uint64_t counts[STORE_NDBS] = {0};
	if (cas_stats(st->store, &cs) != 0)
		return EXIT_FAILED;
	uint64_t files, snapshots;
	for (int d = 0; d < STORE_NDBS; d++)
		if (d != STORE_STAT &&
		    store_each(st->store, (enum store_db)d, NULL, 0, count_one, &counts[d]) < 0)
			return EXIT_FAILED;
	if (tree_cache_count(st->store, &files, &snapshots) != 0)
		return EXIT_FAILED;
	if (json) {
		json_print(json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "artifacts",
				     (json_int_t)cs.count, "artifact_bytes", (json_int_t)cs.bytes,
				     "action_cache", (json_int_t)counts[STORE_ACTIONS], "records",
				     (json_int_t)counts[STORE_RECORDS], "stat_cache", (json_int_t)files,
				     "tree_snapshots", (json_int_t)snapshots, "manifests",
				     (json_int_t)counts[STORE_TREES], "directory", st->dir));
		return EXIT_OK;
	}
	struct strbuf size = STRBUF_INIT;
	units_human(&size, cs.bytes);
	printf("cache directory  %s\n"
	       "artifacts        %ju (%s)\n"
	       "action cache     %ju entries\n"
	       "records          %ju actions\n"
	       "stat cache       %ju files\n"
	       "tree snapshots   %ju\n"
	       "tree manifests   %ju\n",
	       st->dir, (uintmax_t)cs.count, size.buf, (uintmax_t)counts[STORE_ACTIONS],
	       (uintmax_t)counts[STORE_RECORDS], (uintmax_t)files, (uintmax_t)snapshots,
	       (uintmax_t)counts[STORE_TREES]);
	strbuf_release(&size);
	return EXIT_OK;
}

/* Action cache entries whose artifact went are dropped with it. */
static int prune(struct state *st)
{
	long n = action_cache_prune(st->store, in_cas, st->store);
	return n < 0 || store_flush(st->store) != 0 ? -1 : 0;
}

int cmd_cache(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	bool json = false;
	uint64_t max = CACHE_DEFAULT_MAX;
	if (strcmp(sub, "stats") && strcmp(sub, "verify") && strcmp(sub, "gc") &&
	    strcmp(sub, "clear")) {
		diag_error(NULL, 0, "cache: unknown subcommand '%s' (see minimerge cache --help)", sub);
		return EXIT_BAD_INPUT;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(sub, "stats") && !strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(sub, "gc") && (!strcmp(a, "--max-size") ||
						  !strncmp(a, "--max-size=", 11))) {
			const char *v = a[10] == '=' ? a + 11 : i + 1 < argc ? argv[++i] : NULL;
			if (!v || units_parse_size(v, &max) != 0) {
				diag_error(NULL, 0,
					   "cache gc: --max-size needs a size such as 500M or 5G, not "
					   "'%s'",
					   v ? v : "");
				return EXIT_BAD_INPUT;
			}
		} else {
			diag_error(NULL, 0, "cache %s: unexpected argument '%s' (see minimerge cache "
					    "--help)",
				   sub, a);
			return EXIT_BAD_INPUT;
		}
	}
	struct arena a = ARENA_INIT;
	struct state st = STATE_INIT;
	const char *root = root_find(&a);
	int rc = EXIT_FAILED;
	int opened = root ? state_open(&a, root, false, &st) : -1;
	if (opened == 1) {
		/* Nothing has run here: an empty cache, and nothing is made. */
		if (!strcmp(sub, "stats") && json)
			json_print(json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:s}", "artifacts",
					     0, "artifact_bytes", 0, "action_cache", 0, "records", 0,
					     "stat_cache", 0, "tree_snapshots", 0, "manifests", 0,
					     "directory", st.dir));
		else
			printf("minimerge: no cache in %s yet\n", root);
	}
	if (opened != 0) {
		if (root)
			state_close(&st);
		arena_free(&a);
		return opened == 1 ? EXIT_OK : EXIT_FAILED;
	}
	if (!strcmp(sub, "stats")) {
		rc = stats(&st, json);
	} else if (!strcmp(sub, "verify")) {
		struct cas_stats before;
		long dropped = cas_stats(st.store, &before) == 0 ? cas_verify(st.store, st.casdir) : -1;
		if (dropped >= 0 && prune(&st) == 0) {
			printf("minimerge: %ju artifact%s checked, %ld corrupt or missing (dropped)\n",
			       (uintmax_t)before.count, before.count == 1 ? "" : "s", dropped);
			rc = EXIT_OK;
		}
	} else if (!strcmp(sub, "gc")) {
		uint64_t removed, freed;
		if (cas_gc(st.store, st.casdir, max, &removed, &freed) == 0 && prune(&st) == 0) {
			struct strbuf f = STRBUF_INIT, m = STRBUF_INIT;
			units_human(&f, freed);
			units_human(&m, max);
			printf("minimerge: %ju artifact%s removed, %s freed (limit %s)\n",
			       (uintmax_t)removed, removed == 1 ? "" : "s", f.buf, m.buf);
			strbuf_release(&f);
			strbuf_release(&m);
			rc = EXIT_OK;
		}
	} else {
		if (cas_clear(st.store, st.casdir) == 0 &&
		    store_clear(st.store, STORE_ACTIONS) == 0) {
			printf("minimerge: cache cleared\n");
			rc = EXIT_OK;
		}
	}
	state_close(&st);
	arena_free(&a);
	return rc;
}
