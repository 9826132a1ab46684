/*
 * testutil: the chores the cmocka unit tests share, so each test file keeps
 * only what is its own: a fresh temporary directory, writing a file with a
 * given mode, reading a file or a descriptor whole, counting the names in
 * a directory, removing a tree.
 * Strings returned are the caller's to free.  testutil_write_file fails the
 * running test on an error; the others report it in their return value and
 * use no cmocka assertion, so that setups, teardowns and threads may call
 * them.
 */
#ifndef MINIMERGE_TESTUTIL_H
#define MINIMERGE_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Makes a new directory /tmp/<name>.XXXXXX and puts its path in dir (size
 * bytes).  0 or -1. */
int testutil_mkdtemp(char *dir, size_t size, const char *name);
/* Writes text to path (created or truncated), then gives it mode: chmod,
 * not the umask, decides it.  Fails the test on an error. */
void testutil_write_file(const char *path, const char *text, mode_t mode);
/* What fd gives until EOF or an error, NUL-terminated; closes fd.  *len, if
 * len is not NULL, gets its length.  The caller frees the result. */
char *testutil_read_fd(int fd, size_t *len);
/* The content of the file at path as testutil_read_fd gives it, or NULL if
 * it cannot be opened.  The caller frees the result. */
char *testutil_read_file(const char *path, size_t *len);
/* How many names the directory at path holds ("." and ".." aside); 0 if
 * it cannot be read. */
size_t testutil_count_names(const char *path);
/* rm -rf path: 0 (also when it does not exist) or -1, having said on stderr
 * what could not be removed. */
int testutil_remove_tree(const char *path);

/* Sends stderr to the file path (created or truncated) until
 * testutil_stderr_restore, which puts it back and returns what was written
 * (the caller frees it).  Fails the test on an error. */
struct testutil_stderr {
	int saved, fd;
};
void testutil_stderr_capture(struct testutil_stderr *c, const char *path);
char *testutil_stderr_restore(struct testutil_stderr *c);

#endif
