#include "trace.h"

#include <stdint.h>
#include <stdlib.h>

json_t *graph_trace(const struct graph *g, struct store *s)
{
	struct record *recs = calloc(g->nactions + 1, sizeof(*recs));
	bool *have = calloc(g->nactions + 1, sizeof(*have));
	uint64_t last = 0;
	int64_t first = INT64_MAX;
	json_t *doc = NULL;
	struct arena a = ARENA_INIT;
	for (size_t i = 0; i < g->nactions; i++) {
		int found = record_get(s, g->actions[i]->identity, &recs[i], &a);
		if (found < 0)
			goto out;
		have[i] = found == 1;
		if (have[i] && recs[i].run > last)
			last = recs[i].run;
	}
	for (size_t i = 0; i < g->nactions; i++)
		if (have[i] && recs[i].run == last && recs[i].started_ns < first)
			first = recs[i].started_ns;
	json_t *events = json_array();
	for (size_t i = 0; i < g->nactions; i++) {
		const struct record *r = &recs[i];
		if (!have[i] || r->run != last)
			continue;
		json_array_append_new(
			events,
			json_pack("{s:s, s:s, s:s, s:I, s:I, s:i, s:i, s:{s:s}}", "name",
				  g->actions[i]->identity, "cat", g->actions[i]->kind->name, "ph",
				  "X", "ts", (json_int_t)((r->started_ns - first) / 1000), "dur",
				  (json_int_t)(r->duration_ns / 1000), "pid", 1, "tid",
				  (int)r->slot + 1, "args", "status",
				  r->status == RECORD_OK ? "ok" : "failed"));
	}
	doc = json_pack("{s:o, s:s}", "traceEvents", events, "displayTimeUnit", "ms");
out:
	arena_free(&a);
	free(recs);
	free(have);
	return doc;
}
