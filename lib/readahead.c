#include "readahead.h"

#include "arena.h"
#include "file.h"
#include "hmap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum state {
	QUEUED,  /* waiting for the thread */
	READING, /* the thread has it */
	READ,    /* text and rc are the file's */
	TAKEN,   /* the caller has had it, or read it itself */
};

struct entry {
	char *path;
	enum state state;
	struct strbuf text;
	int rc, err;
};

struct readahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t queued;
	struct hmap by_path; /* path -> entry, keys in the entries */
	struct entry **fifo;
	size_t head, n, cap;
	bool stop;
};

static void *reader(void *arg)
{
	struct readahead *r = arg;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->stop && r->head == r->n)
			pthread_cond_wait(&r->queued, &r->mu);
		if (r->stop)
			break;
		struct entry *e = r->fifo[r->head++];
		if (e->state != QUEUED)
			continue;
		e->state = READING;
		pthread_mutex_unlock(&r->mu);
		e->rc = file_read_regular(e->path, &e->text, &e->err);
		pthread_mutex_lock(&r->mu);
		if (e->state == READING)
			e->state = READ;
		else
			strbuf_release(&e->text); /* taken meanwhile */
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

struct readahead *readahead_start(void)
{
	struct readahead *r = xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->queued, NULL);
	if (pthread_create(&r->thread, NULL, reader, r) != 0) {
		pthread_cond_destroy(&r->queued);
		pthread_mutex_destroy(&r->mu);
		free(r);
		return NULL;
	}
	return r;
}

void readahead_queue(struct readahead *r, const char *path)
{
	pthread_mutex_lock(&r->mu);
	if (!hmap_gets(&r->by_path, path)) {
		struct entry *e = xcalloc(1, sizeof(*e));
		e->path = xstrdup(path);
		e->state = QUEUED;
		e->text = (struct strbuf)STRBUF_INIT;
		hmap_put(&r->by_path, e->path, strlen(e->path), e);
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 256;
			r->fifo = xrealloc(r->fifo, r->cap * sizeof(*r->fifo));
		}
		r->fifo[r->n++] = e;
		pthread_cond_signal(&r->queued);
	}
	pthread_mutex_unlock(&r->mu);
}

int readahead_take(struct readahead *r, const char *path, struct strbuf *out, int *err)
{
	pthread_mutex_lock(&r->mu);
	struct entry *e = hmap_gets(&r->by_path, path);
	if (e && e->state == READ) {
		e->state = TAKEN;
		pthread_mutex_unlock(&r->mu);
		strbuf_add(out, e->text.buf, e->text.len);
		strbuf_release(&e->text);
		*err = e->err;
		return e->rc;
	}
	/* Not queued, not reached yet, or being read: read here (waiting for
	 * the thread costs more than the read), and what the thread reads is
	 * dropped. */
	if (e)
		e->state = TAKEN;
	pthread_mutex_unlock(&r->mu);
	return file_read_regular(path, out, err);
}

void readahead_stop(struct readahead *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->queued);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	for (size_t i = 0; i < r->n; i++) {
		strbuf_release(&r->fifo[i]->text);
		free(r->fifo[i]->path);
		free(r->fifo[i]);
	}
	free(r->fifo);
	hmap_free(&r->by_path);
	pthread_cond_destroy(&r->queued);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
