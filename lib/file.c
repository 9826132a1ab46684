#include "file.h"

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_fd(int fd, bool regular_only, struct strbuf *out, int *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		*err = errno;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		*err = EISDIR;
		return -1;
	}
	if (regular_only && !S_ISREG(st.st_mode))
		return -2;
	/* A regular file's size is known: one read of a byte more than that
	 * comes back short at its end, and a second read to see the end is
	 * saved (thousands of minibuilds are read per run).  A file that grew
	 * meanwhile is read on to its new end. */
	size_t want = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	for (;;) {
		strbuf_grow(out, want);
		size_t room = out->cap - out->len - 1;
		ssize_t n = read(fd, out->buf + out->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*err = errno;
			return -1;
		}
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (n == 0 || (S_ISREG(st.st_mode) && (size_t)n < room))
			break;
		want = 65536;
	}
	return 0;
}

static int read_path(const char *path, bool regular_only, struct strbuf *out, int *err)
{
	/* Non-blocking: opening a FIFO waits for a writer otherwise.  The
	 * flag does not change reads of regular files. */
	int fd = open(fs_cwd_relative(path), O_RDONLY | O_CLOEXEC | (regular_only ? O_NONBLOCK : 0));
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	int rc = read_fd(fd, regular_only, out, err);
	close(fd);
	return rc;
}

int file_read(const char *path, struct strbuf *out, int *err)
{
	return read_path(path, false, out, err);
}

int file_read_regular(const char *path, struct strbuf *out, int *err)
{
	return read_path(path, true, out, err);
}
