/*
 * Unit tests for lib/spawn: real children (/bin/sh, coreutils) with their
 * exit statuses, redirections, directory, environment, signals, timeouts
 * and process groups, from one thread and from several.  Linux only: some
 * tests look at /proc.
 */
/* For pipe2: the threaded test needs pipes that are O_CLOEXEC from birth. */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/spawn.h"
#include "../../lib/strbuf.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec ts = {0, 5 * 1000000};
	nanosleep(&ts, NULL);
}

static void cloexec_pipe(int p[2])
{
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
}

/*
 * Runs o with stdout, and stderr unless err is NULL, into pipes and returns
 * spawn_run's value; *out and *err get what the child wrote (the caller
 * frees them).  A test that goes wrong must fail, not hang: without a
 * timeout of its own the child gets 10 s.
 */
static int run_capture(struct spawn_options *o, struct spawn_result *r, char **out, char **err)
{
	int po[2], pe[2] = {-1, -1};
	cloexec_pipe(po);
	o->stdout_fd = po[1];
	if (err) {
		cloexec_pipe(pe);
		o->stderr_fd = pe[1];
	}
	if (!o->timeout)
		o->timeout = 10;
	int rc = spawn_run(o, r);
	assert_false(r->timed_out);
	close(po[1]);
	if (err)
		close(pe[1]);
	/* The children here write less than a pipe holds, so reading after
	 * the wait cannot block them. */
	*out = testutil_read_fd(po[0], NULL);
	if (err)
		*err = testutil_read_fd(pe[0], NULL);
	return rc;
}

static char *describe(const struct spawn_result *r, const char *argv0, double timeout)
{
	struct strbuf sb = STRBUF_INIT;
	spawn_result_describe(r, argv0, timeout, &sb);
	return strbuf_detach(&sb);
}

/* Whether pid has ended (a zombie counts: PID 1 may be slow to reap what
 * it inherits), now. */
static bool ended(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	char line[512];
	char *got = fgets(line, sizeof(line), f);
	fclose(f);
	if (!got)
		return true;
	/* "pid (comm) S ...": the state follows the last ')'. */
	char *paren = strrchr(line, ')');
	return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

/* Whether pid has ended, waiting up to 3 s for it. */
static bool process_gone(pid_t pid)
{
	for (double end = now() + 3; now() < end; nap())
		if (ended(pid))
			return true;
	return false;
}

/* A temporary directory for a test, removed with all it holds at teardown. */

struct tmp {
	char dir[64];
	char *paths[16]; /* what tmp_path gave, freed at teardown */
	size_t npaths;
};

static int setup_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	if (testutil_mkdtemp(t->dir, sizeof(t->dir), "test_spawn") < 0) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	struct tmp *t = *state;
	int rc = testutil_remove_tree(t->dir);
	while (t->npaths)
		free(t->paths[--t->npaths]);
	free(t);
	return rc;
}

/* The path of name in the test's directory, removed at teardown; it lives as
 * long as the test. */
static const char *tmp_path(struct tmp *t, const char *name)
{
	assert_true(t->npaths < sizeof(t->paths) / sizeof(*t->paths));
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s/%s", t->dir, name);
	return t->paths[t->npaths++] = strbuf_detach(&sb);
}

static const char *tmp_mkdir(struct tmp *t, const char *name)
{
	const char *p = tmp_path(t, name);
	assert_int_equal(mkdir(p, 0755), 0);
	return p;
}

static const char *tmp_write(struct tmp *t, const char *name, const char *text, mode_t mode)
{
	const char *p = tmp_path(t, name);
	testutil_write_file(p, text, mode);
	return p;
}

/* The pid a child wrote to path with `echo $! > path`, waiting for it. */
static pid_t read_pid_file(const char *path)
{
	for (double end = now() + 5; now() < end; nap()) {
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char line[32] = "";
		char *got = fgets(line, sizeof(line), f);
		fclose(f);
		if (got && strchr(line, '\n'))
			return (pid_t)atoi(line);
	}
	fail_msg("no pid in %s", path);
	return -1;
}

/* Exit statuses */

static void test_exit_status(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	assert_int_equal(o.stdin_fd, -1);
	assert_int_equal(o.stdout_fd, -1);
	assert_int_equal(o.stderr_fd, -1);
	assert_null(o.argv);
	assert_null(o.cwd);
	assert_null(o.envp);
	assert_true(o.timeout == 0);

	const char *ok[] = {"/bin/sh", "-c", "exit 0", NULL};
	o.argv = ok;
	assert_int_equal(spawn_run(&o, &r), 0);
	assert_int_equal(r.start_errno, 0);
	assert_true(r.exited);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.signal, 0);
	assert_false(r.timed_out);

	const char *three[] = {"/bin/sh", "-c", "exit 3", NULL};
	o.argv = three;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, 0);
	assert_true(r.exited);
	assert_int_equal(r.code, 3);
	assert_int_equal(r.signal, 0);
	char *d = describe(&r, "sh", 0);
	assert_string_equal(d, "exit status 3");
	free(d);

	/* Found in PATH. */
	const char *f[] = {"false", NULL};
	o.argv = f;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_true(r.exited);
	assert_int_equal(r.code, 1);
}

static void test_killed_by_signal(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", "kill -9 $$", NULL};
	o.argv = argv;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, 0);
	assert_false(r.exited);
	assert_int_equal(r.signal, SIGKILL);
	assert_false(r.timed_out);
	char *d = describe(&r, "sh", 0);
	assert_string_equal(d, "killed by signal 9 (Killed)");
	free(d);
}

static void test_describe(void **state)
{
	(void)state;
	struct spawn_result r = {0};
	r.exited = true;
	char *d = describe(&r, "cc", 0);
	assert_string_equal(d, "exit status 0");
	free(d);

	/* A timeout says so whatever ended the child. */
	r.timed_out = true;
	d = describe(&r, "cc", 60);
	assert_string_equal(d, "timed out after 60 s");
	free(d);
	r.exited = false;
	r.signal = SIGTERM;
	d = describe(&r, "cc", 0.25);
	assert_string_equal(d, "timed out after 0.25 s");
	free(d);

	memset(&r, 0, sizeof(r));
	r.start_errno = EACCES;
	d = describe(&r, "./configure", 0);
	assert_string_equal(d, "cannot run './configure': Permission denied");
	free(d);

	/* It appends. */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "make: ");
	memset(&r, 0, sizeof(r));
	r.exited = true;
	r.code = 2;
	spawn_result_describe(&r, "make", 0, &sb);
	assert_string_equal(sb.buf, "make: exit status 2");
	strbuf_release(&sb);
}

/* Descriptors */

static void test_stdout_and_stderr_apart(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2; echo more", NULL};
	o.argv = argv;
	char *out, *err;
	assert_int_equal(run_capture(&o, &r, &out, &err), 0);
	assert_string_equal(out, "out\nmore\n");
	assert_string_equal(err, "err\n");
	free(out);
	free(err);

	/* Both to one descriptor, in order. */
	int p[2];
	cloexec_pipe(p);
	spawn_options_init(&o);
	o.argv = argv;
	o.stdout_fd = p[1];
	o.stderr_fd = p[1];
	assert_int_equal(spawn_run(&o, &r), 0);
	close(p[1]);
	out = testutil_read_fd(p[0], NULL);
	assert_string_equal(out, "out\nerr\nmore\n");
	free(out);
}

static void test_capture(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2", NULL};
	o.argv = argv;
	o.stderr_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(o.stderr_fd >= 0);
	struct strbuf out = STRBUF_INIT;
	strbuf_adds(&out, "kept:");
	assert_int_equal(spawn_capture(&o, false, &out, &r), 0);
	assert_string_equal(out.buf, "kept:out\n");
	close(o.stderr_fd);
	o.stderr_fd = -1;
	strbuf_reset(&out);
	const char *both[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	o.argv = both;
	assert_int_equal(spawn_capture(&o, true, &out, &r), -1);
	assert_true(r.exited && r.code == 3);
	assert_string_equal(out.buf, "out\nerr\n");
	strbuf_reset(&out);
	const char *missing[] = {"/nonexistent/program", NULL};
	o.argv = missing;
	assert_int_equal(spawn_capture(&o, true, &out, &r), -1);
	assert_int_equal(r.start_errno, ENOENT);
	strbuf_release(&out);
}

/* A child killed by a signal takes what it started with it: its group. */
static void test_killed_child_takes_its_group(void **state)
{
	(void)state;
	int p[2];
	cloexec_pipe(p);
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", "sleep 100 & echo $!; wait", NULL};
	o.argv = argv;
	o.stdout_fd = p[1];
	pid_t pid;
	assert_int_equal(spawn_start(&o, &pid), 0);
	close(p[1]);
	char buf[32] = "";
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	assert_true(n > 0);
	pid_t bg = (pid_t)atol(buf);
	assert_true(bg > 0 && !ended(bg));
	assert_int_equal(kill(pid, SIGTERM), 0);
	struct spawn_result r;
	spawn_wait(pid, 0, &r);
	assert_int_equal(r.signal, SIGTERM);
	assert_true(process_gone(bg));
}

static void test_stdin_is_dev_null(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	/* cat would wait for the terminal if stdin were inherited; the
	 * timeout of run_capture would end it. */
	const char *cat[] = {"cat", NULL};
	o.argv = cat;
	char *out;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	assert_string_equal(out, "");
	free(out);

	const char *where[] = {"readlink", "/proc/self/fd/0", NULL};
	spawn_options_init(&o);
	o.argv = where;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	assert_string_equal(out, "/dev/null\n");
	free(out);
}

static void test_stdin_given(void **state)
{
	(void)state;
	int in[2];
	cloexec_pipe(in);
	assert_int_equal(write(in[1], "hello\n", 6), 6);
	close(in[1]);
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *cat[] = {"cat", NULL};
	o.argv = cat;
	o.stdin_fd = in[0];
	char *out;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	close(in[0]);
	assert_string_equal(out, "hello\n");
	free(out);
}

/* The caller's O_CLOEXEC descriptors, the ones given to the child among
 * them, are not open in the child past 0-2. */
static void test_descriptors_not_leaked(void **state)
{
	(void)state;
	int p[2];
	cloexec_pipe(p);
	char script[128];
	snprintf(script, sizeof(script),
		 "for fd in %d %d; do [ -e /proc/self/fd/$fd ] && echo $fd; done; echo end", p[0],
		 p[1]);
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	o.argv = argv;
	o.stdout_fd = p[1];
	assert_int_equal(spawn_run(&o, &r), 0);
	close(p[1]);
	char *out = testutil_read_fd(p[0], NULL);
	assert_string_equal(out, "end\n");
	free(out);
}

/* stderr to the caller's stdout while stdout goes elsewhere: the child's
 * descriptor 1 is replaced before its stderr is set up. */
static void test_stderr_to_callers_stdout(void **state)
{
	(void)state;
	int mine[2], other[2];
	cloexec_pipe(mine);
	cloexec_pipe(other);
	fflush(stdout);
	int saved = dup(1);
	assert_true(saved >= 0);
	assert_int_equal(dup2(mine[1], 1), 1);
	close(mine[1]);

	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2", NULL};
	o.argv = argv;
	o.stdout_fd = other[1];
	o.stderr_fd = 1;
	int rc = spawn_run(&o, &r);

	assert_int_equal(dup2(saved, 1), 1);
	close(saved);
	close(other[1]);
	assert_int_equal(rc, 0);
	char *err = testutil_read_fd(mine[0], NULL);
	char *out = testutil_read_fd(other[0], NULL);
	assert_string_equal(out, "out\n");
	assert_string_equal(err, "err\n");
	free(out);
	free(err);
}

/* Directory and environment */

static void test_cwd(void **state)
{
	struct tmp *t = *state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"pwd", "-P", NULL};
	o.argv = argv;
	o.cwd = t->dir;
	char *out;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	char *want = realpath(t->dir, NULL);
	assert_non_null(want);
	size_t n = strlen(out);
	assert_true(n > 0 && out[n - 1] == '\n');
	out[n - 1] = '\0';
	assert_string_equal(out, want);
	free(want);
	free(out);

	/* A relative program is taken from there. */
	tmp_write(t, "hello", "#!/bin/sh\necho hello from here\n", 0755);
	const char *rel[] = {"./hello", NULL};
	o.argv = rel;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	assert_string_equal(out, "hello from here\n");
	free(out);
}

static void test_bad_cwd(void **state)
{
	(void)state;
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"true", NULL};
	o.argv = argv;
	o.cwd = "/nonexistent/minimerge-test";
	pid_t pid = 0;
	assert_int_equal(spawn_start(&o, &pid), ENOENT);

	struct spawn_result r;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, ENOENT);
	assert_false(r.exited);
	char *d = describe(&r, argv[0], 0);
	assert_string_equal(d, "cannot run 'true': No such file or directory");
	free(d);
}

static void test_missing_program(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"minimerge-no-such-program", NULL};
	o.argv = argv;
	pid_t pid = 0;
	assert_int_equal(spawn_start(&o, &pid), ENOENT);
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, ENOENT);
	char *d = describe(&r, argv[0], 0);
	assert_string_equal(d, "cannot run 'minimerge-no-such-program': No such file or directory");
	free(d);

	const char *path[] = {"/nonexistent/bin/prog", NULL};
	o.argv = path;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, ENOENT);

	const char *empty[] = {"", NULL};
	o.argv = empty;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, ENOENT);

	const char *none[] = {NULL};
	o.argv = none;
	assert_int_equal(spawn_start(&o, &pid), EINVAL);
}

static void test_envp(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/usr/bin/env", NULL};
	char *envp[] = {"A=1", "B=two words", "EMPTY=", NULL};
	o.argv = argv;
	o.envp = envp;
	char *out;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	assert_string_equal(out, "A=1\nB=two words\nEMPTY=\n");
	free(out);

	/* Without envp, the caller's. */
	assert_int_equal(setenv("MINIMERGE_TEST_SPAWN", "inherited", 1), 0);
	const char *sh[] = {"/bin/sh", "-c", "echo \"$MINIMERGE_TEST_SPAWN\"", NULL};
	spawn_options_init(&o);
	o.argv = sh;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	assert_string_equal(out, "inherited\n");
	free(out);
	unsetenv("MINIMERGE_TEST_SPAWN");
}

/* A program without '/' is looked up in the PATH the child gets, skipping
 * files it could not execute. */
static void test_path_of_child(void **state)
{
	struct tmp *t = *state;
	const char *one = tmp_mkdir(t, "one");
	const char *two = tmp_mkdir(t, "two");
	tmp_write(t, "one/prog", "#!/bin/sh\necho one\n", 0644);
	tmp_write(t, "two/prog", "#!/bin/sh\necho two\n", 0755);
	tmp_mkdir(t, "one/sub");

	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "PATH=%s:%s", one, two);
	char *envp[] = {path.buf, NULL};
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"prog", NULL};
	o.argv = argv;
	o.envp = envp;
	char *out;
	assert_int_equal(run_capture(&o, &r, &out, NULL), 0);
	assert_string_equal(out, "two\n");
	free(out);

	/* A directory is not a program either. */
	const char *sub[] = {"sub", NULL};
	o.argv = sub;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, EACCES);

	/* Only a file that cannot be executed: EACCES, as execvp says. */
	strbuf_reset(&path);
	strbuf_addf(&path, "PATH=/nonexistent:%s", one);
	envp[0] = path.buf;
	o.argv = argv;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, EACCES);

	/* Not the caller's PATH: sh is not in the child's. */
	const char *sh[] = {"sh", "-c", "true", NULL};
	o.argv = sh;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.start_errno, ENOENT);
	strbuf_release(&path);
}

/* spawn_find_program says what a child would run, without running it. */
static void test_find_program(void **state)
{
	struct tmp *t = *state;
	const char *one = tmp_mkdir(t, "one");
	const char *two = tmp_mkdir(t, "two");
	tmp_write(t, "one/prog", "#!/bin/sh\n", 0644);
	tmp_write(t, "two/prog", "#!/bin/sh\n", 0755);

	struct strbuf path = STRBUF_INIT, found = STRBUF_INIT, want = STRBUF_INIT;
	strbuf_addf(&path, "PATH=%s:%s", one, two);
	char *envp[] = {path.buf, NULL};
	assert_int_equal(spawn_find_program("prog", envp, &found), 0);
	strbuf_addf(&want, "%s/prog", two);
	assert_string_equal(found.buf, want.buf);
	/* out is replaced, not appended to. */
	assert_int_equal(spawn_find_program(want.buf, envp, &found), 0);
	assert_string_equal(found.buf, want.buf);
	assert_int_equal(spawn_find_program("nosuch", envp, &found), ENOENT);

	strbuf_reset(&path);
	strbuf_addf(&path, "PATH=%s", one);
	envp[0] = path.buf;
	assert_int_equal(spawn_find_program("prog", envp, &found), EACCES);
	strbuf_release(&path);
	strbuf_release(&found);
	strbuf_release(&want);
}

/* Signals */

static unsigned long long status_field(const char *status, const char *name)
{
	const char *p = strstr(status, name);
	if (!p)
		fail_msg("no %s in /proc/self/status", name);
	return strtoull(p + strlen(name), NULL, 16);
}

/* Whatever the caller ignores or blocks, the child starts with every signal
 * at its default and none blocked. */
static void test_child_signals_default(void **state)
{
	(void)state;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_int;
	sigemptyset(&ign.sa_mask);
	assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
	assert_int_equal(sigaction(SIGINT, &ign, &old_int), 0);
	sigset_t block, old_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);

	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"cat", "/proc/self/status", NULL};
	o.argv = argv;
	char *out;
	int rc = run_capture(&o, &r, &out, NULL);

	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGINT, &old_int, NULL);
	assert_int_equal(rc, 0);
	assert_true(status_field(out, "\nSigBlk:") == 0);
	/* glibc's posix_spawn leaves the signals it reserves for itself (32 and
	 * 33, below SIGRTMIN) ignored; a program cannot have handlers for them
	 * anyway. */
	unsigned long long libc_own = 0;
	for (int sig = 32; sig < SIGRTMIN; sig++)
		libc_own |= 1ULL << (sig - 1);
	assert_true((status_field(out, "\nSigIgn:") & ~libc_own) == 0);
	free(out);
}

/* Timeouts and process groups */

static void test_own_process_group(void **state)
{
	(void)state;
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"sleep", "10", NULL};
	o.argv = argv;
	pid_t pid;
	assert_int_equal(spawn_start(&o, &pid), 0);
	assert_int_equal(getpgid(pid), pid);
	assert_int_not_equal(getpgid(pid), getpgrp());
	/* And a session of its own: no controlling terminal to wait on. */
	pid_t sid = getsid(pid);
	assert_int_equal(kill(pid, SIGKILL), 0);
	struct spawn_result r;
	spawn_wait(pid, 0, &r);
	assert_int_equal(r.signal, SIGKILL);
	/* Reaped. */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(sid, pid);
}

/* A child reaped behind spawn's back cannot be waited for. */
static void test_wait_lost_child(void **state)
{
	(void)state;
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"true", NULL};
	o.argv = argv;
	pid_t pid;
	assert_int_equal(spawn_start(&o, &pid), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	struct spawn_result r;
	spawn_wait(pid, 0, &r);
	assert_int_equal(r.start_errno, ECHILD);
	assert_false(r.exited);
	spawn_wait(pid, 1, &r);
	assert_int_equal(r.start_errno, ECHILD);
	assert_false(r.timed_out);
}

static void test_timeout_ends_group(void **state)
{
	struct tmp *t = *state;
	const char *pidfile = tmp_path(t, "pid");
	struct strbuf script = STRBUF_INIT;
	strbuf_addf(&script, "sleep 30 & echo $! > %s; wait", pidfile);
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", script.buf, NULL};
	o.argv = argv;
	pid_t pid;
	assert_int_equal(spawn_start(&o, &pid), 0);
	pid_t grandchild = read_pid_file(pidfile);

	double start = now();
	struct spawn_result r;
	spawn_wait(pid, 0.2, &r);
	double took = now() - start;
	assert_true(r.timed_out);
	assert_int_equal(r.start_errno, 0);
	assert_false(r.exited);
	assert_int_equal(r.signal, SIGTERM);
	assert_true(took >= 0.2);
	assert_true(took < 2.5);
	assert_true(process_gone(grandchild));
	char *d = describe(&r, "sh", 0.2);
	assert_string_equal(d, "timed out after 0.2 s");
	free(d);
	strbuf_release(&script);
}

/* A group that ignores SIGTERM gets SIGKILL 2 s later. */
static void test_timeout_then_sigkill(void **state)
{
	struct tmp *t = *state;
	const char *pidfile = tmp_path(t, "pid");
	struct strbuf script = STRBUF_INIT;
	strbuf_addf(&script, "trap '' TERM; sleep 30 & echo $! > %s; wait", pidfile);
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", script.buf, NULL};
	o.argv = argv;
	o.timeout = 0.1;
	pid_t pid;
	assert_int_equal(spawn_start(&o, &pid), 0);
	pid_t grandchild = read_pid_file(pidfile);

	double start = now();
	struct spawn_result r;
	spawn_wait(pid, o.timeout, &r);
	double took = now() - start;
	assert_true(r.timed_out);
	assert_int_equal(r.signal, SIGKILL);
	assert_true(took >= 2.1);
	assert_true(took < 4);
	assert_true(process_gone(grandchild));
	strbuf_release(&script);
}

static void test_timeout_not_reached(void **state)
{
	(void)state;
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", "sleep 0.05; exit 4", NULL};
	o.argv = argv;
	o.timeout = 5;
	double start = now();
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_true(now() - start < 4); /* not at the timeout */
	assert_false(r.timed_out);
	assert_true(r.exited);
	assert_int_equal(r.code, 4);
}

static void test_signal_all(void **state)
{
	struct tmp *t = *state;
	const char *pidfile = tmp_path(t, "pid");
	struct strbuf script = STRBUF_INIT;
	strbuf_addf(&script, "sleep 30 & echo $! > %s; wait", pidfile);
	struct spawn_options o;
	spawn_options_init(&o);
	const char *argv[] = {"/bin/sh", "-c", script.buf, NULL};
	o.argv = argv;
	pid_t pid;
	assert_int_equal(spawn_start(&o, &pid), 0);
	const char *sleeper[] = {"sleep", "30", NULL};
	o.argv = sleeper;
	pid_t pid2;
	assert_int_equal(spawn_start(&o, &pid2), 0);
	pid_t grandchild = read_pid_file(pidfile);

	spawn_signal_all(SIGTERM);
	struct spawn_result r;
	spawn_wait(pid, 5, &r);
	assert_false(r.timed_out);
	assert_int_equal(r.signal, SIGTERM);
	spawn_wait(pid2, 5, &r);
	assert_false(r.timed_out);
	assert_int_equal(r.signal, SIGTERM);
	assert_true(process_gone(grandchild));

	/* Reaped children are no longer signalled: a later child lives on. */
	const char *sh[] = {"/bin/sh", "-c", "exit 7", NULL};
	o.argv = sh;
	assert_int_equal(spawn_run(&o, &r), -1);
	assert_int_equal(r.code, 7);
	strbuf_release(&script);
}

/*
 * A slot is given back by every start that fails and every child reaped, so
 * SPAWN_MAX_CHILDREN children can run at once after many more have come and
 * gone.  One more is refused rather than started unlisted, and
 * spawn_signal_all reaches them all.
 */
static void test_registry(void **state)
{
	(void)state;
	static pid_t pids[SPAWN_MAX_CHILDREN];
	struct spawn_options o;
	struct spawn_result r;
	spawn_options_init(&o);
	const char *quick[] = {"true", NULL};
	o.argv = quick;
	o.cwd = "/nonexistent";
	for (int i = 0; i < SPAWN_MAX_CHILDREN + 10; i++)
		assert_int_equal(spawn_start(&o, &pids[0]), ENOENT);
	o.cwd = NULL;
	for (int i = 0; i < 20; i++)
		assert_int_equal(spawn_run(&o, &r), 0);

	const char *sleeper[] = {"sleep", "30", NULL};
	o.argv = sleeper;
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++)
		assert_int_equal(spawn_start(&o, &pids[i]), 0);
	pid_t extra;
	assert_int_equal(spawn_start(&o, &extra), EAGAIN);
	spawn_signal_all(SIGKILL);
	for (int i = 0; i < SPAWN_MAX_CHILDREN; i++) {
		spawn_wait(pids[i], 5, &r);
		assert_false(r.timed_out);
		assert_int_equal(r.signal, SIGKILL);
	}
	o.argv = quick;
	assert_int_equal(spawn_run(&o, &r), 0);
}

/* Threads */

enum { THREADS = 4, PER_THREAD = 20 };

struct worker {
	int id;
	const char *rendezvous; /* the script of the first child */
	const char *dir;
	int failures;
	char first_failure[128];
};

static void fail_in_thread(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* cmocka's assertions belong to the main thread: a worker notes its first
 * failure for test_threads to report. */
static void fail_in_thread(struct worker *w, const char *fmt, ...)
{
	if (w->failures++)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->first_failure, sizeof(w->first_failure), fmt, ap);
	va_end(ap);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct spawn_options o;
	struct spawn_result r;
	char id[16];
	snprintf(id, sizeof(id), "%d", w->id);
	const char *meet[] = {"/bin/sh", "-c", w->rendezvous, w->dir, id, NULL};
	spawn_options_init(&o);
	o.argv = meet;
	o.timeout = 10;
	if (spawn_run(&o, &r) != 0)
		fail_in_thread(w, "rendezvous: timed out %d, exited %d, code %d", r.timed_out,
			       r.exited, r.code);

	for (int i = 0; i < PER_THREAD; i++) {
		int code = (w->id * PER_THREAD + i) % 7;
		char script[64];
		snprintf(script, sizeof(script), "echo %d-%d; exit %d", w->id, i, code);
		const char *argv[] = {"/bin/sh", "-c", script, NULL};
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			fail_in_thread(w, "pipe2: %s", strerror(errno));
			continue;
		}
		spawn_options_init(&o);
		o.argv = argv;
		o.stdout_fd = p[1];
		o.timeout = 10;
		int rc = spawn_run(&o, &r);
		close(p[1]);
		char *out = testutil_read_fd(p[0], NULL);
		char want[32];
		snprintf(want, sizeof(want), "%d-%d\n", w->id, i);
		if (rc != (code ? -1 : 0) || !r.exited || r.code != code || strcmp(out, want))
			fail_in_thread(w, "child %d-%d: rc %d exited %d code %d out '%s'", w->id, i,
				       rc, r.exited, r.code, out);
		free(out);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct tmp *t = *state;
	/* The first child of each thread waits until those of all the others
	 * have started: it ends only if they run at once. */
	struct strbuf rendezvous = STRBUF_INIT;
	strbuf_adds(&rendezvous, "touch \"$0/$1\"; until true");
	for (int i = 0; i < THREADS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%d", i);
		tmp_path(t, name);
		strbuf_addf(&rendezvous, " && [ -e \"$0/%d\" ]", i);
	}
	strbuf_adds(&rendezvous, "; do sleep 0.01; done");

	pthread_t threads[THREADS];
	struct worker workers[THREADS];
	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){.id = i, .rendezvous = rendezvous.buf, .dir = t->dir};
		assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	strbuf_release(&rendezvous);
	for (int i = 0; i < THREADS; i++)
		if (workers[i].failures)
			fail_msg("thread %d: %d failures, first: %s", i, workers[i].failures,
				 workers[i].first_failure);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, setup_tmp, teardown_tmp)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_stdout_and_stderr_apart),
		cmocka_unit_test(test_stdin_is_dev_null),
		cmocka_unit_test(test_stdin_given),
		cmocka_unit_test(test_descriptors_not_leaked),
		cmocka_unit_test(test_stderr_to_callers_stdout),
		TMP_TEST(test_cwd),
		cmocka_unit_test(test_bad_cwd),
		cmocka_unit_test(test_missing_program),
		cmocka_unit_test(test_envp),
		TMP_TEST(test_path_of_child),
		TMP_TEST(test_find_program),
		cmocka_unit_test(test_child_signals_default),
		cmocka_unit_test(test_own_process_group),
		cmocka_unit_test(test_wait_lost_child),
		TMP_TEST(test_timeout_ends_group),
		TMP_TEST(test_timeout_then_sigkill),
		cmocka_unit_test(test_timeout_not_reached),
		TMP_TEST(test_signal_all),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_killed_child_takes_its_group),
		TMP_TEST(test_threads),
	};
	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
