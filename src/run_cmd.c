/* run_cmd: what the commands that run a graph share (run_cmd.h). */
#include "run_cmd.h"

#include "../lib/diag.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t run_cmd_interrupted;

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
	run_cmd_interrupted = 1;
	spawn_signal_all(SIGTERM);
}

void run_cmd_catch_signals(bool on)
{
	struct sigaction sa = {0};
	sa.sa_handler = on ? on_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int run_cmd_exit_status(int r, const struct sched_summary *sum)
{
	if (sum->interrupted) {
		diag_error(NULL, 0, "interrupted");
		return EXIT_INTERRUPTED;
	}
	return sum->bad_input ? EXIT_BAD_INPUT : r ? EXIT_FAILED : EXIT_OK;
}
