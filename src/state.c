#include "state.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An fcntl lock: the kernel drops it when the process ends, however it
 * ends, so a killed run never leaves the root locked. */
static int take_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		diag_error(path, 0, "cannot open the lock: %s", strerror(errno));
		return -1;
	}
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return fd;
	if (errno != EACCES && errno != EAGAIN) {
		diag_error(path, 0, "cannot lock: %s", strerror(errno));
		close(fd);
		return -1;
	}
	struct flock holder = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK)
		fprintf(stderr, "minimerge: waiting for the minimerge running here (pid %ld) to finish\n",
			(long)holder.l_pid);
	else
		fputs("minimerge: waiting for another minimerge running here to finish\n", stderr);
	while (fcntl(fd, F_SETLKW, &fl) != 0) {
		if (errno != EINTR) {
			diag_error(path, 0, "cannot lock: %s", strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

int state_open(struct arena *a, const char *root, bool create, struct state *st)
{
	*st = (struct state){.lock_fd = -1};
	st->dir = path_join(a, root, ".minimerge");
	st->casdir = path_join(a, st->dir, "cas");
	st->logdir = path_join(a, st->dir, "logs");
	struct stat sb;
	if (!create && stat(st->dir, &sb) != 0 && errno == ENOENT)
		return 1;
	int err = fs_mkdirs(st->dir, 0777);
	if (err) {
		diag_error(st->dir, 0, "cannot create the state directory: %s", strerror(err));
		return -1;
	}
	st->lock_fd = take_lock(path_join(a, st->dir, "lock"));
	if (st->lock_fd < 0)
		return -1;
	st->store = store_open(path_join(a, st->dir, "db"));
	return st->store ? 0 : -1;
}

void state_close(struct state *st)
{
	store_close(st->store);
	st->store = NULL;
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}
