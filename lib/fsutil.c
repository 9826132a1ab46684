/* d_type (BSD, glibc, musl): fs_list_dir lists a minilay of 10,000
 * minibuilds without 10,000 stats. */
#define _DEFAULT_SOURCE
#include "fsutil.h"

#include "arena.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p on p, which it changes and restores.  From the bottom up: the
 * usual directory is new in a parent that is there, one system call,
 * where trying each prefix from the root took one a level. */
static int make_dirs(char *p, mode_t mode)
{
	if (mkdir(p, mode) == 0)
		return 0;
	int err = errno;
	if (err == ENOENT) {
		char *slash = strrchr(p, '/');
		while (slash && slash > p && slash[-1] == '/')
			slash--;
		if (!slash || slash == p)
			return ENOENT;
		*slash = '\0';
		err = make_dirs(p, mode);
		*slash = '/';
		if (err)
			return err;
		/* EEXIST if another thread made it meanwhile. */
		err = mkdir(p, mode) == 0 ? 0 : errno;
	}
	if (err == EEXIST)
		return fs_is_dir(p, true) ? 0 : ENOTDIR;
	return err;
}

int fs_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	int err = make_dirs(p, mode);
	free(p);
	return err;
}

static int remove_at(int dirfd, const char *name, struct strbuf *where)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return errno;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	/* A read-only directory (a build's, a Go module cache's) is still ours
	 * to empty. */
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & 0700) != 0700)
		fchmod(fd, (st.st_mode & 07777) | 0700);
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return e;
	}
	size_t len = where->len;
	int err = 0;
	struct dirent *de;
	while (!err && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(where, "/%s", de->d_name);
		err = remove_at(fd, de->d_name, where);
		if (!err)
			where->buf[where->len = len] = '\0';
	}
	closedir(d);
	if (err)
		return err;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		return errno;
	return 0;
}

int fs_remove_tree(const char *path, char **failed)
{
	struct strbuf where = STRBUF_INIT;
	strbuf_adds(&where, path);
	int err = remove_at(AT_FDCWD, path, &where);
	if (err && failed)
		*failed = strbuf_detach(&where);
	strbuf_release(&where);
	return err;
}

bool fs_is_dir(const char *path, bool follow)
{
	struct stat st;
	return (follow ? stat(path, &st) : lstat(path, &st)) == 0 && S_ISDIR(st.st_mode);
}

int fs_sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return err;
}

int fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The temporary file of a whole write of path, opened; -1 with errno. */
static int atomic_open(const char *path, mode_t mode, struct strbuf *tmp)
{
	strbuf_addf(tmp, "%s.tmp.%ld", path, (long)getpid());
	return open(tmp->buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
}

/* Ends a whole write begun with atomic_open: given mode's bits (the umask
 * must not narrow an explicit mode; 0 keeps open's), synced and renamed
 * into place, or removed if err (or any step) fails.  0 or an errno
 * value. */
static int atomic_finish(int fd, int err, mode_t mode, struct strbuf *tmp, const char *path)
{
	if (!err && mode && fchmod(fd, mode) != 0)
		err = errno;
	if (!err && fsync(fd) != 0)
		err = errno;
	if (fd >= 0 && close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp->buf, path) != 0)
		err = errno;
	if (err)
		unlink(tmp->buf);
	strbuf_release(tmp);
	return err;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd = atomic_open(path, 0666, &tmp);
	return atomic_finish(fd, fd < 0 ? errno : fs_write_all(fd, data, len), mode, &tmp, path);
}

/* Creating a file is atomic by itself, so a stamp needs no temporary
 * name.  Nor a sync: what it vouches for (an unpacked tree, a build) is
 * not synced either, and a synced stamp would only be likelier than the
 * tree to outlive a crash.  Each sync here cost a disk write: half a
 * millisecond, 13% of a fetch of 50 small sources. */
int fs_touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return errno;
	return close(fd) == 0 ? 0 : errno;
}

/* Copies what in gives until its end to out.  0 or an errno value. */
static int copy_fd(int in, int out)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : 0;
		int err = fs_write_all(out, buf, (size_t)n);
		if (err)
			return err;
	}
}

int fs_copy_atomic(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return errno;
	struct strbuf tmp = STRBUF_INIT;
	int fd = atomic_open(dst, 0666, &tmp);
	int err = fd < 0 ? errno : copy_fd(in, fd);
	close(in);
	return atomic_finish(fd, err, mode, &tmp, dst);
}

int fs_append(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return errno;
	int err = fs_write_all(fd, data, len);
	if (close(fd) != 0 && !err)
		err = errno;
	return err;
}

int fs_open_scratch(void)
{
	static atomic_uint serial;
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/minimerge-scratch.%ld.%u", dir && *dir ? dir : "/tmp",
		 (long)getpid(), atomic_fetch_add(&serial, 1));
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st)
{
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return errno;
	int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	int err = out < 0 ? errno : copy_fd(in, out);
	/* The umask may have cut the bits open() asked for. */
	if (!err && fchmod(out, st->st_mode & 07777) != 0)
		err = errno;
	if (!err) {
		struct timespec times[2] = {st->st_atim, st->st_mtim};
		if (futimens(out, times) != 0)
			err = errno;
	}
	if (out >= 0)
		close(out);
	close(in);
	return err;
}

static int copy_dir(int sfd, int dfd, struct strbuf *where, const char *const *exclude,
		    size_t nexclude)
{
	int fd2 = dup(sfd);
	DIR *d = fd2 < 0 ? NULL : fdopendir(fd2);
	if (!d) {
		int e = errno;
		if (fd2 >= 0)
			close(fd2);
		return e;
	}
	int err = 0;
	size_t len = where->len;
	struct dirent *de;
	while (!err && (de = readdir(d))) {
		const char *name = de->d_name;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		bool skip = false;
		for (size_t i = 0; i < nexclude; i++)
			skip |= !strcmp(name, exclude[i]);
		if (skip)
			continue;
		where->buf[where->len = len] = '\0';
		strbuf_addf(where, "/%s", name);
		struct stat st;
		if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			err = errno;
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, name, 0700) != 0) {
				err = errno;
				break;
			}
			int s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0)
				err = errno;
			else
				err = copy_dir(s2, d2, where, NULL, 0);
			if (!err && fchmod(d2, st.st_mode & 07777) != 0)
				err = errno;
			if (!err) {
				struct timespec times[2] = {st.st_atim, st.st_mtim};
				if (futimens(d2, times) != 0)
					err = errno;
			}
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
			if (n < 0) {
				err = errno;
			} else {
				target[n] = '\0';
				if (symlinkat(target, dfd, name) != 0)
					err = errno;
			}
		} else if (S_ISREG(st.st_mode)) {
			err = copy_file(sfd, dfd, name, &st);
		} else {
			err = EINVAL; /* a device or a fifo has no place in a source tree */
		}
	}
	if (!err)
		where->buf[where->len = len] = '\0';
	closedir(d);
	return err;
}

int fs_copy_tree(const char *src, const char *dst, const char *const *exclude, size_t nexclude,
		 char **failed)
{
	struct strbuf where = STRBUF_INIT;
	strbuf_adds(&where, src);
	int err = fs_mkdirs(dst, 0777);
	int sfd = -1, dfd = -1;
	if (!err && (sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err = errno;
	if (!err && (dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err = errno;
	if (!err)
		err = copy_dir(sfd, dfd, &where, exclude, nexclude);
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	if (err && failed)
		*failed = strbuf_detach(&where);
	strbuf_release(&where);
	return err;
}

static char *cwd;
static size_t cwd_len;

void fs_cwd_note(void)
{
	free(cwd);
	cwd = getcwd(NULL, 0);
	cwd_len = cwd ? strlen(cwd) : 0;
	/* Below "/", every absolute path: nothing to save. */
	if (cwd_len == 1) {
		free(cwd);
		cwd = NULL;
		cwd_len = 0;
	}
}

const char *fs_cwd_relative(const char *path)
{
	if (cwd && !strncmp(path, cwd, cwd_len) && path[cwd_len] == '/' && path[cwd_len + 1])
		return path + cwd_len + 1;
	return path;
}

const char *fs_type_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "FIFO";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISCHR(mode))
		return "character device";
	if (S_ISBLK(mode))
		return "block device";
	return "special file";
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **fs_list_dir(struct arena *a, const char *dir,
			 bool (*keep)(const char *name, bool is_dir, void *ctx), void *ctx,
			 size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	size_t cap = 64;
	const char **v = xmalloc(cap * sizeof(*v));
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		bool is_dir;
#ifdef DT_DIR
		if (e->d_type == DT_DIR || e->d_type == DT_REG) {
			is_dir = e->d_type == DT_DIR;
		} else
#endif
		{
			/* A link, or a file system that does not say: ask. */
			struct stat st;
			is_dir = fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
		}
		if (!keep(e->d_name, is_dir, ctx))
			continue;
		if (*n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof(*v));
		v[(*n)++] = arena_strdup(a, e->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), by_name);
	return v;
}
