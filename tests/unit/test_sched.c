/*
 * Unit tests for graph/sched: the order actions start in (needs first, the
 * longest remaining path first, weighted by recorded durations, ties by
 * index), the skip rule and early cutoff, intermediates, restores from the
 * CAS, -k, dry runs, explain's words, interruption, cycles, real
 * parallelism, actions that reveal more graph as they finish, and what the
 * observer hears.  The kinds are fakes that record
 * the order they ran in; the store, the CAS and the logs are real, in a
 * temporary directory per test.  Each graph is built anew for each run, as
 * each minimerge run builds its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../graph/sched.h"
#include "../../lib/archive_lib.h"
#include "../../lib/fsutil.h"
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One fake action: what its kind reads and what its run does. */
struct act {
	const struct graph_kind *kind;
	const char *name;  /* its identity */
	const char *needs; /* space-separated names of what it needs, or NULL */
	const char *after; /* the name of an action it runs after (order only), or NULL */
	const char *opt;   /* the text input "option:mode", or NULL: none */
	int sleep_ms;      /* how long its run takes */
	bool fail;         /* its run fails */
	bool interrupt;    /* its run sets *interrupted, then fails */
	bool broken;       /* an intermediate whose work is gone (intact() false) */
	int intact_calls;  /* how often intact() asked */
	bool bad_inputs;   /* its kind cannot read its inputs */
	bool no_output;    /* a dir kind's run succeeds without making its dir */
	const char *content; /* what a dir kind writes into dir/file */
	int *made;           /* checkout kind: the revision its inputs read (0: none) */
	int upstream;        /* checkout kind: the revision its run checks out */
	char dir[160];       /* a dir kind's output directory */

	/* Set by build() and the run. */
	struct graph_action *ga;
	struct act *need[8];
	size_t nneed;
	bool done;          /* its run ended (guarded by the log's mutex) */
	bool needs_unready; /* it started before one of its needs' runs ended */
	/* What the observer heard of it. */
	int started, finished, decided, commands;
};

/* What the runs did, in the order they started. */
static struct {
	pthread_mutex_t mu;
	char order[4096];
	int runs, running, max_running;
	int net_running, max_net; /* of network kinds */
	volatile sig_atomic_t *interrupted;
} ran = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void log_reset(void)
{
	pthread_mutex_lock(&ran.mu);
	ran.order[0] = 0;
	ran.runs = ran.running = ran.max_running = 0;
	ran.net_running = ran.max_net = 0;
	pthread_mutex_unlock(&ran.mu);
}

static void nap(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int fake_inputs(struct graph_action *a, struct graph_inputs *in)
{
	const struct act *x = a->data;
	if (x->bad_inputs)
		return -1;
	if (x->opt)
		graph_input_text(in, "option:mode", x->opt);
	return 0;
}

static int checkout_inputs(struct graph_action *a, struct graph_inputs *in)
{
	const struct act *x = a->data;
	char rev[32] = "none";
	if (*x->made)
		snprintf(rev, sizeof(rev), "rev %d", *x->made);
	graph_input_text(in, "source", rev);
	return fake_inputs(a, in);
}

static int fake_run(struct graph_action *a, struct graph_job *job)
{
	struct act *x = a->data;
	if (x->made)
		*x->made = x->upstream;
	pthread_mutex_lock(&ran.mu);
	if (ran.order[0])
		strcat(ran.order, " ");
	strcat(ran.order, x->name);
	ran.runs++;
	if (++ran.running > ran.max_running)
		ran.max_running = ran.running;
	if (a->kind->network && ++ran.net_running > ran.max_net)
		ran.max_net = ran.net_running;
	for (size_t k = 0; k < x->nneed; k++)
		if (!x->need[k]->done)
			x->needs_unready = true;
	pthread_mutex_unlock(&ran.mu);

	const char *argv[] = {"fake", x->name, "it's", NULL};
	graph_job_command(job, argv);
	if (x->sleep_ms)
		nap(x->sleep_ms);
	int rc = 0;
	if (x->interrupt) {
		*ran.interrupted = 1;
		graph_job_fail(job, "killed");
		rc = -1;
	} else if (x->fail) {
		graph_job_fail(job, "%s: exit status %d", x->name, 2);
		rc = -1;
	} else if (a->kind->output_dir && !x->no_output) {
		char path[200];
		snprintf(path, sizeof(path), "%s/file", x->dir);
		if (fs_mkdirs(x->dir, 0777) != 0 ||
		    fs_write_atomic(path, x->content, strlen(x->content), 0644) != 0) {
			graph_job_fail(job, "cannot write %s", path);
			rc = -1;
		}
	}

	pthread_mutex_lock(&ran.mu);
	x->done = true;
	ran.running--;
	ran.net_running -= a->kind->network;
	pthread_mutex_unlock(&ran.mu);
	return rc;
}

static const char *fake_output_dir(const struct graph_action *a)
{
	const struct act *x = a->data;
	return x->dir;
}

static bool fake_intact(const struct graph_action *a)
{
	struct act *x = a->data;
	x->intact_calls++;
	return !x->broken;
}

/* Its output is its key. */
static const struct graph_kind plain = {
	.name = "plain", .version = 1, .inputs = fake_inputs, .run = fake_run,
};
/* Its output is a directory, packed into the CAS. */
static const struct graph_kind dirkind = {
	.name = "dir", .version = 1, .inputs = fake_inputs, .run = fake_run,
	.output_dir = fake_output_dir,
};
/* A checkout: its run makes what its inputs read. */
static const struct graph_kind checkout = {
	.name = "checkout", .version = 1, .inputs = checkout_inputs, .run = fake_run,
	.inputs_after_run = true,
};
/* A download: waits on the network, in slots of its own. */
static const struct graph_kind net = {
	.name = "net", .version = 1, .inputs = fake_inputs, .run = fake_run, .network = true,
};
/* A build directory: runs only for a user that must run. */
static const struct graph_kind inter = {
	.name = "inter", .version = 1, .intermediate = true, .inputs = fake_inputs,
	.run = fake_run, .intact = fake_intact,
};

/* What the reveal kind's action brings when its output is on disk: acts
 * whose needs name each other or the graph's first acts, and an act of
 * those that then needs each of them. */
static struct {
	struct act *acts, *base;
	size_t n, nbase;
	struct act *user;
	bool fail;
	bool added; /* to this graph: a later run of it adds nothing */
	int calls;
} more;

static struct act *find(struct act *acts, size_t n, const char *name, size_t len);

static int reveal_more(struct graph_action *a, struct graph *g)
{
	(void)a;
	more.calls++;
	if (more.fail)
		return -1;
	if (more.added)
		return 0;
	more.added = true;
	for (size_t i = 0; i < more.n; i++) {
		struct act *x = &more.acts[i];
		x->ga = graph_add_action(g, x->kind, x->name, x);
		x->nneed = 0;
		x->done = x->needs_unready = false;
		x->started = x->finished = x->decided = x->commands = 0;
		graph_add_need(g, more.user->ga, x->ga);
		/* So that the user's run checks it started after this one ended. */
		more.user->need[more.user->nneed++] = x;
	}
	for (size_t i = 0; i < more.n; i++) {
		const char *p = more.acts[i].needs;
		while (p && *p) {
			size_t len = strcspn(p, " ");
			bool here = false;
			for (size_t k = 0; k < more.n; k++)
				here |= strlen(more.acts[k].name) == len &&
					!strncmp(more.acts[k].name, p, len);
			struct act *b = here ? find(more.acts, more.n, p, len)
					     : find(more.base, more.nbase, p, len);
			graph_add_need(g, more.acts[i].ga, b->ga);
			more.acts[i].need[more.acts[i].nneed++] = b;
			p += len;
			p += strspn(p, " ");
		}
	}
	return 0;
}

/* A fetch of a package whose buildout's parts are known once it is on
 * disk. */
static const struct graph_kind revealer = {
	.name = "revealer", .version = 1, .inputs = fake_inputs, .run = fake_run,
	.reveal = reveal_more, .reveals = "its parts",
};

struct fix {
	char dir[64];
	char db[96], cas[96], logs[96];
	struct store *store;
	volatile sig_atomic_t interrupted;
	struct graph g;
	struct sched_summary sum;
	double ms; /* how long the last sched_run took */
	int network_jobs; /* sched_options.network_jobs of the runs */
	/* What the observer saw. */
	pthread_t main_thread;
	bool off_main;   /* an event or a tick came on another thread */
	bool bad_progress; /* finished > total */
	struct sched_progress last;
	int ticks;
};

static void on_event(void *ctx, const struct graph_action *a, enum sched_event ev,
		     const struct sched_progress *pr)
{
	struct fix *f = ctx;
	struct act *x = a->data;
	if (!pthread_equal(pthread_self(), f->main_thread))
		f->off_main = true;
	if (pr->finished > pr->total)
		f->bad_progress = true;
	f->last = *pr;
	if (ev == SCHED_STARTED)
		x->started++;
	else if (ev == SCHED_FINISHED)
		x->finished++;
	else
		x->decided++;
}

static void on_command(void *ctx, const struct graph_action *a, const char *cmdline)
{
	(void)ctx;
	struct act *x = a->data;
	pthread_mutex_lock(&ran.mu);
	if (!strncmp(cmdline, "fake ", 5))
		x->commands++;
	pthread_mutex_unlock(&ran.mu);
}

static void on_tick(void *ctx, const struct sched_progress *pr)
{
	struct fix *f = ctx;
	if (!pthread_equal(pthread_self(), f->main_thread))
		f->off_main = true;
	if (pr->finished > pr->total)
		f->bad_progress = true;
	f->ticks++;
}

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));
	if (testutil_mkdtemp(f->dir, sizeof(f->dir), "test_sched") < 0) {
		free(f);
		return -1;
	}
	snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
	snprintf(f->cas, sizeof(f->cas), "%s/cas", f->dir);
	snprintf(f->logs, sizeof(f->logs), "%s/logs", f->dir);
	f->store = store_open(f->db);
	if (!f->store) {
		testutil_remove_tree(f->dir);
		free(f);
		return -1;
	}
	f->g = (struct graph)GRAPH_INIT;
	ran.interrupted = &f->interrupted;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	graph_free(&f->g);
	store_close(f->store);
	int rc = testutil_remove_tree(f->dir);
	free(f);
	return rc;
}

static struct act *find(struct act *acts, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(acts[i].name) == len && !strncmp(acts[i].name, name, len))
			return &acts[i];
	fail_msg("no action %.*s", (int)len, name);
	return NULL;
}

/* A new graph of acts, in their order (so an act's index is its
 * action's), as a new run of minimerge would build it. */
static void build(struct fix *f, struct act *acts, size_t n)
{
	graph_free(&f->g);
	more.added = false;
	more.calls = 0;
	for (size_t i = 0; i < n; i++) {
		struct act *x = &acts[i];
		if (x->kind == &dirkind && !x->dir[0])
			snprintf(x->dir, sizeof(x->dir), "%s/out/%s", f->dir, x->name);
		if (!x->content)
			x->content = "same";
		x->ga = graph_add_action(&f->g, x->kind, x->name, x);
		x->nneed = 0;
		x->done = x->needs_unready = false;
		x->started = x->finished = x->decided = x->commands = 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *p = acts[i].needs;
		while (p && *p) {
			size_t len = strcspn(p, " ");
			struct act *b = find(acts, n, p, len);
			assert_true(acts[i].nneed < sizeof(acts[i].need) / sizeof(acts[i].need[0]));
			graph_add_need(&f->g, acts[i].ga, b->ga);
			acts[i].need[acts[i].nneed++] = b;
			p += len;
			p += strspn(p, " ");
		}
		if (acts[i].after) {
			struct act *b = find(acts, n, acts[i].after, strlen(acts[i].after));
			graph_add_order(&f->g, acts[i].ga, b->ga);
			acts[i].need[acts[i].nneed++] = b;
		}
	}
}

static int run_opts(struct fix *f, int jobs, int keep_going, bool dry)
{
	log_reset();
	f->main_thread = pthread_self();
	const struct sched_observer ob = {.ctx = f, .event = on_event, .command = on_command, .tick = on_tick};
	struct sched_options o = {
		.store = f->store,
		.casdir = f->cas,
		.logdir = f->logs,
		.jobs = jobs,
		.network_jobs = f->network_jobs,
		.keep_going = keep_going,
		.dry_run = dry,
		.interrupted = &f->interrupted,
		.observer = &ob,
	};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = sched_run(&f->g, &o, &f->sum);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_false(f->off_main);
	assert_false(f->bad_progress);
	f->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return rc;
}

/* Builds a new graph of acts and runs it with -j jobs. */
static int run(struct fix *f, struct act *acts, size_t n, int jobs)
{
	build(f, acts, n);
	return run_opts(f, jobs, 0, false);
}

#define RUN(f, acts, jobs) run((f), (acts), sizeof(acts) / sizeof((acts)[0]), (jobs))

static const char *state_name(enum graph_state s)
{
	static const char *const names[] = {
		"PENDING", "SKIPPED", "UNNEEDED", "RESTORED",
		"RAN",     "FAILED",  "BLOCKED",  "WOULD_RUN",
	};
	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

#define expect_state(x, st) expect_state_((x), (st), __FILE__, __LINE__)
static void expect_state_(const struct act *x, enum graph_state st, const char *file, int line)
{
	if (x->ga->state != st) {
		print_error("%s:%d: %s is %s, not %s\n", file, line, x->name,
			    state_name(x->ga->state), state_name(st));
		fail();
	}
}

#define expect_reason(x, r) expect_reason_((x), (r), __FILE__, __LINE__)
static void expect_reason_(const struct act *x, const char *reason, const char *file, int line)
{
	const char *got = x->ga->reason;
	if (!got || strcmp(got, reason)) {
		print_error("%s:%d: %s's reason is \"%s\", not \"%s\"\n", file, line, x->name,
			    got ? got : "(null)", reason);
		fail();
	}
}

#define expect_order(o) expect_order_((o), __FILE__, __LINE__)
static void expect_order_(const char *order, const char *file, int line)
{
	if (strcmp(ran.order, order)) {
		print_error("%s:%d: the runs were \"%s\", not \"%s\"\n", file, line, ran.order,
			    order);
		fail();
	}
}

/* 1. Order */

static void test_order_longest_path_first(void **state)
{
	struct fix *f = *state;
	/* s is short and first; c1 heads a chain of three: c1, c2, then s and
	 * c3 tie on a 1 ms remaining path and s has the lower index. */
	struct act acts[] = {
		{.kind = &plain, .name = "s"},
		{.kind = &plain, .name = "c3", .needs = "c2"},
		{.kind = &plain, .name = "c2", .needs = "c1"},
		{.kind = &plain, .name = "c1"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("c1 c2 s c3");
	assert_int_equal(f->sum.ran, 4);
	for (size_t i = 0; i < 4; i++)
		expect_state(&acts[i], GRAPH_RAN);
}

static void test_order_ties_by_index(void **state)
{
	struct fix *f = *state;
	/* Equal paths: the earlier action first, whatever its name. */
	struct act acts[] = {
		{.kind = &plain, .name = "z"},
		{.kind = &plain, .name = "b"},
		{.kind = &plain, .name = "y"},
		{.kind = &plain, .name = "a"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("z b y a");
}

static void test_order_needs_first_in_parallel(void **state)
{
	struct fix *f = *state;
	/* Diamonds and a chain, -j4: no action starts before all it needs ended. */
	struct act acts[] = {
		{.kind = &plain, .name = "top", .needs = "l r x3", .sleep_ms = 2},
		{.kind = &plain, .name = "l", .needs = "base", .sleep_ms = 5},
		{.kind = &plain, .name = "r", .needs = "base", .sleep_ms = 1},
		{.kind = &plain, .name = "base", .sleep_ms = 3},
		{.kind = &plain, .name = "x1", .sleep_ms = 2},
		{.kind = &plain, .name = "x2", .needs = "x1", .sleep_ms = 2},
		{.kind = &plain, .name = "x3", .needs = "x2 base", .sleep_ms = 2},
		{.kind = &plain, .name = "lone", .sleep_ms = 4},
	};
	assert_int_equal(RUN(f, acts, 4), 0);
	assert_int_equal(ran.runs, 8);
	for (size_t i = 0; i < 8; i++) {
		expect_state(&acts[i], GRAPH_RAN);
		if (acts[i].needs_unready)
			fail_msg("%s started before what it needs ended", acts[i].name);
	}
	/* The last to start is the one that needs the most. */
	assert_string_equal(ran.order + strlen(ran.order) - 3, "top");
}

/* 2. Priorities from recorded durations */

static void test_order_uses_durations(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "c1", .sleep_ms = 1},
		{.kind = &plain, .name = "c2", .needs = "c1", .sleep_ms = 1},
		{.kind = &plain, .name = "c3", .needs = "c2", .sleep_ms = 1},
		{.kind = &plain, .name = "x", .sleep_ms = 50},
	};
	/* Never run: 1 ms each, so the chain of three goes first. */
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("c1 c2 c3 x");
	assert_true(acts[3].ga->duration_ns >= 50000000u);
	/* Now x is known to take 50 ms, more than the whole chain. */
	build(f, acts, 4);
	for (size_t i = 0; i < 4; i++)
		acts[i].ga->forced = true;
	assert_int_equal(run_opts(f, 1, 0, false), 0);
	expect_order("x c1 c2 c3");
	assert_int_equal(f->sum.ran, 4);
}

/* 3. The skip rule and early cutoff */

static void test_skip_and_rerun_what_changed(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "a", .opt = "1"},
		{.kind = &plain, .name = "b", .needs = "a", .opt = "1"},
		{.kind = &plain, .name = "c", .needs = "b", .opt = "1"},
		{.kind = &plain, .name = "d", .opt = "1"},
		{.kind = &plain, .name = "e", .needs = "d", .opt = "1"},
	};
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(f->sum.ran, 5);

	/* The same inputs: nothing runs. */
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(ran.runs, 0);
	assert_int_equal(f->sum.skipped, 5);
	assert_int_equal(f->sum.ran, 0);
	for (size_t i = 0; i < 5; i++) {
		expect_state(&acts[i], GRAPH_SKIPPED);
		assert_null(acts[i].ga->reason);
		assert_null(acts[i].ga->log_path);
		assert_int_equal(acts[i].decided, 1);
		assert_int_equal(acts[i].started, 0);
	}

	/* b's option: b and what needs it, nothing else. */
	acts[1].opt = "2";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("b c");
	expect_state(&acts[0], GRAPH_SKIPPED);
	expect_state(&acts[1], GRAPH_RAN);
	expect_state(&acts[2], GRAPH_RAN);
	expect_state(&acts[3], GRAPH_SKIPPED);
	expect_state(&acts[4], GRAPH_SKIPPED);
	expect_reason(&acts[1], "option mode changed (1 -> 2)");
	expect_reason(&acts[2], "dependency b changed");
	assert_int_equal(f->sum.ran, 2);
	assert_int_equal(f->sum.skipped, 3);

	/* And that was recorded: all skipped again. */
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	assert_int_equal(f->sum.skipped, 5);
}

static void test_early_cutoff(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &dirkind, .name = "a", .opt = "1", .content = "same"},
		{.kind = &plain, .name = "b", .needs = "a", .opt = "1"},
		{.kind = &plain, .name = "c", .needs = "b", .opt = "1"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("a b c");
	struct hash128 out = acts[0].ga->output;
	assert_false(hash_equal(out, acts[0].ga->key));

	/* a's input changed, it runs, makes the same tree: b and c skip. */
	acts[0].opt = "2";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("a");
	expect_state(&acts[0], GRAPH_RAN);
	expect_state(&acts[1], GRAPH_SKIPPED);
	expect_state(&acts[2], GRAPH_SKIPPED);
	assert_true(hash_equal(acts[0].ga->output, out));

	/* A different tree does reach them. */
	acts[0].opt = "3";
	acts[0].content = "other";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("a b c");
	assert_false(hash_equal(acts[0].ga->output, out));
	expect_reason(&acts[1], "dependency a changed");
}

static void test_output_modified_reruns(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &dirkind, .name = "a", .opt = "1"},
		{.kind = &plain, .name = "b", .needs = "a"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/file", acts[0].dir);
	assert_int_equal(fs_write_atomic(path, "meddled", 7, 0644), 0);
	/* Not skipped: restored from the cache, as it was. */
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_RESTORED);
	expect_reason(&acts[0], "restored from cache (output modified)");
	expect_state(&acts[1], GRAPH_SKIPPED);
	char *got = testutil_read_file(path, NULL);
	assert_string_equal(got, "same");
	free(got);
}

/* 4. Intermediates */

static void test_intermediate(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &inter, .name = "i", .opt = "1"},
		{.kind = &plain, .name = "u", .needs = "i", .opt = "1"},
		{.kind = &plain, .name = "other"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("i u other");
	expect_state(&acts[0], GRAPH_RAN);

	/* Nothing changed: its work on disk is not even looked at. */
	acts[0].intact_calls = 0;
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_UNNEEDED);
	assert_int_equal(acts[0].intact_calls, 0);

	/* Its work is gone, but its user skips: it is not needed. */
	acts[0].broken = true;
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_UNNEEDED);
	expect_state(&acts[1], GRAPH_SKIPPED);
	expect_state(&acts[2], GRAPH_SKIPPED);

	/* The same, dry. */
	build(f, acts, 3);
	assert_int_equal(run_opts(f, 1, 0, true), 0);
	expect_state(&acts[0], GRAPH_UNNEEDED);
	expect_state(&acts[1], GRAPH_SKIPPED);
	assert_int_equal(f->sum.would_run, 0);

	/* Its user must run: it runs first, to remake its work. */
	acts[1].opt = "2";
	build(f, acts, 3);
	assert_int_equal(run_opts(f, 1, 0, true), 0);
	expect_state(&acts[0], GRAPH_WOULD_RUN);
	expect_state(&acts[1], GRAPH_WOULD_RUN);
	expect_reason(&acts[0], "output missing");
	assert_int_equal(ran.runs, 0);
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("i u");
	expect_state(&acts[0], GRAPH_RAN);
	expect_state(&acts[1], GRAPH_RAN);
	expect_reason(&acts[0], "output missing");
	expect_reason(&acts[1], "option mode changed (1 -> 2)");

	/* Intact, with its user forced: it is skipped, not rerun. */
	acts[0].broken = false;
	acts[0].intact_calls = 0;
	build(f, acts, 3);
	acts[1].ga->forced = true;
	assert_int_equal(run_opts(f, 1, 0, false), 0);
	expect_order("u");
	expect_state(&acts[0], GRAPH_SKIPPED);
	assert_int_equal(acts[0].intact_calls, 1);
}

#define expect_after_run(x, r) expect_after_run_((x), (r), __FILE__, __LINE__)
static void expect_after_run_(const struct act *x, const char *reason, const char *file,
			      int line)
{
	const char *got = x->ga->reason_after_run;
	if (!got || strcmp(got, reason)) {
		print_error("%s:%d: %s's reason after its run is \"%s\", not \"%s\"\n", file,
			    line, x->name, got ? got : "(null)", reason);
		fail();
	}
}

/* Its key is what its inputs read after it ran: the next run finds the
 * same and runs nothing, its user included. */
static void test_inputs_after_run(void **state)
{
	struct fix *f = *state;
	int made = 0;
	struct act acts[] = {
		{.kind = &checkout, .name = "co", .made = &made, .upstream = 1},
		{.kind = &plain, .name = "u", .needs = "co"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("co u");
	assert_int_equal(made, 1);
	expect_after_run(&acts[0], "new");
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_SKIPPED);
	expect_state(&acts[1], GRAPH_SKIPPED);
	/* What it made is gone: it runs, makes the same again, and its user
	 * skips. */
	made = 0;
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("co");
	expect_reason(&acts[0], "source changed (rev 1 -> none)");
	expect_after_run(&acts[0], "as last time");
	expect_state(&acts[1], GRAPH_SKIPPED);
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	/* Gone again, and the branch moved meanwhile: what it makes is new,
	 * and its user, which sees the key after the run, runs. */
	made = 0;
	acts[0].upstream = 2;
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("co u");
	expect_reason(&acts[0], "source changed (rev 1 -> none)");
	expect_after_run(&acts[0], "source changed (rev 1 -> rev 2)");
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
}

static void test_intermediate_chain(void **state)
{
	struct fix *f = *state;
	/* An intermediate that needs another: both run, in order, for the
	 * user that must; none when it need not. */
	struct act acts[] = {
		{.kind = &plain, .name = "u", .needs = "i2", .opt = "1"},
		{.kind = &inter, .name = "i2", .needs = "i1"},
		{.kind = &inter, .name = "i1"},
	};
	assert_int_equal(RUN(f, acts, 2), 0);
	expect_order("i1 i2 u");
	acts[1].broken = acts[2].broken = true;
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[1], GRAPH_UNNEEDED);
	expect_state(&acts[2], GRAPH_UNNEEDED);
	acts[0].opt = "2";
	assert_int_equal(RUN(f, acts, 2), 0);
	expect_order("i1 i2 u");
}

static void test_intermediate_without_users(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {{.kind = &inter, .name = "i"}};
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_UNNEEDED);
}

/* 5. Restore */

static void test_restore(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &dirkind, .name = "d", .opt = "1", .content = "payload"},
		{.kind = &plain, .name = "u", .needs = "d"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("d u");
	struct hash128 out = acts[0].ga->output;
	assert_int_equal(fs_remove_tree(acts[0].dir, NULL), 0);

	/* Dry: it would be restored, its user would not run. */
	build(f, acts, 2);
	assert_int_equal(run_opts(f, 1, 0, true), 0);
	expect_state(&acts[0], GRAPH_WOULD_RUN);
	expect_reason(&acts[0], "restored from cache (output missing)");
	expect_state(&acts[1], GRAPH_SKIPPED);
	assert_int_equal(f->sum.would_run, 1);
	assert_int_equal(access(acts[0].dir, F_OK), -1);

	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_RESTORED);
	expect_state(&acts[1], GRAPH_SKIPPED);
	assert_int_equal(f->sum.restored, 1);
	assert_true(hash_equal(acts[0].ga->output, out));
	char path[256];
	snprintf(path, sizeof(path), "%s/file", acts[0].dir);
	char *got = testutil_read_file(path, NULL);
	assert_non_null(got);
	assert_string_equal(got, "payload");
	free(got);

	/* Recorded: intact now, so skipped. */
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_state(&acts[0], GRAPH_SKIPPED);

	/* Gone from the CAS as well: it runs. */
	assert_int_equal(fs_remove_tree(acts[0].dir, NULL), 0);
	assert_int_equal(fs_remove_tree(f->cas, NULL), 0);
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("d");
	expect_state(&acts[0], GRAPH_RAN);
	expect_state(&acts[1], GRAPH_SKIPPED);
	got = testutil_read_file(path, NULL);
	assert_string_equal(got, "payload");
	free(got);
}

/* 6. -k */

static void test_keep_going_1_stops(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "f", .fail = true},
		{.kind = &plain, .name = "x"},
		{.kind = &plain, .name = "y"},
		{.kind = &plain, .name = "z"},
	};
	build(f, acts, 4);
	assert_int_equal(run_opts(f, 1, 1, false), 1);
	expect_order("f");
	expect_state(&acts[0], GRAPH_FAILED);
	assert_non_null(acts[0].ga->failure);
	assert_string_equal(acts[0].ga->failure, "f: exit status 2");
	for (size_t i = 1; i < 4; i++)
		expect_state(&acts[i], GRAPH_BLOCKED);
	assert_int_equal(f->sum.failed, 1);
	assert_int_equal(f->sum.blocked, 3);
	assert_int_equal(f->sum.ran, 0);
}

static void test_keep_going_2(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "f1", .fail = true},
		{.kind = &plain, .name = "x"},
		{.kind = &plain, .name = "f2", .fail = true},
		{.kind = &plain, .name = "y"},
	};
	build(f, acts, 4);
	assert_int_equal(run_opts(f, 1, 2, false), 1);
	expect_order("f1 x f2");
	expect_state(&acts[1], GRAPH_RAN);
	expect_state(&acts[3], GRAPH_BLOCKED);
	assert_int_equal(f->sum.failed, 2);
}

static void test_keep_going_0_runs_the_rest(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "f", .fail = true},
		{.kind = &plain, .name = "u", .needs = "f"},
		{.kind = &plain, .name = "w", .needs = "u x"},
		{.kind = &plain, .name = "x"},
		{.kind = &plain, .name = "y", .needs = "x"},
		{.kind = &plain, .name = "z"},
		{.kind = &inter, .name = "i"},
		{.kind = &plain, .name = "v", .needs = "i f"},
	};
	build(f, acts, 8);
	assert_int_equal(run_opts(f, 2, 0, false), 1);
	expect_state(&acts[0], GRAPH_FAILED);
	expect_state(&acts[1], GRAPH_BLOCKED);
	expect_state(&acts[2], GRAPH_BLOCKED);
	expect_state(&acts[3], GRAPH_RAN);
	expect_state(&acts[4], GRAPH_RAN);
	expect_state(&acts[5], GRAPH_RAN);
	expect_state(&acts[7], GRAPH_BLOCKED);
	assert_int_equal(f->sum.failed, 1);
	assert_int_equal(f->sum.ran, 3);
	assert_int_equal(ran.runs, 4);
	/* The failure is recorded: it runs again with the same inputs. */
	acts[0].fail = false;
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_reason(&acts[0], "failed last time");
	expect_state(&acts[3], GRAPH_SKIPPED);
	expect_state(&acts[2], GRAPH_RAN);
}

/* An action whose own inputs cannot be read (a source that is not there)
 * is bad input, found before anything runs: nothing runs, nothing is
 * recorded. */
static void test_inputs_failure_runs_nothing(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "x"},
		{.kind = &plain, .name = "bad", .bad_inputs = true},
		{.kind = &plain, .name = "u", .needs = "bad"},
	};
	build(f, acts, 3);
	assert_int_equal(run_opts(f, 2, 0, false), SCHED_BAD_INPUT);
	assert_int_equal(ran.runs, 0);
	assert_int_equal(acts[0].started + acts[0].decided, 0);
	assert_int_equal(f->sum.ran + f->sum.skipped + f->sum.failed + f->sum.blocked, 0);
	build(f, acts, 3);
	assert_int_equal(run_opts(f, 2, 0, true), SCHED_BAD_INPUT);
	acts[1].bad_inputs = false;
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 3);
	expect_reason(&acts[0], "new");
}

static void test_dir_kind_made_nothing(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &dirkind, .name = "d", .no_output = true},
		{.kind = &plain, .name = "u", .needs = "d"},
	};
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_order("d");
	expect_state(&acts[0], GRAPH_FAILED);
	char want[256];
	snprintf(want, sizeof(want), "it made no %s", acts[0].dir);
	assert_string_equal(acts[0].ga->failure, want);
	expect_state(&acts[1], GRAPH_BLOCKED);
	acts[0].no_output = false;
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("d u");
	expect_reason(&acts[0], "failed last time");
}

static void test_failed_intermediate_blocks_its_user(void **state)
{
	struct fix *f = *state;
	/* u must run, so i must; i fails: u, waiting for it, is blocked, and
	 * the observer hears so at once. */
	struct act acts[] = {
		{.kind = &inter, .name = "i", .fail = true},
		{.kind = &plain, .name = "u", .needs = "i"},
		{.kind = &plain, .name = "x"},
	};
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_order("i x");
	expect_state(&acts[0], GRAPH_FAILED);
	expect_state(&acts[1], GRAPH_BLOCKED);
	assert_int_equal(acts[1].decided, 1);
	expect_state(&acts[2], GRAPH_RAN);
	assert_int_equal(f->sum.blocked, 1);
	assert_int_equal(f->sum.failed, 1);
}

/* BUG (the observer's contract): sched.h says SCHED_DECIDED is for
 * "skipped, unneeded, blocked or would-run" actions, but an intermediate
 * left UNNEEDED and an action BLOCKED because a need failed before it was
 * decided (or because the run stopped) are only set in sched_run's final
 * loop, after the loop: the observer never hears of them. */
static void test_observer_hears_every_action(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &inter, .name = "i"},
		{.kind = &plain, .name = "u", .needs = "i"},
		{.kind = &plain, .name = "f", .fail = true},
		{.kind = &plain, .name = "w", .needs = "f", .sleep_ms = 5},
		{.kind = &plain, .name = "x"},
	};
	/* w is blocked by f before it is decided. */
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_state(&acts[3], GRAPH_BLOCKED);
	bool silent = acts[3].decided + acts[3].finished == 0;
	acts[0].broken = true;
	acts[2].fail = false;
	acts[2].opt = "1";
	acts[3].fail = true;
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_state(&acts[0], GRAPH_UNNEEDED);
	expect_state(&acts[1], GRAPH_SKIPPED);
	expect_state(&acts[2], GRAPH_RAN);
	expect_state(&acts[3], GRAPH_FAILED);
	expect_state(&acts[4], GRAPH_SKIPPED);
	/* Once more, w (the longest, 5 ms last time) failing with -k 1, and x
	 * to run: x is never started. */
	acts[4].opt = "1";
	build(f, acts, 5);
	assert_int_equal(run_opts(f, 1, 1, false), 1);
	expect_order("w");
	expect_state(&acts[0], GRAPH_UNNEEDED);
	expect_state(&acts[3], GRAPH_FAILED);
	expect_state(&acts[4], GRAPH_BLOCKED);
	for (size_t i = 0; i < 5; i++) {
		const struct act *x = &acts[i];
		if (x->decided + x->finished != 1) {
			print_error("%s (%s): the observer heard %d decided and %d finished\n",
				    x->name, state_name(x->ga->state), x->decided, x->finished);
			silent = true;
		}
	}
	if (silent)
		print_error("w (BLOCKED) in the first run: the observer heard nothing\n");
	assert_false(silent);
}

/* 7. Dry run */

static void test_dry_run(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "a", .opt = "1"},
		{.kind = &plain, .name = "b", .needs = "a"},
		{.kind = &plain, .name = "c"},
	};
	build(f, acts, 3);
	assert_int_equal(run_opts(f, 2, 0, true), 0);
	assert_int_equal(ran.runs, 0);
	for (size_t i = 0; i < 3; i++) {
		expect_state(&acts[i], GRAPH_WOULD_RUN);
		expect_reason(&acts[i], "new");
	}
	assert_int_equal(f->sum.would_run, 3);
	assert_int_equal(f->sum.ran, 0);
	/* Nothing written: no logs, no records. */
	assert_int_equal(access(f->logs, F_OK), -1);
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("a b c");
	expect_reason(&acts[1], "new");
	assert_false(f->sum.bad_input);

	acts[0].opt = "two words";
	build(f, acts, 3);
	assert_int_equal(run_opts(f, 1, 0, true), 0);
	assert_int_equal(ran.runs, 0);
	expect_state(&acts[0], GRAPH_WOULD_RUN);
	expect_reason(&acts[0], "option mode changed (1 -> two words)");
	expect_state(&acts[1], GRAPH_WOULD_RUN);
	expect_reason(&acts[1], "dependency a changed");
	expect_state(&acts[2], GRAPH_SKIPPED);
	assert_int_equal(f->sum.would_run, 2);
	assert_int_equal(f->sum.skipped, 1);

	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("a b");
	expect_reason(&acts[0], "option mode changed (1 -> two words)");
}

/* 8. Explain's words */

static void test_explain_words(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "a", .opt = "1"},
		{.kind = &plain, .name = "b", .needs = "a"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_reason(&acts[0], "new");
	expect_reason(&acts[1], "new");
	assert_non_null(acts[0].ga->log_path);
	char *log = testutil_read_file(acts[0].ga->log_path, NULL);
	assert_non_null(log);
	assert_string_equal(log, "$ fake a 'it'\\''s'\n");
	free(log);

	/* Forced, the same key: its output is the same, b skips. */
	build(f, acts, 2);
	acts[0].ga->forced = true;
	assert_int_equal(run_opts(f, 1, 0, false), 0);
	expect_order("a");
	expect_reason(&acts[0], "forced");
	expect_state(&acts[1], GRAPH_SKIPPED);

	acts[0].opt = "2";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_reason(&acts[0], "option mode changed (1 -> 2)");
	expect_reason(&acts[1], "dependency a changed");

	/* A new input is named with its value. */
	acts[1].opt = "x";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("b");
	expect_reason(&acts[1], "new option mode (x)");

	acts[0].opt = "3";
	acts[0].fail = true;
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_state(&acts[0], GRAPH_FAILED);
	expect_state(&acts[1], GRAPH_BLOCKED);
	acts[0].fail = false;
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("a b");
	expect_reason(&acts[0], "failed last time");
	expect_reason(&acts[1], "dependency a changed");
}

/* 9. Interrupted */

static void test_interrupted_before(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "a"},
		{.kind = &plain, .name = "b", .needs = "a"},
		{.kind = &plain, .name = "c"},
	};
	f->interrupted = 1;
	assert_int_equal(RUN(f, acts, 2), 1);
	assert_int_equal(ran.runs, 0);
	assert_true(f->sum.interrupted);
	for (size_t i = 0; i < 3; i++)
		expect_state(&acts[i], GRAPH_BLOCKED);
	assert_int_equal(f->sum.failed, 0);
}

static void test_interrupted_during(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		/* a's path is the longest, whatever the noise in the others'
		 * recorded durations. */
		{.kind = &plain, .name = "a", .opt = "1", .sleep_ms = 20},
		{.kind = &plain, .name = "b", .needs = "a"},
		{.kind = &plain, .name = "c", .opt = "1"},
		{.kind = &plain, .name = "d", .opt = "1"},
	};
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_false(f->sum.interrupted);

	/* a, c and d must run; a goes first and is killed by the
	 * interruption: nothing starts after it, and it is not recorded as
	 * failed. */
	acts[0].opt = acts[2].opt = acts[3].opt = "2";
	acts[0].interrupt = true;
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_order("a");
	assert_true(f->sum.interrupted);
	for (size_t i = 0; i < 4; i++)
		expect_state(&acts[i], GRAPH_BLOCKED);
	assert_int_equal(f->sum.failed, 0);
	assert_int_equal(f->sum.blocked, 4);
	assert_string_equal(acts[0].ga->failure, "killed");

	f->interrupted = 0;
	acts[0].interrupt = false;
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_false(f->sum.interrupted);
	assert_int_equal(ran.runs, 4);
	assert_memory_equal(ran.order, "a ", 2);
	expect_reason(&acts[0], "option mode changed (1 -> 2)");
	expect_reason(&acts[2], "option mode changed (1 -> 2)");
}

static void test_interrupted_new_action_not_recorded(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "a", .interrupt = true},
		{.kind = &plain, .name = "c"},
	};
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_order("a");
	f->interrupted = 0;
	acts[0].interrupt = false;
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_reason(&acts[0], "new");
	expect_reason(&acts[1], "new");
}

/* 10. Cycles */

/* Records, inputs and outputs are read on -j threads before anything is
 * decided: every output is checked once, each by its own record. */
static void test_checks_on_threads(void **state)
{
	struct fix *f = *state;
	enum { N = 600 };
	struct act *acts = xcalloc(N, sizeof(*acts));
	char (*names)[8] = xcalloc(N, sizeof(*names));
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "d%zu", i);
		acts[i] = (struct act){.kind = &dirkind, .name = names[i], .opt = names[i]};
	}
	acts[N - 1].kind = &plain; /* needs 8 of them: the most an act has room for */
	acts[N - 1].needs = "d0 d1 d2 d3 d4 d5 d6 d7";
	assert_int_equal(run(f, acts, N, 4), 0);
	assert_int_equal(ran.runs, N);
	assert_int_equal(run(f, acts, N, 4), 0);
	assert_int_equal(ran.runs, 0);
	assert_int_equal(f->sum.skipped, N);

	char path[256];
	snprintf(path, sizeof(path), "%s/file", acts[423].dir);
	assert_int_equal(fs_write_atomic(path, "meddled", 7, 0644), 0);
	assert_int_equal(testutil_remove_tree(acts[7].dir), 0);
	assert_int_equal(run(f, acts, N, 4), 0);
	assert_int_equal(ran.runs, 0);
	assert_int_equal(f->sum.restored, 2);
	assert_int_equal(f->sum.skipped, N - 2);
	expect_state(&acts[423], GRAPH_RESTORED);
	expect_reason(&acts[423], "restored from cache (output modified)");
	expect_state(&acts[7], GRAPH_RESTORED);
	expect_reason(&acts[7], "restored from cache (output missing)");
	expect_state(&acts[N - 1], GRAPH_SKIPPED);
	free(names);
	free(acts);
}

static void test_cycle(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "ok"},
		{.kind = &plain, .name = "a", .needs = "b"},
		{.kind = &plain, .name = "b", .needs = "c"},
		{.kind = &plain, .name = "c", .needs = "a"},
	};
	assert_int_equal(RUN(f, acts, 1), SCHED_BAD_INPUT);
	assert_int_equal(ran.runs, 0);
}

/* 11. Parallelism */

static void test_parallel(void **state)
{
	struct fix *f = *state;
	struct act acts[8];
	static const char *const names[] = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"};
	for (size_t i = 0; i < 8; i++)
		acts[i] = (struct act){.kind = &plain, .name = names[i], .sleep_ms = 50};
	assert_int_equal(RUN(f, acts, 4), 0);
	assert_int_equal(ran.runs, 8);
	assert_int_equal(ran.max_running, 4);
	assert_int_equal(f->sum.ran, 8);
	if (f->ms >= 250)
		fail_msg("8 jobs of 50 ms on 4 workers took %.0f ms", f->ms);
	/* Each worker has its slot. */
	bool slot[4] = {0};
	for (size_t i = 0; i < 8; i++) {
		assert_true(acts[i].ga->slot < 4);
		slot[acts[i].ga->slot] = true;
	}
	for (size_t k = 0; k < 4; k++)
		assert_true(slot[k]);
	/* The observer heard each start and end, and each command. */
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(acts[i].started, 1);
		assert_int_equal(acts[i].finished, 1);
		assert_int_equal(acts[i].decided, 0);
		assert_int_equal(acts[i].commands, 1);
	}
	assert_int_equal(f->last.finished, 8);
	assert_int_equal(f->last.total, 8);
	assert_true(f->ticks > 0);
}

/* Network actions run in slots of their own, beside the jobs. */
static void test_network_slots(void **state)
{
	struct fix *f = *state;
	struct act acts[8];
	static const char *const names[] = {"n0", "n1", "n2", "n3", "n4", "n5", "c0", "c1"};
	for (size_t i = 0; i < 8; i++)
		acts[i] = (struct act){.kind = i < 6 ? &net : &plain, .name = names[i],
				       .sleep_ms = 60};
	f->network_jobs = 3;
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(ran.runs, 8);
	assert_int_equal(ran.max_net, 3);
	assert_int_equal(ran.max_running, 4);
	if (f->ms >= 250)
		fail_msg("6 downloads on 3 slots and 2 jobs on 1 took %.0f ms", f->ms);
	/* Without slots of their own, they are jobs like the others. */
	f->network_jobs = 0;
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(ran.runs, 0);
	for (size_t i = 0; i < 8; i++)
		acts[i].opt = "again";
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(ran.runs, 8);
	assert_int_equal(ran.max_running, 2);
}

/* 12. Actions that reveal more graph */

static void reveal_setup(struct act *acts, size_t n, struct act *parts, size_t nparts,
			 struct act *user)
{
	more.acts = parts;
	more.n = nparts;
	more.base = acts;
	more.nbase = n;
	more.user = user;
	more.fail = false;
}

static void test_reveal_runs_what_it_brings(void **state)
{
	struct fix *f = *state;
	/* slow runs beside everything: the graph grows while a worker holds
	 * a job. */
	struct act acts[] = {
		{.kind = &plain, .name = "dep"},
		{.kind = &revealer, .name = "fetch", .sleep_ms = 50},
		{.kind = &plain, .name = "install", .needs = "fetch"},
		{.kind = &plain, .name = "slow", .sleep_ms = 300},
	};
	struct act parts[] = {
		{.kind = &plain, .name = "p1", .needs = "dep", .sleep_ms = 20},
		{.kind = &plain, .name = "p2", .opt = "1"},
		{.kind = &plain, .name = "p3", .needs = "p1"},
	};
	reveal_setup(acts, 4, parts, 3, &acts[2]);
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(more.calls, 1);
	assert_int_equal(f->g.nactions, 7);
	assert_int_equal(f->sum.ran, 7);
	for (size_t i = 0; i < 3; i++) {
		expect_state(&parts[i], GRAPH_RAN);
		assert_false(parts[i].needs_unready);
		assert_int_equal(parts[i].started, 1);
		assert_int_equal(parts[i].finished, 1);
	}
	expect_state(&acts[2], GRAPH_RAN);
	assert_false(acts[2].needs_unready);
	/* The install ran after every part, p3 after p1. */
	const char *o = ran.order;
	assert_true(strstr(o, "install") > strstr(o, "p3"));
	assert_true(strstr(o, "install") > strstr(o, "p2"));
	assert_true(strstr(o, "p3") > strstr(o, "p1"));
	assert_true(strstr(o, "p1") > strstr(o, "fetch") && strstr(o, "p1") > strstr(o, "dep"));
	/* slow had a worker when fetch revealed: p1 started after it, and
	 * before it ended. */
	assert_true(strstr(o, "slow") < strstr(o, "p1"));
	assert_true(f->ms < 300 + 250);
	assert_int_equal(f->last.finished, 7);
	assert_int_equal(f->last.total, 7);

	/* Nothing changed: the fetch is skipped, its parts still come and are
	 * skipped too. */
	assert_int_equal(RUN(f, acts, 2), 0);
	assert_int_equal(more.calls, 1);
	assert_int_equal(f->g.nactions, 7);
	assert_int_equal(f->sum.skipped, 7);
	assert_int_equal(ran.runs, 0);
	expect_state(&parts[2], GRAPH_SKIPPED);
	assert_int_equal(parts[2].decided, 1);

	/* A part changed: it and the install run again, nothing else. */
	parts[1].opt = "2";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("p2 install");
	expect_reason(&parts[1], "option mode changed (1 -> 2)");
	expect_reason(&acts[2], "dependency p2 changed");
}

/* A skipped fetch reveals before anything is queued: what it brings gets
 * its priorities all the same, from the durations recorded for it. */
static void test_reveal_priorities(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &revealer, .name = "fetch"},
		{.kind = &plain, .name = "install", .needs = "fetch"},
		{.kind = &plain, .name = "lone", .opt = "1"},
	};
	struct act parts[] = {
		{.kind = &plain, .name = "p1", .opt = "1", .sleep_ms = 30},
		{.kind = &plain, .name = "p2", .needs = "p1"},
		{.kind = &plain, .name = "p3", .needs = "p2"},
	};
	reveal_setup(acts, 3, parts, 3, &acts[1]);
	assert_int_equal(RUN(f, acts, 1), 0);
	assert_int_equal(f->sum.ran, 6);
	/* p1 leads the longest path (30 ms, then p2, p3 and the install);
	 * lone took next to nothing: p1 goes first. */
	parts[0].opt = "2";
	acts[2].opt = "2";
	assert_int_equal(RUN(f, acts, 1), 0);
	expect_state(&acts[0], GRAPH_SKIPPED);
	assert_true(strstr(ran.order, "p1") < strstr(ran.order, "lone"));
}

static void test_order_only(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &plain, .name = "b", .after = "a"},
		{.kind = &plain, .name = "a", .opt = "1", .sleep_ms = 50},
	};
	assert_int_equal(RUN(f, acts, 2), 0);
	expect_order("a b");
	assert_false(acts[0].needs_unready);
	/* a's output is no input of b's key. */
	acts[1].opt = "2";
	assert_int_equal(RUN(f, acts, 2), 0);
	expect_order("a");
	expect_state(&acts[0], GRAPH_SKIPPED);
	/* A failed a still holds b back. */
	acts[1].opt = "3";
	acts[1].fail = true;
	assert_int_equal(RUN(f, acts, 2), 1);
	expect_state(&acts[0], GRAPH_BLOCKED);
}

static void test_reveal_dry_run(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &revealer, .name = "fetch"},
		{.kind = &plain, .name = "install", .needs = "fetch"},
	};
	struct act parts[] = {
		{.kind = &plain, .name = "p1"},
	};
	reveal_setup(acts, 2, parts, 1, &acts[1]);
	/* Not on disk yet: what it brings is not known, and said so. */
	build(f, acts, 2);
	assert_int_equal(run_opts(f, 1, 0, true), 0);
	assert_int_equal(more.calls, 0);
	assert_int_equal(f->g.nactions, 2);
	expect_state(&acts[0], GRAPH_WOULD_RUN);
	expect_reason(&acts[0], "new (its parts: known once it has run)");
	expect_state(&acts[1], GRAPH_WOULD_RUN);
	expect_reason(&acts[1], "it needs what fetch brings (its parts: known once it has run)");
	assert_int_equal(ran.runs, 0);

	assert_int_equal(RUN(f, acts, 1), 0);
	expect_order("fetch p1 install");
	/* On disk: a dry run shows the parts. */
	parts[0].opt = "x";
	build(f, acts, 2);
	assert_int_equal(run_opts(f, 1, 0, true), 0);
	assert_int_equal(f->g.nactions, 3);
	expect_state(&acts[0], GRAPH_SKIPPED);
	expect_state(&parts[0], GRAPH_WOULD_RUN);
	expect_reason(&parts[0], "new option mode (x)");
	expect_state(&acts[1], GRAPH_WOULD_RUN);
	assert_int_equal(f->sum.would_run, 2);
	assert_int_equal(ran.runs, 0);
	/* The same graph run again (install's offline check does so) gets
	 * its parts once. */
	assert_int_equal(run_opts(f, 1, 0, false), 0);
	assert_int_equal(f->g.nactions, 3);
	expect_order("p1 install");
}

static void test_reveal_failure(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &revealer, .name = "fetch"},
		{.kind = &plain, .name = "install", .needs = "fetch"},
		{.kind = &plain, .name = "other"},
	};
	struct act parts[] = {
		{.kind = &plain, .name = "p1"},
	};
	reveal_setup(acts, 3, parts, 1, &acts[1]);
	more.fail = true;
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_state(&acts[0], GRAPH_FAILED);
	assert_non_null(strstr(acts[0].ga->failure, "cannot be planned"));
	assert_true(f->sum.bad_input);
	expect_state(&acts[1], GRAPH_BLOCKED);
	expect_state(&acts[2], GRAPH_RAN);
	assert_int_equal(f->sum.failed, 1);
	assert_int_equal(f->sum.ran, 1);
	assert_int_equal(acts[0].finished, 1);
	/* Skipped next time, and failed again: the same input, the same
	 * answer. */
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_state(&acts[0], GRAPH_FAILED);
	assert_int_equal(f->sum.failed, 1);
	assert_int_equal(f->sum.skipped, 1);
}

static void test_reveal_cycle(void **state)
{
	struct fix *f = *state;
	struct act acts[] = {
		{.kind = &revealer, .name = "fetch"},
		{.kind = &plain, .name = "install", .needs = "fetch"},
	};
	struct act parts[] = {
		{.kind = &plain, .name = "p1", .needs = "p2"},
		{.kind = &plain, .name = "p2", .needs = "p1"},
		{.kind = &plain, .name = "p3"},
	};
	reveal_setup(acts, 2, parts, 3, &acts[1]);
	/* What is not in the cycle runs; the cycle is said at the end, as bad
	 * input, and what waits on it is blocked. */
	assert_int_equal(RUN(f, acts, 1), 1);
	expect_order("fetch p3");
	expect_state(&acts[0], GRAPH_RAN);
	expect_state(&parts[0], GRAPH_BLOCKED);
	expect_state(&parts[1], GRAPH_BLOCKED);
	expect_state(&parts[2], GRAPH_RAN);
	expect_state(&acts[1], GRAPH_BLOCKED);
	assert_true(f->sum.bad_input);
}

int main(void)
{
	char err[256];
	/* The CAS loads libarchive on first use: before any thread. */
	if (!archive_lib(err, sizeof(err))) {
		fprintf(stderr, "test_sched: %s\n", err);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_longest_path_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_ties_by_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_needs_first_in_parallel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order_uses_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_and_rerun_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_early_cutoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_modified_reruns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inputs_after_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate_without_users, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_going_1_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_going_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_going_0_runs_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inputs_failure_runs_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_on_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_kind_made_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_intermediate_blocks_its_user, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_observer_hears_every_action, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_words, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_during, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_new_action_not_recorded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_runs_what_it_brings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_priorities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_cycle, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
