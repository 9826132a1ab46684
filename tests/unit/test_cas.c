/*
 * Unit tests for cache/cas: a packed tree comes back the same (files,
 * contents, modes, times, symlinks), the same tree gives the same artifact
 * whatever the order it was made in and whoever owns it, a restore replaces
 * what was there, a corrupt or missing artifact is never unpacked, an
 * artifact from elsewhere cannot write outside its directory, and the
 * index behind stats, verify, gc and clear.  Every test works in its own
 * temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../cache/cas.h"
#include "../../lib/archive_lib.h"
#include "../../lib/arena.h"
#include "../../lib/fsutil.h"
#include "../../lib/strbuf.h"
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The time every entry of a sample tree gets, so restored times compare. */
#define STAMP 1500000000

struct fix {
	char dir[64];
	char cas[96];        /* dir/cas */
	struct store *store; /* in dir/db */
};

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));
	if (testutil_mkdtemp(f->dir, sizeof(f->dir), "test_cas") < 0) {
		free(f);
		return -1;
	}
	snprintf(f->cas, sizeof(f->cas), "%s/cas", f->dir);
	char db[128];
	snprintf(db, sizeof(db), "%s/db", f->dir);
	f->store = store_open(db);
	if (!f->store) {
		testutil_remove_tree(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	store_close(f->store);
	int rc = testutil_remove_tree(f->dir);
	free(f);
	return rc;
}

/* The path of rel in the test's directory, in one of a few rotating
 * buffers so that a call may take two. */
static const char *at(struct fix *f, const char *rel)
{
	static char bufs[4][1024];
	static int next;
	char *b = bufs[next++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s/%s", f->dir, rel);
	return b;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void put(struct fix *f, const char *rel, const char *text, mode_t mode)
{
	testutil_write_file(at(f, rel), text, mode);
}

static void dir(struct fix *f, const char *rel, mode_t mode)
{
	assert_int_equal(fs_mkdirs(at(f, rel), 0755), 0);
	assert_int_equal(chmod(at(f, rel), mode), 0);
}

/* Sets the time of everything under path but symlinks to STAMP. */
static void stamp(const char *path)
{
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *de;
	char sub[1024];
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		struct stat st;
		assert_int_equal(lstat(sub, &st), 0);
		if (S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode))
			stamp(sub);
		struct timespec ts[2] = {{STAMP, 0}, {STAMP, 0}};
		assert_int_equal(utimensat(AT_FDCWD, sub, ts, 0), 0);
	}
	closedir(d);
}

/* Every kind of entry, in the given order or its reverse; the same tree
 * either way. */
static void sample(struct fix *f, const char *top, int reverse)
{
	char p[512], name[300];
	static const char *const files[] = {
		"README",  "bin/run",    "src/main.c", "src/lib/util.c",
		"secret",  "readonly",   "empty-file",
		/* Names are bytes: Latin-1, UTF-8. */
		"caf\xe9", "caf\xc3\xa9",
	};
	/* 0664: group-writable, which the umask would take away. */
	static const mode_t modes[] = {0644, 0755, 0644, 0664, 0600, 0444, 0644, 0644, 0644};
	const size_t n = sizeof(files) / sizeof(*files);
	dir(f, top, 0755);
	for (size_t k = 0; k < n; k++) {
		size_t i = reverse ? n - 1 - k : k;
		snprintf(p, sizeof(p), "%s/%s", top, files[i]);
		char *slash = strrchr(p, '/');
		*slash = '\0';
		dir(f, p, 0755);
		*slash = '/';
		put(f, p, strcmp(files[i], "empty-file") ? files[i] : "", modes[i]);
	}
	snprintf(p, sizeof(p), "%s/empty", top);
	dir(f, p, 0700);
	/* Longer than ustar's 100 bytes: a pax header holds the name. */
	memset(name, 'n', 120);
	name[120] = '\0';
	snprintf(p, sizeof(p), "%s/src/%s", top, name);
	put(f, p, "long", 0644);
	snprintf(p, sizeof(p), "%s/lib", top);
	assert_int_equal(symlink("src/lib", at(f, p)), 0);
	snprintf(p, sizeof(p), "%s/dangling", top);
	assert_int_equal(symlink("/nowhere/at/all", at(f, p)), 0);
	stamp(at(f, top));
}

static void add_line(struct strbuf *out, const char *top, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	strbuf_addf(out, "%s %o", rel, (unsigned)st.st_mode);
	if (S_ISLNK(st.st_mode)) {
		char target[1024];
		ssize_t n = readlink(path, target, sizeof(target));
		assert_true(n >= 0);
		strbuf_addf(out, " -> %.*s\n", (int)n, target);
		return;
	}
	strbuf_addf(out, " %lld", (long long)st.st_mtim.tv_sec);
	if (S_ISREG(st.st_mode)) {
		size_t len;
		char *data = testutil_read_file(path, &len);
		assert_non_null(data);
		char hex[HASH_HEX_LEN + 1];
		hash_hex(hash_bytes(data, len), hex);
		strbuf_addf(out, " %s", hex);
		free(data);
	}
	strbuf_addc(out, '\n');
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the paths under top/rel into v. */
static void list(const char *top, const char *rel, char ***v, size_t *n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s%s%s", top, *rel ? "/" : "", rel);
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char sub[1024];
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrdup(sub);
		struct stat st;
		char full[1100];
		snprintf(full, sizeof(full), "%s/%s", top, sub);
		assert_int_equal(lstat(full, &st), 0);
		if (S_ISDIR(st.st_mode))
			list(top, sub, v, n);
	}
	closedir(d);
}

/* One line per entry under top, sorted: path, mode, and the link's target
 * or the time and (for a file) the content's hash.  The caller frees it. */
static char *manifest(const char *top)
{
	char **v = NULL;
	size_t n = 0;
	list(top, "", &v, &n);
	qsort(v, n, sizeof(*v), by_string);
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		add_line(&out, top, v[i]);
		free(v[i]);
	}
	free(v);
	return strbuf_detach(&out);
}

static void artifact_file(struct fix *f, struct hash128 h, char *out, size_t len)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(h, hex);
	snprintf(out, len, "%s/%.2s/%s", f->cas, hex, hex + 2);
}

static int in_index(struct fix *f, struct hash128 h)
{
	unsigned char key[16];
	hash_to_bytes(h, key);
	struct strbuf val = STRBUF_INIT;
	int r = store_get(f->store, STORE_CAS, key, sizeof(key), &val);
	strbuf_release(&val);
	return r;
}

static struct hash128 pack(struct fix *f, const char *rel)
{
	struct hash128 h;
	assert_int_equal(cas_pack(f->store, f->cas, at(f, rel), &h), 0);
	return h;
}

static uint64_t count(struct fix *f)
{
	struct cas_stats st;
	assert_int_equal(cas_stats(f->store, &st), 0);
	return st.count;
}

static void flip_a_byte(struct fix *f, struct hash128 h, off_t where)
{
	char path[256];
	artifact_file(f, h, path, sizeof(path));
	assert_int_equal(chmod(path, 0644), 0);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unsigned char c;
	assert_int_equal(pread(fd, &c, 1, where), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fd, &c, 1, where), 1);
	assert_int_equal(close(fd), 0);
}

/* The names in the artifact, in their order, one per line, without the
 * slash tar puts after a directory's. */
static char *names_in(struct fix *f, struct hash128 h)
{
	char err[256], path[256];
	const struct archive_lib *al = archive_lib(err, sizeof(err));
	assert_non_null(al);
	artifact_file(f, h, path, sizeof(path));
	struct strbuf out = STRBUF_INIT;
	size_t size;
	char *data = testutil_read_file(path, &size);
	assert_non_null(data);
	struct archive *a = al->read_new();
	assert_true(al->read_support_format_tar(a) == ARCHIVE_OK);
	assert_true(al->read_support_filter_zstd(a) == ARCHIVE_OK);
	assert_true(al->read_open_memory(a, data, size) == ARCHIVE_OK);
	struct archive_entry *ae;
	int r;
	while ((r = al->read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *name = al->entry_pathname(ae);
		size_t len = strlen(name);
		strbuf_addf(&out, "%.*s\n", (int)(len - (name[len - 1] == '/')), name);
	}
	assert_int_equal(r, ARCHIVE_EOF);
	al->read_free(a);
	free(data);
	return strbuf_detach(&out);
}

/* The paths under top, sorted bytewise, one per line. */
static char *sorted_paths(const char *top)
{
	char **v = NULL;
	size_t n = 0;
	list(top, "", &v, &n);
	qsort(v, n, sizeof(*v), by_string);
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(&out, "%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	return strbuf_detach(&out);
}

static void test_round_trip(void **state)
{
	struct fix *f = *state;
	sample(f, "src", 0);
	struct hash128 h = pack(f, "src");
	char path[256];
	artifact_file(f, h, path, sizeof(path));
	assert_true(exists(path));
	assert_int_equal(in_index(f, h), 1);
	/* Every entry, in bytewise order of the whole path ("src/lib" before
	 * "src/main.c" before "src/nnn..."). */
	char *names = names_in(f, h), *paths = sorted_paths(at(f, "src"));
	assert_string_equal(names, paths);
	free(names);
	free(paths);

	/* Into a directory that does not exist yet. */
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "out/deep/dest")), 0);
	char *want = manifest(at(f, "src")), *got = manifest(at(f, "out/deep/dest"));
	assert_string_equal(got, want);
	assert_non_null(strstr(got, "bin/run 100755 "));
	assert_non_null(strstr(got, "src/lib/util.c 100664 "));
	assert_non_null(strstr(got, "readonly 100444 "));
	assert_non_null(strstr(got, "empty 40700 "));
	assert_non_null(strstr(got, "lib 120777 -> src/lib\n"));
	assert_non_null(strstr(got, "caf\xe9 100644 "));
	assert_non_null(strstr(got, "caf\xc3\xa9 100644 "));
	free(want);
	free(got);
	/* Nothing left beside it. */
	assert_int_equal(testutil_count_names(at(f, "out/deep")), 1);
}

static void test_empty_tree(void **state)
{
	struct fix *f = *state;
	dir(f, "src", 0755);
	struct hash128 h = pack(f, "src");
	put(f, "dest", "a file", 0644);
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "dest")), 0);
	struct stat st;
	assert_int_equal(lstat(at(f, "dest"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(testutil_count_names(at(f, "dest")), 0);
}

static void test_same_tree_same_artifact(void **state)
{
	struct fix *f = *state;
	sample(f, "one", 0);
	sample(f, "two", 1);
	/* Owners are not packed. */
	if (geteuid() == 0) {
		assert_int_equal(lchown(at(f, "two/README"), 1234, 1234), 0);
		assert_int_equal(lchown(at(f, "two/src"), 1234, 1234), 0);
		assert_int_equal(lchown(at(f, "two/lib"), 1234, 1234), 0);
	}
	struct hash128 a = pack(f, "one"), b = pack(f, "two");
	assert_true(hash_equal(a, b));
	assert_int_equal(count(f), 1);
	/* And a change is a different artifact. */
	put(f, "two/README", "changed", 0644);
	assert_false(hash_equal(pack(f, "two"), a));
	assert_int_equal(count(f), 2);
}

static void test_restore_replaces_dest(void **state)
{
	struct fix *f = *state;
	sample(f, "src", 0);
	struct hash128 h = pack(f, "src");
	dir(f, "dest/extra/dir", 0755);
	put(f, "dest/extra/dir/file", "x", 0644);
	put(f, "dest/README", "an older one", 0644);
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "dest")), 0);
	assert_false(exists(at(f, "dest/extra")));
	char *want = manifest(at(f, "src")), *got = manifest(at(f, "dest"));
	assert_string_equal(got, want);
	free(want);
	free(got);
	/* A file in the way is replaced too, and a trailing slash is fine. */
	put(f, "file", "x", 0644);
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "file/")), 0);
	assert_true(exists(at(f, "file/bin/run")));
}

static void test_corrupt_artifact(void **state)
{
	struct fix *f = *state;
	sample(f, "src", 0);
	struct hash128 h = pack(f, "src");
	put(f, "dest", "untouched", 0644);
	flip_a_byte(f, h, 100);
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "dest")), 1);
	struct stat st;
	assert_int_equal(lstat(at(f, "dest"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 9);
	char path[256];
	artifact_file(f, h, path, sizeof(path));
	assert_false(exists(path));
	assert_int_equal(in_index(f, h), 0);
	assert_int_equal(count(f), 0);
	/* Packing it again brings it back. */
	assert_true(hash_equal(pack(f, "src"), h));
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "dest")), 0);
}

static void test_missing_artifact(void **state)
{
	struct fix *f = *state;
	sample(f, "src", 0);
	struct hash128 h = pack(f, "src");
	char path[256];
	artifact_file(f, h, path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(cas_restore(f->store, f->cas, h, at(f, "dest")), 1);
	assert_false(exists(at(f, "dest")));
	assert_int_equal(in_index(f, h), 0);
	struct hash128 never = hash_bytes("never packed", 12);
	assert_int_equal(cas_restore(f->store, f->cas, never, at(f, "dest")), 1);
}

static void test_verify_drops_the_bad_ones(void **state)
{
	struct fix *f = *state;
	struct hash128 h[4];
	const char *names[] = {"a", "b", "c", "d"};
	for (int i = 0; i < 4; i++) {
		dir(f, names[i], 0755);
		char rel[16];
		snprintf(rel, sizeof(rel), "%s/file", names[i]);
		put(f, rel, names[i], 0644);
		h[i] = pack(f, names[i]);
	}
	char path[256];
	flip_a_byte(f, h[1], 30);
	artifact_file(f, h[2], path, sizeof(path));
	assert_int_equal(truncate(path, 40), 0);
	artifact_file(f, h[3], path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	for (int i = 0; i < 4; i++)
		assert_true(cas_has(f->store, h[i]));
	assert_int_equal(cas_verify(f->store, f->cas), 3);
	assert_int_equal(count(f), 1);
	assert_true(cas_has(f->store, h[0]));
	for (int i = 1; i < 4; i++) {
		assert_false(cas_has(f->store, h[i]));
		artifact_file(f, h[i], path, sizeof(path));
		assert_false(exists(path));
	}
	assert_int_equal(cas_verify(f->store, f->cas), 0);
	assert_int_equal(cas_restore(f->store, f->cas, h[0], at(f, "dest")), 0);
}

/* Sets an artifact's last use in the index (its layout is in cas.h). */
static void set_last_use(struct fix *f, struct hash128 h, uint64_t t)
{
	unsigned char key[16];
	hash_to_bytes(h, key);
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(store_get(f->store, STORE_CAS, key, sizeof(key), &val), 1);
	assert_int_equal(val.len, 24);
	for (int i = 0; i < 8; i++)
		val.buf[8 + i] = (char)(t >> 8 * i);
	store_put(f->store, STORE_CAS, key, sizeof(key), val.buf, val.len);
	strbuf_release(&val);
}

static uint64_t size_of(struct fix *f, struct hash128 h)
{
	char path[256];
	artifact_file(f, h, path, sizeof(path));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void test_gc_removes_least_recently_used(void **state)
{
	struct fix *f = *state;
	struct hash128 h[3];
	const char *names[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		dir(f, names[i], 0755);
		char rel[16];
		snprintf(rel, sizeof(rel), "%s/file", names[i]);
		put(f, rel, names[i], 0644);
		h[i] = pack(f, names[i]);
		set_last_use(f, h[i], 100 * (uint64_t)(i + 1));
	}
	uint64_t sa = size_of(f, h[0]), sb = size_of(f, h[1]), sc = size_of(f, h[2]);
	struct cas_stats st;
	assert_int_equal(cas_stats(f->store, &st), 0);
	assert_int_equal(st.count, 3);
	assert_int_equal(st.bytes, sa + sb + sc);

	/* a is the oldest until it is used. */
	assert_int_equal(cas_restore(f->store, f->cas, h[0], at(f, "dest")), 0);
	uint64_t removed, freed;
	assert_int_equal(cas_gc(f->store, f->cas, sa + sb + sc, &removed, &freed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(freed, 0);
	assert_int_equal(cas_gc(f->store, f->cas, sa + sc, &removed, &freed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(freed, sb);
	assert_int_equal(in_index(f, h[1]), 0);
	assert_int_equal(cas_gc(f->store, f->cas, sa, &removed, &freed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(freed, sc);
	assert_int_equal(in_index(f, h[2]), 0);
	assert_int_equal(in_index(f, h[0]), 1);
	assert_int_equal(cas_restore(f->store, f->cas, h[1], at(f, "dest")), 1);
	assert_int_equal(cas_restore(f->store, f->cas, h[0], at(f, "dest")), 0);
	assert_int_equal(cas_gc(f->store, f->cas, 0, &removed, &freed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(count(f), 0);
}

static void test_stats_and_clear(void **state)
{
	struct fix *f = *state;
	sample(f, "one", 0);
	dir(f, "two", 0755);
	put(f, "two/file", "two", 0644);
	struct hash128 a = pack(f, "one"), b = pack(f, "two");
	pack(f, "one");
	struct cas_stats st;
	assert_int_equal(cas_stats(f->store, &st), 0);
	assert_int_equal(st.count, 2);
	assert_int_equal(st.bytes, size_of(f, a) + size_of(f, b));
	assert_int_equal(cas_clear(f->store, f->cas), 0);
	assert_int_equal(cas_stats(f->store, &st), 0);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(testutil_count_names(f->cas), 0);
	assert_int_equal(cas_restore(f->store, f->cas, a, at(f, "dest")), 1);
	/* And a clear of a CAS never created. */
	char none[128];
	snprintf(none, sizeof(none), "%s/none", f->dir);
	assert_int_equal(cas_clear(f->store, none), 0);
}

static void test_special_file_is_refused(void **state)
{
	struct fix *f = *state;
	sample(f, "src", 0);
	assert_int_equal(mkfifo(at(f, "src/src/fifo"), 0644), 0);
	struct hash128 h;
	assert_int_equal(cas_pack(f->store, f->cas, at(f, "src"), &h), -1);
	assert_int_equal(count(f), 0);
	/* No temporary file left behind. */
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s/tmp", f->cas);
	assert_int_equal(testutil_count_names(tmp), 0);
}

/* A ustar header, as someone else's tar might have it. */
static void tar_header(struct strbuf *tar, const char *name, char type, const char *link,
		       size_t size)
{
	char h[512] = {0};
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", 0644);
	snprintf(h + 108, 8, "%07o", 0);
	snprintf(h + 116, 8, "%07o", 0);
	snprintf(h + 124, 12, "%011zo", size);
	snprintf(h + 136, 12, "%011o", STAMP);
	memset(h + 148, ' ', 8);
	h[156] = type;
	snprintf(h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	strbuf_add(tar, h, 512);
	if (size) {
		char data[512] = "evil";
		strbuf_add(tar, data, 512);
	}
}

/* Stores tar in the CAS under its hash, as a remote cache would. */
static struct hash128 plant(struct fix *f, struct strbuf *tar)
{
	char zero[1024] = {0};
	strbuf_add(tar, zero, sizeof(zero));
	struct hash128 h = hash_bytes(tar->buf, tar->len);
	char path[256];
	artifact_file(f, h, path, sizeof(path));
	*strrchr(path, '/') = '\0';
	assert_int_equal(fs_mkdirs(path, 0755), 0);
	artifact_file(f, h, path, sizeof(path));
	assert_int_equal(fs_write_atomic(path, tar->buf, tar->len, 0444), 0);
	return h;
}

static void test_foreign_artifact_stays_inside(void **state)
{
	struct fix *f = *state;
	struct strbuf tar = STRBUF_INIT;
	dir(f, "x", 0755);

	tar_header(&tar, at(f, "x/absolute"), '0', "", 4);
	assert_int_equal(cas_restore(f->store, f->cas, plant(f, &tar), at(f, "x/dest")), -1);
	assert_false(exists(at(f, "x/absolute")));

	strbuf_reset(&tar);
	tar_header(&tar, "../dotdot", '0', "", 4);
	assert_int_equal(cas_restore(f->store, f->cas, plant(f, &tar), at(f, "x/dest")), -1);
	assert_false(exists(at(f, "x/dotdot")));

	strbuf_reset(&tar);
	tar_header(&tar, "up", '2', at(f, "x"), 0);
	tar_header(&tar, "up/through", '0', "", 4);
	assert_int_equal(cas_restore(f->store, f->cas, plant(f, &tar), at(f, "x/dest")), -1);
	assert_false(exists(at(f, "x/through")));

	strbuf_reset(&tar);
	tar_header(&tar, "hard", '1', "/etc/passwd", 0);
	assert_int_equal(cas_restore(f->store, f->cas, plant(f, &tar), at(f, "x/dest")), -1);

	strbuf_reset(&tar);
	tar_header(&tar, "fifo", '6', "", 0);
	assert_int_equal(cas_restore(f->store, f->cas, plant(f, &tar), at(f, "x/dest")), -1);

	/* No dest, and no temporary directory left. */
	assert_int_equal(testutil_count_names(at(f, "x")), 0);
	strbuf_release(&tar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_tree_same_artifact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_replaces_dest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_artifact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_artifact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_drops_the_bad_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_removes_least_recently_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_artifact_stays_inside, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
