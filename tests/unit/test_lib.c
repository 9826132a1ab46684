/*
 * Unit tests for lib/: strbuf, arena, hmap, path, file, ahead, and the
 * working directory's shortcut in fsutil.  The expected results of
 * the path functions are what Python's posixpath returns for the same
 * arguments (zc.buildout computes paths with it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/ahead.h"
#include "../../lib/arena.h"
#include "../../lib/file.h"
#include "../../lib/fsutil.h"
#include "../../lib/hmap.h"
#include "../../lib/path.h"
#include "../../lib/strbuf.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* strbuf */

static void test_strbuf_init_is_empty_string(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	assert_ptr_equal(sb.buf, strbuf_empty);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	strbuf_release(&sb);
	assert_ptr_equal(sb.buf, strbuf_empty);
}

static void test_strbuf_add(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "hello", 5);
	assert_string_equal(sb.buf, "hello");
	assert_int_equal(sb.len, 5);
	assert_true(sb.cap > sb.len);
	strbuf_adds(&sb, ", world");
	strbuf_addc(&sb, '!');
	assert_string_equal(sb.buf, "hello, world!");
	assert_int_equal(sb.len, 13);
	/* Bytes are copied as they are, a NUL included. */
	strbuf_add(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 16);
	assert_memory_equal(sb.buf + 13, "a\0b", 4);
	strbuf_add(&sb, "", 0);
	assert_int_equal(sb.len, 16);
	strbuf_release(&sb);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
}

static void test_strbuf_add_grows_many_times(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 10000; i++)
		strbuf_addc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, 10000);
	assert_true(sb.cap > 10000);
	assert_int_equal(strlen(sb.buf), 10000);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(sb.buf[i], 'a' + i % 26);
	strbuf_release(&sb);
}

static void test_strbuf_addf_small(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%d-%s-%c", 42, "x", 'y');
	assert_string_equal(sb.buf, "42-x-y");
	assert_int_equal(sb.len, 6);
	strbuf_addf(&sb, "%s", "");
	assert_string_equal(sb.buf, "42-x-y");
	assert_int_equal(sb.len, 6);
	strbuf_release(&sb);
}

static void test_strbuf_addf_grows_past_64(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	/* 63 characters and the NUL fill 64 bytes exactly. */
	strbuf_addf(&sb, "%63s", "end");
	assert_int_equal(sb.len, 63);
	assert_int_equal(sb.cap, 64);
	assert_string_equal(sb.buf + 60, "end");
	/* One more character needs more than 64 bytes. */
	strbuf_addf(&sb, "%c", 'Z');
	assert_int_equal(sb.len, 64);
	assert_true(sb.cap > 64);
	assert_int_equal(sb.buf[63], 'Z');
	assert_int_equal(sb.buf[64], '\0');
	/* A format that does not fit in what is left, appended to text. */
	strbuf_reset(&sb);
	strbuf_adds(&sb, "head:");
	strbuf_addf(&sb, "%0100d|%s", 7, "tail");
	assert_int_equal(sb.len, 5 + 100 + 5);
	assert_int_equal(strlen(sb.buf), sb.len);
	assert_memory_equal(sb.buf, "head:000", 8);
	assert_string_equal(sb.buf + 5 + 99, "7|tail");
	strbuf_release(&sb);
}

static void test_strbuf_addf_large(void **state)
{
	(void)state;
	enum { BIG = 1 << 20 };
	char *big = malloc(BIG + 1);
	assert_non_null(big);
	for (size_t i = 0; i < BIG; i++)
		big[i] = (char)('A' + i % 23);
	big[BIG] = '\0';
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "<");
	strbuf_addf(&sb, "%s>%d", big, -1);
	assert_int_equal(sb.len, 1 + BIG + 3);
	assert_int_equal(sb.buf[0], '<');
	assert_memory_equal(sb.buf + 1, big, BIG);
	assert_string_equal(sb.buf + 1 + BIG, ">-1");
	/* A second large append on top of the first. */
	strbuf_addf(&sb, "%s", big);
	assert_int_equal(sb.len, 1 + BIG + 3 + BIG);
	assert_memory_equal(sb.buf + 1 + BIG + 3, big, BIG);
	assert_int_equal(sb.buf[sb.len], '\0');
	strbuf_release(&sb);
	free(big);
}

static void test_strbuf_reset_keeps_memory(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	/* Reset of a strbuf that never grew must not write the shared "". */
	strbuf_reset(&sb);
	assert_ptr_equal(sb.buf, strbuf_empty);
	assert_string_equal(strbuf_empty, "");
	strbuf_adds(&sb, "some text that is here");
	char *buf = sb.buf;
	size_t cap = sb.cap;
	strbuf_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	assert_ptr_equal(sb.buf, buf);
	assert_int_equal(sb.cap, cap);
	strbuf_adds(&sb, "again");
	assert_string_equal(sb.buf, "again");
	strbuf_release(&sb);
}

static void test_strbuf_setlen(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	/* On a strbuf that never grew, 0 must not write the shared "". */
	strbuf_setlen(&sb, 0);
	assert_ptr_equal(sb.buf, strbuf_empty);
	strbuf_adds(&sb, "abcdef");
	char *buf = sb.buf;
	strbuf_setlen(&sb, 3);
	assert_int_equal(sb.len, 3);
	assert_string_equal(sb.buf, "abc");
	assert_ptr_equal(sb.buf, buf);
	strbuf_adds(&sb, "XY");
	assert_string_equal(sb.buf, "abcXY");
	strbuf_release(&sb);
}

static void test_strbuf_detach(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s=%d", "n", 5);
	char *s = strbuf_detach(&sb);
	assert_string_equal(s, "n=5");
	assert_ptr_equal(sb.buf, strbuf_empty);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	/* The strbuf is usable again and no longer shares s. */
	strbuf_adds(&sb, "other");
	assert_string_equal(s, "n=5");
	free(s);
	strbuf_release(&sb);

	/* Detaching a strbuf that never grew gives an owned "". */
	char *e = strbuf_detach(&sb);
	assert_non_null(e);
	assert_string_equal(e, "");
	assert_ptr_not_equal(e, strbuf_empty);
	free(e);
}

/* arena */

static void test_arena_many_allocations(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	enum { N = 20000 };
	unsigned char **ptrs = malloc(N * sizeof(*ptrs));
	size_t *sizes = malloc(N * sizeof(*sizes));
	assert_non_null(ptrs);
	assert_non_null(sizes);
	for (size_t i = 0; i < N; i++) {
		sizes[i] = 1 + (i * 7919) % 300;
		ptrs[i] = arena_alloc(&a, sizes[i]);
		assert_non_null(ptrs[i]);
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(ptrs[i][k], 0);
		memset(ptrs[i], (int)(i & 0xff), sizes[i]);
	}
	/* Nothing was overwritten by a later allocation. */
	for (size_t i = 0; i < N; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(ptrs[i][k], i & 0xff);
	free(ptrs);
	free(sizes);
	arena_free(&a);
	assert_null(a.chunks);
}

static void test_arena_alignment(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	const size_t align = _Alignof(max_align_t);
	for (size_t size = 0; size < 200; size++) {
		void *p = arena_alloc(&a, size);
		assert_int_equal((uintptr_t)p % align, 0);
	}
	/* Odd sizes between, and across chunk boundaries. */
	for (int i = 0; i < 5000; i++) {
		void *p = arena_alloc(&a, (size_t)(i % 3 ? 1 : 37));
		assert_int_equal((uintptr_t)p % align, 0);
	}
	long double *ld = arena_alloc(&a, sizeof(*ld));
	*ld = 1.5L;
	assert_true(*ld == 1.5L);
	arena_free(&a);
}

static void test_arena_large_allocation(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *small = arena_alloc(&a, 16);
	strcpy(small, "small");
	/* Larger than any chunk so far. */
	size_t big = 3u << 20;
	unsigned char *p = arena_alloc(&a, big);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[big - 1], 0);
	memset(p, 0xab, big);
	char *after = arena_alloc(&a, 32);
	strcpy(after, "after");
	assert_string_equal(small, "small");
	assert_string_equal(after, "after");
	assert_int_equal(p[big - 1], 0xab);
	arena_free(&a);
	/* An arena is reusable after arena_free. */
	char *again = arena_strdup(&a, "again");
	assert_string_equal(again, "again");
	arena_free(&a);
	arena_free(&a); /* freeing an empty arena is harmless */
}

static void test_arena_strndup(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *s = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(s, "abc");
	char *e = arena_strndup(&a, "abcdef", 0);
	assert_string_equal(e, "");
	/* Copies exactly n bytes: a NUL inside is kept, the result ends after. */
	char *b = arena_strndup(&a, "x\0y", 3);
	assert_memory_equal(b, "x\0y\0", 4);
	char *d = arena_strdup(&a, "whole string");
	assert_string_equal(d, "whole string");
	char *empty = arena_strdup(&a, "");
	assert_string_equal(empty, "");
	/* Copies, not aliases. */
	char src[] = "mutable";
	char *c = arena_strdup(&a, src);
	src[0] = 'M';
	assert_string_equal(c, "mutable");
	arena_free(&a);
}

static void test_xalloc(void **state)
{
	(void)state;
	char *p = xmalloc(0);
	assert_non_null(p);
	free(p);
	int *z = xcalloc(10, sizeof(*z));
	for (int i = 0; i < 10; i++)
		assert_int_equal(z[i], 0);
	z = xrealloc(z, 1000 * sizeof(*z));
	assert_int_equal(z[9], 0);
	free(z);
	char *d = xstrdup("dup");
	assert_string_equal(d, "dup");
	free(d);
}

/* hmap */

static void test_hmap_empty(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	assert_null(hmap_gets(&m, "anything"));
	assert_null(hmap_get(&m, "", 0));
	hmap_free(&m);
	assert_int_equal(m.len, 0);
}

static void test_hmap_many_keys(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct hmap m = HMAP_INIT;
	enum { N = 10000 };
	static int values[N];
	char buf[32];
	for (int i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "key-%d", i);
		char *k = arena_strdup(&a, buf);
		values[i] = i;
		hmap_put(&m, k, strlen(k), &values[i]);
		assert_int_equal(m.len, (size_t)i + 1);
		/* The map grows so that it stays at most 3/4 full. */
		assert_true(m.len * 4 <= m.cap * 3);
		assert_int_equal(m.cap & (m.cap - 1), 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "key-%d", i);
		int *v = hmap_gets(&m, buf);
		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	for (int i = N; i < N + 1000; i++) {
		snprintf(buf, sizeof(buf), "key-%d", i);
		assert_null(hmap_gets(&m, buf));
	}
	assert_null(hmap_gets(&m, "key-"));
	assert_null(hmap_gets(&m, "key-00"));
	assert_null(hmap_gets(&m, ""));
	hmap_free(&m);
	assert_null(m.slots);
	assert_int_equal(m.cap, 0);
	assert_null(hmap_gets(&m, "key-1"));
	arena_free(&a);
}

static void test_hmap_replace(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	int one = 1, two = 2, three = 3;
	hmap_put(&m, "k", 1, &one);
	hmap_put(&m, "other", 5, &three);
	hmap_put(&m, "k", 1, &two);
	assert_int_equal(m.len, 2);
	assert_ptr_equal(hmap_gets(&m, "k"), &two);
	assert_ptr_equal(hmap_gets(&m, "other"), &three);
	/* A key equal in bytes but at another address finds the same slot. */
	char copy[] = "k";
	hmap_put(&m, copy, 1, &three);
	assert_int_equal(m.len, 2);
	assert_ptr_equal(hmap_gets(&m, "k"), &three);
	hmap_free(&m);
}

static void test_hmap_at_adds_once(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	int one = 1;
	void **at = hmap_at(&m, "k", 1);
	/* A new key holds NULL until the caller sets it. */
	assert_non_null(at);
	assert_null(*at);
	assert_int_equal(m.len, 1);
	*at = &one;
	assert_ptr_equal(hmap_gets(&m, "k"), &one);
	/* Asking again finds the same value: nothing is added. */
	char copy[] = "k";
	at = hmap_at(&m, copy, 1);
	assert_ptr_equal(*at, &one);
	assert_int_equal(m.len, 1);
	/* Through growth, each slot still holds its key's value. */
	static int values[100];
	static char keys[100][8];
	for (int i = 0; i < 100; i++) {
		snprintf(keys[i], sizeof(keys[i]), "n%d", i);
		values[i] = i;
		*hmap_at(&m, keys[i], strlen(keys[i])) = &values[i];
	}
	assert_int_equal(m.len, 101);
	for (int i = 0; i < 100; i++)
		assert_ptr_equal(*hmap_at(&m, keys[i], strlen(keys[i])), &values[i]);
	assert_ptr_equal(hmap_gets(&m, "k"), &one);
	assert_int_equal(m.len, 101);
	hmap_free(&m);
}

static void test_hmap_binary_keys(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	static const char k1[] = "ab\0c", k2[] = "ab\0d", k3[] = "ab";
	int v1 = 1, v2 = 2, v3 = 3, v4 = 4, v5 = 5;
	hmap_put(&m, k1, 4, &v1);
	hmap_put(&m, k2, 4, &v2);
	hmap_put(&m, k3, 2, &v3);
	hmap_put(&m, k1, 3, &v4); /* "ab\0" */
	hmap_put(&m, k3, 0, &v5); /* the empty key */
	assert_int_equal(m.len, 5);
	assert_ptr_equal(hmap_get(&m, "ab\0c", 4), &v1);
	assert_ptr_equal(hmap_get(&m, "ab\0d", 4), &v2);
	assert_ptr_equal(hmap_get(&m, "ab", 2), &v3);
	assert_ptr_equal(hmap_gets(&m, "ab"), &v3);
	assert_ptr_equal(hmap_get(&m, "ab\0", 3), &v4);
	assert_ptr_equal(hmap_get(&m, "", 0), &v5);
	assert_ptr_equal(hmap_gets(&m, ""), &v5);
	assert_null(hmap_get(&m, "ab\0e", 4));
	assert_null(hmap_get(&m, "a", 1));
	assert_null(hmap_get(&m, "ab\0c\0", 5));
	hmap_free(&m);
}

/* path */

static void check_join(const char *dir, const char *name, const char *want)
{
	struct arena a = ARENA_INIT;
	char got[256];
	snprintf(got, sizeof(got), "%s", path_join(&a, dir, name));
	arena_free(&a);
	if (strcmp(got, want))
		fail_msg("path_join(\"%s\", \"%s\") = \"%s\", want \"%s\"", dir, name, got, want);
}

static void test_path_join(void **state)
{
	(void)state;
	check_join("a", "b", "a/b");
	check_join("a/", "b", "a/b");
	check_join("a//", "b", "a//b");
	check_join("/", "b", "/b");
	check_join("a", "/b", "/b");
	check_join("/x/y", "/b/c", "/b/c");
	check_join("", "b", "b");
	check_join("", "/b", "/b");
	check_join("a", "", "a/");
	check_join("a/b", "../c", "a/b/../c");
}

static void check_dirname(const char *path, const char *want)
{
	struct arena a = ARENA_INIT;
	char got[256];
	snprintf(got, sizeof(got), "%s", path_dirname(&a, path));
	arena_free(&a);
	if (strcmp(got, want))
		fail_msg("path_dirname(\"%s\") = \"%s\", want \"%s\"", path, got, want);
}

static void test_path_dirname(void **state)
{
	(void)state;
	check_dirname("a/b", "a");
	check_dirname("a/b/", "a/b");
	check_dirname("/a", "/");
	check_dirname("/", "/");
	check_dirname("//a", "//");
	check_dirname("//a/b", "//a");
	check_dirname("///a/b", "///a");
	check_dirname("a", "");
	check_dirname("", "");
	check_dirname("a//b", "a");
	check_dirname("/a//b", "/a");
	check_dirname("//", "//");
	check_dirname("///", "///");
	check_dirname("/x/y/buildout.cfg", "/x/y");
}

static void check_normpath(const char *path, const char *want)
{
	struct arena a = ARENA_INIT;
	char got[256];
	snprintf(got, sizeof(got), "%s", path_normpath(&a, path));
	arena_free(&a);
	if (strcmp(got, want))
		fail_msg("path_normpath(\"%s\") = \"%s\", want \"%s\"", path, got, want);
}

static void test_path_normpath(void **state)
{
	(void)state;
	check_normpath("//a", "//a");
	check_normpath("///a", "/a");
	check_normpath("////a//b/", "/a/b");
	check_normpath("//", "//");
	check_normpath("/", "/");
	check_normpath("a/../..", "..");
	check_normpath("../a/..", "..");
	check_normpath("../..//..", "../../..");
	check_normpath("/..", "/");
	check_normpath("/a/b/../../..", "/");
	check_normpath("//a/../..", "//");
	check_normpath(".", ".");
	check_normpath("./", ".");
	check_normpath("", ".");
	check_normpath("a/..", ".");
	check_normpath("a/b/", "a/b");
	check_normpath("/a/b//", "/a/b");
	check_normpath("a/./b/.", "a/b");
	check_normpath("a/b/../c", "a/c");
	check_normpath("...", "...");
	check_normpath("a/.../..", "a");
	check_normpath(".a/..b", ".a/..b");
}

static void test_path_abspath(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	char *cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	char want_b[4096], got_b[4096], want_dot[4096], got_dot[4096], got_abs[64];
	snprintf(want_b, sizeof(want_b), "%s", path_normpath(&a, path_join(&a, cwd, "b")));
	snprintf(got_b, sizeof(got_b), "%s", path_abspath(&a, "a/../b"));
	snprintf(want_dot, sizeof(want_dot), "%s", path_normpath(&a, cwd));
	snprintf(got_dot, sizeof(got_dot), "%s", path_abspath(&a, "."));
	snprintf(got_abs, sizeof(got_abs), "%s", path_abspath(&a, "/x/../y/"));
	free(cwd);
	arena_free(&a);
	assert_string_equal(got_abs, "/y");
	assert_string_equal(got_b, want_b);
	assert_string_equal(got_dot, want_dot);
}

static void check_relpath(const char *path, const char *start, const char *want)
{
	struct arena a = ARENA_INIT;
	char got[256];
	snprintf(got, sizeof(got), "%s", path_relpath(&a, path, start));
	arena_free(&a);
	if (strcmp(got, want))
		fail_msg("path_relpath(\"%s\", \"%s\") = \"%s\", want \"%s\"", path, start, got,
			 want);
}

static void test_path_relpath(void **state)
{
	(void)state;
	check_relpath("/a/b/c", "/a", "b/c");
	check_relpath("/a", "/a/b/c", "../..");
	check_relpath("/a/b", "/a/b", ".");
	check_relpath("/x/y", "/a/b", "../../x/y");
	check_relpath("/", "/a", "..");
	check_relpath("/a", "/", "a");
	check_relpath("/a/b/", "/a//", "b");
	check_relpath("/a/bc", "/a/b", "../bc");
	check_relpath("/a/./b/../c", "/a", "c");
	/* Relative arguments are taken from the working directory. */
	check_relpath("a/b", "a", "b");
	check_relpath("a", "a/b/c", "../..");
}

static void check_expanduser(const char *home, const char *path, const char *want)
{
	struct arena a = ARENA_INIT;
	char *old = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("HOME", home, 1);
	char got[256];
	snprintf(got, sizeof(got), "%s", path_expanduser(&a, path));
	arena_free(&a);
	if (old) {
		setenv("HOME", old, 1);
		free(old);
	} else {
		unsetenv("HOME");
	}
	if (strcmp(got, want))
		fail_msg("HOME=\"%s\" path_expanduser(\"%s\") = \"%s\", want \"%s\"", home, path,
			 got, want);
}

static void test_path_expanduser(void **state)
{
	(void)state;
	check_expanduser("/home/u", "~", "/home/u");
	check_expanduser("/home/u", "~/x", "/home/u/x");
	check_expanduser("/home/u/", "~", "/home/u");
	check_expanduser("/home/u/", "~/x", "/home/u/x");
	check_expanduser("/home/u/", "~/", "/home/u/");
	check_expanduser("/home/u", "~x", "~x");
	check_expanduser("/home/u", "x~", "x~");
	check_expanduser("/home/u", "/abs", "/abs");
}

/* Python strips every trailing slash of HOME, the root's too, and falls back
 * to "/" when nothing is left. */
static void test_path_expanduser_root_home(void **state)
{
	(void)state;
	check_expanduser("/", "~/x", "/x");
	check_expanduser("/", "~", "/");
	check_expanduser("//", "~/x", "/x");
	check_expanduser("", "~", "/");
	check_expanduser("", "~/x", "/x");
}

static void test_path_is_url(void **state)
{
	(void)state;
	assert_true(path_is_url("http://example.com/a.cfg"));
	assert_true(path_is_url("https://example.com"));
	assert_true(path_is_url("file:///tmp/a.cfg"));
	assert_true(path_is_url("svn+ssh://host/x"));
	assert_true(path_is_url("a.b-c://x"));
	assert_true(path_is_url("x://"));
	assert_false(path_is_url("://x"));
	assert_false(path_is_url("/tmp/a.cfg"));
	assert_false(path_is_url("a.cfg"));
	assert_false(path_is_url("c:/x"));
	assert_false(path_is_url("http:/x"));
	assert_false(path_is_url("ht tp://x"));
	assert_false(path_is_url(" http://x"));
	assert_false(path_is_url(""));
}

/* file */

static void test_file_read(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_int_equal(testutil_mkdtemp(dir, sizeof(dir), "test_lib"), 0);
	struct strbuf sb = STRBUF_INIT;
	int err = 0;
	/* Sizes around the buffer's growth: each read whole, nothing more. */
	static const size_t sizes[] = {0, 1, 62, 63, 64, 65, 4095, 65536, 200000};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char *text = xmalloc(sizes[k] + 1);
		for (size_t i = 0; i < sizes[k]; i++)
			text[i] = (char)('a' + (i * 7 + k) % 26);
		text[sizes[k]] = '\0';
		snprintf(path, sizeof(path), "%s/f%zu", dir, k);
		testutil_write_file(path, text, 0644);
		strbuf_reset(&sb);
		strbuf_adds(&sb, "kept:");
		assert_int_equal(file_read_regular(path, &sb, &err), 0);
		assert_int_equal(sb.len, 5 + sizes[k]);
		assert_memory_equal(sb.buf + 5, text, sizes[k]);
		assert_int_equal(sb.buf[sb.len], '\0');
		strbuf_reset(&sb);
		assert_int_equal(file_read(path, &sb, &err), 0);
		assert_string_equal(sb.buf, text);
		free(text);
	}
	/* A FIFO is refused without waiting for a writer; file_read would
	 * wait, so it is not tried. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	strbuf_reset(&sb);
	assert_int_equal(file_read_regular(path, &sb, &err), -2);
	assert_int_equal(sb.len, 0);
	assert_int_equal(file_read_regular(dir, &sb, &err), -1);
	assert_int_equal(err, EISDIR);
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(file_read(path, &sb, &err), -1);
	assert_int_equal(err, ENOENT);
	/* fs_is_dir: a symlink to a directory counts only when followed. */
	assert_false(fs_is_dir(path, true));
	assert_true(fs_is_dir(dir, false));
	assert_int_equal(symlink(dir, path), 0);
	assert_true(fs_is_dir(path, true));
	assert_false(fs_is_dir(path, false));
	snprintf(path, sizeof(path), "%s/f0", dir);
	assert_false(fs_is_dir(path, true));
	/* A pipe's contents come in many reads, each short: it is read to
	 * its end, not to its first short read. */
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t writer = fork();
	assert_true(writer >= 0);
	if (writer == 0) {
		close(p[0]);
		ssize_t n = write(p[1], "through ", 8);
		nanosleep(&(struct timespec){0, 50000000}, NULL);
		n += write(p[1], "a pipe", 6);
		_exit(n == 14 ? 0 : 1);
	}
	close(p[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	strbuf_reset(&sb);
	assert_int_equal(file_read(path, &sb, &err), 0);
	assert_string_equal(sb.buf, "through a pipe");
	close(p[0]);
	int status;
	assert_int_equal(waitpid(writer, &status, 0), writer);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	strbuf_release(&sb);
	assert_int_equal(testutil_remove_tree(dir), 0);
}

/* ahead: results[i] is written once, by whoever did item i. */
struct ahead_test {
	int done[2000];
	int by_thread[2000];
	int slow_item; /* work on it sleeps, after saying it started */
	_Atomic int slow_started;
	_Atomic int finished; /* items work has returned from */
};

static void ahead_test_work(void *ctx, size_t i)
{
	struct ahead_test *t = ctx;
	if ((int)i == t->slow_item) {
		t->slow_started = 1;
		nanosleep(&(struct timespec){0, 100000000}, NULL);
	}
	t->done[i]++;
	t->by_thread[i] = 1;
	t->finished++;
}

static void test_ahead_each_item_once(void **state)
{
	(void)state;
	static struct ahead_test t = {.slow_item = -1};
	enum { N = 2000 };
	struct ahead *a = ahead_start(N, ahead_test_work, &t);
	assert_non_null(a);
	size_t mine = 0;
	for (size_t i = 0; i < N; i++) {
		if (ahead_claim(a, i)) {
			t.done[i]++;
			mine++;
		} else {
			/* The thread's result is there to read. */
			assert_int_equal(t.by_thread[i], 1);
		}
	}
	ahead_stop(a);
	size_t theirs = 0;
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(t.done[i], 1);
		theirs += (size_t)t.by_thread[i];
	}
	assert_int_equal(mine + theirs, N);
}

static void test_ahead_thread_does_all_while_caller_waits(void **state)
{
	(void)state;
	static struct ahead_test t = {.slow_item = -1};
	enum { N = 500 };
	struct ahead *a = ahead_start(N, ahead_test_work, &t);
	assert_non_null(a);
	/* Once work has returned from every item, each claim finds it done
	 * (or waits the moment until the thread marks it so). */
	for (int ms = 0; t.finished < N; ms++) {
		assert_true(ms < 10000); /* a thread that never runs fails, not hangs */
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	for (size_t i = 0; i < N; i++)
		assert_false(ahead_claim(a, i));
	ahead_stop(a);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(t.done[i], 1);
}

static void test_ahead_claim_waits_for_the_item_in_hand(void **state)
{
	(void)state;
	static struct ahead_test t = {.slow_item = 99};
	struct ahead *a = ahead_start(100, ahead_test_work, &t);
	assert_non_null(a);
	while (!t.slow_started)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	/* The thread is inside work(99): the caller waits, then reads. */
	assert_false(ahead_claim(a, 99));
	assert_int_equal(t.done[99], 1);
	ahead_stop(a);
	/* Stopped early or not, nothing was done twice. */
	for (size_t i = 0; i < 100; i++)
		assert_true(t.done[i] <= 1);
	assert_true(ahead_claim(NULL, 3));
	ahead_stop(NULL);
}

static void test_fs_cwd_relative(void **state)
{
	(void)state;
	char *cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	char dir[64], path[4200];
	assert_int_equal(testutil_mkdtemp(dir, sizeof(dir), "test_lib"), 0);
	assert_int_equal(chdir(dir), 0);
	char *real = getcwd(NULL, 0); /* the name the kernel gives it */
	assert_non_null(real);
	fs_cwd_note();
	snprintf(path, sizeof(path), "%s/a/b", real);
	assert_string_equal(fs_cwd_relative(path), "a/b");
	/* Not below it: as given. */
	assert_string_equal(fs_cwd_relative(real), real);
	snprintf(path, sizeof(path), "%s/", real);
	assert_string_equal(fs_cwd_relative(path), path);
	snprintf(path, sizeof(path), "%sx/a", real);
	assert_string_equal(fs_cwd_relative(path), path);
	assert_string_equal(fs_cwd_relative("/etc/passwd"), "/etc/passwd");
	/* What it returns names the same file. */
	snprintf(path, sizeof(path), "%s/f", real);
	testutil_write_file(path, "x", 0644);
	struct stat a, b;
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(stat(fs_cwd_relative(path), &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	/* At the top, every path would be below it: none is shortened. */
	assert_int_equal(chdir("/"), 0);
	fs_cwd_note();
	assert_string_equal(fs_cwd_relative(path), path);
	assert_int_equal(chdir(cwd), 0);
	fs_cwd_note();
	assert_int_equal(testutil_remove_tree(real), 0);
	free(real);
	free(cwd);
}

static void test_fs_mkdirs(void **state)
{
	(void)state;
	char dir[64], path[160];
	assert_int_equal(testutil_mkdtemp(dir, sizeof(dir), "test_lib"), 0);
	/* Three levels missing, a doubled and a trailing slash. */
	snprintf(path, sizeof(path), "%s/a//b/c/", dir);
	assert_int_equal(fs_mkdirs(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_true(fs_is_dir(path, false));
	/* There already: fine, and nothing changes. */
	assert_int_equal(fs_mkdirs(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b/d", dir);
	assert_int_equal(fs_mkdirs(path, 0755), 0);
	assert_true(fs_is_dir(path, false));
	/* A file where a directory should be, at the end or on the way. */
	snprintf(path, sizeof(path), "%s/a/f", dir);
	testutil_write_file(path, "x", 0644);
	assert_int_equal(fs_mkdirs(path, 0755), ENOTDIR);
	snprintf(path, sizeof(path), "%s/a/f/g/h", dir);
	assert_int_equal(fs_mkdirs(path, 0755), ENOTDIR);
	/* A directory that cannot be written (as root, every one can). */
	snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(chmod(path, 0555), 0);
	snprintf(path, sizeof(path), "%s/a/b/e/f", dir);
	assert_int_equal(fs_mkdirs(path, 0755), geteuid() == 0 ? 0 : EACCES);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(testutil_remove_tree(dir), 0);
}

static void test_fs_write_atomic_mode(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_int_equal(testutil_mkdtemp(dir, sizeof(dir), "test_lib"), 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	mode_t old = umask(077);
	struct stat st;
	/* 0: what open(2) gives 0666 under the umask. */
	assert_int_equal(fs_write_atomic(path, "a", 1, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* A mode: its bits exactly, wider than the umask allows too. */
	assert_int_equal(fs_write_atomic(path, "bc", 2, 0755), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_size, 2);
	snprintf(path, sizeof(path), "%s/g", dir);
	assert_int_equal(fs_copy_atomic(path, path, 0644), ENOENT);
	snprintf(path, sizeof(path), "%s/f", dir);
	char copy[160];
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	assert_int_equal(fs_copy_atomic(path, copy, 0640), 0);
	assert_int_equal(stat(copy, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	umask(old);
	assert_int_equal(testutil_remove_tree(dir), 0);
}

static void test_fs_touch(void **state)
{
	(void)state;
	char dir[64], path[128];
	assert_int_equal(testutil_mkdtemp(dir, sizeof(dir), "test_lib"), 0);
	snprintf(path, sizeof(path), "%s/stamp", dir);
	mode_t old = umask(022);
	assert_int_equal(fs_touch(path), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* A file there is emptied, the same inode: no temporary name. */
	testutil_write_file(path, "old", 0644);
	struct stat before;
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(fs_touch(path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_true(st.st_ino == before.st_ino);
	umask(old);
	snprintf(path, sizeof(path), "%s/no/stamp", dir);
	assert_int_equal(fs_touch(path), ENOENT);
	assert_int_equal(testutil_remove_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_init_is_empty_string),
		cmocka_unit_test(test_strbuf_add),
		cmocka_unit_test(test_strbuf_add_grows_many_times),
		cmocka_unit_test(test_strbuf_addf_small),
		cmocka_unit_test(test_strbuf_addf_grows_past_64),
		cmocka_unit_test(test_strbuf_addf_large),
		cmocka_unit_test(test_strbuf_reset_keeps_memory),
		cmocka_unit_test(test_strbuf_setlen),
		cmocka_unit_test(test_strbuf_detach),
		cmocka_unit_test(test_arena_many_allocations),
		cmocka_unit_test(test_arena_alignment),
		cmocka_unit_test(test_arena_large_allocation),
		cmocka_unit_test(test_arena_strndup),
		cmocka_unit_test(test_xalloc),
		cmocka_unit_test(test_hmap_empty),
		cmocka_unit_test(test_hmap_many_keys),
		cmocka_unit_test(test_hmap_replace),
		cmocka_unit_test(test_hmap_at_adds_once),
		cmocka_unit_test(test_hmap_binary_keys),
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_path_dirname),
		cmocka_unit_test(test_path_normpath),
		cmocka_unit_test(test_path_abspath),
		cmocka_unit_test(test_path_relpath),
		cmocka_unit_test(test_path_expanduser),
		cmocka_unit_test(test_path_is_url),
		cmocka_unit_test(test_file_read),
		cmocka_unit_test(test_ahead_each_item_once),
		cmocka_unit_test(test_ahead_thread_does_all_while_caller_waits),
		cmocka_unit_test(test_ahead_claim_waits_for_the_item_in_hand),
		cmocka_unit_test(test_fs_cwd_relative),
		cmocka_unit_test(test_fs_mkdirs),
		cmocka_unit_test(test_fs_write_atomic_mode),
		cmocka_unit_test(test_fs_touch),
		/* Fails until path_expanduser handles HOME=/ as Python does. */
		cmocka_unit_test(test_path_expanduser_root_home),
	};
	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
