/*
 * spawn: the one way minimerge runs a child process.  posix_spawn with an
 * argv (no shell: a user's shell command is run as {"/bin/sh", "-c", cmd}
 * by the caller), stdin from /dev/null unless given, stdout and stderr to
 * the descriptors given, an optional working directory, environment and
 * timeout.  The exit status comes back as a value, never as an exit.
 *
 * Every child starts in a session of its own (its own process group, no
 * controlling terminal: nothing it runs can wait on a prompt at the
 * terminal), with every signal at its default action and none blocked,
 * whatever the caller does with signals.
 * It is listed until it is reaped, so that spawn_signal_all can end it and
 * its descendants (make's compilers) when the user interrupts.  At most
 * SPAWN_MAX_CHILDREN are listed at once: beyond that spawn_start refuses
 * with EAGAIN rather than start a child that could not be ended.
 *
 * Thread-safe: workers of the pool spawn and wait concurrently.  A child
 * inherits descriptors 0-2 and whatever the process has open without
 * O_CLOEXEC, so a descriptor opened while children may start must be
 * O_CLOEXEC (or another thread's child holds it, and a pipe never ends).
 * SIGCHLD must not be ignored: children must stay waitable.
 */
#ifndef MINIMERGE_SPAWN_H
#define MINIMERGE_SPAWN_H

#include "strbuf.h"

#include <stdbool.h>
#include <sys/types.h>

enum { SPAWN_MAX_CHILDREN = 1024 };

struct spawn_options {
	/* NULL-terminated.  argv[0] without '/' is looked up in the PATH of
	 * the child's environment; a relative one with '/' is taken from cwd. */
	const char *const *argv;
	const char *cwd;         /* NULL: the caller's.  Not there: the start fails */
	char *const *envp;       /* NULL: the caller's environ */
	int stdin_fd;            /* -1: /dev/null */
	int stdout_fd;           /* -1: the caller's stdout */
	int stderr_fd;           /* -1: the caller's stderr */
	double timeout;          /* seconds, for spawn_run; 0: none (see spawn_wait) */
};

/* Fills the descriptors with -1 and everything else with zero. */
void spawn_options_init(struct spawn_options *o);

struct spawn_result {
	int start_errno; /* not 0: the child could not be started (ENOENT...),
			    or not waited for (ECHILD) */
	bool exited;     /* it called exit: code is valid */
	int code;
	int signal;      /* not 0: it was killed by this signal */
	bool timed_out;  /* it overran the timeout and was ended; exited or
			    signal still say how it ended */
};

/* Starts the child.  0 with *pid set, or an errno value (nothing started):
 * ENOENT or EACCES for the program or cwd, EAGAIN when SPAWN_MAX_CHILDREN
 * are running. */
int spawn_start(const struct spawn_options *o, pid_t *pid);
/* Waits for a child of spawn_start and reaps it.  With a timeout (seconds,
 * 0: none) a child that overruns it gets SIGTERM to its group, then SIGKILL
 * to the group once it has ended or 2 s later, so that nothing it started
 * outlives it. */
void spawn_wait(pid_t pid, double timeout, struct spawn_result *r);
/* Start and wait.  Returns 0 if the child exited with status 0, else -1
 * (r says why). */
int spawn_run(const struct spawn_options *o, struct spawn_result *r);

/* spawn_run with the child's stdout (and its stderr, with_stderr) appended
 * to out. */
int spawn_capture(const struct spawn_options *o, bool with_stderr, struct strbuf *out,
		  struct spawn_result *r);

/* The file a child would run for name: name itself if it has a '/', else
 * the first executable regular file of that name in the PATH of envp (NULL:
 * the caller's environ), as spawn_start looks it up.  0 with the path in
 * out (replaced), or an errno value: ENOENT, or EACCES if only files that
 * cannot be executed were found. */
int spawn_find_program(const char *name, char *const *envp, struct strbuf *out);

/* Appends why it failed, for messages: "exit status 2", "killed by signal
 * 9 (Killed)", "timed out after 60 s", "cannot run 'cc': No such file or
 * directory" (argv0 names the program, timeout is the one waited with). */
void spawn_result_describe(const struct spawn_result *r, const char *argv0, double timeout,
			   struct strbuf *out);

/* Sends sig to the process group of every child not yet reaped, and of any
 * child whose start it overlaps.  Async-signal-safe: a signal handler may
 * call it. */
void spawn_signal_all(int sig);

#endif
