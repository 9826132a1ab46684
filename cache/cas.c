/* realpath is XSI, not base POSIX. */
#define _XOPEN_SOURCE 700

#include "cas.h"

#include "../lib/archive_lib.h"
#include "../lib/arena.h"
#include "../lib/diag.h"
#include "../lib/extract.h"
#include "../lib/fsutil.h"
#include "../lib/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The index value: three little-endian uint64s (see cas.h). */
#define INDEX_VALUE_LEN 24

struct index_entry {
	struct hash128 hash;
	uint64_t size, last_use, created;
};

static const struct archive_lib *load_archive_lib(void)
{
	char err[256];
	const struct archive_lib *al = archive_lib(err, sizeof(err));
	if (!al)
		diag_error(NULL, 0, "%s", err);
	return al;
}

/* Nanoseconds: gc must tell apart uses within the same second. */
static uint64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void artifact_path(struct strbuf *path, const char *casdir, struct hash128 h)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(h, hex);
	strbuf_reset(path);
	strbuf_addf(path, "%s/%.2s/%s", casdir, hex, hex + 2);
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << 8 * i;
	return v;
}

/* A value of another length (not ours) reads as size 0, never used: gc
 * drops it first. */
static void index_decode(const void *val, size_t vlen, struct index_entry *e)
{
	e->size = e->last_use = e->created = 0;
	if (vlen != INDEX_VALUE_LEN)
		return;
	e->size = get_u64(val);
	e->last_use = get_u64((const unsigned char *)val + 8);
	e->created = get_u64((const unsigned char *)val + 16);
}

static void index_put(struct store *s, const struct index_entry *e)
{
	unsigned char key[16], val[INDEX_VALUE_LEN];
	hash_to_bytes(e->hash, key);
	put_u64(val, e->size);
	put_u64(val + 8, e->last_use);
	put_u64(val + 16, e->created);
	store_put(s, STORE_CAS, key, sizeof(key), val, sizeof(val));
}

static void index_del(struct store *s, struct hash128 h)
{
	unsigned char key[16];
	hash_to_bytes(h, key);
	store_del(s, STORE_CAS, key, sizeof(key));
}

/* Records a use of an artifact of size bytes, indexing it if it was not.
 * The index only orders gc: an entry that cannot be read (reported) is
 * written afresh rather than failing the pack or restore. */
static void index_touch(struct store *s, struct hash128 h, uint64_t size)
{
	unsigned char key[16];
	hash_to_bytes(h, key);
	struct strbuf val = STRBUF_INIT;
	struct index_entry e = {.hash = h};
	if (store_get(s, STORE_CAS, key, sizeof(key), &val) == 1)
		index_decode(val.buf, val.len, &e);
	strbuf_release(&val);
	e.size = size;
	e.last_use = now();
	if (!e.created)
		e.created = e.last_use;
	index_put(s, &e);
}

/* Reads an artifact whole into *data (the caller frees it) and checks its
 * bytes against its name.  0; 1 if it is missing or corrupt (warned, and
 * dropped from the disk and the index); -1 on another error (reported). */
static int artifact_load(struct store *s, const char *casdir, struct hash128 h,
			 unsigned char **data, size_t *len)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(h, hex);
	struct strbuf path = STRBUF_INIT;
	artifact_path(&path, casdir, h);
	int fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		if (err == ENOENT) {
			diag_warning(NULL, 0, "artifact %s is missing", hex);
			index_del(s, h);
		} else {
			diag_error(path.buf, 0, "cannot open: %s", strerror(err));
		}
		strbuf_release(&path);
		return err == ENOENT ? 1 : -1;
	}
	struct stat st;
	unsigned char *buf = NULL;
	size_t n = 0;
	int err = fstat(fd, &st) == 0 ? 0 : errno;
	if (!err) {
		/* A file shorter than its size says fails the hash below. */
		buf = xmalloc((size_t)st.st_size);
		while (n < (size_t)st.st_size) {
			ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				err = r < 0 ? errno : 0;
				break;
			}
			n += (size_t)r;
		}
	}
	close(fd);
	if (err) {
		diag_error(path.buf, 0, "cannot read: %s", strerror(err));
		free(buf);
		strbuf_release(&path);
		return -1;
	}
	if (!hash_equal(hash_bytes(buf, n), h)) {
		diag_warning(NULL, 0, "artifact %s is corrupt; removing it", hex);
		if (unlink(path.buf) != 0 && errno != ENOENT)
			diag_warning(path.buf, 0, "cannot remove: %s", strerror(errno));
		index_del(s, h);
		free(buf);
		strbuf_release(&path);
		return 1;
	}
	strbuf_release(&path);
	*data = buf;
	*len = n;
	return 0;
}

/* --- Packing --- */

struct walk_entry {
	const char *path; /* relative to the top, in the walk's arena */
	struct stat st;   /* lstat's */
};

struct walk {
	struct arena arena;
	struct walk_entry *v;
	size_t n, cap;
};

/* Lists what is under path->buf (top + rootlen bytes are the top) into w,
 * without following symlinks.  0 or -1 (reported). */
static int walk(struct walk *w, struct strbuf *path, size_t rootlen)
{
	DIR *d = opendir(path->buf);
	if (!d) {
		diag_error(path->buf, 0, "cannot read the directory: %s", strerror(errno));
		return -1;
	}
	size_t len = path->len;
	int ret = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno) {
				diag_error(path->buf, 0, "cannot read the directory: %s",
					   strerror(errno));
				ret = -1;
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(path, "/%s", de->d_name);
		struct stat st;
		if (lstat(path->buf, &st) != 0) {
			diag_error(path->buf, 0, "cannot stat: %s", strerror(errno));
			ret = -1;
			break;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
			diag_error(path->buf, 0,
				   "cannot pack a %s: an artifact holds regular files, directories and symlinks",
				   fs_type_name(st.st_mode));
			ret = -1;
			break;
		}
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 256;
			w->v = xrealloc(w->v, w->cap * sizeof(*w->v));
		}
		w->v[w->n].path = arena_strdup(&w->arena, path->buf + rootlen + 1);
		w->v[w->n++].st = st;
		if (S_ISDIR(st.st_mode) && walk(w, path, rootlen) != 0) {
			ret = -1;
			break;
		}
		path->buf[path->len = len] = '\0';
	}
	closedir(d);
	return ret;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct walk_entry *)a)->path, ((const struct walk_entry *)b)->path);
}

/* Where the packed bytes go: a temporary file, hashed on the way. */
struct sink {
	const struct archive_lib *al;
	const char *path;
	int fd;
	XXH3_state_t *xxh;
	uint64_t size;
};

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct sink *k = ctx;
	int err = fs_write_all(k->fd, buf, len);
	if (err) {
		k->al->set_error(a, err, "cannot write %s: %s", k->path, strerror(err));
		return -1;
	}
	XXH3_128bits_update(k->xxh, buf, len);
	k->size += len;
	return (la_ssize_t)len;
}

/* A tar writer: pax restricted (plain ustar unless a name or a size needs
 * more), no padding after the compressed stream.  With zstd when asked,
 * else gzip without the time of writing in its header (the same tree must
 * give the same bytes).  NULL if it cannot be set up; reported unless zstd
 * was asked, which the caller retries without. */
static struct archive *writer_new(const struct archive_lib *al, int zstd)
{
	struct archive *a = al->write_new();
	if (!a) {
		diag_error(NULL, 0, "cannot start libarchive: out of memory");
		return NULL;
	}
	int r = al->write_set_format_pax_restricted(a);
	if (r == ARCHIVE_OK)
		r = al->write_set_bytes_in_last_block(a, 1);
	/* ARCHIVE_WARN from add_filter_zstd means libarchive lacks it and would
	 * run the zstd program per artifact: gzip built in is better. */
	if (r == ARCHIVE_OK && zstd)
		r = al->write_add_filter_zstd(a);
	if (r == ARCHIVE_OK && !zstd && al->write_add_filter_gzip(a) >= ARCHIVE_WARN)
		r = al->write_set_filter_option(a, "gzip", "timestamp", NULL);
	if (r != ARCHIVE_OK) {
		if (!zstd)
			diag_error(NULL, 0, "cannot set up libarchive's tar writer: %s",
				   al->error_string(a));
		al->write_free(a);
		return NULL;
	}
	return a;
}

/* Adds one entry, path->buf being its place on disk.  0 or -1 (reported). */
static int pack_entry(const struct archive_lib *al, struct archive *a,
		      struct archive_entry *ae, const struct walk_entry *e,
		      const struct strbuf *path, char *buf, size_t bufsize)
{
	struct stat st = e->st;
	int fd = -1;
	if (S_ISREG(st.st_mode)) {
		/* The size written in the header is the open file's. */
		fd = open(path->buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			diag_error(path->buf, 0, "cannot read: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			diag_error(path->buf, 0, "changed while it was being packed");
			close(fd);
			return -1;
		}
	}
	al->entry_clear(ae);
	al->entry_set_pathname(ae, e->path);
	al->entry_set_perm(ae, st.st_mode & 07777);
	/* Whole seconds: restricted pax keeps nanoseconds only for entries
	 * that need an extended header anyway, and one rule for all is
	 * simpler than a rule per path length.  Owners are left unset: 0 and
	 * no names. */
	al->entry_set_mtime(ae, st.st_mtim.tv_sec, 0);
	struct strbuf target = STRBUF_INIT;
	if (S_ISREG(st.st_mode)) {
		al->entry_set_filetype(ae, AE_IFREG);
		al->entry_set_size(ae, st.st_size);
	} else if (S_ISDIR(st.st_mode)) {
		al->entry_set_filetype(ae, AE_IFDIR);
	} else {
		strbuf_grow(&target, (size_t)st.st_size + 1);
		ssize_t n = readlink(path->buf, target.buf, (size_t)st.st_size + 1);
		if (n < 0 || n > st.st_size) {
			diag_error(path->buf, 0, "cannot read the symlink: %s",
				   n < 0 ? strerror(errno) : "it changed while it was being packed");
			strbuf_release(&target);
			return -1;
		}
		target.buf[target.len = (size_t)n] = '\0';
		al->entry_set_filetype(ae, AE_IFLNK);
		al->entry_set_symlink(ae, target.buf);
	}
	int ret = 0;
	/* ARCHIVE_WARN only says that a name is not text in the locale's
	 * charset (minimerge runs in the C locale, so any non-ASCII name):
	 * libarchive then stores it as its bytes, which is what we want. */
	if (al->write_header(a, ae) < ARCHIVE_WARN) {
		diag_error(path->buf, 0, "cannot pack: %s", al->error_string(a));
		ret = -1;
	}
	for (off_t left = st.st_size; fd >= 0 && !ret && left > 0;) {
		ssize_t n = read(fd, buf, left < (off_t)bufsize ? (size_t)left : bufsize);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			diag_error(path->buf, 0, "cannot read: %s",
				   n < 0 ? strerror(errno) : "it shrank while it was being packed");
			ret = -1;
		} else if (al->write_data(a, buf, (size_t)n) != n) {
			diag_error(path->buf, 0, "cannot pack: %s", al->error_string(a));
			ret = -1;
		} else {
			left -= n;
		}
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&target);
	return ret;
}

/* Packs the sorted entries into k.  0 or -1 (reported). */
static int pack_entries(const struct archive_lib *al, const char *dir, const struct walk *w,
			struct sink *k)
{
	struct archive *a = writer_new(al, 1);
	if (!a)
		a = writer_new(al, 0);
	if (!a)
		return -1;
	struct archive_entry *ae = al->entry_new();
	int ret = 0;
	if (!ae || al->write_open(a, k, NULL, sink_write, NULL) != ARCHIVE_OK) {
		diag_error(k->path, 0, "cannot start the artifact: %s",
			   ae ? al->error_string(a) : "out of memory");
		ret = -1;
	}
	enum { BUFSIZE = 128 * 1024 };
	char *buf = xmalloc(BUFSIZE);
	struct strbuf path = STRBUF_INIT;
	for (size_t i = 0; !ret && i < w->n; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, w->v[i].path);
		ret = pack_entry(al, a, ae, &w->v[i], &path, buf, BUFSIZE);
	}
	if (!ret && al->write_close(a) != ARCHIVE_OK) {
		diag_error(k->path, 0, "cannot finish the artifact: %s", al->error_string(a));
		ret = -1;
	}
	strbuf_release(&path);
	free(buf);
	if (ae)
		al->entry_free(ae);
	al->write_free(a);
	return ret;
}

/* Numbers the temporary files of this process's threads. */
static atomic_uint tmp_serial;

int cas_pack(struct store *s, const char *casdir, const char *dir, struct hash128 *artifact)
{
	const struct archive_lib *al = load_archive_lib();
	if (!al)
		return -1;

	struct walk w = {ARENA_INIT, NULL, 0, 0};
	struct strbuf path = STRBUF_INIT;
	strbuf_adds(&path, dir);
	int ret = walk(&w, &path, path.len);
	if (w.n)
		qsort(w.v, w.n, sizeof(*w.v), by_path);

	struct strbuf tmp = STRBUF_INIT;
	strbuf_addf(&tmp, "%s/tmp", casdir);
	int err = ret ? 0 : fs_mkdirs(tmp.buf, 0777);
	if (err) {
		diag_error(tmp.buf, 0, "cannot create the directory: %s", strerror(err));
		ret = -1;
	}
	strbuf_addf(&tmp, "/%ld.%u", (long)getpid(), atomic_fetch_add(&tmp_serial, 1));
	struct sink k = {al, tmp.buf, -1, NULL, 0};
	if (!ret) {
		/* Artifacts are never written in place: read-only on disk. */
		k.fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (k.fd < 0) {
			diag_error(tmp.buf, 0, "cannot create: %s", strerror(errno));
			ret = -1;
		}
	}
	if (!ret) {
		k.xxh = XXH3_createState();
		if (!k.xxh || XXH3_128bits_reset(k.xxh) != XXH_OK) {
			diag_error(NULL, 0, "cannot start the hash: out of memory");
			ret = -1;
		}
	}
	if (!ret)
		ret = pack_entries(al, dir, &w, &k);
	if (!ret && fsync(k.fd) != 0) {
		diag_error(tmp.buf, 0, "cannot sync: %s", strerror(errno));
		ret = -1;
	}
	if (k.fd >= 0 && close(k.fd) != 0 && !ret) {
		diag_error(tmp.buf, 0, "cannot write: %s", strerror(errno));
		ret = -1;
	}

	struct hash128 h = {{0, 0}};
	if (!ret) {
		h.h = XXH3_128bits_digest(k.xxh);
		artifact_path(&path, casdir, h);
		char *slash = strrchr(path.buf, '/');
		*slash = '\0';
		if ((err = fs_mkdirs(path.buf, 0777)) != 0) {
			diag_error(path.buf, 0, "cannot create the directory: %s", strerror(err));
			ret = -1;
		}
		*slash = '/';
		/* Over an artifact of the same name too: the same bytes when it
		 * is intact, and a repair when it is not. */
		if (!ret && rename(tmp.buf, path.buf) != 0) {
			diag_error(path.buf, 0, "cannot create: %s", strerror(errno));
			ret = -1;
		}
		*slash = '\0';
		if (!ret && (err = fs_sync_dir(path.buf)) != 0) {
			diag_error(path.buf, 0, "cannot sync the directory: %s", strerror(err));
			ret = -1;
		}
	}
	if (ret && k.fd >= 0)
		unlink(tmp.buf);
	if (!ret) {
		index_touch(s, h, k.size);
		*artifact = h;
	}

	XXH3_freeState(k.xxh);
	strbuf_release(&tmp);
	strbuf_release(&path);
	free(w.v);
	arena_free(&w.arena);
	return ret;
}

/* --- Restoring --- */

/* Unpacks the artifact's bytes into the empty directory tmp.  0 or -1
 * (reported). */
static int unpack(const struct archive_lib *al, const char *hex, const void *data, size_t len,
		  const char *tmp)
{
	struct archive *in = al->read_new();
	if (!in) {
		diag_error(NULL, 0, "cannot start libarchive: out of memory");
		return -1;
	}
	char what[HASH_HEX_LEN + 16];
	snprintf(what, sizeof(what), "artifact %s", hex);
	int ret;
	/* ARCHIVE_WARN: libarchive would run the zstd or gzip program; slower,
	 * but it works. */
	if (al->read_support_format_tar(in) < ARCHIVE_WARN ||
	    al->read_support_filter_zstd(in) < ARCHIVE_WARN ||
	    al->read_support_filter_gzip(in) < ARCHIVE_WARN ||
	    al->read_open_memory(in, data, len) != ARCHIVE_OK) {
		diag_error(NULL, 0, "cannot read %s: %s", what, al->error_string(in));
		ret = -1;
	} else {
		ret = extract_entries(al, in, tmp, what, NULL);
	}
	al->read_free(in);
	return ret;
}

/* Sets out to dest with its parent made canonical (created if missing).
 * A dest that is not a name of its own ("", ".", "..") is refused: the
 * tree is put beside it and renamed over it.  0 or -1 (reported). */
static int resolve_dest(const char *dest, struct strbuf *out)
{
	size_t end = strlen(dest);
	while (end > 1 && dest[end - 1] == '/')
		end--;
	size_t base = end;
	while (base > 0 && dest[base - 1] != '/')
		base--;
	const char *name = dest + base;
	size_t namelen = end - base;
	if (!namelen || (namelen == 1 && name[0] == '.') ||
	    (namelen == 2 && name[0] == '.' && name[1] == '.')) {
		diag_error(dest, 0, "cannot restore an artifact here: not the name of a directory");
		return -1;
	}
	struct strbuf parent = STRBUF_INIT;
	if (base)
		strbuf_add(&parent, dest, base);
	else
		strbuf_addc(&parent, '.');
	int err = fs_mkdirs(parent.buf, 0777);
	char *canon = err ? NULL : realpath(parent.buf, NULL);
	if (!canon) {
		diag_error(parent.buf, 0, "cannot create the directory: %s",
			   strerror(err ? err : errno));
		strbuf_release(&parent);
		return -1;
	}
	strbuf_reset(out);
	strbuf_addf(out, "%s/%.*s", strcmp(canon, "/") ? canon : "", (int)namelen, name);
	free(canon);
	strbuf_release(&parent);
	return 0;
}

/* Puts the tree at tmp in dest's place: the old tree is moved aside, not
 * removed first, so a failure leaves it whole.  0 or -1 (reported). */
static int swap_in(const char *tmp, const char *dest)
{
	struct strbuf old = STRBUF_INIT;
	strbuf_addf(&old, "%s.old.%ld", dest, (long)getpid());
	fs_remove_tree(old.buf, NULL);
	int ret = 0;
	int moved = rename(dest, old.buf) == 0;
	if (!moved && errno != ENOENT) {
		diag_error(dest, 0, "cannot move the old tree aside: %s", strerror(errno));
		ret = -1;
	} else if (rename(tmp, dest) != 0) {
		diag_error(dest, 0, "cannot rename %s here: %s", tmp, strerror(errno));
		if (moved && rename(old.buf, dest) != 0)
			diag_error(dest, 0, "cannot put the old tree back from %s: %s", old.buf,
				   strerror(errno));
		ret = -1;
	} else if (moved) {
		char *failed = NULL;
		int err = fs_remove_tree(old.buf, &failed);
		if (err)
			diag_warning(failed, 0, "cannot remove the old tree: %s", strerror(err));
		free(failed);
	}
	strbuf_release(&old);
	return ret;
}

int cas_restore(struct store *s, const char *casdir, struct hash128 artifact, const char *dest)
{
	const struct archive_lib *al = load_archive_lib();
	if (!al)
		return -1;
	unsigned char *data;
	size_t len;
	int ret = artifact_load(s, casdir, artifact, &data, &len);
	if (ret)
		return ret;
	char hex[HASH_HEX_LEN + 1];
	hash_hex(artifact, hex);
	struct strbuf target = STRBUF_INIT, tmp = STRBUF_INIT;
	ret = resolve_dest(dest, &target);
	if (!ret) {
		strbuf_addf(&tmp, "%s.restore.%ld", target.buf, (long)getpid());
		/* One left by an earlier process with the same pid. */
		fs_remove_tree(tmp.buf, NULL);
		if (mkdir(tmp.buf, 0777) != 0) {
			diag_error(tmp.buf, 0, "cannot create the directory: %s", strerror(errno));
			strbuf_reset(&tmp);
			ret = -1;
		}
	}
	if (!ret)
		ret = unpack(al, hex, data, len, tmp.buf);
	if (!ret)
		ret = swap_in(tmp.buf, target.buf);
	if (ret && tmp.len) {
		char *failed = NULL;
		int err = fs_remove_tree(tmp.buf, &failed);
		if (err)
			diag_warning(failed, 0, "cannot remove: %s", strerror(err));
		free(failed);
	}
	if (!ret)
		index_touch(s, artifact, len);
	free(data);
	strbuf_release(&target);
	strbuf_release(&tmp);
	return ret;
}

/* --- The index as a whole --- */

bool cas_has(struct store *s, struct hash128 artifact)
{
	unsigned char key[16];
	hash_to_bytes(artifact, key);
	struct strbuf val = STRBUF_INIT;
	int found = store_get(s, STORE_CAS, key, sizeof(key), &val);
	strbuf_release(&val);
	return found != 0;
}

struct index_list {
	struct index_entry *v;
	size_t n, cap;
};

static int collect(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct index_list *l = ctx;
	if (klen != 16)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].hash = hash_from_bytes(key);
	index_decode(val, vlen, &l->v[l->n++]);
	return 0;
}

/* The index with this process's pending packs and uses, which are
 * committed first: store_each sees only what is committed.  The caller
 * frees l->v.  0 or -1 (reported). */
static int index_load(struct store *s, struct index_list *l)
{
	if (store_flush(s) != 0)
		return -1;
	return store_each(s, STORE_CAS, NULL, 0, collect, l) < 0 ? -1 : 0;
}

int cas_stats(struct store *s, struct cas_stats *out)
{
	struct index_list l = {NULL, 0, 0};
	int ret = index_load(s, &l);
	out->count = l.n;
	out->bytes = 0;
	for (size_t i = 0; i < l.n; i++)
		out->bytes += l.v[i].size;
	free(l.v);
	return ret;
}

long cas_verify(struct store *s, const char *casdir)
{
	struct index_list l = {NULL, 0, 0};
	int failed = index_load(s, &l) != 0;
	long dropped = 0;
	for (size_t i = 0; i < l.n; i++) {
		unsigned char *data;
		size_t len;
		int r = artifact_load(s, casdir, l.v[i].hash, &data, &len);
		if (r == 0)
			free(data);
		else if (r == 1)
			dropped++;
		else
			failed = 1;
	}
	free(l.v);
	if (store_flush(s) != 0)
		failed = 1;
	return failed ? -1 : dropped;
}

static int by_last_use(const void *a, const void *b)
{
	const struct index_entry *x = a, *y = b;
	if (x->last_use != y->last_use)
		return x->last_use < y->last_use ? -1 : 1;
	/* Used in the same second: any fixed order will do. */
	unsigned char kx[16], ky[16];
	hash_to_bytes(x->hash, kx);
	hash_to_bytes(y->hash, ky);
	return memcmp(kx, ky, sizeof(kx));
}

int cas_gc(struct store *s, const char *casdir, uint64_t max_bytes, uint64_t *removed,
	   uint64_t *freed)
{
	*removed = *freed = 0;
	struct index_list l = {NULL, 0, 0};
	int ret = index_load(s, &l);
	uint64_t total = 0;
	for (size_t i = 0; i < l.n; i++)
		total += l.v[i].size;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_last_use);
	struct strbuf path = STRBUF_INIT;
	for (size_t i = 0; !ret && i < l.n && total > max_bytes; i++) {
		artifact_path(&path, casdir, l.v[i].hash);
		if (unlink(path.buf) != 0 && errno != ENOENT) {
			diag_error(path.buf, 0, "cannot remove: %s", strerror(errno));
			ret = -1;
			break;
		}
		index_del(s, l.v[i].hash);
		total -= l.v[i].size;
		*freed += l.v[i].size;
		++*removed;
	}
	strbuf_release(&path);
	free(l.v);
	if (store_flush(s) != 0)
		ret = -1;
	return ret;
}

int cas_clear(struct store *s, const char *casdir)
{
	int ret = store_clear(s, STORE_CAS);
	DIR *d = opendir(casdir);
	if (!d) {
		if (errno == ENOENT)
			return ret;
		diag_error(casdir, 0, "cannot read the directory: %s", strerror(errno));
		return -1;
	}
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	/* The fan-out directories and the temporary files, whatever the index
	 * says: what it lost track of goes too. */
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (strcmp(n, "tmp") && (strspn(n, "0123456789abcdef") != 2 || n[2]))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", casdir, n);
		char *failed = NULL;
		int err = fs_remove_tree(path.buf, &failed);
		if (err) {
			diag_error(failed, 0, "cannot remove: %s", strerror(err));
			ret = -1;
		}
		free(failed);
	}
	closedir(d);
	strbuf_release(&path);
	return ret;
}
