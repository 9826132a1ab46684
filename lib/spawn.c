/* For posix_spawn_file_actions_addchdir_np (glibc 2.29) and environ: not in POSIX.1-2008. */
#define _GNU_SOURCE

#include "spawn.h"

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <spawn.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a timed-out group has between SIGTERM and SIGKILL. */
#define KILL_GRACE 2.0

/*
 * The children not yet reaped.  spawn_signal_all runs in signal handlers,
 * which cannot take a lock, so the list is a fixed array of lock-free atomic
 * slots that every operation claims and frees with atomics alone: 0 is free,
 * SLOT_STARTING is held by a spawn_start under way, anything else is a
 * child's pid, which is also its process group id.
 */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && sizeof(pid_t) == sizeof(int),
	       "spawn_signal_all needs lock-free pid slots");
#define SLOT_STARTING ((pid_t)-1)
static _Atomic pid_t slots[SPAWN_MAX_CHILDREN];

/* Bumped by every spawn_signal_all, so that a spawn_start it overlapped,
 * whose child was not in the list yet, passes last_signal on. */
static atomic_uint signal_generation;
static atomic_int last_signal;

static int claim_slot(void)
{
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		pid_t free_slot = 0;
		if (atomic_compare_exchange_strong(&slots[i], &free_slot, SLOT_STARTING))
			return i;
	}
	return -1;
}

static void unlist(pid_t pid)
{
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		if (atomic_load(&slots[i]) == pid) {
			atomic_store(&slots[i], 0);
			return;
		}
	}
}

void spawn_signal_all(int sig)
{
	int saved = errno;
	atomic_store(&last_signal, sig);
	atomic_fetch_add(&signal_generation, 1);
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		/* The child may be reaped and its pid reused between this load and
		 * the kill; without pidfds that window cannot be closed, only kept
		 * short: spawn_wait unlists a child before it reaps it. */
		pid_t pid = atomic_load(&slots[i]);
		if (pid > 0)
			kill(-pid, sig);
	}
	errno = saved;
}

void spawn_options_init(struct spawn_options *o)
{
	memset(o, 0, sizeof *o);
	o->stdin_fd = -1;
	o->stdout_fd = -1;
	o->stderr_fd = -1;
}

/*
 * Whether the child could chdir to cwd, and exec path (relative: from cwd):
 * 0 or the errno value it would get.  posix_spawn reports a failing chdir
 * or exec itself only where its child shares the parent's memory until the
 * exec; under valgrind, which makes that a fork, the child just exits 127.
 * Checking first gives the same answer everywhere.
 */
static int check_dir(const char *cwd)
{
	struct stat st;
	if (stat(cwd, &st) < 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	return faccessat(AT_FDCWD, cwd, X_OK, AT_EACCESS) < 0 ? errno : 0;
}

static int check_program(const char *path, const char *cwd, struct strbuf *scratch)
{
	if (cwd && path[0] != '/') {
		strbuf_reset(scratch);
		strbuf_addf(scratch, "%s/%s", cwd, path);
		path = scratch->buf;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0 ? errno : 0;
}

/*
 * The file to execute for name: name itself if it has a '/', else the first
 * executable regular file of that name in the PATH of envp, as execvp looks
 * it up.  posix_spawnp is not used because it searches the caller's PATH,
 * and the child may be given another.  0 with the path in out, or an errno
 * value: EACCES if only files that cannot be executed were found.
 */
static int find_program(const char *name, char *const *envp, const char *cwd,
			struct strbuf *out)
{
	struct strbuf scratch = STRBUF_INIT;
	int err = ENOENT;
	if (strchr(name, '/')) {
		strbuf_adds(out, name);
		err = check_program(out->buf, cwd, &scratch);
	} else if (name[0]) {
		const char *dirs = "/bin:/usr/bin"; /* execvp's when PATH is unset */
		for (char *const *e = envp; *e; e++) {
			if (!strncmp(*e, "PATH=", 5)) {
				dirs = *e + 5;
				break;
			}
		}
		for (const char *dir = dirs;; dir++) {
			size_t n = strcspn(dir, ":");
			strbuf_reset(out);
			/* An empty entry is the current directory. */
			strbuf_add(out, n ? dir : ".", n ? n : 1);
			strbuf_addf(out, "/%s", name);
			int e = check_program(out->buf, cwd, &scratch);
			if (!e || e == EACCES)
				err = e;
			if (!e)
				break;
			dir += n;
			if (!*dir)
				break;
		}
	}
	strbuf_release(&scratch);
	return err;
}

int spawn_find_program(const char *name, char *const *envp, struct strbuf *out)
{
	strbuf_reset(out);
	return find_program(name, envp ? envp : environ, NULL, out);
}

static int set_attributes(posix_spawnattr_t *attr)
{
	/* The caller may ignore SIGPIPE or SIGINT and block others to handle
	 * them in one thread; a child must not inherit any of that, and exec
	 * keeps ignored signals and the mask.  sigfillset leaves out the ones
	 * libc keeps for itself. */
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	/* A session of its own: its own process group, and no controlling
	 * terminal, so that a tool that would ask for a password on
	 * /dev/tty (git, ssh) fails at once instead of stopping, unseen,
	 * in the background. */
	int err = posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF |
							 POSIX_SPAWN_SETSIGMASK);
	if (!err)
		err = posix_spawnattr_setsigdefault(attr, &all);
	if (!err)
		err = posix_spawnattr_setsigmask(attr, &none);
	return err;
}

/* fds[i] is what descriptor i of the child becomes (-1: the default);
 * copies holds descriptors the caller closes after the spawn. */
static int set_file_actions(posix_spawn_file_actions_t *fa, int fds[3], int copies[3],
			    const char *cwd)
{
	for (int i = 0; i < 3; i++) {
		/* Say stderr goes to the caller's stdout: by the time its dup2
		 * runs, the child's descriptor 1 is already the new stdout.  A
		 * copy above 2 is not overwritten. */
		if (fds[i] >= 0 && fds[i] < 3 && fds[i] != i) {
			copies[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
			if (copies[i] < 0)
				return errno;
			fds[i] = copies[i];
		}
	}
	int err = 0;
	if (fds[0] < 0)
		err = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	/* dup2 clears O_CLOEXEC on the copy, so the caller's descriptors may
	 * (and should) have it. */
	for (int i = 0; i < 3 && !err; i++)
		if (fds[i] >= 0 && fds[i] != i)
			err = posix_spawn_file_actions_adddup2(fa, fds[i], i);
	if (!err && cwd)
		err = posix_spawn_file_actions_addchdir_np(fa, cwd);
	return err;
}

int spawn_start(const struct spawn_options *o, pid_t *pid)
{
	if (!o->argv || !o->argv[0])
		return EINVAL;
	char *const *envp = o->envp ? o->envp : environ;
	struct strbuf path = STRBUF_INIT;
	int fds[3] = {o->stdin_fd, o->stdout_fd, o->stderr_fd};
	int copies[3] = {-1, -1, -1};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int slot = -1;
	int err = o->cwd ? check_dir(o->cwd) : 0;
	if (!err)
		err = find_program(o->argv[0], envp, o->cwd, &path);
	if (err)
		goto out;
	slot = claim_slot();
	if (slot < 0) {
		err = EAGAIN;
		goto out;
	}
	err = posix_spawn_file_actions_init(&fa);
	if (err)
		goto out;
	err = posix_spawnattr_init(&attr);
	if (err)
		goto out_fa;
	err = set_attributes(&attr);
	if (!err)
		err = set_file_actions(&fa, fds, copies, o->cwd);
	if (!err) {
		unsigned generation = atomic_load(&signal_generation);
		/* posix_spawn's argv is not const for historical reasons; the
		 * strings are not written to. */
		/* ETXTBSY: another thread's child, between its clone and its exec,
		 * still holds a descriptor of a file this program was just written
		 * through (a configure script copied a moment ago).  It lets go
		 * within microseconds: try again, a few times, a little later. */
		for (int tries = 0;; tries++) {
			err = posix_spawn(pid, path.buf, &fa, &attr, (char *const *)o->argv, envp);
			if (err != ETXTBSY || tries == 8)
				break;
			struct timespec pause = {0, 1000000L << tries};
			nanosleep(&pause, NULL);
		}
		if (!err) {
			atomic_store(&slots[slot], *pid);
			if (atomic_load(&signal_generation) != generation)
				kill(-*pid, atomic_load(&last_signal));
		}
	}
	for (int i = 0; i < 3; i++)
		if (copies[i] >= 0)
			close(copies[i]);
	posix_spawnattr_destroy(&attr);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
out:
	if (err && slot >= 0)
		atomic_store(&slots[slot], 0);
	strbuf_release(&path);
	return err;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Waits until the child has ended or the CLOCK_MONOTONIC deadline (INFINITY:
 * none) has passed, without reaping it: its zombie keeps its pid, and so its
 * process group id, from being reused while the group may still be
 * signalled.  1 when it has ended, 0 at the deadline, -1 with errno on error.
 * POSIX has no timed wait for a child, so a deadline means polling, with naps
 * growing from 1 ms to 20 ms: a quick child is seen soon, a slow one costs
 * little.
 */
static int await_end(pid_t pid, double deadline, int *how)
{
	int flags = WEXITED | WNOWAIT | (isinf(deadline) ? 0 : WNOHANG);
	long nap_ms = 1;
	for (;;) {
		siginfo_t si;
		/* With WNOHANG, si_pid stays 0 if it is still running. */
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, flags) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (si.si_pid) {
			*how = si.si_code;
			return 1;
		}
		if (now() >= deadline)
			return 0;
		struct timespec nap = {0, nap_ms * 1000000};
		nanosleep(&nap, NULL);
		nap_ms = nap_ms * 2 > 20 ? 20 : nap_ms * 2;
	}
}

void spawn_wait(pid_t pid, double timeout, struct spawn_result *r)
{
	memset(r, 0, sizeof *r);
	int how = 0;
	int ended = await_end(pid, timeout > 0 ? now() + timeout : INFINITY, &how);
	if (ended == 0) {
		r->timed_out = true;
		kill(-pid, SIGTERM);
		ended = await_end(pid, now() + KILL_GRACE, &how);
		/* Even when the child has ended: what it started must not
		 * outlive it, and its zombie still holds the group id. */
		kill(-pid, SIGKILL);
		if (ended == 0)
			ended = await_end(pid, INFINITY, &how);
	} else if (ended == 1 && (how == CLD_KILLED || how == CLD_DUMPED)) {
		/* Killed (by spawn_signal_all, say): what it started, a sleep
		 * its shell ran, goes with it, before the group id is free. */
		kill(-pid, SIGKILL);
	}
	if (ended < 0) {
		r->start_errno = errno;
		unlist(pid);
		return;
	}
	/* Unlisted before it is reaped, so that spawn_signal_all never sees a
	 * pid that may have been reused. */
	unlist(pid);
	int status;
	pid_t got;
	while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (got < 0) {
		r->start_errno = errno;
		return;
	}
	if (WIFEXITED(status)) {
		r->exited = true;
		r->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->signal = WTERMSIG(status);
	}
}

int spawn_run(const struct spawn_options *o, struct spawn_result *r)
{
	pid_t pid;
	int err = spawn_start(o, &pid);
	if (err) {
		memset(r, 0, sizeof *r);
		r->start_errno = err;
		return -1;
	}
	spawn_wait(pid, o->timeout, r);
	return r->exited && r->code == 0 && !r->timed_out ? 0 : -1;
}

int spawn_capture(const struct spawn_options *o, bool with_stderr, struct strbuf *out,
		  struct spawn_result *r)
{
	/* A file, not a pipe: nothing to drain while the child runs.  Opened
	 * O_CLOEXEC from the start, so no other worker's child holds it. */
	int fd = fs_open_scratch();
	if (fd < 0) {
		memset(r, 0, sizeof *r);
		r->start_errno = errno;
		return -1;
	}
	struct spawn_options c = *o;
	c.stdout_fd = fd;
	if (with_stderr)
		c.stderr_fd = fd;
	int rc = spawn_run(&c, r);
	char buf[4096];
	ssize_t n;
	if (lseek(fd, 0, SEEK_SET) == 0)
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			strbuf_add(out, buf, (size_t)n);
	close(fd);
	return rc;
}

void spawn_result_describe(const struct spawn_result *r, const char *argv0, double timeout,
			   struct strbuf *out)
{
	if (r->start_errno)
		strbuf_addf(out, "cannot run '%s': %s", argv0, strerror(r->start_errno));
	else if (r->timed_out)
		strbuf_addf(out, "timed out after %g s", timeout);
	else if (r->signal)
		strbuf_addf(out, "killed by signal %d (%s)", r->signal, strsignal(r->signal));
	else
		strbuf_addf(out, "exit status %d", r->code);
}
