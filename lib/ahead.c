#include "ahead.h"

#include "arena.h"

#include <pthread.h>
#include <stdlib.h>

enum state {
	FREE,    /* nobody's yet */
	WORKING, /* the thread is doing it */
	DONE,    /* the thread did it */
	CALLERS, /* the caller claimed it */
};

struct ahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t done;
	unsigned char *state; /* enum state, one per item */
	size_t n;
	bool stop;
	bool waiting; /* the caller waits for an item: say when one is done */
	void (*work)(void *ctx, size_t i);
	void *ctx;
};

static void *worker(void *arg)
{
	struct ahead *a = arg;
	pthread_mutex_lock(&a->mu);
	for (size_t i = a->n; i-- > 0 && !a->stop;) {
		if (a->state[i] != FREE)
			continue;
		a->state[i] = WORKING;
		pthread_mutex_unlock(&a->mu);
		a->work(a->ctx, i);
		pthread_mutex_lock(&a->mu);
		a->state[i] = DONE;
		if (a->waiting)
			pthread_cond_broadcast(&a->done);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

struct ahead *ahead_start(size_t n, void (*work)(void *ctx, size_t i), void *ctx)
{
	struct ahead *a = xcalloc(1, sizeof(*a));
	a->state = xcalloc(n + 1, 1);
	a->n = n;
	a->work = work;
	a->ctx = ctx;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->done, NULL);
	if (pthread_create(&a->thread, NULL, worker, a) != 0) {
		pthread_cond_destroy(&a->done);
		pthread_mutex_destroy(&a->mu);
		free(a->state);
		free(a);
		return NULL;
	}
	return a;
}

bool ahead_claim(struct ahead *a, size_t i)
{
	if (!a)
		return true;
	pthread_mutex_lock(&a->mu);
	if (a->state[i] == FREE)
		a->state[i] = CALLERS;
	/* One item's work is short: waiting for it costs less than doing it
	 * again, and doing it again would write where the thread writes. */
	while (a->state[i] == WORKING) {
		a->waiting = true;
		pthread_cond_wait(&a->done, &a->mu);
	}
	a->waiting = false;
	bool callers = a->state[i] == CALLERS;
	pthread_mutex_unlock(&a->mu);
	return callers;
}

void ahead_stop(struct ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->done);
	pthread_mutex_destroy(&a->mu);
	free(a->state);
	free(a);
}
