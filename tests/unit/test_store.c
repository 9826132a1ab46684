/*
 * Unit tests for cache/store: pending writes and their flush, deletion,
 * iteration, clearing, heads of values, threads sharing one store; and
 * cache/record's records, whole and without their inputs.  Every test opens a
 * store in its own temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../cache/record.h"
#include "../../cache/store.h"
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tmp {
	char dir[64];
	struct store *s;
};

static int setup(void **state)
{
	static struct tmp t;
	if (testutil_mkdtemp(t.dir, sizeof(t.dir), "test_store") < 0)
		return -1;
	t.s = store_open(t.dir);
	if (!t.s) {
		testutil_remove_tree(t.dir);
		return -1;
	}
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	store_close(t->s);
	return testutil_remove_tree(t->dir);
}

static void reopen(struct tmp *t)
{
	store_close(t->s);
	t->s = store_open(t->dir);
	assert_non_null(t->s);
}

static void put(struct tmp *t, enum store_db db, const char *k, const char *v)
{
	store_put(t->s, db, k, strlen(k), v, strlen(v));
}

/* Fails the test unless k holds v in db (v NULL: unless k is absent). */
static void expect(struct tmp *t, enum store_db db, const char *k, const char *v)
{
	struct strbuf val = STRBUF_INIT;
	int r = store_get(t->s, db, k, strlen(k), &val);
	if (!v) {
		assert_int_equal(r, 0);
	} else {
		assert_int_equal(r, 1);
		assert_int_equal(val.len, strlen(v));
		assert_memory_equal(val.buf, v, val.len);
	}
	strbuf_release(&val);
}

static void test_put_is_visible_before_flush(void **state)
{
	struct tmp *t = *state;
	expect(t, STORE_META, "k", NULL);
	put(t, STORE_META, "k", "one");
	expect(t, STORE_META, "k", "one");
	put(t, STORE_META, "k", "two");
	expect(t, STORE_META, "k", "two");
	/* Keys are per database. */
	expect(t, STORE_RECORDS, "k", NULL);
	/* An empty value is a value. */
	put(t, STORE_RECORDS, "k", "");
	expect(t, STORE_RECORDS, "k", "");
}

static void test_flush_persists(void **state)
{
	struct tmp *t = *state;
	put(t, STORE_ACTIONS, "a", "1");
	/* Binary keys and values, NULs included. */
	store_put(t->s, STORE_CAS, "x\0y", 3, "\0\1\2", 3);
	assert_int_equal(store_flush(t->s), 0);
	expect(t, STORE_ACTIONS, "a", "1");
	reopen(t);
	expect(t, STORE_ACTIONS, "a", "1");
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(store_get(t->s, STORE_CAS, "x\0y", 3, &val), 1);
	assert_int_equal(val.len, 3);
	assert_memory_equal(val.buf, "\0\1\2", 3);
	assert_int_equal(store_get(t->s, STORE_CAS, "x", 1, &val), 0);
	strbuf_release(&val);
	/* A flush with nothing pending is not an error. */
	assert_int_equal(store_flush(t->s), 0);
}

static void test_unflushed_put_is_lost(void **state)
{
	struct tmp *t = *state;
	put(t, STORE_ACTIONS, "kept", "1");
	assert_int_equal(store_flush(t->s), 0);
	put(t, STORE_ACTIONS, "lost", "2");
	put(t, STORE_ACTIONS, "kept", "changed");
	reopen(t);
	expect(t, STORE_ACTIONS, "lost", NULL);
	expect(t, STORE_ACTIONS, "kept", "1");
}

static void test_del_hides(void **state)
{
	struct tmp *t = *state;
	/* A pending entry. */
	put(t, STORE_STAT, "p", "1");
	store_del(t->s, STORE_STAT, "p", 1);
	expect(t, STORE_STAT, "p", NULL);
	/* A committed one: hidden at once, gone after the flush. */
	put(t, STORE_STAT, "c", "1");
	assert_int_equal(store_flush(t->s), 0);
	store_del(t->s, STORE_STAT, "c", 1);
	expect(t, STORE_STAT, "c", NULL);
	/* Deleting what was never there is no error at flush time. */
	store_del(t->s, STORE_STAT, "never", 5);
	assert_int_equal(store_flush(t->s), 0);
	expect(t, STORE_STAT, "c", NULL);
	expect(t, STORE_STAT, "p", NULL);
	reopen(t);
	expect(t, STORE_STAT, "c", NULL);
	/* Put after del brings it back. */
	store_del(t->s, STORE_STAT, "c", 1);
	put(t, STORE_STAT, "c", "2");
	expect(t, STORE_STAT, "c", "2");
}

struct visit {
	char keys[16][8];
	size_t n, stop_at;
};

static int visit(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct visit *v = ctx;
	assert_true(klen < 8);
	assert_int_equal(vlen, 1);
	assert_int_equal(*(const char *)val, *(const char *)key);
	memcpy(v->keys[v->n], key, klen);
	v->keys[v->n][klen] = '\0';
	return ++v->n == v->stop_at ? 42 : 0;
}

static void test_each_in_key_order(void **state)
{
	struct tmp *t = *state;
	const char *keys[] = {"d", "b", "a", "ca", "c", "e"};
	char v[2] = "";
	for (size_t i = 0; i < 6; i++) {
		v[0] = keys[i][0];
		put(t, STORE_RECORDS, keys[i], v);
	}
	put(t, STORE_META, "zz", "z");
	assert_int_equal(store_flush(t->s), 0);
	/* Committed entries only: a pending one is not visited. */
	put(t, STORE_RECORDS, "b2", "b");

	struct visit all = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_RECORDS, NULL, 0, visit, &all), 0);
	const char *sorted[] = {"a", "b", "c", "ca", "d", "e"};
	assert_int_equal(all.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(all.keys[i], sorted[i]);

	struct visit some = {.stop_at = 3};
	assert_int_equal(store_each(t->s, STORE_RECORDS, NULL, 0, visit, &some), 42);
	assert_int_equal(some.n, 3);
	assert_string_equal(some.keys[2], "c");

	struct visit none = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_ACTIONS, NULL, 0, visit, &none), 0);
	assert_int_equal(none.n, 0);

	/* A prefix: its run of keys alone, from where it would sort. */
	struct visit c = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_RECORDS, "c", 1, visit, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.keys[0], "c");
	assert_string_equal(c.keys[1], "ca");
	struct visit ca = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_RECORDS, "ca", 2, visit, &ca), 0);
	assert_int_equal(ca.n, 1);
	struct visit bb = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_RECORDS, "bb", 2, visit, &bb), 0);
	assert_int_equal(bb.n, 0);
	struct visit past = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_RECORDS, "f", 1, visit, &past), 0);
	assert_int_equal(past.n, 0);
}

static void test_clear_empties_one_database(void **state)
{
	struct tmp *t = *state;
	put(t, STORE_STAT, "a", "1");
	put(t, STORE_TREES, "a", "2");
	assert_int_equal(store_flush(t->s), 0);
	put(t, STORE_STAT, "pending", "3");
	put(t, STORE_TREES, "pending", "4");
	assert_int_equal(store_clear(t->s, STORE_STAT), 0);
	expect(t, STORE_STAT, "a", NULL);
	expect(t, STORE_STAT, "pending", NULL);
	expect(t, STORE_TREES, "a", "2");
	expect(t, STORE_TREES, "pending", "4");
	/* Cleared for good, without a flush; the others' writes still pend. */
	reopen(t);
	expect(t, STORE_STAT, "a", NULL);
	expect(t, STORE_TREES, "a", "2");
	expect(t, STORE_TREES, "pending", NULL);
	struct visit none = {.stop_at = 100};
	assert_int_equal(store_each(t->s, STORE_STAT, NULL, 0, visit, &none), 0);
	assert_int_equal(none.n, 0);
}

static void test_key_too_long_for_lmdb(void **state)
{
	struct tmp *t = *state;
	/* LMDB keys are at most 511 bytes; such a key must not keep every
	 * other write from being committed. */
	char key[600];
	memset(key, 'k', sizeof(key));
	store_put(t->s, STORE_STAT, key, sizeof(key), "v", 1);
	put(t, STORE_STAT, "short", "1");
	assert_int_equal(store_flush(t->s), 0);
	put(t, STORE_STAT, "later", "2");
	assert_int_equal(store_flush(t->s), 0);
	struct strbuf val = STRBUF_INIT;
	assert_int_equal(store_get(t->s, STORE_STAT, key, sizeof(key), &val), 0);
	strbuf_release(&val);
	reopen(t);
	expect(t, STORE_STAT, "short", "1");
	expect(t, STORE_STAT, "later", "2");
}

/* Threads */

enum { NTHREADS = 4, NKEYS = 2000 };

struct worker {
	struct store *s;
	int id;
	int misses; /* gets that did not see the thread's own put */
	int failed; /* flushes that failed */
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct strbuf val = STRBUF_INIT;
	char k[32], v[32];
	for (int i = 0; i < NKEYS; i++) {
		int kn = snprintf(k, sizeof(k), "t%d-%d", w->id, i);
		int vn = snprintf(v, sizeof(v), "v%d", i);
		store_put(w->s, STORE_ACTIONS, k, (size_t)kn, v, (size_t)vn);
		/* The put is seen at once, whatever another thread flushes. */
		if (store_get(w->s, STORE_ACTIONS, k, (size_t)kn, &val) != 1 ||
		    val.len != (size_t)vn || memcmp(val.buf, v, val.len))
			w->misses++;
		/* And so is an earlier one. */
		if (i) {
			kn = snprintf(k, sizeof(k), "t%d-%d", w->id, i / 2);
			vn = snprintf(v, sizeof(v), "v%d", i / 2);
			if (store_get(w->s, STORE_ACTIONS, k, (size_t)kn, &val) != 1 ||
			    val.len != (size_t)vn || memcmp(val.buf, v, val.len))
				w->misses++;
		}
		/* cmocka's asserts may not run in a thread: count, check after. */
		if (i % 97 == w->id && store_flush(w->s) != 0)
			w->failed++;
	}
	strbuf_release(&val);
	return NULL;
}

static void test_threads(void **state)
{
	struct tmp *t = *state;
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){t->s, i, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	/* All joined before any assert, which would close the store under
	 * the threads still running. */
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].misses, 0);
		assert_int_equal(w[i].failed, 0);
	}
	assert_int_equal(store_flush(t->s), 0);
	reopen(t);
	char k[32], v[32];
	for (int id = 0; id < NTHREADS; id++) {
		for (int i = 0; i < NKEYS; i++) {
			snprintf(k, sizeof(k), "t%d-%d", id, i);
			snprintf(v, sizeof(v), "v%d", i);
			expect(t, STORE_ACTIONS, k, v);
		}
	}
}

static void test_head(void **state)
{
	struct tmp *t = *state;
	struct strbuf val = STRBUF_INIT;
	for (int flushed = 0; flushed < 2; flushed++) {
		put(t, STORE_META, "k", "0123456789");
		if (flushed)
			assert_int_equal(store_flush(t->s), 0);
		assert_int_equal(store_get_head(t->s, STORE_META, "k", 1, &val, 4), 1);
		assert_int_equal(val.len, 4);
		assert_memory_equal(val.buf, "0123", 4);
		assert_int_equal(store_get_head(t->s, STORE_META, "k", 1, &val, 100), 1);
		assert_string_equal(val.buf, "0123456789");
		assert_int_equal(store_get_head(t->s, STORE_META, "x", 1, &val, 4), 0);
	}
	strbuf_release(&val);
}

static void test_record_whole_and_summary(void **state)
{
	struct tmp *t = *state;
	struct record_input in[] = {
		{"kind", RECORD_INPUT_TEXT, hash_bytes("build/1", 7), "build/1"},
		{"option:configure_options", RECORD_INPUT_TEXT, hash_bytes("--x", 3), "--x"},
		{"source", RECORD_INPUT_TREE, hash_bytes("t", 1), ""},
	};
	struct record r = {hash_bytes("key", 3), hash_bytes("out", 3), RECORD_OK, 12345, 678,
			   99, 3, in, 3};
	record_put(t->s, "build x", &r);
	for (int flushed = 0; flushed < 2; flushed++) {
		if (flushed)
			assert_int_equal(store_flush(t->s), 0);
		struct arena a = ARENA_INIT;
		struct record got;
		assert_int_equal(record_get(t->s, "build x", &got, &a), 1);
		assert_true(hash_equal(got.key, r.key) && hash_equal(got.output, r.output));
		assert_int_equal(got.ninputs, 3);
		for (size_t i = 0; i < 3; i++) {
			assert_string_equal(got.inputs[i].name, in[i].name);
			assert_int_equal(got.inputs[i].type, in[i].type);
			assert_true(hash_equal(got.inputs[i].hash, in[i].hash));
			assert_string_equal(got.inputs[i].text, in[i].text);
		}
		arena_free(&a);
		/* The summary: everything but the inputs. */
		struct record sum;
		assert_int_equal(record_get(t->s, "build x", &sum, NULL), 1);
		assert_true(hash_equal(sum.key, r.key) && hash_equal(sum.output, r.output));
		assert_int_equal(sum.status, RECORD_OK);
		assert_int_equal(sum.started_ns, 12345);
		assert_int_equal(sum.duration_ns, 678);
		assert_int_equal(sum.run, 99);
		assert_int_equal(sum.slot, 3);
		assert_null(sum.inputs);
		assert_int_equal(sum.ninputs, 0);
	}
	/* A failure's summary says so (RECORD_OK is what a zeroed record
	 * would say). */
	r.status = RECORD_FAILED;
	record_put(t->s, "build f", &r);
	struct record failed;
	assert_int_equal(record_get(t->s, "build f", &failed, NULL), 1);
	assert_int_equal(failed.status, RECORD_FAILED);
	assert_int_equal(failed.run, 99);
	struct record none;
	assert_int_equal(record_get(t->s, "build y", &none, NULL), 0);
	/* A value too short for the summary is no record. */
	put(t, STORE_RECORDS, "build z", "\1\0\0\0short");
	assert_int_equal(record_get(t->s, "build z", &none, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_is_visible_before_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unflushed_put_is_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_hides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_in_key_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_empties_one_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_too_long_for_lmdb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_whole_and_summary, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
