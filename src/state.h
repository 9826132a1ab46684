/*
 * state: a root's <root>/.minimerge directory: the lock that lets one
 * minimerge at a time work on the root, the store (db/), the artifacts
 * (cas/) and the actions' logs (logs/).  A second minimerge waits for the
 * lock, saying whom it waits for.
 */
#ifndef MINIMERGE_STATE_H
#define MINIMERGE_STATE_H

#include "../cache/store.h"
#include "../lib/arena.h"

#include <stdbool.h>

struct state {
	const char *dir, *casdir, *logdir; /* in the arena given to state_open */
	struct store *store;
	int lock_fd;
};

/* Not opened: state_close does nothing to it. */
#define STATE_INIT {.lock_fd = -1}

/* Takes the lock (waiting for it) and opens the store, creating the
 * directory if create is set.  0, 1 if it does not exist and create is not
 * set (nothing is made), or -1 (reported); call state_close either way. */
int state_open(struct arena *a, const char *root, bool create, struct state *st);
void state_close(struct state *st);

#endif
