/* See testutil.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "../../lib/fsutil.h"
#include "../../lib/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int testutil_mkdtemp(char *dir, size_t size, const char *name)
{
	int n = snprintf(dir, size, "/tmp/%s.XXXXXX", name);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

void testutil_write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
	assert_int_equal(chmod(path, mode), 0);
}

char *testutil_read_fd(int fd, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(&sb, buf, (size_t)n);
	}
	close(fd);
	if (len)
		*len = sb.len;
	return strbuf_detach(&sb);
}

char *testutil_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	return testutil_read_fd(fd, len);
}

size_t testutil_count_names(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

int testutil_remove_tree(const char *path)
{
	char *failed = NULL;
	int err = fs_remove_tree(path, &failed);
	if (!err)
		return 0;
	fprintf(stderr, "testutil: cannot remove %s: %s\n", failed ? failed : path, strerror(err));
	free(failed);
	return -1;
}

void testutil_stderr_capture(struct testutil_stderr *c, const char *path)
{
	fflush(stderr);
	c->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(c->fd >= 0);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(c->fd, 2), 2);
}

char *testutil_stderr_restore(struct testutil_stderr *c)
{
	fflush(stderr);
	assert_int_equal(dup2(c->saved, 2), 2);
	close(c->saved);
	assert_int_equal(lseek(c->fd, 0, SEEK_SET), 0);
	return testutil_read_fd(c->fd, NULL);
}
