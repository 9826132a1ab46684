/*
 * Unit tests for lib/json_write and json_out's walk of a jansson document.
 * jansson is the oracle: every document here is dumped by jansson with
 * JSON_INDENT(2) and must come out of the writer byte for byte the same,
 * so the --json outputs that moved from jansson's dump to the writer did
 * not change.  Invalid UTF-8 (which jansson refuses) is checked apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/json_write.h"
#include "../../src/json_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writer's text for doc equals jansson's; drops doc. */
static void assert_same_as_jansson(json_t *doc)
{
	assert_non_null(doc);
	char *want = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY);
	assert_non_null(want);
	struct json_write w = JSON_WRITE_INIT;
	json_write_json(&w, doc);
	assert_string_equal(w.out.buf, want);
	assert_int_equal(w.closers.len, 0);
	json_write_release(&w);
	free(want);
	json_decref(doc);
}

static void test_scalars(void **state)
{
	(void)state;
	assert_same_as_jansson(json_string("plain"));
	assert_same_as_jansson(json_string(""));
	assert_same_as_jansson(json_integer(0));
	assert_same_as_jansson(json_integer(-9223372036854775807LL - 1));
	assert_same_as_jansson(json_integer(9223372036854775807LL));
	assert_same_as_jansson(json_true());
	assert_same_as_jansson(json_false());
	assert_same_as_jansson(json_null());
}

static void test_reals_as_jansson(void **state)
{
	(void)state;
	const double values[] = {0.0,    -0.0,   1.0,     2.5,    0.1,    1e300, 1e-7,
				 1e-300, 1e21,   1e22,    -1e100, 123456789012345678.0,
				 3.14159, 1e16,   5e-324, 1.7976931348623157e308};
	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++)
		assert_same_as_jansson(json_real(values[i]));
}

static void test_escapes_every_ascii_byte(void **state)
{
	(void)state;
	char all[128];
	for (int c = 1; c < 128; c++)
		all[c - 1] = (char)c;
	all[127] = '\0';
	assert_same_as_jansson(json_string(all));
	/* A NUL inside a string, and a key full of escapes. */
	assert_same_as_jansson(json_stringn("a\0b", 3));
	json_t *o = json_object();
	json_object_set_new(o, "k\"\\\n\x01/", json_string("v"));
	assert_same_as_jansson(o);
}

static void test_utf8_kept(void **state)
{
	(void)state;
	/* Two, three and four byte sequences, the highest code point. */
	assert_same_as_jansson(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
}

/* Long strings with the bytes that need care at every offset, so the
 * eight-at-a-time scan meets them in each lane and at each tail length. */
static void test_escapes_at_every_offset(void **state)
{
	(void)state;
	const char *specials[] = {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9",
				  "\xe2\x82\xac", "\xf0\x9f\x98\x80", " "};
	char text[64];
	for (size_t len = 0; len < 40; len++)
		for (size_t at = 0; at <= len; at++)
			for (size_t k = 0; k < sizeof(specials) / sizeof(*specials); k++) {
				memset(text, 'a', len);
				text[len] = '\0';
				size_t n = strlen(specials[k]);
				if (at + n > len)
					continue;
				memcpy(text + at, specials[k], n);
				assert_same_as_jansson(json_string(text));
			}
}

/* Strings longer than the writer's pieces of 4,096 bytes: the worst
 * growth (six bytes for one), and a UTF-8 sequence across each boundary. */
static void test_long_strings_cross_pieces(void **state)
{
	(void)state;
	enum { N = 10000 };
	char *text = malloc(N + 1);
	assert_non_null(text);
	memset(text, '\x01', N);
	text[N] = '\0';
	assert_same_as_jansson(json_string(text));
	for (size_t at = 4088; at < 4100; at++) {
		memset(text, 'a', N);
		memcpy(text + at, "\xf0\x9f\x98\x80\n", 5);
		memcpy(text + 2 * at, "\xe2\x82\xac", 3);
		assert_same_as_jansson(json_string(text));
	}
	/* Bytes that are not UTF-8 grow threefold, across pieces too. */
	memset(text, '\xff', N);
	struct json_write w = JSON_WRITE_INIT;
	json_write_string(&w, text);
	assert_int_equal(w.out.len, 3 * N + 2);
	for (size_t i = 0; i < N; i++)
		assert_memory_equal(w.out.buf + 1 + 3 * i, "\xef\xbf\xbd", 3);
	assert_int_equal(w.out.buf[w.out.len - 1], '"');
	json_write_release(&w);
	free(text);
}

static void test_containers_and_nesting(void **state)
{
	(void)state;
	assert_same_as_jansson(json_object());
	assert_same_as_jansson(json_array());
	json_t *doc = json_pack("{s:[], s:{}, s:[i, f, n, b, {s:[[], {}]}], s:s}", "empty", "none",
				"mixed", 7, 1.5, 1, "in", "last", "x");
	assert_same_as_jansson(doc);
	/* Deeper than the indent's block of spaces. */
	json_t *root = json_array();
	json_t *at = root;
	for (int i = 0; i < 40; i++) {
		json_t *inner = i % 2 ? json_array() : json_object();
		if (json_is_array(at))
			json_array_append_new(at, inner);
		else
			json_object_set_new(at, "k", inner);
		at = inner;
	}
	json_array_append_new(root, json_string("after"));
	assert_same_as_jansson(root);
}

static void test_order_is_insertion_order(void **state)
{
	(void)state;
	json_t *o = json_object();
	json_object_set_new(o, "zeta", json_integer(1));
	json_object_set_new(o, "alpha", json_integer(2));
	json_object_set_new(o, "mid", json_integer(3));
	assert_same_as_jansson(o);
}

static void test_stream_api_matches_document(void **state)
{
	(void)state;
	struct json_write w = JSON_WRITE_INIT;
	json_write_object(&w);
	json_write_member(&w, "name", "zlib");
	json_write_member(&w, "version", NULL);
	json_write_key(&w, "deps");
	json_write_array(&w);
	json_write_string(&w, "a");
	json_write_string(&w, "b");
	json_write_end(&w);
	json_write_key(&w, "none");
	json_write_array(&w);
	json_write_end(&w);
	json_write_key(&w, "n");
	json_write_int(&w, 42);
	json_write_end(&w);
	json_t *doc = json_pack("{s:s, s:n, s:[s, s], s:[], s:i}", "name", "zlib", "version",
				"deps", "a", "b", "none", "n", 42);
	char *want = json_dumps(doc, JSON_INDENT(2));
	assert_string_equal(w.out.buf, want);
	free(want);
	json_decref(doc);
	json_write_release(&w);
}

static struct strbuf sunk = STRBUF_INIT;
static int sink_calls;

static void sink_to_buffer(const char *text, size_t len)
{
	strbuf_add(&sunk, text, len);
	sink_calls++;
}

/* With a sink, a long document leaves in pieces of 64 KiB or more, each
 * at the end of a container; together they are the whole text. */
static void test_sink_gets_the_text_in_pieces(void **state)
{
	(void)state;
	struct json_write w = JSON_WRITE_INIT;
	w.sink = sink_to_buffer;
	json_t *doc = json_array();
	json_write_array(&w);
	for (int i = 0; i < 5000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "package-%05d", i);
		json_array_append_new(doc, json_pack("{s:s, s:[s]}", "name", name, "deps", name));
		json_write_object(&w);
		json_write_member(&w, "name", name);
		json_write_key(&w, "deps");
		json_write_array(&w);
		json_write_string(&w, name);
		json_write_end(&w);
		json_write_end(&w);
		assert_true(w.out.len < 64 * 1024 + 100);
	}
	json_write_end(&w);
	assert_true(sink_calls >= 4);
	strbuf_add(&sunk, w.out.buf, w.out.len);
	char *want = json_dumps(doc, JSON_INDENT(2));
	assert_string_equal(sunk.buf, want);
	free(want);
	json_decref(doc);
	json_write_release(&w);
	strbuf_release(&sunk);
}

static void test_invalid_utf8_becomes_replacement(void **state)
{
	(void)state;
	struct json_write w = JSON_WRITE_INIT;
	/* A lone continuation byte, a truncated sequence, an overlong '/',
	 * a surrogate, a code point past U+10FFFF, and Latin-1. */
	json_write_string(&w, "\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|caf\xe9");
	const char *r = "\xef\xbf\xbd";
	char want[128];
	snprintf(want, sizeof(want), "\"%s|%s%s|%s%s|%s%s%s|%s%s%s%s|caf%s\"", r, r, r, r, r, r, r,
		 r, r, r, r, r, r);
	assert_string_equal(w.out.buf, want);
	json_t *back = json_loads(w.out.buf, JSON_DECODE_ANY, NULL);
	assert_non_null(back);
	json_decref(back);
	json_write_release(&w);
}

static void test_print_of_failed_pack_is_null(void **state)
{
	(void)state;
	struct json_write w = JSON_WRITE_INIT;
	json_write_json(&w, NULL);
	assert_string_equal(w.out.buf, "null");
	json_write_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_reals_as_jansson),
		cmocka_unit_test(test_escapes_every_ascii_byte),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_escapes_at_every_offset),
		cmocka_unit_test(test_long_strings_cross_pieces),
		cmocka_unit_test(test_containers_and_nesting),
		cmocka_unit_test(test_order_is_insertion_order),
		cmocka_unit_test(test_stream_api_matches_document),
		cmocka_unit_test(test_sink_gets_the_text_in_pieces),
		cmocka_unit_test(test_invalid_utf8_becomes_replacement),
		cmocka_unit_test(test_print_of_failed_pack_is_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
