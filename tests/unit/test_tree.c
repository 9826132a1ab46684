/*
 * Unit tests for cache/tree: what changes a tree's hash and what does not,
 * the order of the entries, exclusions, the stat cache, snapshots (each
 * change they must see, and what they must not), manifests and their diff.
 * Every test builds its trees in its own temporary directory, or has its
 * own among the aged ones made once (make_aged).
 */
/* realpath is XSI, not base POSIX. */
#define _XOPEN_SOURCE 700

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../cache/tree.h"
#include "../../lib/fsutil.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct tmp {
	char dir[64];        /* where the test's trees are: own, or aged */
	char own[64];        /* the test's own directory, removed after it */
	struct store *store; /* in own/db, outside the trees */
};

/* Trees made once, a second before the tests run, so that their entries are
 * not racy (a file's ctime cannot be set back, and a second's sleep per
 * test would add up): each test that needs one has its own (make_aged). */
static char aged[64];

static int open_tmp(void **state, const char *trees)
{
	struct tmp *t = xcalloc(1, sizeof(*t));
	if (testutil_mkdtemp(t->own, sizeof(t->own), "test_tree") < 0) {
		free(t);
		return -1;
	}
	snprintf(t->dir, sizeof(t->dir), "%s", trees ? trees : t->own);
	char db[128];
	snprintf(db, sizeof(db), "%s/db", t->own);
	t->store = store_open(db);
	if (!t->store) {
		testutil_remove_tree(t->own);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int setup(void **state)
{
	return open_tmp(state, NULL);
}

static int setup_aged(void **state)
{
	return open_tmp(state, aged);
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	store_close(t->store);
	int rc = testutil_remove_tree(t->own);
	free(t);
	return rc;
}

/* The path of rel in the test's directory, in one of a few rotating
 * buffers so that a call may take two. */
static const char *at(struct tmp *t, const char *rel)
{
	static char bufs[4][1024];
	static int next;
	char *b = bufs[next++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s/%s", t->dir, rel);
	return b;
}

static void put(struct tmp *t, const char *rel, const char *text, mode_t mode)
{
	/* chmod, not the umask, decides the mode the hash sees. */
	testutil_write_file(at(t, rel), text, mode);
}

static void dir(struct tmp *t, const char *rel)
{
	assert_int_equal(fs_mkdirs(at(t, rel), 0755), 0);
	assert_int_equal(chmod(at(t, rel), 0755), 0);
}

static void link_to(struct tmp *t, const char *rel, const char *target)
{
	unlink(at(t, rel));
	assert_int_equal(symlink(target, at(t, rel)), 0);
}

/* The hash of the tree at rel, without a stat cache. */
static struct hash128 hash_of(struct tmp *t, const char *rel, const struct tree_options *opt)
{
	struct hash128 h;
	assert_int_equal(tree_hash(NULL, at(t, rel), opt, &h, NULL), 0);
	return h;
}

/* A small tree of each kind of entry. */
static void sample(struct tmp *t, const char *top)
{
	char p[256];
	const char *files[] = {"README", "src/main.c", "src/lib/util.c", "bin/run"};
	dir(t, top);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(p, sizeof(p), "%s/%s", top, files[i]);
		char *slash = strrchr(p, '/');
		*slash = '\0';
		dir(t, p);
		*slash = '/';
		put(t, p, files[i], 0644);
	}
	snprintf(p, sizeof(p), "%s/bin/run", top);
	assert_int_equal(chmod(at(t, p), 0755), 0);
	snprintf(p, sizeof(p), "%s/empty", top);
	dir(t, p);
	snprintf(p, sizeof(p), "%s/lib", top);
	link_to(t, p, "src/lib");
}

/* The same kinds in fewer entries (6; sample has 9): a small tree's
 * snapshot is checked by full paths, a larger one's from its top directory
 * opened (SNAP_OPEN_AT in cache/tree.c). */
static void small(struct tmp *t, const char *top)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/src/lib", top);
	dir(t, p);
	snprintf(p, sizeof(p), "%s/src/main.c", top);
	put(t, p, "src/main.c", 0644);
	snprintf(p, sizeof(p), "%s/src/lib/util.c", top);
	put(t, p, "src/lib/util.c", 0644);
	snprintf(p, sizeof(p), "%s/empty", top);
	dir(t, p);
	snprintf(p, sizeof(p), "%s/lib", top);
	link_to(t, p, "src/lib");
}

static void assert_same_manifest(const struct tree_manifest *a, const struct tree_manifest *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->entries[i].path, b->entries[i].path);
		assert_int_equal(a->entries[i].mode, b->entries[i].mode);
		assert_true(hash_equal(a->entries[i].hash, b->entries[i].hash));
	}
}

static void test_equal_trees_hash_equal(void **state)
{
	struct tmp *t = *state;
	sample(t, "one");
	sample(t, "two/deeper");
	struct hash128 h1, h2;
	struct tree_manifest m1, m2;
	assert_int_equal(tree_hash(NULL, at(t, "one"), NULL, &h1, &m1), 0);
	assert_int_equal(tree_hash(t->store, at(t, "two/deeper"), NULL, &h2, &m2), 0);
	assert_true(hash_equal(h1, h2));
	assert_same_manifest(&m1, &m2);
	/* Every entry, directories (the empty one too) and the link included. */
	const char *paths[] = {"README", "bin",        "bin/run",        "empty",     "lib",
			       "src",    "src/lib",    "src/lib/util.c", "src/main.c"};
	assert_int_equal(m1.n, sizeof(paths) / sizeof(*paths));
	for (size_t i = 0; i < m1.n; i++)
		assert_string_equal(m1.entries[i].path, paths[i]);
	assert_int_equal(m1.entries[2].mode, S_IFREG | 0755);
	assert_int_equal(m1.entries[3].mode, S_IFDIR | 0755);
	assert_true(hash_is_zero(m1.entries[3].hash));
	assert_true(S_ISLNK(m1.entries[4].mode));
	assert_true(hash_equal(m1.entries[4].hash, hash_bytes("src/lib", 7)));
	assert_true(hash_equal(m1.entries[0].hash, hash_bytes("README", 6)));
	tree_manifest_free(&m1);
	tree_manifest_free(&m2);
	/* Owners and times do not count. */
	struct timespec old[2] = {{1000000, 0}, {1000000, 0}};
	assert_int_equal(utimensat(AT_FDCWD, at(t, "one/README"), old, 0), 0);
	assert_int_equal(utimensat(AT_FDCWD, at(t, "one/src"), old, 0), 0);
	assert_true(hash_equal(hash_of(t, "one", NULL), h2));
}

static void test_each_change_changes_the_hash(void **state)
{
	struct tmp *t = *state;
	sample(t, "t");
	struct hash128 base = hash_of(t, "t", NULL);
	struct hash128 seen[8];
	size_t n = 0;

	put(t, "t/src/main.c", "src/main.C", 0644); /* one byte */
	seen[n++] = hash_of(t, "t", NULL);
	put(t, "t/src/main.c", "src/main.c", 0644);
	assert_true(hash_equal(hash_of(t, "t", NULL), base));

	assert_int_equal(chmod(at(t, "t/README"), 0755), 0); /* chmod +x */
	seen[n++] = hash_of(t, "t", NULL);
	assert_int_equal(chmod(at(t, "t/README"), 0644), 0);

	assert_int_equal(chmod(at(t, "t/src"), 0700), 0); /* a directory's mode */
	seen[n++] = hash_of(t, "t", NULL);
	assert_int_equal(chmod(at(t, "t/src"), 0755), 0);

	assert_int_equal(rename(at(t, "t/README"), at(t, "t/README.txt")), 0); /* a name */
	seen[n++] = hash_of(t, "t", NULL);
	assert_int_equal(rename(at(t, "t/README.txt"), at(t, "t/README")), 0);

	dir(t, "t/src/new"); /* an empty directory */
	seen[n++] = hash_of(t, "t", NULL);
	assert_int_equal(rmdir(at(t, "t/src/new")), 0);

	link_to(t, "t/lib", "src/lib/"); /* a link's target */
	seen[n++] = hash_of(t, "t", NULL);
	link_to(t, "t/lib", "src/lib");

	/* A file and a link with the same contents differ by their type. */
	assert_int_equal(unlink(at(t, "t/lib")), 0);
	put(t, "t/lib", "src/lib", 0777);
	seen[n++] = hash_of(t, "t", NULL);
	assert_int_equal(unlink(at(t, "t/lib")), 0);
	link_to(t, "t/lib", "src/lib");

	assert_true(hash_equal(hash_of(t, "t", NULL), base));
	for (size_t i = 0; i < n; i++) {
		assert_false(hash_equal(seen[i], base));
		for (size_t j = 0; j < i; j++)
			assert_false(hash_equal(seen[i], seen[j]));
	}
}

static void test_order_is_by_full_path(void **state)
{
	struct tmp *t = *state;
	/* The same entries created in opposite orders. */
	dir(t, "x/a");
	put(t, "x/a/b", "b", 0644);
	put(t, "x/a-c", "c", 0644);
	dir(t, "y");
	put(t, "y/a-c", "c", 0644);
	dir(t, "y/a");
	put(t, "y/a/b", "b", 0644);
	struct hash128 hx, hy;
	struct tree_manifest m;
	assert_int_equal(tree_hash(NULL, at(t, "x"), NULL, &hx, &m), 0);
	hy = hash_of(t, "y", NULL);
	assert_true(hash_equal(hx, hy));
	/* '-' < '/': a directory's entries need not follow it at once. */
	assert_int_equal(m.n, 3);
	assert_string_equal(m.entries[0].path, "a");
	assert_string_equal(m.entries[1].path, "a-c");
	assert_string_equal(m.entries[2].path, "a/b");
	tree_manifest_free(&m);

	/* The hash is the one tree.h describes, entry by entry. */
	struct {
		const char *path;
		uint32_t mode;
		struct hash128 hash;
	} want[] = {
		{"a", S_IFDIR | 0755, {{0, 0}}},
		{"a-c", S_IFREG | 0644, hash_bytes("c", 1)},
		{"a/b", S_IFREG | 0644, hash_bytes("b", 1)},
	};
	XXH3_state_t *st = XXH3_createState();
	XXH3_128bits_reset(st);
	for (size_t i = 0; i < 3; i++) {
		unsigned char mode[4] = {(unsigned char)want[i].mode,
					 (unsigned char)(want[i].mode >> 8),
					 (unsigned char)(want[i].mode >> 16),
					 (unsigned char)(want[i].mode >> 24)};
		unsigned char h[16];
		hash_to_bytes(want[i].hash, h);
		XXH3_128bits_update(st, want[i].path, strlen(want[i].path) + 1);
		XXH3_128bits_update(st, mode, 4);
		XXH3_128bits_update(st, h, 16);
	}
	struct hash128 expect = {XXH3_128bits_digest(st)};
	XXH3_freeState(st);
	assert_true(hash_equal(hx, expect));
}

static void test_empty_tree(void **state)
{
	struct tmp *t = *state;
	dir(t, "e");
	struct tree_manifest m;
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "e"), NULL, &h, &m), 0);
	assert_int_equal(m.n, 0);
	assert_true(hash_equal(h, hash_bytes("", 0)));
	tree_manifest_free(&m);
}

static void test_exclude_leaves_a_subtree_out(void **state)
{
	struct tmp *t = *state;
	sample(t, "t");
	struct hash128 base = hash_of(t, "t", NULL);
	const char *ex[] = {"parts", "src/lib"};
	struct tree_options opt = {.exclude = ex, .nexclude = 2};
	struct hash128 before = hash_of(t, "t", &opt);
	assert_false(hash_equal(before, base));

	dir(t, "t/parts/part/bin");
	put(t, "t/parts/part/bin/tool", "x", 0755);
	put(t, "t/src/lib/util.c", "changed", 0600);
	dir(t, "t/src/lib/more");
	struct tree_manifest m;
	struct hash128 after;
	assert_int_equal(tree_hash(t->store, at(t, "t"), &opt, &after, &m), 0);
	assert_true(hash_equal(before, after));
	for (size_t i = 0; i < m.n; i++) {
		assert_true(strncmp(m.entries[i].path, "parts", 5) != 0);
		assert_true(strncmp(m.entries[i].path, "src/lib", 7) != 0);
	}
	tree_manifest_free(&m);

	/* Only that path: a sibling sharing its prefix still counts. */
	put(t, "t/parts-2", "y", 0644);
	assert_false(hash_equal(hash_of(t, "t", &opt), before));
}

static void test_missing_dir(void **state)
{
	struct tmp *t = *state;
	struct hash128 h;
	struct tree_manifest m;
	assert_int_equal(tree_hash(t->store, at(t, "nosuch"), NULL, &h, &m), 1);
	assert_int_equal(m.n, 0);
	tree_manifest_free(&m);
	/* Not a directory: an error, not "absent". */
	put(t, "file", "x", 0644);
	assert_int_equal(tree_hash(t->store, at(t, "file"), NULL, &h, NULL), -1);
}

static void test_special_file_is_an_error(void **state)
{
	struct tmp *t = *state;
	dir(t, "t/sub");
	put(t, "t/sub/a", "a", 0644);
	assert_int_equal(mkfifo(at(t, "t/sub/fifo"), 0644), 0);
	struct hash128 h;
	struct tree_manifest m;
	assert_int_equal(tree_hash(NULL, at(t, "t"), NULL, &h, &m), -1);
	assert_int_equal(m.n, 0);
	tree_manifest_free(&m);
	const char *ex[] = {"sub/fifo"};
	struct tree_options opt = {.exclude = ex, .nexclude = 1};
	assert_int_equal(tree_hash(NULL, at(t, "t"), &opt, &h, NULL), 0);
}

static void test_symlinks_are_not_followed(void **state)
{
	struct tmp *t = *state;
	dir(t, "out");
	put(t, "out/secret", "s", 0644);
	dir(t, "t");
	link_to(t, "t/to-dir", at(t, "out"));
	link_to(t, "t/dangling", "nosuch");
	struct tree_manifest m;
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "t"), NULL, &h, &m), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.entries[0].path, "dangling");
	assert_string_equal(m.entries[1].path, "to-dir");
	assert_true(S_ISLNK(m.entries[1].mode));
	tree_manifest_free(&m);
	put(t, "out/secret", "changed", 0644);
	assert_true(hash_equal(hash_of(t, "t", NULL), h));
}

/* stat/long/.../f: an absolute path longer than LMDB's keys (511 bytes). */
static void long_path(char *deep, size_t size)
{
	char name[201];
	memset(name, 'n', 200);
	name[200] = '\0';
	snprintf(deep, size, "stat/long/%s/%s/%s/f", name, name, name);
}

/* The stat cache entry of the file at rel: 1 found, 0 absent. */
static int cached(struct tmp *t, const char *rel, struct strbuf *val)
{
	char *real = realpath(at(t, rel), NULL);
	assert_non_null(real);
	int r = store_get(t->store, STORE_STAT, real, strlen(real), val);
	free(real);
	assert_true(r >= 0);
	return r;
}

/* The key of the snapshot of the tree at rel (cache/tree.c): byte 1, the
 * hash of the exclude list (each path and its NUL), the tree's absolute
 * path and '/'. */
static void snap_key(struct tmp *t, const char *rel, const struct tree_options *opt,
		     struct strbuf *key)
{
	struct strbuf ex = STRBUF_INIT;
	for (size_t i = 0; opt && i < opt->nexclude; i++)
		strbuf_add(&ex, opt->exclude[i], strlen(opt->exclude[i]) + 1);
	unsigned char h[16];
	hash_to_bytes(hash_bytes(ex.buf, ex.len), h);
	strbuf_release(&ex);
	char *real = realpath(at(t, rel), NULL);
	assert_non_null(real);
	strbuf_reset(key);
	strbuf_addc(key, 1);
	strbuf_add(key, h, 16);
	strbuf_adds(key, real);
	strbuf_addc(key, '/');
	free(real);
}

/* The snapshot of the tree at rel: 1 found, 0 absent. */
static int snapshot(struct tmp *t, const char *rel, const struct tree_options *opt,
		    struct strbuf *val)
{
	struct strbuf key = STRBUF_INIT;
	snap_key(t, rel, opt, &key);
	int r = store_get(t->store, STORE_STAT, key.buf, key.len, val);
	strbuf_release(&key);
	assert_true(r >= 0);
	return r;
}

static void put_snapshot(struct tmp *t, const char *rel, const struct tree_options *opt,
			 const void *val, size_t len)
{
	struct strbuf key = STRBUF_INIT;
	snap_key(t, rel, opt, &key);
	store_put(t->store, STORE_STAT, key.buf, key.len, val, len);
	strbuf_release(&key);
}

static struct hash128 bogus(void)
{
	return hash_bytes("bogus", 5);
}

/* Puts a false tree hash in the tree's snapshot, leaving the snapshot
 * whole: the hash follows the first byte, and the XXH3-64 of all before
 * them, little-endian, is the last 8 bytes (cache/tree.c). */
static void plant(struct tmp *t, const char *rel, const struct tree_options *opt)
{
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(snapshot(t, rel, opt, &val), 1);
	assert_true(val.len > 1 + 16 + 8);
	hash_to_bytes(bogus(), (unsigned char *)val.buf + 1);
	uint64_t sum = XXH3_64bits(val.buf, val.len - 8);
	for (int i = 0; i < 8; i++)
		val.buf[val.len - 8 + i] = (char)(sum >> 8 * i);
	put_snapshot(t, rel, opt, val.buf, val.len);
	strbuf_release(&val);
}

/* Hashes the aged tree at rel, which keeps its snapshot, then plants a
 * false hash in it and checks that the next hash is that one: the tree's
 * stats were checked, it was not walked.  Returns the true hash. */
static struct hash128 snapshot_taken(struct tmp *t, const char *rel,
				     const struct tree_options *opt)
{
	struct hash128 h, again;
	assert_int_equal(tree_hash(t->store, at(t, rel), opt, &h, NULL), 0);
	assert_true(hash_equal(h, hash_of(t, rel, opt)));
	plant(t, rel, opt);
	assert_int_equal(tree_hash(t->store, at(t, rel), opt, &again, NULL), 0);
	assert_true(hash_equal(again, bogus()));
	return h;
}

/* The hash of the tree at rel, which must have been walked: the true one,
 * not the snapshot's false one. */
static struct hash128 walked(struct tmp *t, const char *rel, const struct tree_options *opt)
{
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, rel), opt, &h, NULL), 0);
	assert_false(hash_equal(h, bogus()));
	assert_true(hash_equal(h, hash_of(t, rel, opt)));
	return h;
}

static void test_stat_cache_is_used(void **state)
{
	struct tmp *t = *state;
	/* Made by make_aged: entries are cached once their mtime and ctime
	 * are a second old. */
	struct hash128 real = hash_of(t, "stat/t", NULL);
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "stat/t"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, real));
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(cached(t, "stat/t/src/main.c", &val), 1);
	/* Directories and links are not cached. */
	assert_int_equal(cached(t, "stat/t/src", &val), 0);
	assert_int_equal(cached(t, "stat/t/lib", &val), 0);

	/* The cached hash ends the entry (cache/tree.c): plant a false one,
	 * and the tree hash shows it was taken without reading the file (once
	 * the tree's snapshot is gone, or it would spare the walk too). */
	assert_int_equal(cached(t, "stat/t/src/main.c", &val), 1);
	assert_true(val.len > 16);
	unsigned char *hbytes = (unsigned char *)val.buf + val.len - 16;
	assert_true(hash_equal(hash_from_bytes(hbytes), hash_bytes("src/main.c", 10)));
	hash_to_bytes(bogus(), hbytes);
	char *key = realpath(at(t, "stat/t/src/main.c"), NULL);
	store_put(t->store, STORE_STAT, key, strlen(key), val.buf, val.len);
	struct strbuf skey = STRBUF_INIT;
	snap_key(t, "stat/t", NULL, &skey);
	store_del(t->store, STORE_STAT, skey.buf, skey.len);
	strbuf_release(&skey);
	assert_int_equal(store_flush(t->store), 0);
	struct tree_manifest m;
	assert_int_equal(tree_hash(t->store, at(t, "stat/t"), NULL, &h, &m), 0);
	assert_false(hash_equal(h, real));
	assert_int_equal(m.n, 9);
	assert_string_equal(m.entries[8].path, "src/main.c");
	assert_true(hash_equal(m.entries[8].hash, bogus()));
	tree_manifest_free(&m);

	/* A change to the stat (here the size) makes the file read again. */
	put(t, "stat/t/src/main.c", "src/main.cc", 0644);
	assert_int_equal(tree_hash(t->store, at(t, "stat/t"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, hash_of(t, "stat/t", NULL)));
	free(key);

	/* The long path is hashed, not cached, and the store stays usable. */
	char deep[700];
	assert_int_equal(tree_hash(t->store, at(t, "stat/long"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, hash_of(t, "stat/long", NULL)));
	assert_int_equal(store_flush(t->store), 0);
	long_path(deep, sizeof(deep));
	assert_int_equal(cached(t, deep, &val), 0);
	strbuf_release(&val);
}

static void test_fresh_file_is_not_cached(void **state)
{
	struct tmp *t = *state;
	dir(t, "t");
	put(t, "t/new", "new", 0644);
	/* Even with an old mtime: the ctime is now. */
	put(t, "t/old", "old", 0644);
	struct timespec old[2] = {{1000000, 0}, {1000000, 0}};
	assert_int_equal(utimensat(AT_FDCWD, at(t, "t/old"), old, 0), 0);
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "t"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, hash_of(t, "t", NULL)));
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(cached(t, "t/new", &val), 0);
	assert_int_equal(cached(t, "t/old", &val), 0);
	strbuf_release(&val);
}

static void test_manifest_round_trip(void **state)
{
	struct tmp *t = *state;
	sample(t, "t");
	struct hash128 h;
	struct tree_manifest m, back;
	assert_int_equal(tree_hash(t->store, at(t, "t"), NULL, &h, &m), 0);
	assert_int_equal(tree_manifest_load(t->store, h, &back), 0);
	assert_int_equal(back.n, 0);
	tree_manifest_save(t->store, h, &m);
	/* Pending, then committed and read by another opening of the store. */
	assert_int_equal(tree_manifest_load(t->store, h, &back), 1);
	assert_same_manifest(&m, &back);
	tree_manifest_free(&back);
	assert_int_equal(store_flush(t->store), 0);
	store_close(t->store);
	t->store = store_open(at(t, "db"));
	assert_non_null(t->store);
	assert_int_equal(tree_manifest_load(t->store, h, &back), 1);
	assert_same_manifest(&m, &back);
	tree_manifest_free(&back);

	/* An empty tree's manifest. */
	struct tree_manifest none = {NULL, 0, ARENA_INIT};
	struct hash128 zero = hash_bytes("", 0);
	tree_manifest_save(t->store, zero, &none);
	assert_int_equal(tree_manifest_load(t->store, zero, &back), 1);
	assert_int_equal(back.n, 0);
	tree_manifest_free(&back);

	/* A damaged one is an error, whatever was cut off. */
	unsigned char key[16];
	hash_to_bytes(h, key);
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(store_get(t->store, STORE_TREES, key, 16, &val), 1);
	size_t cuts[] = {1, 2, 17, val.len / 2, val.len - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(*cuts); i++) {
		store_put(t->store, STORE_TREES, key, 16, val.buf, val.len - cuts[i]);
		assert_int_equal(tree_manifest_load(t->store, h, &back), -1);
		assert_int_equal(back.n, 0);
	}
	strbuf_release(&val);
	tree_manifest_free(&m);
}

static void test_diff(void **state)
{
	struct tmp *t = *state;
	sample(t, "t");
	struct tree_manifest old, new;
	struct hash128 h;
	assert_int_equal(tree_hash(NULL, at(t, "t"), NULL, &h, &old), 0);
	const char **paths;
	assert_int_equal(tree_diff(&old, &old, &paths), 0);
	free(paths);

	put(t, "t/src/main.c", "changed", 0644);         /* content */
	assert_int_equal(chmod(at(t, "t/bin/run"), 0644), 0); /* mode */
	assert_int_equal(unlink(at(t, "t/README")), 0);       /* removed */
	put(t, "t/a-new", "new", 0644);                   /* added */
	dir(t, "t/empty/sub");                            /* added */
	assert_int_equal(tree_hash(NULL, at(t, "t"), NULL, &h, &new), 0);
	const char *want[] = {"README", "a-new", "bin/run", "empty/sub", "src/main.c"};
	size_t n = tree_diff(&old, &new, &paths);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(paths[i], want[i]);
	free(paths);
	/* The other way round, the same paths. */
	n = tree_diff(&new, &old, &paths);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(paths[i], want[i]);
	free(paths);
	tree_manifest_free(&old);
	tree_manifest_free(&new);
}

/* top/rel, in one of a few rotating buffers. */
static const char *sub(const char *top, const char *rel)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s/%s", top, rel);
	return b;
}

static void test_snapshot_is_used(void **state)
{
	struct tmp *t = *state;
	const char *trees[] = {"snap/used", "snap/used-small"};
	for (size_t i = 0; i < 2; i++) {
		struct strbuf val = STRBUF_INIT;
		assert_int_equal(snapshot(t, trees[i], NULL, &val), 0);
		struct hash128 real = snapshot_taken(t, trees[i], NULL);
		assert_int_equal(snapshot(t, trees[i], NULL, &val), 1);
		strbuf_release(&val);
		/* The manifest comes from the snapshot too, as a walk makes it. */
		struct tree_manifest walk, fast;
		struct hash128 h;
		assert_int_equal(tree_hash(NULL, at(t, trees[i]), NULL, &h, &walk), 0);
		assert_true(hash_equal(h, real));
		assert_int_equal(tree_hash(t->store, at(t, trees[i]), NULL, &h, &fast), 0);
		assert_true(hash_equal(h, bogus()));
		assert_same_manifest(&walk, &fast);
		tree_manifest_free(&walk);
		tree_manifest_free(&fast);
	}

	/* A tree found unchanged writes nothing: a flush after it leaves the
	 * database file untouched (a write would move its mtime, which is
	 * kept at a clock tick's precision). */
	assert_int_equal(store_flush(t->store), 0);
	char data[128];
	snprintf(data, sizeof(data), "%s/db/data.mdb", t->own);
	struct stat before, after;
	assert_int_equal(stat(data, &before), 0);
	nanosleep(&(struct timespec){0, 30000000}, NULL);
	for (size_t i = 0; i < 2; i++) {
		struct hash128 h;
		struct tree_manifest m;
		assert_int_equal(tree_hash(t->store, at(t, trees[i]), NULL, &h, &m), 0);
		assert_true(hash_equal(h, bogus()));
		tree_manifest_free(&m);
	}
	assert_int_equal(store_flush(t->store), 0);
	assert_int_equal(stat(data, &after), 0);
	assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	assert_int_equal(before.st_size, after.st_size);
}

/* Takes the snapshots of the aged trees snap/<name> (sample's entries) and
 * snap/<name>-small, changes each, and checks the change is seen: the tree
 * is walked, its hash the true one (the same as before if same). */
static void check_change(struct tmp *t, const char *name,
			 void (*change)(struct tmp *t, const char *top), bool same)
{
	for (int i = 0; i < 2; i++) {
		char top[64];
		snprintf(top, sizeof(top), "snap/%s%s", name, i ? "-small" : "");
		struct hash128 before = snapshot_taken(t, top, NULL);
		struct strbuf planted = STRBUF_INIT, val = STRBUF_INIT;
		assert_int_equal(snapshot(t, top, NULL, &planted), 1);
		change(t, top);
		struct hash128 after = walked(t, top, NULL);
		assert_true(hash_equal(before, after) == same);
		/* What changed is racy: no new snapshot yet. */
		assert_int_equal(snapshot(t, top, NULL, &val), 1);
		assert_true(val.len == planted.len && !memcmp(val.buf, planted.buf, val.len));
		strbuf_release(&planted);
		strbuf_release(&val);
	}
}

/* The same size, the mtime put back: only the ctime tells. */
static void rewrite_in_place(struct tmp *t, const char *top)
{
	const char *f = at(t, sub(top, "src/main.c"));
	struct stat old, now;
	assert_int_equal(stat(f, &old), 0);
	int fd = open(f, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "src/main.C", 10), 10);
	assert_int_equal(close(fd), 0);
	struct timespec times[2] = {old.st_atim, old.st_mtim};
	assert_int_equal(utimensat(AT_FDCWD, f, times, 0), 0);
	assert_int_equal(stat(f, &now), 0);
	assert_int_equal(now.st_size, old.st_size);
	assert_true(now.st_mtim.tv_sec == old.st_mtim.tv_sec &&
		    now.st_mtim.tv_nsec == old.st_mtim.tv_nsec);
}

/* keep_manifest keeps it once per tree hash, from a walk or a snapshot. */
static void test_keep_manifest(void **state)
{
	struct tmp *t = *state;
	const char *rel = "snap/used";
	struct tree_manifest walk, back;
	struct hash128 h, again;
	assert_int_equal(tree_hash(NULL, at(t, rel), NULL, &h, &walk), 0);
	unsigned char key[16];
	hash_to_bytes(h, key);
	struct tree_options keep = {.keep_manifest = true}, plain = {.keep_manifest = false};
	for (int pass = 0; pass < 2; pass++) {
		/* Pass 0 walks (and keeps a snapshot), pass 1 checks the
		 * snapshot: both keep a manifest missing from the store. */
		store_del(t->store, STORE_TREES, key, 16);
		assert_int_equal(tree_manifest_load(t->store, h, &back), 0);
		assert_int_equal(tree_hash(t->store, at(t, rel), &plain, &again, NULL), 0);
		assert_int_equal(tree_manifest_load(t->store, h, &back), 0);
		assert_int_equal(tree_hash(t->store, at(t, rel), &keep, &again, NULL), 0);
		assert_true(hash_equal(again, h));
		assert_int_equal(tree_manifest_load(t->store, h, &back), 1);
		assert_same_manifest(&walk, &back);
		tree_manifest_free(&back);
	}
	/* Asked for the manifest too: the one it gives is the one kept. */
	store_del(t->store, STORE_TREES, key, 16);
	struct tree_manifest given;
	assert_int_equal(tree_hash(t->store, at(t, rel), &keep, &again, &given), 0);
	assert_same_manifest(&walk, &given);
	assert_int_equal(tree_manifest_load(t->store, h, &back), 1);
	assert_same_manifest(&walk, &back);
	tree_manifest_free(&back);
	tree_manifest_free(&given);
	tree_manifest_free(&walk);
}

static void test_snapshot_sees_content_with_mtime_restored(void **state)
{
	check_change(*state, "content", rewrite_in_place, false);
}

static void add_file(struct tmp *t, const char *top)
{
	put(t, sub(top, "src/lib/new.c"), "new", 0644);
}

static void test_snapshot_sees_file_added_in_subdir(void **state)
{
	check_change(*state, "added", add_file, false);
}

static void remove_file(struct tmp *t, const char *top)
{
	assert_int_equal(unlink(at(t, sub(top, "src/lib/util.c"))), 0);
}

static void test_snapshot_sees_file_removed(void **state)
{
	check_change(*state, "removed", remove_file, false);
}

static void rename_file(struct tmp *t, const char *top)
{
	assert_int_equal(rename(at(t, sub(top, "src/main.c")), at(t, sub(top, "src/main.h"))), 0);
}

static void test_snapshot_sees_rename(void **state)
{
	check_change(*state, "renamed", rename_file, false);
}

static void dir_to_file(struct tmp *t, const char *top)
{
	assert_int_equal(rmdir(at(t, sub(top, "empty"))), 0);
	put(t, sub(top, "empty"), "", 0755);
}

static void test_snapshot_sees_dir_replaced_by_file(void **state)
{
	check_change(*state, "dir-to-file", dir_to_file, false);
}

static void relink(struct tmp *t, const char *top)
{
	link_to(t, sub(top, "lib"), "src");
}

static void test_snapshot_sees_symlink_retargeted(void **state)
{
	check_change(*state, "relinked", relink, false);
}

static void chmod_file(struct tmp *t, const char *top)
{
	assert_int_equal(chmod(at(t, sub(top, "src/main.c")), 0600), 0);
}

/* The top directory's mode is not in the hash, but its stat is checked. */
static void chmod_top(struct tmp *t, const char *top)
{
	assert_int_equal(chmod(at(t, top), 0700), 0);
}

static void test_snapshot_sees_chmod(void **state)
{
	check_change(*state, "chmod", chmod_file, false);
	check_change(*state, "chmod-top", chmod_top, true);
}

static void test_snapshot_ignores_excluded_changes(void **state)
{
	struct tmp *t = *state;
	const char *ex[] = {"parts", "src/lib"};
	struct tree_options opt = {.exclude = ex, .nexclude = 2};
	struct hash128 real = snapshot_taken(t, "snap/exclude", &opt);
	put(t, "snap/exclude/parts/part/bin/tool", "changed", 0755);
	dir(t, "snap/exclude/parts/part/more");
	assert_int_equal(unlink(at(t, "snap/exclude/src/lib/util.c")), 0);
	dir(t, "snap/exclude/src/lib/more");
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "snap/exclude"), &opt, &h, NULL), 0);
	assert_true(hash_equal(h, bogus()));
	/* An excluded entry itself removed changes its directory: a walk, to
	 * the same hash. */
	assert_int_equal(fs_remove_tree(at(t, "snap/exclude/parts"), NULL), 0);
	assert_true(hash_equal(walked(t, "snap/exclude", &opt), real));
}

static void test_racy_tree_has_no_snapshot(void **state)
{
	struct tmp *t = *state;
	/* Made now: every entry is racy, each hash is a walk's. */
	sample(t, "snap/fresh");
	struct strbuf val = STRBUF_INIT;
	for (int i = 0; i < 2; i++) {
		struct hash128 h;
		assert_int_equal(tree_hash(t->store, at(t, "snap/fresh"), NULL, &h, NULL), 0);
		assert_true(hash_equal(h, hash_of(t, "snap/fresh", NULL)));
		assert_int_equal(snapshot(t, "snap/fresh", NULL, &val), 0);
	}

	/* One entry changed now: the walk keeps no new snapshot (the old one,
	 * no longer matching, stays) until the change is a second old. */
	snapshot_taken(t, "snap/racy", NULL);
	struct strbuf old = STRBUF_INIT;
	assert_int_equal(snapshot(t, "snap/racy", NULL, &old), 1);
	put(t, "snap/racy/src/lib/util.c", "changed", 0644);
	for (int i = 0; i < 2; i++) {
		walked(t, "snap/racy", NULL);
		assert_int_equal(snapshot(t, "snap/racy", NULL, &val), 1);
		assert_true(val.len == old.len && !memcmp(val.buf, old.buf, val.len));
	}
	strbuf_release(&old);
	strbuf_release(&val);
}

static void test_snapshot_is_per_tree_and_exclude_list(void **state)
{
	struct tmp *t = *state;
	/* snap/one and snap/other hold the same entries. */
	struct hash128 real = snapshot_taken(t, "snap/one", NULL);
	assert_true(hash_equal(walked(t, "snap/other", NULL), real));
	const char *ex[] = {"nosuch"};
	struct tree_options opt = {.exclude = ex, .nexclude = 1};
	assert_true(hash_equal(walked(t, "snap/one", &opt), real));
	const char *ex2[] = {"README"};
	struct tree_options opt2 = {.exclude = ex2, .nexclude = 1};
	assert_false(hash_equal(walked(t, "snap/one", &opt2), real));
	walked(t, "snap/one/src", NULL);
	/* Without a store, no snapshot either. */
	assert_true(hash_equal(hash_of(t, "snap/one", NULL), real));
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "snap/one"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, bogus()));
}

static void test_corrupt_snapshot_is_ignored(void **state)
{
	struct tmp *t = *state;
	struct hash128 real = snapshot_taken(t, "snap/corrupt", NULL);
	struct strbuf good = STRBUF_INIT, val = STRBUF_INIT, bad = STRBUF_INIT;
	assert_int_equal(snapshot(t, "snap/corrupt", NULL, &good), 1);
	/* Whole, with a valid sum, but not a snapshot: the hash, then bytes
	 * that are no signature. */
	struct strbuf forged = STRBUF_INIT;
	strbuf_addc(&forged, 1);
	strbuf_add(&forged, good.buf + 1, 16);
	strbuf_add(&forged, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12);
	uint64_t sum = XXH3_64bits(forged.buf, forged.len);
	for (int i = 0; i < 8; i++)
		strbuf_addc(&forged, (char)(sum >> 8 * i));

	/* Whole, with a valid sum, but with bytes after the last entry. */
	struct strbuf longer = STRBUF_INIT;
	strbuf_add(&longer, good.buf, good.len - 8);
	strbuf_addc(&longer, 0);
	sum = XXH3_64bits(longer.buf, longer.len);
	for (int i = 0; i < 8; i++)
		strbuf_addc(&longer, (char)(sum >> 8 * i));

	size_t len = good.len;
	struct {
		size_t at; /* flip this byte, or with len < good.len, cut */
		size_t len;
	} damage[] = {
		{0, len},        /* the version */
		{1, len},        /* the hash, the sum not made again */
		{len / 2, len},  /* a signature or a path */
		{len - 1, len},  /* the sum */
		{len, len - 1},  /* cut */
		{len, len - 9},  /* cut by more than the sum */
		{len, 20},
		{len, 0},
	};
	size_t ndamage = sizeof(damage) / sizeof(*damage);
	for (size_t i = 0; i < ndamage + 2; i++) {
		strbuf_reset(&bad);
		if (i == ndamage) {
			strbuf_add(&bad, forged.buf, forged.len);
		} else if (i == ndamage + 1) {
			strbuf_add(&bad, longer.buf, longer.len);
		} else {
			strbuf_add(&bad, good.buf, damage[i].len);
			if (damage[i].at < bad.len)
				bad.buf[damage[i].at] ^= 0x40;
		}
		put_snapshot(t, "snap/corrupt", NULL, bad.buf, bad.len);
		assert_true(hash_equal(walked(t, "snap/corrupt", NULL), real));
		/* The walk put a whole one back, with the true hash. */
		assert_int_equal(snapshot(t, "snap/corrupt", NULL, &val), 1);
		assert_true(val.len == good.len && hash_equal(hash_from_bytes((unsigned char *)val.buf + 1), real));
	}
	snapshot_taken(t, "snap/corrupt", NULL);
	strbuf_release(&good);
	strbuf_release(&val);
	strbuf_release(&bad);
	strbuf_release(&forged);
	strbuf_release(&longer);
}

/* tree_file_hash: one file's hash is the one a tree holding it has, and
 * goes through the same stat cache. */
static void test_one_file_hash(void **state)
{
	struct tmp *t = *state;
	const char *file = at(t, "file/t/src/main.c");
	struct hash128 plain, cachedh;
	assert_int_equal(tree_file_hash(NULL, file, &plain), 0);
	assert_true(hash_equal(plain, hash_bytes("src/main.c", 10)));
	assert_int_equal(tree_file_hash(t->store, file, &cachedh), 0);
	assert_true(hash_equal(cachedh, plain));
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(cached(t, "file/t/src/main.c", &val), 1);
	/* A false hash planted in the cache is taken: the file went unread. */
	hash_to_bytes(bogus(), (unsigned char *)val.buf + val.len - 16);
	char *key = realpath(file, NULL);
	store_put(t->store, STORE_STAT, key, strlen(key), val.buf, val.len);
	free(key);
	assert_int_equal(tree_file_hash(t->store, file, &cachedh), 0);
	assert_true(hash_equal(cachedh, bogus()));
	/* ... and the tree walk takes the same entry. */
	struct tree_manifest m;
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "file/t"), NULL, &h, &m), 0);
	int seen = 0;
	for (size_t i = 0; i < m.n; i++)
		if (!strcmp(m.entries[i].path, "src/main.c"))
			seen = hash_equal(m.entries[i].hash, bogus());
	assert_true(seen);
	tree_manifest_free(&m);
	strbuf_release(&val);
	assert_int_equal(tree_file_hash(t->store, at(t, "file/t/none"), &h), 1);
	assert_int_equal(tree_file_hash(t->store, at(t, "file/none/x"), &h), 1);
	/* A directory or a link is no file. */
	assert_int_equal(tree_file_hash(t->store, at(t, "file/t/src"), &h), -1);
	assert_int_equal(tree_file_hash(t->store, at(t, "file/t/lib"), &h), -1);
}

/* The aged trees: each test that changes one has its own. */
static const char *const changed[] = {"content",  "added",    "removed", "renamed",
				      "dir-to-file", "relinked", "chmod",   "chmod-top"};
static const char *const unchanged[] = {"used", "exclude", "racy", "one", "other", "corrupt"};

static int make_aged(void **state)
{
	(void)state;
	if (testutil_mkdtemp(aged, sizeof(aged), "test_tree_aged") < 0)
		return -1;
	struct tmp a = {.store = NULL};
	snprintf(a.dir, sizeof(a.dir), "%s", aged);
	sample(&a, "stat/t");
	char deep[700];
	long_path(deep, sizeof(deep));
	*strrchr(deep, '/') = '\0';
	dir(&a, deep);
	strcat(deep, "/f");
	put(&a, deep, "deep", 0644);
	char top[64];
	for (size_t i = 0; i < sizeof(changed) / sizeof(*changed); i++) {
		snprintf(top, sizeof(top), "snap/%s", changed[i]);
		sample(&a, top);
		snprintf(top, sizeof(top), "snap/%s-small", changed[i]);
		small(&a, top);
	}
	for (size_t i = 0; i < sizeof(unchanged) / sizeof(*unchanged); i++) {
		snprintf(top, sizeof(top), "snap/%s", unchanged[i]);
		sample(&a, top);
	}
	small(&a, "snap/used-small");
	sample(&a, "file/t");
	dir(&a, "snap/exclude/parts/part/bin");
	put(&a, "snap/exclude/parts/part/bin/tool", "x", 0755);
	/* Not racy once their mtime and ctime are a second old. */
	nanosleep(&(struct timespec){1, 100000000}, NULL);
	return 0;
}

static int remove_aged(void **state)
{
	(void)state;
	return testutil_remove_tree(aged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_equal_trees_hash_equal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_change_changes_the_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_is_by_full_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclude_leaves_a_subtree_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_file_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_are_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stat_cache_is_used, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_one_file_hash, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_file_is_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_is_used, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_keep_manifest, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_content_with_mtime_restored,
						setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_file_added_in_subdir, setup_aged,
						teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_file_removed, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_rename, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_dir_replaced_by_file, setup_aged,
						teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_symlink_retargeted, setup_aged,
						teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_sees_chmod, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_ignores_excluded_changes, setup_aged,
						teardown),
		cmocka_unit_test_setup_teardown(test_racy_tree_has_no_snapshot, setup_aged, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_is_per_tree_and_exclude_list, setup_aged,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_snapshot_is_ignored, setup_aged, teardown),
	};
	return cmocka_run_group_tests_name("tree", tests, make_aged, remove_aged);
}
