#include "dag.h"

#include "../lib/arena.h"

#include <stdlib.h>

size_t dag_add_node(struct dag *d)
{
	if (d->nnodes == d->capnodes) {
		d->capnodes = d->capnodes ? d->capnodes * 2 : 64;
		d->nodes = xrealloc(d->nodes, d->capnodes * sizeof(*d->nodes));
	}
	d->nodes[d->nnodes] = (struct dag_node){0};
	return d->nnodes++;
}

void dag_add_edge(struct dag *d, size_t u, size_t v)
{
	struct dag_node *n = &d->nodes[u];
	if (n->nneeds == n->capneeds) {
		n->capneeds = n->capneeds ? n->capneeds * 2 : 4;
		n->needs = xrealloc(n->needs, n->capneeds * sizeof(*n->needs));
	}
	n->needs[n->nneeds++] = v;
}

void dag_free(struct dag *d)
{
	for (size_t i = 0; i < d->nnodes; i++)
		free(d->nodes[i].needs);
	free(d->nodes);
	*d = (struct dag)DAG_INIT;
}

enum { UNSEEN, ON_PATH, DONE };

/* The cycle closed by an edge to v, which is on the path: the path from v
 * to its end, then v again. */
static void take_cycle(const size_t *path, size_t depth, size_t v, struct dag_order *out)
{
	size_t from = depth;
	while (path[from - 1] != v)
		from--;
	from--;
	out->ncycle = depth - from + 1;
	out->cycle = xmalloc(out->ncycle * sizeof(*out->cycle));
	for (size_t i = from; i < depth; i++)
		out->cycle[i - from] = path[i];
	out->cycle[out->ncycle - 1] = v;
}

int dag_order(const struct dag *d, const size_t *roots, size_t nroots, struct dag_order *out)
{
	*out = (struct dag_order){0};
	out->nodes = xmalloc((d->nnodes + 1) * sizeof(*out->nodes));
	unsigned char *state = xcalloc(d->nnodes + 1, 1);
	/* An explicit stack: a chain of 100,000 packages must not overflow the
	 * C stack.  next[i] is the next need of path[i] to visit. */
	size_t *path = xmalloc((d->nnodes + 1) * sizeof(*path));
	size_t *next = xmalloc((d->nnodes + 1) * sizeof(*next));
	int rc = 0;
	for (size_t r = 0; r < nroots && rc == 0; r++) {
		if (state[roots[r]] != UNSEEN)
			continue;
		size_t depth = 0;
		path[depth] = roots[r];
		next[depth++] = 0;
		state[roots[r]] = ON_PATH;
		while (depth) {
			size_t u = path[depth - 1];
			const struct dag_node *n = &d->nodes[u];
			if (next[depth - 1] == n->nneeds) {
				state[u] = DONE;
				out->nodes[out->n++] = u;
				depth--;
				continue;
			}
			size_t v = n->needs[next[depth - 1]++];
			if (state[v] == DONE)
				continue;
			if (state[v] == ON_PATH) {
				take_cycle(path, depth, v, out);
				rc = -1;
				break;
			}
			state[v] = ON_PATH;
			path[depth] = v;
			next[depth++] = 0;
		}
	}
	free(state);
	free(path);
	free(next);
	return rc;
}

void dag_order_free(struct dag_order *o)
{
	free(o->nodes);
	free(o->cycle);
	*o = (struct dag_order){0};
}
