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

/* A symlink of a source, checked once every entry is in place: a
 * symlink made later may be on its way. */
struct link_check {
	const char *path;   /* relative to the top, in the arena */
	const char *target; /* in the arena */
};

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
	const struct extract_rules *rules; /* never NULL */
	const char *entry;     /* the name as the archive gives it, for messages */
	int top;               /* dir */
	struct strbuf name;    /* the entry's, cleaned */
	struct strbuf parent;  /* the directory parent_fd is, relative to top */
	int parent_fd;         /* top, or ours to close */
	struct arena arena;
	struct dir_fix *fixes;
	size_t nfixes, capfixes;
	struct link_check *links;
	size_t nlinks, caplinks;
	uint64_t bytes; /* the files' sizes so far */
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

/* Puts name in out without its "." and empty components.  0, or -1
 * (reported, saying what the name is) for a name that could land outside
 * the top. */
static int clean_name(struct extract *x, const char *name, const char *what,
		      struct strbuf *out)
{
	strbuf_reset(out);
	if (name[0] == '/')
		return refuse(x, "%s is absolute", what);
	for (const char *p = name; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return refuse(x, "%s has a \"..\" component", what);
		if (n && !(n == 1 && p[0] == '.')) {
			if (out->len)
				strbuf_addc(out, '/');
			strbuf_add(out, p, n);
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
/* Counts n more bytes against the limit.  0, or -1 (reported). */
static int count_bytes(struct extract *x, uint64_t n)
{
	uint64_t max = x->rules->max_bytes;
	if (max && (n > max || x->bytes > max - n))
		return refuse(x, "the archive unpacks to more than %ju bytes, the limit",
			      (uintmax_t)max);
	x->bytes += n;
	return 0;
}

static int make_file(struct extract *x, struct archive_entry *ae, const char *base,
		     const struct timespec *times)
{
	const struct archive_lib *al = x->al;
	/* A size the header gives is counted before anything is written; the
	 * data of one it does not is counted as it comes. */
	bool sized = al->entry_size_is_set(ae);
	if (sized && count_bytes(x, (uint64_t)al->entry_size(ae)) != 0)
		return -1;
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
		if (!sized && count_bytes(x, n) != 0) {
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
	if (x->rules->confine_links) {
		if (x->nlinks == x->caplinks) {
			x->caplinks = x->caplinks ? 2 * x->caplinks : 16;
			x->links = xrealloc(x->links, x->caplinks * sizeof(*x->links));
		}
		x->links[x->nlinks++] = (struct link_check){
			arena_strdup(&x->arena, x->name.buf), arena_strdup(&x->arena, target)};
	}
	return 0;
}

/* A hard link to an entry unpacked before it: its target's directory is
 * walked as every parent is, without following a symlink. */
static int make_hardlink(struct extract *x, const char *link, const char *base)
{
	struct strbuf target = STRBUF_INIT;
	int ret = -1;
	if (clean_name(x, link, "the hard link's target", &target) != 0)
		goto out;
	if (!target.len) {
		refuse(x, "a hard link to the top");
		goto out;
	}
	int dfd = x->top;
	char *p = target.buf;
	for (char *slash; (slash = strchr(p, '/')); p = slash + 1) {
		*slash = '\0';
		int sub = openat(dfd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		if (dfd != x->top)
			close(dfd);
		if (sub < 0) {
			refuse(x, "a hard link to %s, which is not in the tree before it", target.buf);
			goto out;
		}
		dfd = sub;
	}
	if (linkat(dfd, p, x->parent_fd, base, 0) != 0)
		refuse(x, "a hard link to %s: %s", target.buf, strerror(errno));
	else
		ret = 0;
	if (dfd != x->top)
		close(dfd);
out:
	strbuf_release(&target);
	return ret;
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
	if (clean_name(x, x->entry, "the name", &x->name) != 0)
		return -1;
	const char *link = al->entry_hardlink(ae);
	if (link && !x->rules->confine_links)
		return refuse(x, "a hard link (to %s); %s", link, ONLY);
	/* AE_IF* are the usual st_mode values: fs_type_name reads them. */
	mode_t type = al->entry_filetype(ae);
	if (!link && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return refuse(x, "a %s; %s", fs_type_name(type), ONLY);
	if (x->rules->no_setid && (al->entry_perm(ae) & (S_ISUID | S_ISGID)))
		return refuse(x, "a setuid or setgid bit (mode %04o)",
			      (unsigned)(al->entry_perm(ae) & 07777));
	if (!x->name.len)
		return 0;
	char *slash = strrchr(x->name.buf, '/');
	size_t len = slash ? (size_t)(slash - x->name.buf) : 0;
	if (open_parent(x, len) != 0)
		return -1;
	const char *base = slash ? slash + 1 : x->name.buf;
	if (link)
		return make_hardlink(x, link, base);
	struct timespec mtime = {al->entry_mtime(ae), al->entry_mtime_nsec(ae)};
	const struct timespec times[2] = {mtime, mtime};
	if (type == AE_IFREG)
		return make_file(x, ae, base, times);
	if (type == AE_IFLNK)
		return make_symlink(x, ae, base, times);
	return make_dir(x, ae, base, times);
}

/* Where a symlink leads, resolved from its directory by the names alone:
 * out of the tree, or through another symlink of it (whose own target
 * might then take the path anywhere), it is refused.  0 or -1 (reported). */
static int check_link(struct extract *x, const struct link_check *l)
{
	x->entry = l->path;
	if (l->target[0] == '/')
		return refuse(x, "a symlink to %s, outside the tree", l->target);
	struct strbuf at = STRBUF_INIT; /* where the resolution is, from the top */
	const char *slash = strrchr(l->path, '/');
	if (slash)
		strbuf_add(&at, l->path, (size_t)(slash - l->path));
	int ret = 0;
	for (const char *p = l->target; *p && !ret;) {
		size_t n = strcspn(p, "/");
		bool last = !p[n] || !p[n + strspn(p + n, "/")];
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!at.len) {
				ret = refuse(x, "a symlink to %s, outside the tree", l->target);
				break;
			}
			const char *up = strrchr(at.buf, '/');
			at.len = up ? (size_t)(up - at.buf) : 0;
			at.buf[at.len] = '\0';
		} else if (n && !(n == 1 && p[0] == '.')) {
			if (at.len)
				strbuf_addc(&at, '/');
			strbuf_add(&at, p, n);
			struct stat st;
			if (!last && fstatat(x->top, at.buf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				ret = refuse(x, "a symlink to %s, through the symlink %s", l->target,
					     at.buf);
		}
		p += n;
		p += strspn(p, "/");
	}
	strbuf_release(&at);
	return ret;
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
		    const char *what, const struct extract_rules *rules)
{
	static const struct extract_rules none;
	int top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		diag_error(dir, 0, "cannot open the directory: %s", strerror(errno));
		return -1;
	}
	struct extract x = {.al = al, .in = in, .what = what, .rules = rules ? rules : &none,
			    .top = top, .name = STRBUF_INIT,
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
	for (size_t i = 0; !ret && i < x.nlinks; i++)
		ret = check_link(&x, &x.links[i]);
	if (!ret)
		ret = fix_dirs(&x);
	close(x.top);
	strbuf_release(&x.name);
	strbuf_release(&x.parent);
	free(x.fixes);
	free(x.links);
	arena_free(&x.arena);
	return ret;
}
