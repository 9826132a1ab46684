#include "extract.h"

#include "arena.h"
#include "diag.h"
#include "fsutil.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directory whose bits and times are set at the end. */
struct dir_fix {
	const char *path;         /* relative to the top, in the arena */
	size_t depth;             /* its slashes */
	size_t order;             /* a later entry for the same directory wins */
	mode_t mode;
	struct timespec times[2]; /* UTIME_OMIT for a parent without an entry */
};

struct extract {
	const struct archive_lib *al;
	struct archive *in;
	const char *what;
	const char *entry;     /* the name as the archive gives it, for messages */
	int top;               /* dir */
	struct strbuf name;    /* the entry's, cleaned */
	struct strbuf parent;  /* the directory parent_fd is, relative to top */
	int parent_fd;         /* top, or ours to close */
	struct arena arena;
	struct dir_fix *fixes;
	size_t nfixes, capfixes;
};

/* Reports why the current entry cannot be unpacked.  -1. */
static int refuse(struct extract *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct extract *x, const char *fmt, ...)
{
	struct strbuf why = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&why, fmt, ap);
	va_end(ap);
	diag_error(NULL, 0, "cannot unpack %s: %s: %s", x->what, x->entry, why.buf);
	strbuf_release(&why);
	return -1;
}

static void add_fix(struct extract *x, size_t len, mode_t mode, const struct timespec *times)
{
	if (x->nfixes == x->capfixes) {
		x->capfixes = x->capfixes ? 2 * x->capfixes : 64;
		x->fixes = xrealloc(x->fixes, x->capfixes * sizeof(*x->fixes));
	}
	struct dir_fix *d = &x->fixes[x->nfixes];
	d->path = arena_strndup(&x->arena, x->name.buf, len);
	d->depth = 0;
	for (size_t i = 0; i < len; i++)
		d->depth += x->name.buf[i] == '/';
	d->order = x->nfixes++;
	d->mode = mode;
	d->times[0] = times[0];
	d->times[1] = times[1];
}

/* Puts the entry's name in x->name without its "." and empty components.
 * 0, or -1 (reported) for a name that could land outside the top. */
static int clean_name(struct extract *x)
{
	strbuf_reset(&x->name);
	if (x->entry[0] == '/')
		return refuse(x, "the name is absolute");
	for (const char *p = x->entry; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return refuse(x, "the name has a \"..\" component");
		if (n && !(n == 1 && p[0] == '.')) {
			if (x->name.len)
				strbuf_addc(&x->name, '/');
			strbuf_add(&x->name, p, n);
		}
		p += n + (p[n] == '/');
	}
	return 0;
}

static void close_parent(struct extract *x)
{
	if (x->parent_fd != x->top)
		close(x->parent_fd);
	x->parent_fd = x->top;
	strbuf_reset(&x->parent);
}

/* Says why the parent x->name.buf, whose last component is comp in fd,
 * could not be opened (err).  Linux fails O_NOFOLLOW | O_DIRECTORY on a
 * symlink with ENOTDIR, not ELOOP: the file itself tells which it is. */
static void refuse_parent(struct extract *x, int fd, const char *comp, int err)
{
	struct stat st;
	if ((err != ELOOP && err != ENOTDIR) || fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) != 0)
		refuse(x, "%s: %s", x->name.buf, strerror(err));
	else
		refuse(x, "%s %s", x->name.buf, S_ISLNK(st.st_mode) ? "is a symlink" : "is not a directory");
}

static const struct timespec untouched[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};

/* Sets x->parent_fd to the directory of the first len bytes of x->name,
 * opened component by component without following a symlink, creating
 * what is missing.  Consecutive entries of an archive mostly share their
 * directory, or go one deeper: the last one is kept open and walked on
 * from.  0 or -1 (reported). */
static int open_parent(struct extract *x, size_t len)
{
	char *name = x->name.buf;
	size_t plen = x->parent.len;
	if (len == plen && !memcmp(name, x->parent.buf, len))
		return 0;
	size_t start = 0;
	if (plen && plen < len && name[plen] == '/' && !memcmp(name, x->parent.buf, plen))
		start = plen + 1;
	else
		close_parent(x);
	int fd = x->parent_fd;
	x->parent_fd = x->top;
	strbuf_reset(&x->parent);
	while (start < len) {
		size_t end = start + strcspn(name + start, "/");
		name[end] = '\0';
		int sub = openat(fd, name + start, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT && mkdirat(fd, name + start, 0700) == 0) {
			add_fix(x, end, 0755, untouched);
			sub = openat(fd, name + start, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (sub < 0)
			refuse_parent(x, fd, name + start, errno);
		name[end] = '/';
		if (fd != x->top)
			close(fd);
		if (sub < 0)
			return -1;
		fd = sub;
		start = end + 1;
	}
	x->parent_fd = fd;
	strbuf_add(&x->parent, name, len);
	return 0;
}

/* Writes n bytes at off.  0 or an errno value. */
static int write_at(int fd, const char *p, size_t n, la_int64_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* The data goes where the archive says: a hole it leaves out, a sparse
 * file's, stays a hole, and the size set last makes a trailing one.  A
 * size the header does not give (a zip entry read as a stream) is the
 * data's. */
static int make_file(struct extract *x, struct archive_entry *ae, const char *base,
		     const struct timespec *times)
{
	const struct archive_lib *al = x->al;
	int fd = openat(x->parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0600);
	if (fd < 0)
		return refuse(x, "%s", strerror(errno));
	int ret = 0;
	for (;;) {
		const void *buf;
		size_t n;
		la_int64_t off;
		int r = al->read_data_block(x->in, &buf, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			diag_error(NULL, 0, "cannot read %s: %s: %s", x->what, x->entry,
				   al->error_string(x->in));
			ret = -1;
			break;
		}
		int err = write_at(fd, buf, n, off);
		if (err) {
			ret = refuse(x, "cannot write: %s", strerror(err));
			break;
		}
	}
	if (!ret && al->entry_size_is_set(ae) && ftruncate(fd, (off_t)al->entry_size(ae)) != 0)
		ret = refuse(x, "cannot write: %s", strerror(errno));
	if (!ret && (fchmod(fd, al->entry_perm(ae) & 07777) != 0 || futimens(fd, times) != 0))
		ret = refuse(x, "%s", strerror(errno));
	if (close(fd) != 0 && !ret)
		ret = refuse(x, "cannot write: %s", strerror(errno));
	return ret;
}

static int make_symlink(struct extract *x, struct archive_entry *ae, const char *base,
			const struct timespec *times)
{
	const char *target = x->al->entry_symlink(ae);
	if (!target)
		return refuse(x, "a symlink without a target");
	if (symlinkat(target, x->parent_fd, base) != 0 ||
	    utimensat(x->parent_fd, base, times, AT_SYMLINK_NOFOLLOW) != 0)
		return refuse(x, "%s", strerror(errno));
	return 0;
}

static int make_dir(struct extract *x, struct archive_entry *ae, const char *base,
		    const struct timespec *times)
{
	if (mkdirat(x->parent_fd, base, 0700) != 0) {
		int err = errno;
		struct stat st;
		if (err != EEXIST || fstatat(x->parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			return refuse(x, "%s", strerror(err));
	}
	add_fix(x, x->name.len, x->al->entry_perm(ae) & 07777, times);
	return 0;
}

#define ONLY "only regular files, directories and symlinks are unpacked"

/* Creates the entry just read.  0 or -1 (reported). */
static int make_entry(struct extract *x, struct archive_entry *ae)
{
	const struct archive_lib *al = x->al;
	if (clean_name(x) != 0)
		return -1;
	const char *link = al->entry_hardlink(ae);
	if (link)
		return refuse(x, "a hard link (to %s); %s", link, ONLY);
	/* AE_IF* are the usual st_mode values: fs_type_name reads them. */
	mode_t type = al->entry_filetype(ae);
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return refuse(x, "a %s; %s", fs_type_name(type), ONLY);
	if (!x->name.len)
		return 0;
	char *slash = strrchr(x->name.buf, '/');
	size_t len = slash ? (size_t)(slash - x->name.buf) : 0;
	if (open_parent(x, len) != 0)
		return -1;
	const char *base = slash ? slash + 1 : x->name.buf;
	struct timespec mtime = {al->entry_mtime(ae), al->entry_mtime_nsec(ae)};
	const struct timespec times[2] = {mtime, mtime};
	if (type == AE_IFREG)
		return make_file(x, ae, base, times);
	if (type == AE_IFLNK)
		return make_symlink(x, ae, base, times);
	return make_dir(x, ae, base, times);
}

static int deepest_first(const void *a, const void *b)
{
	const struct dir_fix *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Gives the directories their bits and times, deepest first: a directory
 * whose mode denies its owner search (0600) would keep its subdirectories
 * out of reach.  0 or -1 (reported). */
static int fix_dirs(struct extract *x)
{
	if (x->nfixes)
		qsort(x->fixes, x->nfixes, sizeof(*x->fixes), deepest_first);
	for (size_t i = 0; i < x->nfixes; i++) {
		const struct dir_fix *d = &x->fixes[i];
		if (fchmodat(x->top, d->path, d->mode, 0) != 0 ||
		    utimensat(x->top, d->path, d->times, 0) != 0) {
			x->entry = d->path;
			return refuse(x, "%s", strerror(errno));
		}
	}
	return 0;
}

int extract_entries(const struct archive_lib *al, struct archive *in, const char *dir,
		    const char *what)
{
	int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		diag_error(dir, 0, "cannot open the directory: %s", strerror(errno));
		return -1;
	}
	struct extract x = {.al = al, .in = in, .what = what, .top = top, .name = STRBUF_INIT,
			    .parent = STRBUF_INIT, .parent_fd = top, .arena = ARENA_INIT};
	int ret = 0;
	while (!ret) {
		struct archive_entry *ae;
		int r = al->read_next_header(in, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			diag_error(NULL, 0, "cannot read %s: %s", what, al->error_string(in));
			ret = -1;
		} else if (!(x.entry = al->entry_pathname(ae))) {
			diag_error(NULL, 0, "cannot unpack %s: an entry has no name", what);
			ret = -1;
		} else {
			ret = make_entry(&x, ae);
		}
	}
	close_parent(&x);
	if (!ret)
		ret = fix_dirs(&x);
	close(x.top);
	strbuf_release(&x.name);
	strbuf_release(&x.parent);
	free(x.fixes);
	arena_free(&x.arena);
	return ret;
}
