/*
 * run_cmd: what the commands that run a graph (install, fetch, buildout)
 * share: their counts (-j, -k, --fetch-jobs), the default -j, the signals
 * that stop a run, and the exit status a run ends with.
 */
#ifndef MINIMERGE_RUN_CMD_H
#define MINIMERGE_RUN_CMD_H

#include "../graph/sched.h"

#include <signal.h>
#include <stdbool.h>

/* Set by SIGINT or SIGTERM while they are caught: the scheduler's
 * sched_options.interrupted. */
extern volatile sig_atomic_t run_cmd_interrupted;

/* argv[*i] as opt with a count of at least min: "-j 4", "-j4" or, for a
 * long option, "--fetch-jobs=4".  1 taken (*i moved past its value), 0
 * not this option, -1 a bad count (reported). */
int run_cmd_take_count(int argc, char **argv, int *i, const char *opt, int min, int *out);
/* The default -j: the CPUs online. */
int run_cmd_default_jobs(void);
/* While on, SIGINT and SIGTERM set run_cmd_interrupted and pass SIGTERM
 * to every child, whose jobs then fail and nothing more starts. */
void run_cmd_catch_signals(bool on);
/* The exit status after sched_run returned r (not SCHED_BAD_INPUT):
 * interrupted (said), bad input found during the run (a buildout
 * package's config), an action failed, or done. */
int run_cmd_exit_status(int r, const struct sched_summary *sum);

#endif
