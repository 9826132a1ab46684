#include "internal.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum job_type { JOB_RUN, JOB_RESTORE };

enum pool { POOL_CPU, POOL_NETWORK, NPOOLS };

struct queue {
	size_t *v, n; /* a heap */
};

/* The scheduler's view of one action. */
struct node {
	/* Actions that need this one: a slice of sched.users, or, once a
	 * reveal gave it more than the slice holds, its own. */
	size_t *users;
	size_t nusers, capusers;
	bool own_users;
	size_t nneeds; /* of the dag's needs, those counted in unresolved */
	size_t unresolved;     /* needs whose output is not known yet */
	size_t unmaterialized; /* needs not on disk yet, once this one must run */
	bool decided;
	bool deferred;     /* an intermediate whose output is promised, not made */
	bool wants_run;    /* it has to run: its needs must be on disk first */
	bool queued;       /* in the ready heap, or given to a worker */
	bool unknown;      /* dry run: its output cannot be known without running it */
	bool old_read;     /* old and have_old are set */
	bool have_old;
	struct record old; /* its record, without its inputs (why() reads them) */
	struct graph_inputs inputs;
	bool checked;       /* its output_dir was compared with its record */
	bool output_ok;     /* ... and found as recorded */
	const char *intact_reason; /* same key, but "output missing" or "modified" */
	enum job_type job;
	struct action_entry cached; /* for a restore */
	uint64_t priority;          /* the longest path from here, in ns */
	bool resolved;              /* its output is known, or known to be unknown */
};

/* A job as a worker sees it: the worker touches nothing else of the
 * scheduler's, whose arrays grow when an action reveals more graph. */
struct ticket {
	size_t i;
	struct graph_action *a;
	enum job_type job;
	struct action_entry cached; /* a restore's */
	/* Set by the worker. */
	int result; /* 0 ok, 1 restore impossible, -1 failed */
	char *failure;
	struct hash128 artifact;
};

struct worker {
	pthread_t thread;
	struct sched *s;
	uint32_t slot;
	struct ticket *ticket; /* the job given to it, or NULL */
	/* Its own, so that a job wakes the one worker given it: with one
	 * for all, each job woke every idle worker to find it was not
	 * theirs (about 12 wakeups a job with 8 workers). */
	pthread_cond_t wake;
};

struct sched {
	struct graph *g;
	const struct sched_options *o;
	struct node *nodes;
	/* Ready actions, longest path first: network actions (fetches) wait
	 * in a queue of their own, with a limit of their own, so that downloads
	 * go on while the CPUs build. */
	struct queue queues[NPOOLS];
	int idle[NPOOLS];
	size_t *work, nwork, capwork; /* actions whose needs are all resolved */
	struct worker *workers;
	int nworkers;
	pthread_mutex_t mu;
	pthread_cond_t done_cv;
	struct ticket **done;         /* jobs the workers finished; guarded by mu */
	size_t ndone, capdone;
	bool shutdown;
	size_t running, failures;
	bool stop;
	uint64_t run_id;
	struct sched_summary *sum;
	struct sched_progress progress;
	struct arena arena; /* the inputs of needs, records read to explain */
	size_t *users;      /* every node's users, one slice after another */
	size_t capnodes;        /* of nodes and of each queue, grown by doubling */
	bool prioritised;
	bool grew;          /* a reveal added actions: a cycle is looked for at the end */
	bool store_failed;  /* a record could not be read while deciding (reported) */
	/* One per thread of prepare(): the inputs collected there. */
	struct arena *arenas;
	size_t narenas;
	size_t undecided, jobs_total;
};

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void push(size_t **v, size_t *n, size_t *cap, size_t x)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

static void observe(struct sched *s, size_t i, enum sched_event ev)
{
	const struct sched_observer *ob = s->o->observer;
	if (ob && ob->event)
		ob->event(ob->ctx, s->g->actions[i], ev, &s->progress);
}

/* The ready heap: the longest remaining path first, then the earlier
 * action, so equal runs start in the same order. */
static bool before(const struct sched *s, size_t a, size_t b)
{
	uint64_t pa = s->nodes[a].priority, pb = s->nodes[b].priority;
	return pa != pb ? pa > pb : a < b;
}

static void update_total(struct sched *s)
{
	s->progress.total = s->jobs_total + s->undecided;
}

/* The record of action i, read now if prepare_one left it (an
 * intermediate's). */
static void read_old(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	if (n->old_read)
		return;
	n->old_read = true;
	int found = record_get(s->o->store, s->g->actions[i]->identity, &n->old, NULL);
	if (found < 0)
		s->store_failed = true;
	n->have_old = found == 1;
}

/* The longest paths to the end of the graph from the actions from `from`
 * on, weighted by their last recorded durations (1 ms for an action never
 * run), users before needs among them; the actions before `from` keep
 * theirs (a heuristic, when the graph grew). */
static void prioritise_from(struct sched *s, size_t from)
{
	size_t n = s->g->nactions, m = n - from;
	size_t *waiting = xcalloc(m + 1, sizeof(*waiting)), *ready = xmalloc((m + 1) * sizeof(*ready));
	size_t nready = 0;
	for (size_t j = from; j < n; j++)
		for (size_t k = 0; k < s->nodes[j].nusers; k++)
			waiting[j - from] += s->nodes[j].users[k] >= from;
	for (size_t j = from; j < n; j++)
		if (!waiting[j - from])
			ready[nready++] = j;
	while (nready) {
		size_t j = ready[--nready];
		struct node *x = &s->nodes[j];
		read_old(s, j);
		uint64_t longest = 0;
		for (size_t k = 0; k < x->nusers; k++)
			if (s->nodes[x->users[k]].priority > longest)
				longest = s->nodes[x->users[k]].priority;
		x->priority = longest + (x->have_old && x->old.duration_ns ? x->old.duration_ns
									 : 1000000u);
		const struct dag_node *d = &s->g->dag.nodes[j];
		for (size_t k = 0; k < d->nneeds; k++)
			if (d->needs[k] >= from && --waiting[d->needs[k] - from] == 0)
				ready[nready++] = d->needs[k];
	}
	free(waiting);
	free(ready);
}

/* Needed once something is to run, not before; over the graph as it is
 * then, with what reveals brought. */
static void prioritise(struct sched *s)
{
	s->prioritised = true;
	prioritise_from(s, 0);
}

static enum pool pool_of(const struct sched *s, size_t i)
{
	return s->o->network_jobs > 0 && s->g->actions[i]->kind->network ? POOL_NETWORK
									  : POOL_CPU;
}

static void heap_push(struct sched *s, size_t x)
{
	if (!s->prioritised)
		prioritise(s);
	s->jobs_total++;
	update_total(s);
	struct queue *q = &s->queues[pool_of(s, x)];
	size_t i = q->n++;
	q->v[i] = x;
	while (i && before(s, q->v[i], q->v[(i - 1) / 2])) {
		size_t p = (i - 1) / 2, t = q->v[p];
		q->v[p] = q->v[i];
		q->v[i] = t;
		i = p;
	}
}

static void sift_down(const struct sched *s, struct queue *q, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < q->n && before(s, q->v[l], q->v[m]))
			m = l;
		if (r < q->n && before(s, q->v[r], q->v[m]))
			m = r;
		if (m == i)
			break;
		size_t t = q->v[m];
		q->v[m] = q->v[i];
		q->v[i] = t;
		i = m;
	}
}

static size_t heap_pop(struct sched *s, struct queue *q)
{
	size_t top = q->v[0];
	q->v[0] = q->v[--q->n];
	sift_down(s, q, 0);
	return top;
}

static bool materialized(const struct graph_action *a)
{
	return a->state == GRAPH_SKIPPED || a->state == GRAPH_RESTORED || a->state == GRAPH_RAN;
}

static const char *log_name(struct sched *s, const struct graph_action *a, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/", s->o->logdir);
	for (const char *p = a->identity; *p; p++)
		strbuf_addc(sb, *p == '/' ? '_' : *p == ' ' ? '.' : *p);
	strbuf_adds(sb, ".log");
	return sb->buf;
}

/* The output is known: whoever needs it may be decided. */
static void resolve(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	n->resolved = true;
	for (size_t k = 0; k < n->nusers; k++)
		if (--s->nodes[n->users[k]].unresolved == 0)
			push(&s->work, &s->nwork, &s->capwork, n->users[k]);
}

static void set_reason(struct graph_action *a, char *reason)
{
	free(a->reason);
	a->reason = reason;
}

/* How action i's inputs differ from those of its record, in explain's
 * words: "new" without a record, NULL if they do not. */
static char *changes(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	/* The inputs it was last run with: prepare read only what a skip
	 * needs. */
	struct record old;
	read_old(s, i);
	bool have_old = n->have_old &&
			record_get(s->o->store, s->g->actions[i]->identity, &old, &s->arena) == 1;
	return graph_explain(s->o->store, have_old ? &old : NULL, &n->inputs);
}

static char *why(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	if (s->g->actions[i]->forced)
		return xstrdup("forced");
	char *r = changes(s, i);
	if (r)
		return r;
	return xstrdup(n->intact_reason ? n->intact_reason : "inputs changed");
}

static void block_users(struct sched *s, size_t i);

static void count_failure(struct sched *s)
{
	s->sum->failed++;
	if (++s->failures >= (size_t)s->o->keep_going && s->o->keep_going > 0)
		s->stop = true;
}

static void block(struct sched *s, size_t i)
{
	struct graph_action *a = s->g->actions[i];
	if (a->state != GRAPH_PENDING)
		return;
	a->state = GRAPH_BLOCKED;
	s->sum->blocked++;
	observe(s, i, SCHED_DECIDED);
	block_users(s, i);
}

/* What wanted to run on top of i cannot: i failed. */
static void block_users(struct sched *s, size_t i)
{
	const struct node *n = &s->nodes[i];
	for (size_t k = 0; k < n->nusers; k++)
		if (s->nodes[n->users[k]].wants_run)
			block(s, n->users[k]);
}

/* Compares the output directory of action i, which has one, with its
 * record. */
static void check_output(struct sched *s, size_t i, const char *dir)
{
	struct node *n = &s->nodes[i];
	struct hash128 h;
	int rc = tree_hash(s->o->store, dir, NULL, &h, NULL);
	n->checked = true;
	n->output_ok = rc == 0 && hash_equal(h, n->old.output);
	if (!n->output_ok)
		n->intact_reason = rc == 1 ? "output missing" : "output modified";
}

/* Whether a's outputs are as its record says: "output missing" or
 * "output modified" in n->intact_reason otherwise. */
static bool intact(struct sched *s, size_t i)
{
	struct graph_action *a = s->g->actions[i];
	struct node *n = &s->nodes[i];
	const char *dir = a->kind->output_dir ? a->kind->output_dir(a) : NULL;
	if (dir) {
		if (!n->checked)
			check_output(s, i, dir);
		return n->output_ok;
	}
	if (a->kind->intact && !a->kind->intact(a)) {
		n->intact_reason = "output missing";
		return false;
	}
	return true;
}

/* The record says the action was done with the key it has now. */
static bool same_key(struct sched *s, size_t i)
{
	read_old(s, i);
	const struct node *n = &s->nodes[i];
	const struct graph_action *a = s->g->actions[i];
	return !a->forced && n->have_old && n->old.status == RECORD_OK &&
	       hash_equal(n->old.key, a->key);
}

static void want_run(struct sched *s, size_t i);

/* In a dry run: a need of i whose run would bring more graph, which i may
 * then need (a package's install, the parts of its buildout), or NULL. */
static const struct graph_action *unknown_reveal(const struct sched *s, size_t i)
{
	const struct dag_node *d = &s->g->dag.nodes[i];
	for (size_t k = 0; k < d->nneeds; k++) {
		const struct graph_action *b = s->g->actions[d->needs[k]];
		if (s->nodes[d->needs[k]].unknown && b->kind->reveals)
			return b;
	}
	return NULL;
}

static void queue_when_ready(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	if (n->unmaterialized == 0 && !n->queued && s->g->actions[i]->state == GRAPH_PENDING) {
		n->queued = true;
		heap_push(s, i);
	}
}

static void want_run(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	struct graph_action *a = s->g->actions[i];
	if (n->wants_run || a->state != GRAPH_PENDING)
		return;
	if (n->deferred && same_key(s, i) && intact(s, i)) {
		a->state = GRAPH_SKIPPED;
		s->sum->skipped++;
		observe(s, i, SCHED_DECIDED);
		return;
	}
	n->wants_run = true;
	n->job = JOB_RUN;
	set_reason(a, why(s, i));
	const struct dag_node *d = &s->g->dag.nodes[i];
	const struct graph_action *revealer = s->o->dry_run ? unknown_reveal(s, i) : NULL;
	if (s->o->dry_run && a->kind->reveals) {
		struct strbuf r = STRBUF_INIT;
		strbuf_addf(&r, "%s (%s: known once it has run)", a->reason, a->kind->reveals);
		set_reason(a, strbuf_detach(&r));
	} else if (revealer) {
		struct strbuf r = STRBUF_INIT;
		strbuf_addf(&r, "it needs what %s brings (%s: known once it has run)",
			    revealer->identity, revealer->kind->reveals);
		set_reason(a, strbuf_detach(&r));
	}
	if (s->o->dry_run) {
		/* Needs first, so the lines come in the order things would run. */
		for (size_t k = 0; k < d->nneeds; k++)
			if (s->nodes[d->needs[k]].deferred)
				want_run(s, d->needs[k]);
		a->state = GRAPH_WOULD_RUN;
		s->sum->would_run++;
		observe(s, i, SCHED_DECIDED);
		if (!n->deferred) {
			n->unknown = true;
			resolve(s, i);
		}
		return;
	}
	n->unmaterialized = 0;
	for (size_t k = 0; k < d->nneeds; k++) {
		size_t b = d->needs[k];
		const struct graph_action *need = s->g->actions[b];
		if (need->state == GRAPH_FAILED || need->state == GRAPH_BLOCKED) {
			block(s, i);
			return;
		}
		if (!materialized(need)) {
			want_run(s, b);
			if (!materialized(need))
				n->unmaterialized++;
		}
	}
	queue_when_ready(s, i);
}

static int prepare_new(struct sched *s, size_t from);

/* b gains user u: past its slice of sched.users, b's list is its own. */
static void add_user(struct sched *s, size_t b, size_t u)
{
	struct node *n = &s->nodes[b];
	if (n->nusers == n->capusers) {
		n->capusers = 2 * n->capusers + 4;
		size_t *users = xmalloc(n->capusers * sizeof(*users));
		if (n->nusers)
			memcpy(users, n->users, n->nusers * sizeof(*users));
		if (n->own_users)
			free(n->users);
		n->users = users;
		n->own_users = true;
	}
	n->users[n->nusers++] = u;
}

/* Action u's needs from the dag's from the kth on, which it did not have
 * when the run's lists were made, join them. */
static void join_needs(struct sched *s, size_t u, size_t k)
{
	const struct dag_node *d = &s->g->dag.nodes[u];
	for (; k < d->nneeds; k++) {
		add_user(s, d->needs[k], u);
		s->nodes[u].unresolved += !s->nodes[d->needs[k]].resolved;
	}
	s->nodes[u].nneeds = d->nneeds;
}

/* The graph grew from `before` actions when action i revealed more: the
 * new actions join the run, unless ok is false, and what needs i waits
 * for what it now needs.  The work is that of the new actions and edges
 * alone: a stack of many buildout packages reveals many times.  0, or -1
 * (reported: their inputs). */
static int join_new(struct sched *s, size_t i, size_t before, bool ok)
{
	struct graph *g = s->g;
	size_t n = g->nactions;
	if (n + 1 > s->capnodes) {
		/* Doubled: a stack of many buildout packages reveals many times. */
		s->capnodes = 2 * (n + 1);
		s->nodes = xrealloc(s->nodes, s->capnodes * sizeof(*s->nodes));
		for (int p = 0; p < NPOOLS; p++)
			s->queues[p].v = xrealloc(s->queues[p].v,
						  s->capnodes * sizeof(*s->queues[p].v));
	}
	memset(s->nodes + before, 0, (n + 1 - before) * sizeof(*s->nodes));
	for (size_t j = before; j < n; j++)
		g->actions[j]->state = GRAPH_PENDING;
	s->grew = true;
	if (!ok || prepare_new(s, before) != 0)
		return -1;
	for (size_t j = before; j < n; j++)
		join_needs(s, j, 0);
	/* Read by index: join_needs may move i's list. */
	for (size_t k = 0; k < s->nodes[i].nusers; k++) {
		size_t u = s->nodes[i].users[k];
		if (u < before)
			join_needs(s, u, s->nodes[u].nneeds);
	}
	if (s->prioritised)
		prioritise_from(s, before);
	s->undecided += n - before;
	update_total(s);
	for (size_t j = before; j < n; j++)
		if (!s->nodes[j].unresolved)
			push(&s->work, &s->nwork, &s->capwork, j);
	return 0;
}

/* Action i's output is on disk: what it reveals joins the run.  False if
 * that failed: i has failed then (counted), and what it revealed will be
 * blocked. */
static bool reveal(struct sched *s, size_t i)
{
	struct graph_action *a = s->g->actions[i];
	if (!a->kind->reveal)
		return true;
	size_t before = s->g->nactions;
	int rc = a->kind->reveal(a, s->g);
	if (rc == 0 && s->g->nactions == before)
		return true; /* nothing new (revealed in an earlier run of g) */
	if (join_new(s, i, before, rc == 0) == 0)
		return true;
	a->state = GRAPH_FAILED;
	free(a->failure);
	a->failure = xstrdup("what it brings to the run cannot be planned (said above)");
	s->sum->bad_input = true;
	count_failure(s);
	return false;
}

/* Every need's output is known (or, in a dry run, known to be unknown). */
static void decide(struct sched *s, size_t i)
{
	struct node *n = &s->nodes[i];
	struct graph_action *a = s->g->actions[i];
	n->decided = true;
	s->undecided--;
	update_total(s);
	const struct dag_node *d = &s->g->dag.nodes[i];
	bool unknown = false;
	for (size_t k = 0; k < d->nneeds; k++) {
		const struct graph_action *b = s->g->actions[d->needs[k]];
		if (b->state == GRAPH_FAILED || b->state == GRAPH_BLOCKED) {
			block(s, i);
			return;
		}
		unknown |= s->nodes[d->needs[k]].unknown;
	}
	n->inputs.arena = &s->arena;
	graph_inputs_needs(a, s->g, &n->inputs);
	if (unknown) {
		want_run(s, i);
		return;
	}
	a->key = graph_inputs_key(&n->inputs);
	a->have_key = true;
	/* An intermediate's work on disk matters only if a dependent runs:
	 * want_run looks at it then.  Its output is its key. */
	if (a->kind->intermediate && !a->forced) {
		n->deferred = true;
		a->output = a->key;
		resolve(s, i);
		return;
	}
	if (same_key(s, i) && intact(s, i)) {
		a->state = GRAPH_SKIPPED;
		a->output = n->old.output;
		if (reveal(s, i))
			s->sum->skipped++;
		observe(s, i, SCHED_DECIDED);
		resolve(s, i);
		return;
	}
	const char *dir = a->kind->output_dir ? a->kind->output_dir(a) : NULL;
	if (!a->forced && dir && action_cache_get(s->o->store, a->key, &n->cached) == 1 &&
	    !hash_is_zero(n->cached.artifact)) {
		struct strbuf r = STRBUF_INIT;
		char *w = why(s, i);
		strbuf_addf(&r, "restored from cache (%s)", w);
		free(w);
		set_reason(a, strbuf_detach(&r));
		if (s->o->dry_run) {
			a->state = GRAPH_WOULD_RUN;
			a->output = n->cached.output;
			s->sum->would_run++;
			observe(s, i, SCHED_DECIDED);
			resolve(s, i);
			return;
		}
		n->job = JOB_RESTORE;
		n->queued = true;
		heap_push(s, i);
		return;
	}
	want_run(s, i);
}

static void drain_work(struct sched *s)
{
	/* A FIFO over the growing list: a chain of 100,000 actions is a loop,
	 * not a recursion. */
	for (size_t k = 0; k < s->nwork; k++)
		decide(s, s->work[k]);
	s->nwork = 0;
}

/* A worker's part: run or restore the ticket's action. */
static void do_job(struct sched *s, struct ticket *t, uint32_t slot)
{
	struct graph_action *a = t->a;
	const char *dir = a->kind->output_dir ? a->kind->output_dir(a) : NULL;
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	a->started_ns = (int64_t)now_ns(CLOCK_REALTIME);
	a->slot = slot;
	t->result = 0;
	if (t->job == JOB_RESTORE) {
		t->result = cas_restore(s->o->store, s->o->casdir, t->cached.artifact, dir);
		if (t->result == 0)
			a->output = t->cached.output;
		else if (t->result < 0)
			t->failure = xstrdup("the restore from the cache failed");
		a->duration_ns = now_ns(CLOCK_MONOTONIC) - t0;
		return;
	}
	struct graph_job job = {a, -1, s->o->jobs, s->o->observer, NULL};
	/* The last run's log would tell of another run. */
	unlink(a->log_path);
	if (a->kind->run(a, &job) != 0) {
		t->result = -1;
		t->failure = job.failure ? job.failure : xstrdup("it failed");
		job.failure = NULL;
	} else if (dir) {
		int rc = tree_hash(s->o->store, dir, NULL, &a->output, NULL);
		if (rc == 1) {
			t->result = -1;
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "it made no %s", dir);
			t->failure = strbuf_detach(&sb);
		} else if (rc < 0 || cas_pack(s->o->store, s->o->casdir, dir, &t->artifact) != 0) {
			t->result = -1;
			t->failure = xstrdup("its output could not be stored");
		}
	} else {
		a->output = a->key;
	}
	free(job.failure);
	if (job.log_fd >= 0)
		close(job.log_fd);
	a->duration_ns = now_ns(CLOCK_MONOTONIC) - t0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sched *s = w->s;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->shutdown && !w->ticket)
			pthread_cond_wait(&w->wake, &s->mu);
		struct ticket *t = w->ticket;
		if (!t)
			break;
		pthread_mutex_unlock(&s->mu);
		do_job(s, t, w->slot);
		pthread_mutex_lock(&s->mu);
		w->ticket = NULL;
		if (s->ndone == s->capdone) {
			s->capdone = s->capdone ? 2 * s->capdone : 16;
			s->done = xrealloc(s->done, s->capdone * sizeof(*s->done));
		}
		s->done[s->ndone++] = t;
		pthread_cond_signal(&s->done_cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void record_result(struct sched *s, size_t i, enum record_status status)
{
	struct graph_action *a = s->g->actions[i];
	struct node *n = &s->nodes[i];
	struct record r = {a->key, a->output, status, a->started_ns, a->duration_ns,
			   s->run_id, a->slot, n->inputs.items, n->inputs.n};
	record_put(s->o->store, a->identity, &r);
}

/* Reads again the inputs of an action whose run changed them: its key
 * and output are what it made.  False if they cannot be read (reported). */
static bool rekey(struct sched *s, size_t i)
{
	struct graph_action *a = s->g->actions[i];
	struct node *n = &s->nodes[i];
	n->inputs = (struct graph_inputs){.arena = &s->arena};
	if (graph_inputs_own(a, &n->inputs) != 0)
		return false;
	graph_inputs_needs(a, s->g, &n->inputs);
	a->key = graph_inputs_key(&n->inputs);
	if (!a->kind->output_dir)
		a->output = a->key;
	return true;
}

/* What an inputs_after_run action's run made of its inputs, against its
 * last record (not yet replaced): a checkout that moved, a download
 * whose content changed on the server. */
static void explain_after_run(struct sched *s, size_t i)
{
	struct graph_action *a = s->g->actions[i];
	char *r = changes(s, i);
	free(a->reason_after_run);
	a->reason_after_run = r ? r : xstrdup("as last time");
}

static void finish_job(struct sched *s, struct ticket *t)
{
	size_t i = t->i;
	struct graph_action *a = s->g->actions[i];
	struct node *n = &s->nodes[i];
	int result = t->result;
	struct hash128 artifact = t->artifact;
	char *failure = t->failure;
	free(t);
	s->running--;
	s->idle[pool_of(s, i)]++;
	s->progress.finished++;
	if (n->job == JOB_RESTORE && result == 1) {
		/* Missing or corrupt (cas said which): build it instead. */
		n->queued = false;
		observe(s, i, SCHED_FINISHED);
		want_run(s, i);
		return;
	}
	if (result != 0) {
		free(a->failure);
		a->failure = failure;
		if (*s->o->interrupted) {
			a->state = GRAPH_BLOCKED;
			s->sum->blocked++;
			observe(s, i, SCHED_FINISHED);
			return;
		}
		a->state = GRAPH_FAILED;
		count_failure(s);
		record_result(s, i, RECORD_FAILED);
		observe(s, i, SCHED_FINISHED);
		block_users(s, i);
		return;
	}
	if (n->job == JOB_RUN && a->kind->inputs_after_run && !rekey(s, i)) {
		a->state = GRAPH_FAILED;
		free(a->failure);
		a->failure = xstrdup("its inputs could not be read after it ran");
		count_failure(s);
		observe(s, i, SCHED_FINISHED);
		block_users(s, i);
		return;
	}
	if (n->job == JOB_RUN && a->kind->inputs_after_run)
		explain_after_run(s, i);
	a->state = n->job == JOB_RESTORE ? GRAPH_RESTORED : GRAPH_RAN;
	if (n->job == JOB_RUN && !hash_is_zero(artifact)) {
		struct action_entry e = {a->output, artifact};
		action_cache_put(s->o->store, a->key, &e);
	}
	record_result(s, i, RECORD_OK);
	bool deferred = n->deferred;
	if (deferred || reveal(s, i)) {
		if (a->state == GRAPH_RAN)
			s->sum->ran++;
		else
			s->sum->restored++;
	}
	observe(s, i, SCHED_FINISHED);
	if (!deferred)
		resolve(s, i);
	n = &s->nodes[i];
	for (size_t k = 0; a->state != GRAPH_FAILED && k < n->nusers; k++) {
		struct node *u = &s->nodes[n->users[k]];
		if (u->wants_run && !u->queued && u->unmaterialized) {
			u->unmaterialized--;
			queue_when_ready(s, n->users[k]);
		}
	}
}

/* What deciding an action reads from the disk, read before any action is
 * decided and on -j threads at once: its record, its own inputs (a source
 * tree's stats) and, when its record says it was done, whether its output
 * directory is as recorded (the stats of an install prefix).  A no-op run
 * is little else.  An output found intact here and changed by the time the
 * action is decided would be changed by something outside the run. */
struct prepare {
	struct sched *s;
	atomic_size_t next;
	atomic_bool failed;    /* a record could not be read (reported) */
	atomic_bool bad_input; /* an action's own inputs could not (reported) */
};

struct prepare_thread {
	struct prepare *p;
	struct arena *arena;
	pthread_t thread;
};

/* Actions taken at a time: few enough to share the work evenly, enough
 * to keep the counter out of the way. */
#define PREPARE_BATCH 32

static void prepare_one(struct prepare *p, size_t i, struct arena *arena)
{
	struct sched *s = p->s;
	struct node *n = &s->nodes[i];
	struct graph_action *a = s->g->actions[i];
	const char *dir = a->kind->output_dir ? a->kind->output_dir(a) : NULL;
	/* An intermediate's record matters only if a dependent has to run:
	 * read_old reads it then. */
	if (!a->kind->intermediate || dir) {
		int found = record_get(s->o->store, a->identity, &n->old, NULL);
		if (found < 0) {
			atomic_store(&p->failed, true);
			return;
		}
		n->old_read = true;
		n->have_old = found == 1;
	}
	n->inputs.arena = arena;
	if (graph_inputs_own(a, &n->inputs) != 0) {
		atomic_store(&p->bad_input, true);
		return;
	}
	if (dir && n->have_old && n->old.status == RECORD_OK && !a->forced)
		check_output(s, i, dir);
}

static void *prepare_main(void *arg)
{
	struct prepare_thread *t = arg;
	struct prepare *p = t->p;
	size_t total = p->s->g->nactions;
	for (;;) {
		size_t from = atomic_fetch_add(&p->next, PREPARE_BATCH);
		if (from >= total || atomic_load(&p->failed))
			break;
		size_t to = from + PREPARE_BATCH < total ? from + PREPARE_BATCH : total;
		for (size_t i = from; i < to; i++)
			prepare_one(p, i, t->arena);
	}
	return NULL;
}

static int prepare_all(struct sched *s)
{
	struct prepare p = {.s = s};
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, false);
	atomic_init(&p.bad_input, false);
	/* A thread costs more than a few batches of work. */
	size_t want = s->o->jobs > 1 ? (size_t)s->o->jobs : 1;
	size_t most = s->g->nactions / (4 * PREPARE_BATCH) + 1;
	s->narenas = want < most ? want : most;
	s->arenas = xcalloc(s->narenas, sizeof(*s->arenas));
	struct prepare_thread *t = xcalloc(s->narenas, sizeof(*t));
	size_t started = 1;
	for (size_t k = 0; k < s->narenas; k++) {
		s->arenas[k] = (struct arena)ARENA_INIT;
		t[k] = (struct prepare_thread){&p, &s->arenas[k], 0};
	}
	/* Thread 0 is this one; one that cannot start leaves its share to
	 * the others. */
	for (size_t k = 1; k < s->narenas; k++) {
		if (pthread_create(&t[k].thread, NULL, prepare_main, &t[k]) != 0)
			break;
		started++;
	}
	prepare_main(&t[0]);
	for (size_t k = 1; k < started; k++)
		pthread_join(t[k].thread, NULL);
	free(t);
	return atomic_load(&p.failed) ? -1 : atomic_load(&p.bad_input) ? SCHED_BAD_INPUT : 0;
}

/* Users are the needs reversed: counted, then laid out in one array. */
static void build_users(struct sched *s)
{
	const struct graph *g = s->g;
	size_t nedges = 0;
	for (size_t i = 0; i < g->nactions; i++)
		nedges += g->dag.nodes[i].nneeds;
	for (size_t i = 0; i < g->nactions; i++) {
		const struct dag_node *d = &g->dag.nodes[i];
		for (size_t k = 0; k < d->nneeds; k++)
			s->nodes[d->needs[k]].nusers++;
	}
	s->users = xmalloc((nedges + 1) * sizeof(*s->users));
	for (size_t i = 0, at = 0; i < g->nactions; i++) {
		s->nodes[i].users = s->users + at;
		at += s->nodes[i].nusers;
		s->nodes[i].capusers = s->nodes[i].nusers;
		s->nodes[i].nusers = 0;
		s->nodes[i].nneeds = g->dag.nodes[i].nneeds;
	}
	for (size_t i = 0; i < g->nactions; i++) {
		const struct dag_node *d = &g->dag.nodes[i];
		for (size_t k = 0; k < d->nneeds; k++) {
			struct node *b = &s->nodes[d->needs[k]];
			b->users[b->nusers++] = i;
		}
	}
}

/* prepare's work for the actions a reveal added, from `from` on, on this
 * thread: a reveal adds few.  0, or -1 (reported). */
static int prepare_new(struct sched *s, size_t from)
{
	struct prepare p = {.s = s};
	atomic_init(&p.next, 0);
	atomic_init(&p.failed, false);
	atomic_init(&p.bad_input, false);
	for (size_t i = from; i < s->g->nactions; i++)
		prepare_one(&p, i, &s->arena);
	if (atomic_load(&p.failed))
		s->store_failed = true;
	return atomic_load(&p.failed) || atomic_load(&p.bad_input) ? -1 : 0;
}

/* The check that the actions can be ordered, needs first: a cycle is bad
 * input (reported). */
static int check_cycles(const struct graph *g)
{
	size_t *all = xmalloc((g->nactions + 1) * sizeof(*all));
	for (size_t i = 0; i < g->nactions; i++)
		all[i] = i;
	struct dag_order order;
	int rc = dag_order(&g->dag, all, g->nactions, &order);
	free(all);
	if (rc != 0) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t k = 0; k < order.ncycle; k++)
			strbuf_addf(&sb, "%s%s", k ? " -> " : "",
				    g->actions[order.cycle[k]]->identity);
		diag_error(NULL, 0, "the actions form a cycle: %s", sb.buf);
		strbuf_release(&sb);
	}
	dag_order_free(&order);
	return rc != 0 ? SCHED_BAD_INPUT : 0;
}

/* Gives ready action i to a free worker. */
static void start_job(struct sched *s, size_t i, enum pool pool)
{
	struct graph_action *a = s->g->actions[i];
	if (a->state != GRAPH_PENDING)
		return; /* blocked while it waited */
	if (s->nodes[i].job == JOB_RUN) {
		struct strbuf sb = STRBUF_INIT;
		free(a->log_path);
		a->log_path = xstrdup(log_name(s, a, &sb));
		strbuf_release(&sb);
	}
	observe(s, i, SCHED_STARTED);
	/* idle counts the workers whose last job was finished here; a worker
	 * that just ended one is free too, its job still in done.  The
	 * network pool's workers come after the others: a trace's rows say
	 * which pool ran what. */
	int first = pool == POOL_CPU ? 0 : s->nworkers - s->o->network_jobs;
	pthread_mutex_lock(&s->mu);
	struct ticket *t = xcalloc(1, sizeof(*t));
	*t = (struct ticket){.i = i, .a = a, .job = s->nodes[i].job, .cached = s->nodes[i].cached};
	for (int w = first; w < s->nworkers; w++) {
		if (!s->workers[w].ticket) {
			s->workers[w].ticket = t;
			pthread_cond_signal(&s->workers[w].wake);
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
	s->idle[pool]--;
	s->running++;
}

static void start_jobs(struct sched *s)
{
	for (enum pool p = 0; p < NPOOLS; p++)
		while (s->idle[p] && s->queues[p].n && !s->stop && !*s->o->interrupted)
			start_job(s, heap_pop(s, &s->queues[p]), p);
}

static void loop(struct sched *s)
{
	uint64_t last_flush = now_ns(CLOCK_MONOTONIC);
	const struct sched_observer *ob = s->o->observer;
	struct ticket **batch = NULL;
	size_t nbatch = 0, capbatch = 0;
	for (;;) {
		drain_work(s);
		start_jobs(s);
		if (!s->running)
			break;
		pthread_mutex_lock(&s->mu);
		if (!s->ndone) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 100000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&s->done_cv, &s->mu, &until);
		}
		if (s->ndone > capbatch) {
			capbatch = s->capdone;
			batch = xrealloc(batch, capbatch * sizeof(*batch));
		}
		nbatch = s->ndone;
		if (nbatch)
			memcpy(batch, s->done, nbatch * sizeof(*batch));
		s->ndone = 0;
		pthread_mutex_unlock(&s->mu);
		for (size_t k = 0; k < nbatch; k++)
			finish_job(s, batch[k]);
		if (ob && ob->tick)
			ob->tick(ob->ctx, &s->progress);
		if (now_ns(CLOCK_MONOTONIC) - last_flush > 1000000000u) {
			store_flush(s->o->store);
			last_flush = now_ns(CLOCK_MONOTONIC);
		}
	}
	free(batch);
}

int sched_run(struct graph *g, const struct sched_options *o, struct sched_summary *sum)
{
	struct sched s = {0};
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	*sum = (struct sched_summary){0};
	s.g = g;
	s.o = o;
	s.sum = sum;
	s.run_id = now_ns(CLOCK_REALTIME);
	s.capnodes = g->nactions + 1;
	s.nodes = xcalloc(s.capnodes, sizeof(*s.nodes));
	for (int p = 0; p < NPOOLS; p++)
		s.queues[p].v = xmalloc(s.capnodes * sizeof(*s.queues[p].v));
	s.undecided = g->nactions;
	for (size_t i = 0; i < g->nactions; i++) {
		g->actions[i]->state = GRAPH_PENDING;
		s.nodes[i].unresolved = g->dag.nodes[i].nneeds;
	}
	build_users(&s);
	int rc = check_cycles(g);
	if (rc == 0)
		rc = prepare_all(&s);
	if (rc == 0 && !o->dry_run) {
		int err = fs_mkdirs(o->logdir, 0777);
		if (err) {
			diag_error(o->logdir, 0, "cannot create the log directory: %s", strerror(err));
			rc = -1;
		}
	}
	bool started = rc == 0;
	if (started) {
		pthread_mutex_init(&s.mu, NULL);
		pthread_cond_init(&s.done_cv, NULL);
		s.idle[POOL_CPU] = o->dry_run ? 0 : (o->jobs > 0 ? o->jobs : 1);
		s.idle[POOL_NETWORK] = o->dry_run ? 0 : o->network_jobs;
		s.nworkers = s.idle[POOL_CPU] + s.idle[POOL_NETWORK];
		s.workers = xcalloc((size_t)s.nworkers + 1, sizeof(*s.workers));
		for (int w = 0; w < s.nworkers; w++) {
			s.workers[w] = (struct worker){.s = &s, .slot = (uint32_t)w};
			pthread_cond_init(&s.workers[w].wake, NULL);
			if (pthread_create(&s.workers[w].thread, NULL, worker_main, &s.workers[w]) != 0) {
				diag_error(NULL, 0, "cannot start a worker thread");
				pthread_cond_destroy(&s.workers[w].wake);
				s.nworkers = w;
				rc = -1;
				break;
			}
		}
		for (size_t i = 0; i < g->nactions && rc == 0; i++)
			if (!s.nodes[i].unresolved)
				push(&s.work, &s.nwork, &s.capwork, i);
		if (rc == 0)
			loop(&s);
		pthread_mutex_lock(&s.mu);
		s.shutdown = true;
		for (int w = 0; w < s.nworkers; w++)
			pthread_cond_signal(&s.workers[w].wake);
		pthread_mutex_unlock(&s.mu);
		for (int w = 0; w < s.nworkers; w++) {
			pthread_join(s.workers[w].thread, NULL);
			pthread_cond_destroy(&s.workers[w].wake);
		}
		pthread_cond_destroy(&s.done_cv);
		pthread_mutex_destroy(&s.mu);
		free(s.workers);
	}
	/* Actions a reveal brought that never became ready: a cycle among
	 * them is said, once, here. */
	for (size_t i = 0; started && s.grew && !*o->interrupted && i < g->nactions; i++) {
		if (!s.nodes[i].decided && g->actions[i]->state == GRAPH_PENDING) {
			if (check_cycles(g) != 0)
				sum->bad_input = true;
			break;
		}
	}
	for (size_t i = 0; started && i < g->nactions; i++) {
		struct graph_action *a = g->actions[i];
		if (a->state != GRAPH_PENDING)
			continue;
		if (s.nodes[i].deferred && !s.nodes[i].wants_run) {
			a->state = GRAPH_UNNEEDED;
			sum->skipped++;
		} else {
			a->state = GRAPH_BLOCKED;
			sum->blocked++;
		}
		observe(&s, i, SCHED_DECIDED);
	}
	if (started && !o->dry_run && store_flush(o->store) != 0)
		rc = -1;
	if (s.store_failed)
		rc = -1;
	sum->interrupted = *o->interrupted != 0;
	sum->elapsed_ns = now_ns(CLOCK_MONOTONIC) - t0;
	arena_free(&s.arena);
	for (size_t k = 0; k < s.narenas; k++)
		arena_free(&s.arenas[k]);
	free(s.arenas);
	for (size_t i = 0; i < g->nactions; i++)
		if (s.nodes[i].own_users)
			free(s.nodes[i].users);
	free(s.nodes);
	free(s.users);
	for (int p = 0; p < NPOOLS; p++)
		free(s.queues[p].v);
	free(s.work);
	free(s.done);
	if (rc != 0)
		return rc == SCHED_BAD_INPUT ? rc : -1;
	return sum->failed || sum->blocked ? 1 : 0;
}
