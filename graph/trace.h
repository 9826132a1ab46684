/*
 * trace: the last run of a graph's actions as a Chrome trace, the JSON that
 * Perfetto and chrome://tracing read: one complete event ("ph": "X") per
 * action of that run, on the row (tid) of the worker that ran it, times in
 * microseconds from the run's first start.  The last run is the newest run
 * any of the graph's actions was recorded in.
 */
#ifndef MINIMERGE_TRACE_H
#define MINIMERGE_TRACE_H

#include "graph.h"

#include "../cache/cache.h"

#include <jansson.h>

/* A new JSON document (the caller decrefs it), or NULL (reported). */
json_t *graph_trace(const struct graph *g, struct store *s);

#endif
