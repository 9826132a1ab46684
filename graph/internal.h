/*
 * internal: what graph/'s own files share and nobody else sees: the list
 * of an action's inputs as it is built, its key, and a job's context.
 */
#ifndef MINIMERGE_GRAPH_INTERNAL_H
#define MINIMERGE_GRAPH_INTERNAL_H

#include "graph.h"
#include "sched.h"

#include "../cache/cache.h"

/* The items, their names and texts live in the arena given (one of the
 * scheduler's). */
struct graph_inputs {
	struct record_input *items;
	size_t n, cap;
	struct arena *arena;
};

/* Collects a's own inputs: its kind and what the kind adds.  Any thread,
 * with an arena of its own.  0 or -1 (reported). */
int graph_inputs_own(struct graph_action *a, struct graph_inputs *in);
/* Adds each need's output, once they are known. */
void graph_inputs_needs(const struct graph_action *a, const struct graph *g,
			struct graph_inputs *in);
struct hash128 graph_inputs_key(const struct graph_inputs *in);

/* Why an action runs, in explain's words: what differs between the record
 * of its last run (NULL: none) and its inputs now.  Tree inputs name the
 * files that changed when both manifests were kept in the store.  The
 * caller frees the result. */
char *graph_explain(struct store *s, const struct record *old, const struct graph_inputs *now);

struct graph_job {
	struct graph_action *action;
	int log_fd;
	int jobs;
	const struct sched_observer *observer;
	char *failure;
};

#endif
