/*
 * status: the one module that writes a run's progress.  On a terminal one
 * status line is redrawn in place, as ninja does: [finished/total] and the
 * action running longest, with its time; elsewhere each start is a plain
 * line.  -v shows each command, --explain why each action runs; a failure
 * shows the action, why, the last lines of its log and the log's path.
 * Colour only on a terminal and never with NO_COLOR set.
 *
 * It is the scheduler's observer (graph/sched.h); its functions may be
 * called from any thread.  While it is active, diagnostics first clear the
 * status line (diag's hook).
 */
#ifndef MINIMERGE_STATUS_H
#define MINIMERGE_STATUS_H

#include "../graph/sched.h"

#include <stdbool.h>
#include <stdio.h>

struct status_options {
	bool verbose; /* -v: show commands */
	bool explain; /* --explain: say why each action runs */
	/* Off a terminal, no line per action started: the actions say what
	 * they do themselves (a buildout run's "Installing p."). */
	bool quiet_starts;
};

/* Starts writing to stdout; returns the observer to hand the scheduler. */
const struct sched_observer *status_begin(const struct status_options *o);
/* Clears the status line and stops. */
void status_end(void);

/* The line that ends a run: "minimerge: 3 ran, 1 skipped, ... in 0.20 s",
 * or with dry_run "minimerge: 2 actions would run". */
void status_print_summary(const struct sched_summary *sum, bool dry_run);

/* After a dry run: each action of g that would run, with why when
 * reasons is set ("ACTION: REASON"), or one JSON list of {action,
 * reason}. */
void status_print_plan(const struct graph *g, bool json, bool reasons);

/* The last lines of a log, for failures (and tests). */
void status_print_log_tail(FILE *out, const char *path, int lines);

#endif
