/* run_cmd: what the commands that run a graph share (run_cmd.h). */
#include "run_cmd.h"

#include "../lib/diag.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by SIGINT or SIGTERM while they are caught. */
static volatile sig_atomic_t interrupted;

int run_cmd_take_count(int argc, char **argv, int *i, const char *opt, int min, int *out)
{
	const char *a = argv[*i], *v = NULL;
	size_t n = strlen(opt);
	bool is_long = opt[1] == '-'; /* --fetch-jobs=4, but -j4 */
	if (!strcmp(a, opt))
		v = *i + 1 < argc ? argv[++*i] : NULL;
	else if (!strncmp(a, opt, n) && (is_long ? a[n] == '=' : a[n] != '\0'))
		v = a + n + is_long;
	else
		return 0;
	char *end;
	errno = 0;
	long x = v ? strtol(v, &end, 10) : 0;
	if (!v || !*v || *end || errno || x < min || x > 100000) {
		diag_error(NULL, 0, "%s needs a number of at least %d, not '%s'", opt, min,
			   v ? v : "");
		return -1;
	}
	*out = (int)x;
	return 1;
}

int run_cmd_default_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (int)cpus : 1;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	spawn_signal_all(SIGTERM);
}

static void catch_signals(bool on)
{
	struct sigaction sa = {0};
	sa.sa_handler = on ? on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct sched_options run_cmd_sched_options(const struct run_cmd_run *o)
{
	return (struct sched_options){
		.store = o->st->store,
		.casdir = o->st->casdir,
		.logdir = o->st->logdir,
		.jobs = o->jobs,
		.network_jobs = o->network_jobs,
		.keep_going = o->keep_going,
		.dry_run = o->dry_run,
		.interrupted = &interrupted,
	};
}

int run_cmd_graph(struct graph *g, const struct run_cmd_run *o)
{
	struct sched_options so = run_cmd_sched_options(o);
	so.observer = status_begin(&o->status);
	struct sched_summary sum = {0};
	catch_signals(true);
	int r = sched_run(g, &so, &sum);
	catch_signals(false);
	status_end();
	if (r == SCHED_BAD_INPUT)
		return -1;
	if (o->print_plan)
		status_print_plan(g, o->json, o->reasons);
	if (o->summary)
		status_print_summary(&sum, o->dry_run);
	if (sum.interrupted) {
		diag_error(NULL, 0, "interrupted");
		return EXIT_INTERRUPTED;
	}
	return sum.bad_input ? EXIT_BAD_INPUT : r ? EXIT_FAILED : EXIT_OK;
}
