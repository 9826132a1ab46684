/* realpath is XSI, not base POSIX. */
#define _XOPEN_SOURCE 700

#include "tree.h"

#include "../lib/fsutil.h"
#include "../lib/path.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Files are read through one buffer per walk, not mapped: a file truncated
 * while mapped would end the process with SIGBUS. */
enum { READ_BUF = 128 * 1024 };

/* A stat cache entry: device, inode, size, mtime and ctime in nanoseconds
 * (8 bytes each), st_mode (4), all little-endian, then the content hash's
 * 16 canonical bytes. */
enum { STAT_VAL = 5 * 8 + 4 + 16 };

/* LMDB's largest key (mdb_env_get_maxkeysize): the store refuses a longer
 * one with an error, so a file with a longer absolute path goes uncached. */
enum { STAT_KEY_MAX = 511 };

/* The manifest's first byte, so that a later format is told apart. */
enum { MANIFEST_V1 = 1 };

/* A tree's snapshot lives in STORE_STAT under a key no file's can be (those
 * start with '/'): SNAP_KEY, the exclude list's hash (16 canonical bytes),
 * the tree's absolute path and '/'.  SNAP_V1 is its value's first byte. */
enum { SNAP_KEY = 1, SNAP_V1 = 1 };

/* A snapshot of this many entries or more is checked relative to its top
 * directory opened, a smaller one by full paths (see snap_check). */
enum { SNAP_OPEN_AT = 8 };

/* What a snapshot keeps of an entry's stat.  Any change to the entry (to a
 * directory: an entry added, removed or renamed in it) moves its ctime. */
struct sig {
	uint64_t dev, ino, size;
	uint64_t mtime, ctime; /* ns, as int64_t */
	uint32_t mode;         /* st_mode */
};

/* An entry found by the walk, with its stat. */
struct walk_entry {
	struct tree_entry e;
	struct sig sig;
};

struct walk {
	struct store *store; /* NULL: no stat cache */
	const struct tree_options *opt;
	const char *dir;       /* as the caller named it, for messages */
	struct strbuf key;     /* dir's real path and '/', then an entry's path */
	size_t keyroot;        /* the length of the first part of key */
	struct strbuf val;     /* a stat cache entry read */
	struct strbuf snapkey; /* the tree's snapshot's key; empty: no snapshot */
	struct strbuf snap;    /* the snapshot read, if found */
	bool found;            /* snap was read */
	int resolve_err;       /* why the real path is unknown (keyroot 0) */
	int64_t racy_since;    /* ns; a file changed since is not cached, nor a
				* tree with an entry changed since snapshot */
	struct walk_entry *e;  /* in the order found, sorted at the end */
	size_t n, cap;
	struct arena arena;    /* the paths */
	unsigned char *buf;    /* READ_BUF bytes: a file's contents, a link's target */
	XXH3_state_t *state;
};

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static int64_t ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct sig sig_of(const struct stat *st)
{
	return (struct sig){(uint64_t)st->st_dev,      (uint64_t)st->st_ino,
			    (uint64_t)st->st_size,     (uint64_t)ns(st->st_mtim),
			    (uint64_t)ns(st->st_ctim), (uint32_t)st->st_mode};
}

static bool sig_equal(const struct sig *a, const struct sig *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime == b->mtime && a->ctime == b->ctime && a->mode == b->mode;
}

/* Changed within the last second (as the stat cache's rule): a next change
 * may leave the same stat. */
static bool sig_racy(const struct sig *g, int64_t since)
{
	return (int64_t)g->mtime >= since || (int64_t)g->ctime >= since;
}

static void stat_encode(const struct stat *st, struct hash128 h, unsigned char v[STAT_VAL])
{
	put_le(v, (uint64_t)st->st_dev, 8);
	put_le(v + 8, (uint64_t)st->st_ino, 8);
	put_le(v + 16, (uint64_t)st->st_size, 8);
	put_le(v + 24, (uint64_t)ns(st->st_mtim), 8);
	put_le(v + 32, (uint64_t)ns(st->st_ctim), 8);
	put_le(v + 40, st->st_mode, 4);
	hash_to_bytes(h, v + 44);
}

/* Reports an error about the entry at rel ("" for dir itself). */
static void walk_error(const struct walk *w, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void walk_error(const struct walk *w, const char *rel, const char *fmt, ...)
{
	struct strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
	strbuf_adds(&path, w->dir);
	if (*rel)
		strbuf_addf(&path, "/%s", rel);
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	diag_error(path.buf, 0, "%s", msg.buf);
	strbuf_release(&path);
	strbuf_release(&msg);
}

/* What reading files takes: a hash state and a buffer.  0, or -1
 * (reported). */
static int walk_buffers(struct walk *w)
{
	w->state = XXH3_createState();
	if (!w->state) {
		diag_error(NULL, 0, "out of memory");
		return -1;
	}
	w->buf = xmalloc(READ_BUF);
	return 0;
}

/* 1 with *h from the cache if st is what was cached for the file. */
static int stat_lookup(struct walk *w, const struct stat *st, struct hash128 *h)
{
	int r = store_get(w->store, STORE_STAT, w->key.buf, w->key.len, &w->val);
	if (r < 0) {
		/* Reported; the cache is a shortcut, the walk goes on without it
		 * rather than report the same failure for every file. */
		w->store = NULL;
		return 0;
	}
	unsigned char v[STAT_VAL];
	stat_encode(st, (struct hash128){{0, 0}}, v);
	if (r == 0 || w->val.len != STAT_VAL || memcmp(v, w->val.buf, STAT_VAL - 16))
		return 0;
	*h = hash_from_bytes((const unsigned char *)w->val.buf + STAT_VAL - 16);
	return 1;
}

/* hash_file and hash_link return 0, 1 if the entry is gone (removed since
 * the stat), or -1 (reported). */
static int hash_file(struct walk *w, int dirfd, const char *name, const char *rel,
		     const struct stat *st, struct hash128 *h)
{
	int cache = w->store != NULL;
	if (cache) {
		w->key.len = w->keyroot;
		strbuf_adds(&w->key, rel);
		cache = w->key.len <= STAT_KEY_MAX;
	}
	if (cache && stat_lookup(w, st, h))
		return 0;
	if (!w->state && walk_buffers(w) != 0)
		return -1;
	/* O_NONBLOCK: should a fifo take the file's place since the stat, the
	 * open must not wait for a writer. */
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0) {
		walk_error(w, rel, "cannot open: %s", strerror(errno));
		return -1;
	}
	XXH3_128bits_reset(w->state);
	uint64_t total = 0;
	for (;;) {
		ssize_t n = read(fd, w->buf, READ_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			walk_error(w, rel, "cannot read: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		XXH3_128bits_update(w->state, w->buf, (size_t)n);
		total += (uint64_t)n;
	}
	close(fd);
	h->h = XXH3_128bits_digest(w->state);
	/* A file written since the stat, or within the last second (its next
	 * change may keep the same times), is not cached. */
	if (cache && total == (uint64_t)st->st_size && ns(st->st_mtim) < w->racy_since &&
	    ns(st->st_ctim) < w->racy_since) {
		unsigned char v[STAT_VAL];
		stat_encode(st, *h, v);
		store_put(w->store, STORE_STAT, w->key.buf, w->key.len, v, STAT_VAL);
	}
	return 0;
}

static int hash_link(struct walk *w, int dirfd, const char *name, const char *rel,
		     struct hash128 *h)
{
	ssize_t n = readlinkat(dirfd, name, (char *)w->buf, READ_BUF);
	if (n < 0 && errno == ENOENT)
		return 1;
	if (n < 0 || n == READ_BUF) {
		walk_error(w, rel, "cannot read the symbolic link: %s",
			   strerror(n < 0 ? errno : ENAMETOOLONG));
		return -1;
	}
	*h = hash_bytes(w->buf, (size_t)n);
	return 0;
}

static int excluded(const struct walk *w, const char *rel)
{
	for (size_t i = 0; w->opt && i < w->opt->nexclude; i++)
		if (!strcmp(rel, w->opt->exclude[i]))
			return 1;
	return 0;
}

static int add_entry(struct walk *w, int dirfd, const char *name, const char *rel)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		/* Removed since readdir: the walk sees the tree a moment later,
		 * as it does for a file removed since the stat. */
		if (errno == ENOENT)
			return 0;
		walk_error(w, rel, "cannot stat: %s", strerror(errno));
		return -1;
	}
	struct hash128 h = {{0, 0}};
	int r = 0;
	if (S_ISREG(st.st_mode)) {
		r = hash_file(w, dirfd, name, rel, &st, &h);
	} else if (S_ISLNK(st.st_mode)) {
		r = hash_link(w, dirfd, name, rel, &h);
	} else if (!S_ISDIR(st.st_mode)) {
		walk_error(w, rel,
			   "is a %s: a tree holds only files, symbolic links and directories "
			   "(exclude it, or remove it)",
			   S_ISFIFO(st.st_mode)   ? "fifo"
			   : S_ISSOCK(st.st_mode) ? "socket"
						  : "device");
		return -1;
	}
	if (r)
		return r < 0 ? -1 : 0;
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 1024;
		w->e = xrealloc(w->e, w->cap * sizeof(*w->e));
	}
	w->e[w->n++] = (struct walk_entry){{rel, st.st_mode & (S_IFMT | 07777), h}, sig_of(&st)};
	return 0;
}

/* Adds the entries of the directory prefix ("" for the top). */
static int read_dir(struct walk *w, int top, const char *prefix)
{
	int fd = openat(top, *prefix ? prefix : ".",
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		/* Removed since it was found, as in add_entry. */
		if (err == ENOENT && *prefix)
			return 0;
		walk_error(w, prefix, "cannot open the directory: %s", strerror(err));
		return -1;
	}
	size_t plen = strlen(prefix);
	int r = 0;
	struct dirent *de;
	for (errno = 0; !r && (de = readdir(d)); errno = 0) {
		const char *name = de->d_name;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		size_t nlen = strlen(name);
		char *rel = arena_alloc(&w->arena, plen + 1 + nlen + 1);
		if (plen) {
			memcpy(rel, prefix, plen);
			rel[plen] = '/';
			memcpy(rel + plen + 1, name, nlen);
		} else {
			memcpy(rel, name, nlen);
		}
		if (!excluded(w, rel))
			r = add_entry(w, dirfd(d), name, rel);
	}
	if (!r && errno) {
		walk_error(w, prefix, "cannot read the directory: %s", strerror(errno));
		r = -1;
	}
	closedir(d);
	return r;
}

/* Breadth first, one directory open at a time, so that no depth runs out
 * of descriptors; the order does not matter, the entries are sorted after. */
static int walk_tree(struct walk *w, int top)
{
	int r = read_dir(w, top, "");
	for (size_t i = 0; !r && i < w->n; i++)
		if (S_ISDIR(w->e[i].e.mode))
			r = read_dir(w, top, w->e[i].e.path);
	return r;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct walk_entry *)a)->e.path,
		      ((const struct walk_entry *)b)->e.path);
}

static struct hash128 digest(XXH3_state_t *state, const struct walk_entry *e, size_t n)
{
	XXH3_128bits_reset(state);
	for (size_t i = 0; i < n; i++) {
		unsigned char rec[4 + 16];
		put_le(rec, e[i].e.mode, 4);
		hash_to_bytes(e[i].e.hash, rec + 4);
		/* The path and its NUL, as the arena keeps them. */
		XXH3_128bits_update(state, e[i].e.path, strlen(e[i].e.path) + 1);
		XXH3_128bits_update(state, rec, sizeof(rec));
	}
	return (struct hash128){XXH3_128bits_digest(state)};
}

static void put_varint(struct strbuf *sb, uint64_t v)
{
	unsigned char b[10];
	int n = 0;
	do {
		b[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	strbuf_add(sb, b, (size_t)n);
}

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << 8 * i;
	return v;
}

/*
 * A tree's snapshot: SNAP_V1, the tree's hash (16 canonical bytes), the top
 * directory's signature, the number of entries, then per entry in path
 * order its signature, its hash unless it is a directory, and its path as
 * the manifest has it (how many bytes it shares with the one before, the
 * rest's length, the rest); last, the XXH3-64 of all that before it, 8
 * bytes little-endian, so that a damaged snapshot is never trusted.  A
 * signature is the mode, device, inode, size, mtime and ctime.  Numbers are
 * LEB128 varints.
 */
static void put_sig(struct strbuf *sb, const struct sig *g)
{
	put_varint(sb, g->mode);
	put_varint(sb, g->dev);
	put_varint(sb, g->ino);
	put_varint(sb, g->size);
	put_varint(sb, g->mtime);
	put_varint(sb, g->ctime);
}

static int get_sig(const unsigned char **p, const unsigned char *end, struct sig *g)
{
	uint64_t mode;
	if (get_varint(p, end, &mode) || mode > UINT32_MAX || get_varint(p, end, &g->dev) ||
	    get_varint(p, end, &g->ino) || get_varint(p, end, &g->size) ||
	    get_varint(p, end, &g->mtime) || get_varint(p, end, &g->ctime))
		return -1;
	g->mode = (uint32_t)mode;
	return 0;
}

static void snap_encode(struct strbuf *sb, struct hash128 tree, const struct sig *top,
			const struct walk_entry *e, size_t n)
{
	unsigned char b[16];
	strbuf_reset(sb);
	strbuf_addc(sb, SNAP_V1);
	hash_to_bytes(tree, b);
	strbuf_add(sb, b, 16);
	put_sig(sb, top);
	put_varint(sb, n);
	const char *prev = "";
	for (size_t i = 0; i < n; i++) {
		const char *path = e[i].e.path;
		size_t shared = 0;
		while (prev[shared] && prev[shared] == path[shared])
			shared++;
		size_t rest = strlen(path + shared);
		put_sig(sb, &e[i].sig);
		if (!S_ISDIR(e[i].sig.mode)) {
			hash_to_bytes(e[i].e.hash, b);
			strbuf_add(sb, b, 16);
		}
		put_varint(sb, shared);
		put_varint(sb, rest);
		strbuf_add(sb, path + shared, rest);
		prev = path;
	}
	put_le(b, XXH3_64bits(sb->buf, sb->len), 8);
	strbuf_add(sb, b, 8);
}

/* The snapshot's key: SNAP_KEY, the exclude list's hash, then w->key (the
 * tree's absolute path and '/').  Empty if too long a key. */
static void snap_key(struct walk *w)
{
	if (1 + 16 + w->keyroot > STAT_KEY_MAX)
		return;
	struct strbuf ex = STRBUF_INIT;
	for (size_t i = 0; w->opt && i < w->opt->nexclude; i++)
		strbuf_add(&ex, w->opt->exclude[i], strlen(w->opt->exclude[i]) + 1);
	unsigned char h[16];
	hash_to_bytes(hash_bytes(ex.buf, ex.len), h);
	strbuf_release(&ex);
	strbuf_addc(&w->snapkey, SNAP_KEY);
	strbuf_add(&w->snapkey, h, 16);
	strbuf_add(&w->snapkey, w->key.buf, w->keyroot);
}

/* 1 if the tree is as the snapshot read says, with *out (and *m, if m) from
 * it; 0 if the top directory's or any entry's stat differs or is gone, or
 * if the snapshot is damaged (*m is then empty).  The first difference ends
 * the check. */
static int snap_check(struct walk *w, struct hash128 *out, struct tree_manifest *m)
{
	const unsigned char *p = (const unsigned char *)w->snap.buf;
	const unsigned char *end = p + w->snap.len;
	if (w->snap.len < 1 + 16 + 8 || *p != SNAP_V1)
		return 0;
	end -= 8;
	if (get_le(end, 8) != XXH3_64bits(p, (size_t)(end - p)))
		return 0;
	p++;
	struct hash128 tree = hash_from_bytes(p);
	p += 16;
	struct sig want, got;
	uint64_t n;
	/* An entry takes 9 bytes at least (six one-byte numbers, two lengths, a
	 * byte of path): a damaged count cannot make the array larger than the
	 * data. */
	if (get_sig(&p, end, &want) || get_varint(&p, end, &n) || n > (uint64_t)(end - p) / 9)
		return 0;
	/* A small tree's entries are stat-ed by their full paths, saving the
	 * open and close of its top directory; a larger one's relative to it,
	 * saving the lookup of the top's path for each.  Measured: 3,334 trees
	 * of 2.5 files 5 levels deep take 10% less time by full paths, trees
	 * of 133 entries 10 levels deep 45% less from their top opened. */
	int top = AT_FDCWD;
	struct stat st;
	if (n >= SNAP_OPEN_AT) {
		top = open(fs_cwd_relative(w->key.buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (top < 0)
			return 0;
	}
	bool ok = (top == AT_FDCWD ? stat(fs_cwd_relative(w->key.buf), &st) : fstat(top, &st)) == 0 &&
		  (got = sig_of(&st), sig_equal(&want, &got));
	if (ok && m)
		m->entries = xmalloc((size_t)n * sizeof(*m->entries));
	size_t len = 0; /* the entry's path's */
	for (uint64_t i = 0; ok && i < n; i++) {
		struct hash128 h = {{0, 0}};
		uint64_t shared, rest;
		ok = !get_sig(&p, end, &want);
		if (ok && !S_ISDIR(want.mode)) {
			ok = end - p >= 16;
			if (ok)
				h = hash_from_bytes(p);
			p += ok ? 16 : 0;
		}
		ok = ok && !get_varint(&p, end, &shared) && shared <= len &&
		     !get_varint(&p, end, &rest) && rest <= (uint64_t)(end - p) && shared + rest &&
		     !memchr(p, '\0', (size_t)rest);
		if (!ok)
			break;
		w->key.len = w->keyroot + (size_t)shared;
		strbuf_add(&w->key, p, (size_t)rest);
		p += rest;
		len = (size_t)(shared + rest);
		const char *path = top == AT_FDCWD ? fs_cwd_relative(w->key.buf) : w->key.buf + w->keyroot;
		ok = fstatat(top, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     (got = sig_of(&st), sig_equal(&want, &got));
		if (ok && m)
			m->entries[m->n++] = (struct tree_entry){
				arena_strndup(&m->arena, w->key.buf + w->keyroot, len),
				want.mode & (S_IFMT | 07777), h};
	}
	if (top != AT_FDCWD)
		close(top);
	w->key.len = w->keyroot;
	w->key.buf[w->key.len] = '\0';
	if (!ok || p != end) {
		if (m)
			tree_manifest_free(m);
		return 0;
	}
	*out = tree;
	return 1;
}

/* Saves the tree's snapshot after a walk, unless the top directory or an
 * entry is racy (its next change may keep its stat), or the snapshot is the
 * one read (a no-op run writes nothing). */
static void snap_save(struct walk *w, struct hash128 tree, const struct sig *top)
{
	if (!w->store || !w->snapkey.len || sig_racy(top, w->racy_since))
		return;
	for (size_t i = 0; i < w->n; i++)
		if (sig_racy(&w->e[i].sig, w->racy_since) ||
		    w->keyroot + strlen(w->e[i].e.path) >= PATH_MAX)
			return;
	struct strbuf sb = STRBUF_INIT;
	snap_encode(&sb, tree, top, w->e, w->n);
	if (!w->found || sb.len != w->snap.len || memcmp(sb.buf, w->snap.buf, sb.len))
		store_put(w->store, STORE_STAT, w->snapkey.buf, w->snapkey.len, sb.buf, sb.len);
	strbuf_release(&sb);
}

/* Walks the tree, as tree_hash. */
static int walk_hash(struct walk *w, struct hash128 *out, struct tree_manifest *m)
{
	int top = open(fs_cwd_relative(w->dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		if (errno == ENOENT)
			return 1;
		diag_error(w->dir, 0, "cannot open the directory: %s", strerror(errno));
		return -1;
	}
	if (w->store && !w->keyroot) {
		diag_error(w->dir, 0, "cannot resolve the path: %s", strerror(w->resolve_err));
		close(top);
		return -1;
	}
	/* Before the entries are read: a change since is a difference next
	 * time. */
	struct stat st;
	struct sig topsig = {0};
	if (w->snapkey.len && fstat(top, &st) != 0)
		strbuf_reset(&w->snapkey); /* no snapshot */
	else if (w->snapkey.len)
		topsig = sig_of(&st);
	if (walk_buffers(w) != 0) {
		close(top);
		return -1;
	}
	int r = walk_tree(w, top);
	close(top);
	if (r)
		return r;
	if (w->n) /* an empty tree has no array to sort */
		qsort(w->e, w->n, sizeof(*w->e), by_path);
	*out = digest(w->state, w->e, w->n);
	snap_save(w, *out, &topsig);
	if (m) {
		m->entries = xmalloc(w->n * sizeof(*m->entries));
		for (size_t i = 0; i < w->n; i++)
			m->entries[i] = w->e[i].e;
		m->n = w->n;
		m->arena = w->arena;
		w->arena = (struct arena)ARENA_INIT;
	}
	return 0;
}

/* Where the stat cache's keys for the entries under dir start: its
 * absolute path and '/', in w->key (keyroot 0 if it cannot be resolved:
 * resolve_err says why); and the time since which a change is racy. */
static void cache_root(struct walk *w, const char *dir)
{
	/* A clean absolute path is taken as it is: realpath costs a readlink
	 * per component, per tree, and a file reached by two names merely
	 * gets two entries. */
	bool clean = dir[0] == '/' && !strstr(dir, "//") && !strstr(dir, "/./") &&
		     !strstr(dir, "/../");
	size_t dl = strlen(dir);
	clean = clean && !(dl >= 2 && !strcmp(dir + dl - 2, "/.")) &&
		!(dl >= 3 && !strcmp(dir + dl - 3, "/.."));
	char *real = clean ? xstrdup(dir) : realpath(dir, NULL);
	w->resolve_err = real ? 0 : errno;
	if (real) {
		strbuf_adds(&w->key, real);
		if (w->key.buf[w->key.len - 1] != '/')
			strbuf_addc(&w->key, '/');
		w->keyroot = w->key.len;
		free(real);
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	w->racy_since = ns(now) - 1000000000;
}

static int hash_tree(struct store *s, const char *dir, const struct tree_options *opt,
		     struct hash128 *out, struct tree_manifest *m)
{
	if (m)
		*m = (struct tree_manifest){NULL, 0, ARENA_INIT};
	struct walk w = {.store = s, .opt = opt, .dir = dir, .key = STRBUF_INIT,
			 .val = STRBUF_INIT, .snapkey = STRBUF_INIT, .snap = STRBUF_INIT,
			 .arena = ARENA_INIT};
	if (s) {
		cache_root(&w, dir);
		if (w.keyroot)
			snap_key(&w);
	}
	int r = -1;
	if (w.snapkey.len) {
		int got = store_get(s, STORE_STAT, w.snapkey.buf, w.snapkey.len, &w.snap);
		/* Reported; as in stat_lookup, the walk goes on without the
		 * store. */
		if (got < 0)
			w.store = NULL;
		w.found = got == 1;
		if (w.found && snap_check(&w, out, m))
			r = 0;
	}
	if (r)
		r = walk_hash(&w, out, m);
	free(w.e);
	arena_free(&w.arena);
	if (w.state)
		XXH3_freeState(w.state);
	free(w.buf);
	strbuf_release(&w.key);
	strbuf_release(&w.val);
	strbuf_release(&w.snapkey);
	strbuf_release(&w.snap);
	return r;
}

int tree_hash(struct store *s, const char *dir, const struct tree_options *opt,
	      struct hash128 *out, struct tree_manifest *m)
{
	int r = hash_tree(s, dir, opt, out, m);
	if (r != 0 || !s || !opt || !opt->keep_manifest)
		return r;
	unsigned char key[16];
	hash_to_bytes(*out, key);
	if (store_get(s, STORE_TREES, key, 16, NULL) != 0)
		return 0;
	if (m) {
		tree_manifest_save(s, *out, m);
		return 0;
	}
	/* Rare (a tree never kept, or a cleared store): the snapshot just
	 * checked gives the manifest without a walk. */
	struct tree_manifest mine;
	struct hash128 again;
	if (hash_tree(s, dir, opt, &again, &mine) == 0 && hash_equal(again, *out))
		tree_manifest_save(s, again, &mine);
	tree_manifest_free(&mine);
	return 0;
}

int tree_file_hash(struct store *s, const char *path, struct hash128 *out)
{
	/* The walk's file hashing, for a tree of one file: the stat cache
	 * key is the file's absolute path, as it is when a tree holds it. */
	struct arena a = ARENA_INIT;
	const char *dir = path_dirname(&a, path);
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!*dir)
		dir = ".";
	struct walk w = {.dir = dir, .key = STRBUF_INIT, .val = STRBUF_INIT};
	int r = -1;
	int dirfd = open(fs_cwd_relative(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	if (dirfd < 0 || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		r = errno == ENOENT ? 1 : -1;
		if (r < 0)
			diag_error(path, 0, "cannot read: %s", strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		diag_error(path, 0, "not a regular file");
	} else {
		if (s)
			cache_root(&w, dir);
		/* Unresolved: hashed without the cache. */
		w.store = w.keyroot ? s : NULL;
		r = hash_file(&w, dirfd, name, name, &st, out);
	}
	if (dirfd >= 0)
		close(dirfd);
	if (w.state)
		XXH3_freeState(w.state);
	free(w.buf);
	strbuf_release(&w.key);
	strbuf_release(&w.val);
	arena_free(&a);
	return r;
}

void tree_manifest_free(struct tree_manifest *m)
{
	free(m->entries);
	arena_free(&m->arena);
	*m = (struct tree_manifest){NULL, 0, ARENA_INIT};
}

/*
 * The saved manifest: MANIFEST_V1, the number of entries, then per entry its
 * mode, its hash (16 canonical bytes), how many leading bytes its path
 * shares with the one before, and the rest of the path, its length first.
 * Numbers are LEB128 varints.  Sorted paths share long prefixes, so a
 * 100,000-file tree's manifest is about half the size of the plain list.
 */
void tree_manifest_save(struct store *s, struct hash128 tree, const struct tree_manifest *m)
{
	unsigned char key[16];
	hash_to_bytes(tree, key);
	/* The hash names the content: a tree seen before is kept already, and
	 * a no-op run must not write. */
	if (store_get(s, STORE_TREES, key, 16, NULL) == 1)
		return;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, MANIFEST_V1);
	put_varint(&sb, m->n);
	const char *prev = "";
	for (size_t i = 0; i < m->n; i++) {
		const struct tree_entry *e = &m->entries[i];
		unsigned char h[16];
		size_t shared = 0;
		while (prev[shared] && prev[shared] == e->path[shared])
			shared++;
		size_t rest = strlen(e->path + shared);
		put_varint(&sb, e->mode);
		hash_to_bytes(e->hash, h);
		strbuf_add(&sb, h, 16);
		put_varint(&sb, shared);
		put_varint(&sb, rest);
		strbuf_add(&sb, e->path + shared, rest);
		prev = e->path;
	}
	store_put(s, STORE_TREES, key, 16, sb.buf, sb.len);
	strbuf_release(&sb);
}

static int manifest_decode(const unsigned char *p, const unsigned char *end,
			   struct tree_manifest *m)
{
	uint64_t n;
	/* An entry takes 20 bytes at least (a one-byte mode, the hash, two
	 * one-byte lengths, a byte of path): a damaged count cannot make the
	 * array larger than the data. */
	if (p == end || *p++ != MANIFEST_V1 || get_varint(&p, end, &n) ||
	    n > (uint64_t)(end - p) / 20)
		return -1;
	m->entries = xmalloc((size_t)n * sizeof(*m->entries));
	const char *prev = "";
	size_t prevlen = 0;
	for (m->n = 0; m->n < n; m->n++) {
		struct tree_entry *e = &m->entries[m->n];
		uint64_t mode, shared, rest;
		if (get_varint(&p, end, &mode) || mode > UINT32_MAX || end - p < 16)
			return -1;
		e->mode = (unsigned)mode;
		e->hash = hash_from_bytes(p);
		p += 16;
		if (get_varint(&p, end, &shared) || shared > prevlen ||
		    get_varint(&p, end, &rest) || rest > (uint64_t)(end - p) || !(shared + rest) ||
		    memchr(p, '\0', (size_t)rest))
			return -1;
		char *path = arena_alloc(&m->arena, (size_t)(shared + rest) + 1);
		memcpy(path, prev, (size_t)shared);
		memcpy(path + shared, p, (size_t)rest);
		p += rest;
		/* tree_diff needs strictly sorted paths. */
		if (strcmp(prev, path) >= 0)
			return -1;
		e->path = prev = path;
		prevlen = (size_t)(shared + rest);
	}
	return p == end ? 0 : -1;
}

int tree_manifest_load(struct store *s, struct hash128 tree, struct tree_manifest *m)
{
	*m = (struct tree_manifest){NULL, 0, ARENA_INIT};
	unsigned char key[16];
	hash_to_bytes(tree, key);
	struct strbuf sb = STRBUF_INIT;
	int r = store_get(s, STORE_TREES, key, 16, &sb);
	if (r == 1 && manifest_decode((const unsigned char *)sb.buf,
				      (const unsigned char *)sb.buf + sb.len, m)) {
		char hex[HASH_HEX_LEN + 1];
		hash_hex(tree, hex);
		diag_error(NULL, 0, "the saved manifest of tree %s is corrupt", hex);
		tree_manifest_free(m);
		r = -1;
	}
	strbuf_release(&sb);
	return r;
}

size_t tree_diff(const struct tree_manifest *old, const struct tree_manifest *new,
		 const char ***paths)
{
	const char **v = NULL;
	size_t n = 0, cap = 0, i = 0, j = 0;
	while (i < old->n || j < new->n) {
		const struct tree_entry *a = i < old->n ? &old->entries[i] : NULL;
		const struct tree_entry *b = j < new->n ? &new->entries[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->path, b->path);
		const char *p = NULL;
		if (c < 0) {
			p = a->path;
			i++;
		} else if (c > 0) {
			p = b->path;
			j++;
		} else {
			if (a->mode != b->mode || !hash_equal(a->hash, b->hash))
				p = b->path;
			i++;
			j++;
		}
		if (!p)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n++] = p;
	}
	*paths = v;
	return n;
}

struct cache_count {
	uint64_t files, snapshots;
};

static int count_entry(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct cache_count *c = ctx;
	(void)val, (void)vlen;
	if (klen && *(const unsigned char *)key == SNAP_KEY)
		c->snapshots++;
	else
		c->files++;
	return 0;
}

int tree_cache_count(struct store *s, uint64_t *files, uint64_t *snapshots)
{
	struct cache_count c = {0, 0};
	if (store_each(s, STORE_STAT, NULL, 0, count_entry, &c) < 0)
		return -1;
	*files = c.files;
	*snapshots = c.snapshots;
	return 0;
}
