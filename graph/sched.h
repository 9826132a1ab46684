/*
 * sched: runs a graph.  Every action is decided once its needs' outputs are
 * known, by the skip rule (DESIGN §2): the same key as its record and its
 * outputs intact: skipped; its key in the action cache: restored from the
 * artifact; else it runs.  An intermediate action (a build directory) runs
 * only when an action that needs it must run.
 *
 * Ready actions start on a pool of -j worker threads, the one with the
 * longest remaining path first (paths weighted by the durations of earlier
 * runs).  Results are recorded in the store as they come; the store is
 * flushed about once a second and at the end, so a crash loses at most the
 * last second of records and never makes a half-done action look done.
 *
 * An action whose kind reveals more graph (graph_kind.reveal) adds it
 * once its output is on disk; the new actions join the run there.
 *
 * Only this module and its observer write about a run; the observer (the
 * terminal, in src/) hears of each start and end.
 */
#ifndef MINIMERGE_SCHED_H
#define MINIMERGE_SCHED_H

#include "graph.h"

#include "../cache/cache.h"

#include <signal.h>
#include <stdbool.h>

enum sched_event {
	SCHED_STARTED,  /* a job (run or restore) started on a worker */
	SCHED_FINISHED, /* a job ended: a->state says how */
	SCHED_DECIDED,  /* skipped, unneeded, blocked or would-run: no job */
};

/* For [finished/total]: jobs finished, and jobs finished, started or queued
 * plus actions not decided yet (an estimate that shrinks as they are). */
struct sched_progress {
	size_t finished, total;
};

struct sched_observer {
	void *ctx;
	/* Main thread. */
	void (*event)(void *ctx, const struct graph_action *a, enum sched_event ev,
		      const struct sched_progress *pr);
	/* Any thread (workers): a command an action runs, for -v. */
	void (*command)(void *ctx, const struct graph_action *a, const char *cmdline);
	/* Any thread: a line an action says to the user (graph_job_say). */
	void (*say)(void *ctx, const struct graph_action *a, const char *line);
	/* Main thread, about ten times a second while jobs run. */
	void (*tick)(void *ctx, const struct sched_progress *pr);
};

struct sched_options {
	struct store *store;
	const char *casdir;
	const char *logdir;
	int jobs;        /* worker threads, at least 1 */
	/* More worker threads for network actions (graph_kind.network), which
	 * then run this many at once besides the jobs; 0: they are jobs like
	 * the others. */
	int network_jobs;
	int keep_going;  /* stop starting jobs after this many failures; 0: never */
	bool dry_run;    /* decide and explain, run nothing */
	const struct sched_observer *observer; /* may be NULL */
	/* Set (by a signal handler) to stop: no job starts, running ones are
	 * waited for, nothing interrupted is recorded.  Never NULL. */
	volatile sig_atomic_t *interrupted;
};

struct sched_summary {
	size_t ran, skipped, restored, failed, blocked, would_run;
	uint64_t elapsed_ns;
	bool interrupted;
	/* An action's reveal failed on bad input (reported: a config's file
	 * and line): one of the failures. */
	bool bad_input;
};

/* Nothing ran: an action's own inputs could not be read (a source that is
 * not there) or the actions form a cycle (reported). */
#define SCHED_BAD_INPUT 2

/* Runs every action of g.  Returns 0 if none failed, 1 if some failed or
 * were blocked, SCHED_BAD_INPUT, or -1 on an error of the run itself
 * (reported: the store). */
int sched_run(struct graph *g, const struct sched_options *o, struct sched_summary *out);

#endif
