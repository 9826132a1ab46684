/*
 * run_cmd: what the commands that run a graph (install, fetch, buildout)
 * share: their counts (-j, -k, --fetch-jobs), the default -j, and the run
 * itself: the scheduler's options, the signals that stop a run, the
 * terminal's status, what is printed after and the exit status.
 */
#ifndef MINIMERGE_RUN_CMD_H
#define MINIMERGE_RUN_CMD_H

#include "state.h"
#include "status.h"

#include "../graph/sched.h"

#include <stdbool.h>

/* How a command runs its graph. */
struct run_cmd_run {
	const struct state *st; /* the store, the artifacts, the logs */
	int jobs, network_jobs, keep_going; /* as in sched_options */
	bool dry_run;
	struct status_options status;
	/* After the run: the actions that would run (print_plan: as JSON
	 * with json, with why with reasons), then the summary line
	 * (summary). */
	bool print_plan, json, reasons, summary;
};

/* argv[*i] as opt with a count of at least min: "-j 4", "-j4" or, for a
 * long option, "--fetch-jobs=4".  1 taken (*i moved past its value), 0
 * not this option, -1 a bad count (reported). */
int run_cmd_take_count(int argc, char **argv, int *i, const char *opt, int min, int *out);
/* The default -j: the CPUs online. */
int run_cmd_default_jobs(void);
/* The scheduler's options of a run as o says, with no observer; a
 * signal caught by run_cmd_graph stops it. */
struct sched_options run_cmd_sched_options(const struct run_cmd_run *o);
/* Runs g as o says, the terminal's status on (status.h): meanwhile
 * SIGINT and SIGTERM pass SIGTERM to every child, whose jobs then fail,
 * and nothing more starts.  Then prints what o asks for.  The exit
 * status: interrupted (said), bad input found during the run (a buildout
 * package's config), an action failed, or done; or -1 when the graph
 * could not be run at all (reported, nothing ran or is printed). */
int run_cmd_graph(struct graph *g, const struct run_cmd_run *o);

#endif
