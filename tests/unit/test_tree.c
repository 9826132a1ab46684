/*
 * Unit tests for cache/tree: what changes a tree's hash and what does not,
 * the order of the entries, exclusions, the stat cache, manifests and
 * their diff.  Every test builds its trees in its own temporary directory.
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

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct tmp {
	char dir[64];
	struct store *store; /* in dir/db, outside the trees */
};

static int setup(void **state)
{
	struct tmp *t = xcalloc(1, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s", "/tmp/test_tree.XXXXXX");
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	char db[128];
	snprintf(db, sizeof(db), "%s/db", t->dir);
	t->store = store_open(db);
	if (!t->store) {
		fs_remove_tree(t->dir, NULL);
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	store_close(t->store);
	int rc = fs_remove_tree(t->dir, NULL);
	free(t);
	return rc ? -1 : 0;
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
	int fd = open(at(t, rel), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
	/* chmod, not the umask, decides the mode the hash sees. */
	assert_int_equal(chmod(at(t, rel), mode), 0);
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
	struct tree_options opt = {ex, 2};
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
	struct tree_options opt = {ex, 1};
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

static void test_stat_cache_is_used(void **state)
{
	struct tmp *t = *state;
	sample(t, "t");
	struct hash128 real = hash_of(t, "t", NULL);
	/* An absolute path longer than LMDB's keys (511 bytes). */
	char name[201], deep[700];
	memset(name, 'n', 200);
	name[200] = '\0';
	snprintf(deep, sizeof(deep), "long/%s/%s/%s", name, name, name);
	dir(t, deep);
	strcat(deep, "/f");
	put(t, deep, "deep", 0644);
	/* Entries are cached once their mtime and ctime are a second old, and
	 * ctime cannot be set back. */
	nanosleep(&(struct timespec){1, 100000000}, NULL);
	struct hash128 h;
	assert_int_equal(tree_hash(t->store, at(t, "t"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, real));
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(cached(t, "t/src/main.c", &val), 1);
	/* Directories and links are not cached. */
	assert_int_equal(cached(t, "t/src", &val), 0);
	assert_int_equal(cached(t, "t/lib", &val), 0);

	/* The cached hash ends the entry (cache/tree.c): plant a false one,
	 * and the tree hash shows it was taken without reading the file. */
	assert_int_equal(cached(t, "t/src/main.c", &val), 1);
	assert_true(val.len > 16);
	unsigned char *hbytes = (unsigned char *)val.buf + val.len - 16;
	assert_true(hash_equal(hash_from_bytes(hbytes), hash_bytes("src/main.c", 10)));
	struct hash128 bogus = hash_bytes("bogus", 5);
	hash_to_bytes(bogus, hbytes);
	char *key = realpath(at(t, "t/src/main.c"), NULL);
	store_put(t->store, STORE_STAT, key, strlen(key), val.buf, val.len);
	assert_int_equal(store_flush(t->store), 0);
	struct tree_manifest m;
	assert_int_equal(tree_hash(t->store, at(t, "t"), NULL, &h, &m), 0);
	assert_false(hash_equal(h, real));
	assert_int_equal(m.n, 9);
	assert_string_equal(m.entries[8].path, "src/main.c");
	assert_true(hash_equal(m.entries[8].hash, bogus));
	tree_manifest_free(&m);

	/* A change to the stat (here the size) makes the file read again. */
	put(t, "t/src/main.c", "src/main.cc", 0644);
	assert_int_equal(tree_hash(t->store, at(t, "t"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, hash_of(t, "t", NULL)));
	free(key);

	/* The long path is hashed, not cached, and the store stays usable. */
	assert_int_equal(tree_hash(t->store, at(t, "long"), NULL, &h, NULL), 0);
	assert_true(hash_equal(h, hash_of(t, "long", NULL)));
	assert_int_equal(store_flush(t->store), 0);
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
		cmocka_unit_test_setup_teardown(test_stat_cache_is_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_file_is_not_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
	};
	return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
