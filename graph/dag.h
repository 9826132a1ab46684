/*
 * dag: a directed graph of numbered nodes and the order to run them in.  An
 * edge from u to v says u needs v, so v comes first.  The order is a
 * depth-first post-order from the roots: each node's needs in the order
 * they were added, then the node.  It is deterministic, linear in nodes and
 * edges, and gives minitage's install orders.  A cycle is an error that
 * names the whole cycle.  Nodes are only numbers here: what they stand for
 * is the caller's.
 */
#ifndef MINIMERGE_DAG_H
#define MINIMERGE_DAG_H

#include <stddef.h>

struct dag_node {
	size_t *needs;
	size_t nneeds, capneeds;
};

struct dag {
	struct dag_node *nodes;
	size_t nnodes, capnodes;
};

#define DAG_INIT {0}

/* Returns the new node's number (0, 1, 2, ...). */
size_t dag_add_node(struct dag *d);
/* u needs v.  Adding the same edge twice is harmless. */
void dag_add_edge(struct dag *d, size_t u, size_t v);
void dag_free(struct dag *d);

struct dag_order {
	size_t *nodes; /* what the roots need, needs first, each node once */
	size_t n;
	size_t *cycle; /* on a cycle: u0, u1, ..., u0 (u0 needs u1 ...) */
	size_t ncycle;
};

/* Orders everything the roots need, and the roots, in the order given.
 * Returns 0, or -1 with out->cycle set.  Free with dag_order_free. */
int dag_order(const struct dag *d, const size_t *roots, size_t nroots, struct dag_order *out);
void dag_order_free(struct dag_order *o);

#endif
