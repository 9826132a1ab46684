/*
 * Unit tests for src/cfg_parse: the lexer of zc.buildout's INI dialect
 * (zc/buildout/configparser.py), one file at a time.  The expected values are
 * what buildout's parse() produces for the same text, with the += / -=
 * bookkeeping of buildout >= 3.1.1 that cfg_parse.h promises.  Errors are
 * reported on stderr by the library; the tests only look at the result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/arena.h"
#include "../../src/cfg_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena arena = ARENA_INIT;
static struct cfg_file file;

static int teardown(void **state)
{
	(void)state;
	cfg_file_free(&file);
	arena_free(&arena);
	return 0;
}

/* Parses text (a C string) into file; returns what cfg_parse returns. */
static int parse_n(const char *text, size_t len)
{
	cfg_file_free(&file);
	arena_free(&arena);
	return cfg_parse(&arena, "test.cfg", text, len, &file);
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static const struct cfg_file_section *section(const char *name)
{
	const struct cfg_file_section *s = cfg_file_find(&file, name);
	if (!s)
		fail_msg("no section [%s]", name);
	return s;
}

static const struct cfg_delta *delta(const char *sect, const char *name)
{
	const struct cfg_delta *d = cfg_file_section_find(section(sect), name);
	if (!d)
		fail_msg("no option %s in [%s]", name, sect);
	return d;
}

/* The value an option sets with =; fails the test if it has none. */
static const char *set(const char *sect, const char *name)
{
	const struct cfg_delta *d = delta(sect, name);
	if (!d->set)
		fail_msg("option %s in [%s] has no '=' value", name, sect);
	return d->set;
}

static bool has_option(const char *sect, const char *name)
{
	return cfg_file_section_find(section(sect), name) != NULL;
}

/* Comments and plain options */

static void test_minimal(void **state)
{
	(void)state;
	assert_int_equal(parse("[buildout]\nparts = p\n"), 0);
	assert_string_equal(file.path, "test.cfg");
	assert_int_equal(file.nsections, 1);
	const struct cfg_file_section *s = section("buildout");
	assert_string_equal(s->name, "buildout");
	assert_int_equal(s->line, 1);
	assert_int_equal(s->ndeltas, 1);
	const struct cfg_delta *d = delta("buildout", "parts");
	assert_string_equal(d->name, "parts");
	assert_string_equal(d->set, "p");
	assert_int_equal(d->set_line, 2);
	assert_null(d->add);
	assert_null(d->remove);
}

static void test_empty_file(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(file.nsections, 0);
	/* Blank lines and comments alone are no content. */
	assert_int_equal(parse("\n   \n\t\n# c\n; c\n"), 0);
	assert_int_equal(file.nsections, 0);
}

static void test_column0_comments(void **state)
{
	(void)state;
	assert_int_equal(parse("# before any section\n"
			       "; another\n"
			       "[s]\n"
			       "# inside a section\n"
			       "a = 1\n"
			       ";a = 2\n"
			       "#b = 3\n"),
			 0);
	assert_string_equal(set("s", "a"), "1");
	assert_false(has_option("s", "b"));
	assert_false(has_option("s", ";a"));
	assert_int_equal(section("s")->ndeltas, 1);
}

static void test_comments_inside_multiline_values(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "data = first\n"
			       "    second\n"
			       "# skipped\n"
			       "    third\n"
			       "; skipped too\n"
			       "    fourth\n"
			       "block =\n"
			       "    one\n"
			       "#skipped\n"
			       "    two\n"
			       "\n"
			       "    three\n"
			       "after = ok\n"),
			 0);
	assert_string_equal(set("s", "data"), "first\nsecond\nthird\nfourth");
	assert_string_equal(set("s", "block"), "one\ntwo\n\nthree");
	assert_string_equal(set("s", "after"), "ok");
}

static void test_indented_hash_is_data(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "a = x\n"
			       "    # not a comment\n"
			       "    ; nor this\n"
			       "b =\n"
			       "  # data\n"
			       "  more\n"),
			 0);
	assert_string_equal(set("s", "a"), "x\n# not a comment\n; nor this");
	assert_string_equal(set("s", "b"), "# data\nmore");
}

static void test_no_inline_comments(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "a = value # not a comment\n"
			       "b = value ; nor this\n"
			       "c = #\n"),
			 0);
	assert_string_equal(set("s", "a"), "value # not a comment");
	assert_string_equal(set("s", "b"), "value ; nor this");
	assert_string_equal(set("s", "c"), "#");
}

static void test_equals_and_odd_values(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "a=b=c\n"
			       "url = http://example.com/?a=1&b=2\n"
			       "k=v\n"
			       "empty =\n"
			       "spaces   =    padded value   \t\n"
			       "colon = a:b:c\n"
			       "brackets = [x] {y}\n"
			       "dotted.name_1-x = v1\n"
			       "a#b = hash\n"
			       "a;b = semicolon\n"
			       "$dollar = d\n"
			       "unicode = h\xc3\xa9llo\n"),
			 0);
	assert_string_equal(set("s", "a"), "b=c");
	assert_string_equal(set("s", "url"), "http://example.com/?a=1&b=2");
	assert_string_equal(set("s", "k"), "v");
	assert_string_equal(set("s", "empty"), "");
	assert_string_equal(set("s", "spaces"), "padded value");
	assert_string_equal(set("s", "colon"), "a:b:c");
	assert_string_equal(set("s", "brackets"), "[x] {y}");
	assert_string_equal(set("s", "dotted.name_1-x"), "v1");
	assert_string_equal(set("s", "a#b"), "hash");
	assert_string_equal(set("s", "a;b"), "semicolon");
	assert_string_equal(set("s", "$dollar"), "d");
	assert_string_equal(set("s", "unicode"), "h\xc3\xa9llo");
}

static void test_names_are_case_sensitive(void **state)
{
	(void)state;
	assert_int_equal(parse("[S]\nA = 1\na = 2\n[s]\nA = 3\n"), 0);
	assert_int_equal(file.nsections, 2);
	assert_string_equal(set("S", "A"), "1");
	assert_string_equal(set("S", "a"), "2");
	assert_string_equal(set("s", "A"), "3");
}

static void test_colon_option_is_error(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\nname: v\n"), -1);
	assert_int_equal(parse("[s]\nname : v\n"), -1);
	assert_int_equal(parse("[s]\na:b = v\n"), -1);
}

static void test_bad_lines_are_errors(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\njust words\n"), -1);
	assert_int_equal(parse("[s]\n= value\n"), -1);
	assert_int_equal(parse("[s]\na {b} = 1\n"), -1);
	assert_int_equal(parse("[s]\na ++= 1\n"), -1);
	/* An indented line right after a header continues nothing. */
	assert_int_equal(parse("[s]\n  a = 1\n"), -1);
	assert_int_equal(parse("[s]\n\n  a = 1\n"), -1);
	/* Every bad line is reported, and the good ones do not save the file. */
	assert_int_equal(parse("[s]\nbad one\na = 1\nbad two\n"), -1);
}

/* Section headers */

static void test_header_comments_and_padding(void **state)
{
	(void)state;
	assert_int_equal(parse("[buildout] # header comment\n"
			       "[ a ]\nv = a\n"
			       "[b] ; semicolon\nv = b\n"
			       "[  c  ]   # padded\nv = c\n"
			       "[d]#tight\nv = d\n"
			       "[e]   \nv = e\n"
			       "[f] # [g] ; x\nv = f\n"),
			 0);
	assert_int_equal(file.nsections, 7);
	assert_string_equal(file.sections[0]->name, "buildout");
	assert_string_equal(set("a", "v"), "a");
	assert_string_equal(set("b", "v"), "b");
	assert_string_equal(set("c", "v"), "c");
	assert_string_equal(set("d", "v"), "d");
	assert_string_equal(set("e", "v"), "e");
	assert_string_equal(set("f", "v"), "f");
	assert_null(cfg_file_find(&file, " a "));
	assert_null(cfg_file_find(&file, "g"));
}

static void test_header_names(void **state)
{
	(void)state;
	assert_int_equal(parse("[my.part-1]\nv = 1\n[under_score]\nv = 2\n[a=b]\nv = 3\n"
			       "[<x>]\nv = 4\n"),
			 0);
	assert_string_equal(set("my.part-1", "v"), "1");
	assert_string_equal(set("under_score", "v"), "2");
	assert_string_equal(set("a=b", "v"), "3");
	assert_string_equal(set("<x>", "v"), "4");
}

static void test_bad_headers(void **state)
{
	(void)state;
	assert_int_equal(parse("[a b]\nx = 1\n"), -1);
	assert_int_equal(parse("[s]\n[a b]\nx = 1\n"), -1);
	assert_int_equal(parse("[s]\n[]\n"), -1);
	assert_int_equal(parse("[s]\n[a] trailing\n"), -1);
	assert_int_equal(parse("[s]\n[a\n"), -1);
	assert_int_equal(parse("[s]\n[a;b]\n"), -1);
	assert_int_equal(parse("[s]\n[a{b}]\n"), -1);
	assert_int_equal(parse("[s]\n[a] = 1\n"), -1);
}

static void test_content_before_header_is_error(void **state)
{
	(void)state;
	assert_int_equal(parse("a = 1\n[s]\n"), -1);
	assert_int_equal(parse("\n\n  \nwords\n[s]\n"), -1);
	assert_int_equal(parse("  indented = 1\n[s]\n"), -1);
	/* A false first section leaves no section to hold the option. */
	assert_int_equal(parse("[x:windows]\na = 1\n"), -1);
}

static void test_repeated_sections_merge(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\na = 1\nb = 2\n[t]\nx = y\n[s]\nc = 3\na = 4\n"), 0);
	assert_int_equal(file.nsections, 2);
	const struct cfg_file_section *s = section("s");
	assert_int_equal(s->line, 1);
	assert_int_equal(s->ndeltas, 3);
	/* Options keep the order of their first appearance. */
	assert_string_equal(s->deltas[0]->name, "a");
	assert_string_equal(s->deltas[1]->name, "b");
	assert_string_equal(s->deltas[2]->name, "c");
	assert_string_equal(set("s", "a"), "4");
	assert_int_equal(delta("s", "a")->set_line, 8);
	assert_string_equal(set("s", "b"), "2");
	assert_string_equal(set("s", "c"), "3");
}

static void test_last_assignment_wins(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\na = 1\na = 2\na =\n  three\n  lines\n"), 0);
	assert_string_equal(set("s", "a"), "three\nlines");
	assert_int_equal(delta("s", "a")->set_line, 4);
	assert_int_equal(section("s")->ndeltas, 1);
}

/* Continuation lines */

static void test_continuation_data_on_first_line(void **state)
{
	(void)state;
	/* Every line stripped; blank lines dropped. */
	assert_int_equal(parse("[s]\n"
			       "a = first  \n"
			       "    second   \n"
			       "\n"
			       "        deeper\n"
			       "   \t\n"
			       "  last\n"
			       "b = next\n"),
			 0);
	assert_string_equal(set("s", "a"), "first\nsecond\ndeeper\nlast");
	assert_string_equal(set("s", "b"), "next");
}

static void test_continuation_block_mode(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "block =\n"
			       "\n"
			       "    line one\n"
			       "        indented more\n"
			       "\n"
			       "    line three\n"
			       "\n"
			       "\n"
			       "uneven =\n"
			       "      deep\n"
			       "    shallow\n"
			       "          deeper\n"
			       "one =\n"
			       "    only\n"
			       "trailing =\n"
			       "    x\n"
			       "    \n"
			       "    \n"
			       "next = after\n"),
			 0);
	/* Dedented; blank lines inside kept, leading and trailing ones gone. */
	assert_string_equal(set("s", "block"), "line one\n    indented more\n\nline three");
	assert_string_equal(set("s", "uneven"), "  deep\nshallow\n      deeper");
	assert_string_equal(set("s", "one"), "only");
	assert_string_equal(set("s", "trailing"), "x");
	assert_string_equal(set("s", "next"), "after");
}

static void test_continuation_block_mode_trailing_spaces(void **state)
{
	(void)state;
	/* Lines lose their trailing blanks; blank-only lines become empty. */
	assert_int_equal(parse("[s]\na =\n  x   \n      \n  y\t\n"), 0);
	assert_string_equal(set("s", "a"), "x\n\ny");
	/* Nothing but blank lines: an empty value. */
	assert_int_equal(parse("[s]\na =\n\n   \n\nb = 1\n"), 0);
	assert_string_equal(set("s", "a"), "");
	assert_string_equal(set("s", "b"), "1");
}

static void test_continuation_at_end_of_file(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\na =\n  x\n  y"), 0);
	assert_string_equal(set("s", "a"), "x\ny");
	assert_int_equal(parse("[s]\na = 1"), 0);
	assert_string_equal(set("s", "a"), "1");
}

static void test_tabs(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "block =\n"
			       "\talpha\n"
			       "\tbeta\n"
			       "\t\tgamma\n"
			       "inline = first\n"
			       "\tsecond\n"
			       "\t  third\n"
			       "mixed =\n"
			       "\ttabbed\n"
			       "    spaced\n"
			       "same =\n"
			       "\t  a\n"
			       "\t  b\n"
			       "x\t=\ty\t\n"),
			 0);
	assert_string_equal(set("s", "block"), "alpha\nbeta\n\tgamma");
	assert_string_equal(set("s", "inline"), "first\nsecond\nthird");
	/* A tab and four spaces share no margin: nothing is removed. */
	assert_string_equal(set("s", "mixed"), "\ttabbed\n    spaced");
	assert_string_equal(set("s", "same"), "a\nb");
	assert_string_equal(set("s", "x"), "y");
}

/* Operators */

static void test_part_dependencies_arrow(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n=> a b\n"), 0);
	assert_string_equal(set("s", "<part-dependencies>"), "a b");
	assert_int_equal(parse("[s]\n=>a\n  b\n"), 0);
	assert_string_equal(set("s", "<part-dependencies>"), "a\nb");
	/* Spelled out, it is the same option. */
	assert_int_equal(parse("[s]\n<part-dependencies> = q\n"), 0);
	assert_string_equal(set("s", "<part-dependencies>"), "q");
}

static void test_macro_option(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n<= m\n[t]\n<=\n  a\n  b\n"), 0);
	assert_string_equal(set("s", "<"), "m");
	assert_string_equal(set("t", "<"), "a\nb");
}

static void test_add_and_remove(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\nx += a\ny -= b\nz+=c\nw-=d\nv+ = e\n"), 0);
	const struct cfg_delta *x = delta("s", "x");
	assert_null(x->set);
	assert_string_equal(x->add, "a");
	assert_null(x->remove);
	assert_int_equal(x->add_line, 2);
	const struct cfg_delta *y = delta("s", "y");
	assert_null(y->set);
	assert_null(y->add);
	assert_string_equal(y->remove, "b");
	assert_int_equal(y->remove_line, 3);
	assert_string_equal(delta("s", "z")->add, "c");
	assert_string_equal(delta("s", "w")->remove, "d");
	assert_string_equal(delta("s", "v")->add, "e");
	assert_null(cfg_file_section_find(section("s"), "x +"));
	assert_null(cfg_file_section_find(section("s"), "z+"));
	assert_int_equal(section("s")->ndeltas, 5);
}

static void test_add_multiline(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\nx +=\n    a\n    b\ny -= c\n  d\n"), 0);
	assert_string_equal(delta("s", "x")->add, "a\nb");
	assert_string_equal(delta("s", "y")->remove, "c\nd");
}

static void test_repeated_add_accumulates(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n"
			       "l = o\n"
			       "l += c\n"
			       "l += d\n"
			       "l -= x\n"
			       "l -= y\n"
			       "[s]\n"
			       "l += e\n"),
			 0);
	const struct cfg_delta *d = delta("s", "l");
	assert_string_equal(d->set, "o");
	assert_string_equal(d->add, "c\nd\ne");
	assert_int_equal(d->add_line, 8);
	assert_string_equal(d->remove, "x\ny");
	assert_int_equal(d->remove_line, 6);
}

static void test_later_set_resets_add_and_remove(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\nl += a\nl -= b\nl = base\nl += c\n"), 0);
	const struct cfg_delta *d = delta("s", "l");
	assert_string_equal(d->set, "base");
	assert_int_equal(d->set_line, 4);
	assert_string_equal(d->add, "c");
	assert_null(d->remove);
	assert_int_equal(parse("[s]\nl += a\nl = base\n"), 0);
	assert_string_equal(delta("s", "l")->set, "base");
	assert_null(delta("s", "l")->add);
}

/* Line endings and encodings */

static void test_crlf_line_endings(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\r\na = 1\r\nb =\r\n  x\r\n  y\r\n\r\nc = 3\r\n"), 0);
	assert_string_equal(set("s", "a"), "1");
	assert_string_equal(set("s", "b"), "x\ny");
	assert_string_equal(set("s", "c"), "3");
	assert_int_equal(delta("s", "c")->set_line, 7);
}

static void test_lone_cr_line_endings(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\ra = 1\rb =\r  x\r  y\r\rc = 3\r"), 0);
	assert_string_equal(set("s", "a"), "1");
	assert_string_equal(set("s", "b"), "x\ny");
	assert_string_equal(set("s", "c"), "3");
	assert_int_equal(delta("s", "c")->set_line, 7);
	/* Mixed: \r\n counts once, \n\r twice. */
	assert_int_equal(parse("[s]\r\na = 1\n\rb = 2\r"), 0);
	assert_int_equal(delta("s", "b")->set_line, 4);
}

static void test_text_need_not_be_nul_terminated(void **state)
{
	(void)state;
	const char text[] = "[s]\na = 12345";
	/* Only the first len bytes count. */
	assert_int_equal(parse_n(text, sizeof(text) - 1 - 3), 0);
	assert_string_equal(set("s", "a"), "12");
}

/* cfg_parse reads len bytes and no more: each text is given in a heap block
 * of exactly its size, so that an ASan build reports a read past its end. */
static int parse_exact(const char *text)
{
	size_t len = strlen(text);
	char *copy = xmalloc(len ? len : 1);
	memcpy(copy, text, len);
	int rc = parse_n(copy, len);
	free(copy);
	return rc;
}

static void test_unterminated_text_not_read_past_end(void **state)
{
	(void)state;
	assert_int_equal(parse_exact("[s]\na = 1"), 0);
	assert_string_equal(set("s", "a"), "1");
	assert_int_equal(parse_exact("[s]\na ="), 0);
	assert_int_equal(parse_exact("[s]\na =\n  x"), 0);
	assert_int_equal(parse_exact("[s]\n=>"), 0);
	assert_int_equal(parse_exact("[s]"), 0);
	assert_int_equal(parse_exact("[s] #"), 0);
	assert_int_equal(parse_exact("[s:posix]"), 0);
	assert_int_equal(parse_exact("x"), -1);
	assert_int_equal(parse_exact("\xc3"), -1);
}

/* The last line of a text, bad and unterminated, is reported without
 * looking past it (cfg_parse.c: strchr on the line in parse_line). */
static void test_unterminated_bad_last_line(void **state)
{
	(void)state;
	assert_int_equal(parse_exact("[s]\ngarbage"), -1);
	assert_int_equal(parse_exact("[s]\na +"), -1);
	assert_int_equal(parse_exact("[s]\n[a"), -1);
	assert_int_equal(parse_exact("[s]\n[a:]x"), -1);
}

/* A header cut after its colon at the end of the text (cfg_parse.c:
 * match_header reads line[len]). */
static void test_unterminated_header_ending_in_colon(void **state)
{
	(void)state;
	assert_int_equal(parse_exact("[s]\n[a:"), -1);
}

static void test_invalid_utf8_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\na = \xff\n"), -1);
	assert_int_equal(parse("[s]\na = \xc3\n"), -1);          /* truncated */
	assert_int_equal(parse("[s]\na = \xc0\xaf\n"), -1);      /* overlong */
	assert_int_equal(parse("[s]\na = \xed\xa0\x80\n"), -1);  /* surrogate */
	assert_int_equal(parse("[s]\na = \xf4\x90\x80\x80\n"), -1); /* > U+10FFFF */
	assert_int_equal(parse("[s]\na = \x80\n"), -1);          /* lone continuation */
	assert_int_equal(parse("[s]\na = \xe2\x82\n"), -1);      /* truncated at EOL */
	/* Valid multibyte text is fine. */
	assert_int_equal(parse("[s]\na = \xe2\x82\xac \xf0\x9f\x98\x80\n"), 0);
	assert_string_equal(set("s", "a"), "\xe2\x82\xac \xf0\x9f\x98\x80");
}

/* Lead bytes F5-FF never start UTF-8 (RFC 3629); Python refuses them. */
static void test_invalid_utf8_lead_bytes_f5_ff(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\na = \xf8\x88\x80\n"), -1);
	assert_int_equal(parse("[s]\na = \xf5\x80\x80\n"), -1);
	assert_int_equal(parse("[s]\na = \xff\x80\x80\n"), -1);
}

static void test_nul_byte_rejected(void **state)
{
	(void)state;
	static const char text[] = "[s]\na = x\0y\n";
	assert_int_equal(parse_n(text, sizeof(text) - 1), -1);
	static const char text2[] = "[s]\n\0\n";
	assert_int_equal(parse_n(text2, sizeof(text2) - 1), -1);
}

/* Lines are scanned eight bytes at a time: a bad byte, a NUL, a line end
 * and a good multibyte character are each found at every offset of a
 * long line, in every lane and in the tail. */
static void test_bytes_found_at_every_offset(void **state)
{
	(void)state;
	char text[128];
	for (size_t at = 0; at < 40; at++) {
		struct {
			const char *bytes;
			size_t n;
			int rc;
			const char *value; /* what a reads as, when it parses */
		} cases[] = {
			{"\xff", 1, -1, NULL},
			{"\x80", 1, -1, NULL},
			{"\0", 1, -1, NULL},
			{"\xc3", 1, -1, NULL},
			{"\xc3\xa9", 2, 0, "\xc3\xa9"},
			{"\n", 1, -1, NULL}, /* the rest of the line is no option line */
			{"\r", 1, -1, NULL},
		};
		for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
			size_t len = 0;
			memcpy(text, "[s]\na = ", 8);
			len = 8;
			memset(text + len, 'x', at);
			len += at;
			memcpy(text + len, cases[k].bytes, cases[k].n);
			len += cases[k].n;
			memcpy(text + len, "yy yyyyyyyyyyy\n", 15);
			len += 15;
			assert_int_equal(parse_n(text, len), cases[k].rc);
			if (cases[k].rc == 0) {
				char want[128];
				snprintf(want, sizeof(want), "%.*s%s%s", (int)at,
					 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", cases[k].value,
					 "yy yyyyyyyyyyy");
				assert_string_equal(set("s", "a"), want);
			}
		}
	}
}

/* Conditional sections */

static void test_false_condition_drops_section(void **state)
{
	(void)state;
	assert_int_equal(parse("[p]\n"
			       "a = 1\n"
			       "list =\n"
			       "    x\n"
			       "\n"
			       "[p:windows]\n"
			       "a = 2\n"
			       "list =\n"
			       "    windows-only\n"
			       "b = dropped\n"
			       "    continuation dropped too\n"
			       "c += no\n"
			       "=> nothing\n"
			       "\n"
			       "[p]\n"
			       "c = 3\n"
			       "\n"
			       "[gone:windows]\n"
			       "recipe = test:noop\n"),
			 0);
	assert_string_equal(set("p", "a"), "1");
	assert_string_equal(set("p", "list"), "x");
	assert_false(has_option("p", "b"));
	assert_string_equal(set("p", "c"), "3");
	assert_null(delta("p", "c")->add);
	assert_false(has_option("p", "<part-dependencies>"));
	assert_null(cfg_file_find(&file, "gone"));
	assert_int_equal(file.nsections, 1);
}

static void test_true_condition_keeps_section(void **state)
{
	(void)state;
	assert_int_equal(parse("[p:linux] # only on linux\n"
			       "a = 1\n"
			       "[p:linux and posix] ; comment\n"
			       "b = 2\n"
			       "[ p : posix ]\n"
			       "c = 3\n"
			       "[q:not windows]\n"
			       "d = 4\n"
			       "[r:]\n"
			       "e = 5\n"),
			 0);
	assert_string_equal(set("p", "a"), "1");
	assert_string_equal(set("p", "b"), "2");
	assert_string_equal(set("p", "c"), "3");
	assert_string_equal(set("q", "d"), "4");
	/* An empty condition is no condition. */
	assert_string_equal(set("r", "e"), "5");
}

static void test_condition_escapes(void **state)
{
	(void)state;
	/* # and ; are spelled \x23 and \x3b inside the expression. */
	assert_int_equal(parse("[p:'\\x23' in 'a\\x23b']\na = 1\n"
			       "[q:'\\x3b' != '\\x23' and not 'x' in '\\x3b']\nb = 2\n"), 0);
	assert_string_equal(set("p", "a"), "1");
	assert_string_equal(set("q", "b"), "2");
}

static void test_bad_condition_is_error(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n[p:nosuch]\n"), -1);
	assert_int_equal(parse("[s]\n[p: ]\n"), -1);
}

static void test_garbage_in_false_section_is_error(void **state)
{
	(void)state;
	assert_int_equal(parse("[s]\n[p:windows]\nnot an option\n"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_minimal, teardown),
		cmocka_unit_test_teardown(test_empty_file, teardown),
		cmocka_unit_test_teardown(test_column0_comments, teardown),
		cmocka_unit_test_teardown(test_comments_inside_multiline_values, teardown),
		cmocka_unit_test_teardown(test_indented_hash_is_data, teardown),
		cmocka_unit_test_teardown(test_no_inline_comments, teardown),
		cmocka_unit_test_teardown(test_equals_and_odd_values, teardown),
		cmocka_unit_test_teardown(test_names_are_case_sensitive, teardown),
		cmocka_unit_test_teardown(test_colon_option_is_error, teardown),
		cmocka_unit_test_teardown(test_bad_lines_are_errors, teardown),
		cmocka_unit_test_teardown(test_header_comments_and_padding, teardown),
		cmocka_unit_test_teardown(test_header_names, teardown),
		cmocka_unit_test_teardown(test_bad_headers, teardown),
		cmocka_unit_test_teardown(test_content_before_header_is_error, teardown),
		cmocka_unit_test_teardown(test_repeated_sections_merge, teardown),
		cmocka_unit_test_teardown(test_last_assignment_wins, teardown),
		cmocka_unit_test_teardown(test_continuation_data_on_first_line, teardown),
		cmocka_unit_test_teardown(test_continuation_block_mode, teardown),
		cmocka_unit_test_teardown(test_continuation_block_mode_trailing_spaces, teardown),
		cmocka_unit_test_teardown(test_continuation_at_end_of_file, teardown),
		cmocka_unit_test_teardown(test_tabs, teardown),
		cmocka_unit_test_teardown(test_part_dependencies_arrow, teardown),
		cmocka_unit_test_teardown(test_macro_option, teardown),
		cmocka_unit_test_teardown(test_add_and_remove, teardown),
		cmocka_unit_test_teardown(test_add_multiline, teardown),
		cmocka_unit_test_teardown(test_repeated_add_accumulates, teardown),
		cmocka_unit_test_teardown(test_later_set_resets_add_and_remove, teardown),
		cmocka_unit_test_teardown(test_crlf_line_endings, teardown),
		cmocka_unit_test_teardown(test_lone_cr_line_endings, teardown),
		cmocka_unit_test_teardown(test_text_need_not_be_nul_terminated, teardown),
		cmocka_unit_test_teardown(test_unterminated_text_not_read_past_end, teardown),
		cmocka_unit_test_teardown(test_invalid_utf8_rejected, teardown),
		cmocka_unit_test_teardown(test_nul_byte_rejected, teardown),
		cmocka_unit_test_teardown(test_false_condition_drops_section, teardown),
		cmocka_unit_test_teardown(test_true_condition_keeps_section, teardown),
		cmocka_unit_test_teardown(test_condition_escapes, teardown),
		cmocka_unit_test_teardown(test_bad_condition_is_error, teardown),
		cmocka_unit_test_teardown(test_garbage_in_false_section_is_error, teardown),
		/* These fail until the bugs they name are fixed; last, because an
		 * ASan build stops at the first bad read. */
		cmocka_unit_test_teardown(test_invalid_utf8_lead_bytes_f5_ff, teardown),
		cmocka_unit_test_teardown(test_bytes_found_at_every_offset, teardown),
		cmocka_unit_test_teardown(test_unterminated_header_ending_in_colon, teardown),
		cmocka_unit_test_teardown(test_unterminated_bad_last_line, teardown),
	};
	return cmocka_run_group_tests_name("cfg_parse", tests, NULL, NULL);
}
