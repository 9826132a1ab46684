/*
 * Unit tests for the evaluation side of the cfg module: the conditions of
 * section headers (src/cfg_cond) and, through the public API of src/cfg.h,
 * the merge of extended files and the initialization of sections (+=, -=,
 * ${} substitution, macros, laziness).  Each config test writes its files
 * into a fresh temporary directory.  The expected values are what
 * zc.buildout computes for the same files (tests/oracle/buildout_oracle.py),
 * except where cfg_parse.h says minimerge follows buildout >= 3.1.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/arena.h"
#include "../../src/cfg.h"
#include "../../src/cfg_cond.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Conditions */

/* The result of expr, failing the test if it cannot be evaluated. */
static bool cond(const char *expr)
{
	char err[256] = "";
	bool result = false;
	if (cfg_cond_eval(expr, &result, err, sizeof(err)) < 0)
		fail_msg("cfg_cond_eval(\"%s\") failed: %s", expr, err);
	return result;
}

/* True if expr is an error; the message must say something. */
static bool cond_fails(const char *expr)
{
	char err[256] = "";
	bool result = false;
	if (cfg_cond_eval(expr, &result, err, sizeof(err)) == 0)
		return false;
	if (!err[0])
		fail_msg("cfg_cond_eval(\"%s\") failed without a message", expr);
	return true;
}

static void test_cond_names(void **state)
{
	(void)state;
	assert_true(cond("python3"));
	assert_true(cond("cpython"));
	assert_true(cond("posix"));
	assert_false(cond("windows"));
	assert_false(cond("python2"));
	assert_false(cond("python27"));
	assert_false(cond("pypy"));
	assert_false(cond("jython"));
	assert_int_equal(cond("bits64"), sizeof(void *) == 8);
	assert_int_equal(cond("bits32"), sizeof(void *) == 4);
	assert_true(cond("little_endian or big_endian"));
	assert_false(cond("little_endian and big_endian"));
#ifdef __linux__
	assert_true(cond("linux"));
	assert_false(cond("macosx"));
	assert_true(cond("sys.platform == 'linux'"));
#endif
	assert_true(cond("os.name == 'posix'"));
	assert_true(cond("sys.byteorder == 'little' or sys.byteorder == 'big'"));
	assert_true(cond("True"));
	assert_false(cond("False"));
	assert_false(cond("None"));
	assert_true(cond("1"));
	assert_false(cond("0"));
	assert_true(cond("'x'"));
	assert_false(cond("''"));
}

static void test_cond_not_and_or(void **state)
{
	(void)state;
	assert_true(cond("not windows"));
	assert_false(cond("not posix"));
	assert_true(cond("not not posix"));
	assert_true(cond("posix and python3"));
	assert_false(cond("posix and windows"));
	assert_true(cond("windows or posix"));
	assert_false(cond("windows or python2"));
	/* not binds tighter than and, and than or. */
	assert_true(cond("not windows and posix"));
	assert_true(cond("windows and python2 or posix"));
	assert_true(cond("posix or windows and python2"));
	assert_false(cond("not posix or windows"));
	/* and/or give one of their operands, as in Python. */
	assert_true(cond("posix and 'x'"));
	assert_false(cond("'' or 0"));
	assert_true(cond("0 or 'y'"));
}

static void test_cond_parentheses(void **state)
{
	(void)state;
	assert_true(cond("(posix)"));
	assert_false(cond("(windows or python2) and posix"));
	assert_true(cond("windows or (python2 or posix)"));
	assert_true(cond("not (windows and posix)"));
	assert_true(cond("((((posix))))"));
	assert_true(cond("  ( posix )  "));
}

static void test_cond_comparisons(void **state)
{
	(void)state;
	assert_true(cond("os.name == 'posix'"));
	assert_false(cond("os.name != 'posix'"));
	assert_true(cond("os.name != 'nt'"));
	assert_true(cond("1 < 2"));
	assert_false(cond("2 < 1"));
	assert_true(cond("2 <= 2"));
	assert_true(cond("3 > 2"));
	assert_true(cond("3 >= 3"));
	assert_true(cond("'a' < 'b'"));
	assert_true(cond("'ab' < 'b'"));
	assert_true(cond("'a' < 'ab'"));
	assert_true(cond("\"x\" == 'x'"));
	assert_true(cond("True == 1"));
	assert_true(cond("None is None"));
	assert_true(cond("None is not False"));
	assert_true(cond("'os' in 'posix'"));
	assert_false(cond("'nt' in 'posix'"));
	assert_true(cond("'nt' not in os.name"));
	assert_true(cond("'' in 'abc'"));
	assert_false(cond("not 'p' in os.name"));
}

static void test_cond_chained_comparisons(void **state)
{
	(void)state;
	assert_true(cond("1 < 2 < 3"));
	assert_false(cond("1 < 3 < 2"));
	assert_false(cond("3 < 1 < 2"));
	assert_true(cond("1 == 1 == True"));
	assert_true(cond("1 < 2 > 0"));
	assert_true(cond("'a' < 'b' < 'c' != 'd'"));
}

static void test_cond_short_circuit(void **state)
{
	(void)state;
	/* What and/or do not evaluate is parsed only: unknown names there are
	 * no error, as in Python. */
	assert_false(cond("windows and nosuch"));
	assert_true(cond("posix or nosuch"));
	assert_false(cond("windows and (nosuch or other.name == 'x')"));
	assert_true(cond("posix or not nosuch"));
	assert_true(cond("windows and nosuch or posix"));
	/* Evaluated, they are. */
	assert_true(cond_fails("nosuch"));
	assert_true(cond_fails("posix and nosuch"));
	assert_true(cond_fails("windows or nosuch"));
	assert_true(cond_fails("not nosuch"));
	assert_true(cond_fails("nosuch == 1"));
}

/* A comparison chain stops at its first false link: Python never looks at
 * what follows it (eval("2 < 1 < nosuch") is False). */
static void test_cond_chain_short_circuit(void **state)
{
	(void)state;
	assert_false(cond("2 < 1 < nosuch"));
	assert_false(cond("windows == True == nosuch"));
	assert_true(cond_fails("1 < 2 < nosuch"));
}

static void test_cond_errors(void **state)
{
	(void)state;
	/* Calls, subscripts, and attributes other than the known ones. */
	assert_true(cond_fails("os.path.exists('x')"));
	assert_true(cond_fails("len('x')"));
	assert_true(cond_fails("sys.platform.startswith('linux')"));
	assert_true(cond_fails("sys.version"));
	assert_true(cond_fails("os.sep == '/'"));
	assert_true(cond_fails("platform.system() == 'Linux'"));
	assert_true(cond_fails("sys.platform[0] == 'l'"));
	assert_true(cond_fails("__import__('os')"));
	/* Unclosed strings and parentheses. */
	assert_true(cond_fails("'abc"));
	assert_true(cond_fails("sys.platform == 'linux"));
	assert_true(cond_fails("\"abc'"));
	assert_true(cond_fails("(posix"));
	assert_true(cond_fails("(posix and (windows)"));
	/* Trailing garbage. */
	assert_true(cond_fails("posix posix"));
	assert_true(cond_fails("posix )"));
	assert_true(cond_fails("posix and"));
	assert_true(cond_fails("posix =="));
	assert_true(cond_fails("posix = 1"));
	assert_true(cond_fails("1.5 > 1"));
	assert_true(cond_fails("posix;"));
	/* Nothing at all. */
	assert_true(cond_fails(""));
	assert_true(cond_fails("   "));
	/* Operations on values of the wrong kinds. */
	assert_true(cond_fails("1 in 'abc'"));
	assert_true(cond_fails("1 < 'a'"));
}

static void test_cond_error_message_truncated(void **state)
{
	(void)state;
	char err[8];
	memset(err, 'x', sizeof(err));
	bool result;
	assert_int_equal(cfg_cond_eval("nosuch_name_that_is_long", &result, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

/* Configs in a temporary directory */

struct tmp {
	char dir[64];
	char *files[16]; /* what write_cfg gave, freed at teardown */
	size_t nfiles;
	struct cfg cfg;
	bool loaded;
};

static int setup_tmp(void **state)
{
	struct tmp *t = xcalloc(1, sizeof(*t));
	if (testutil_mkdtemp(t->dir, sizeof(t->dir), "test_cfg_resolve") < 0) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	struct tmp *t = *state;
	if (t->loaded)
		cfg_free(&t->cfg);
	int rc = testutil_remove_tree(t->dir);
	for (size_t i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t);
	return rc;
}

/* Writes text to the file name in the test's directory; returns its path,
 * which lives as long as the test. */
static const char *write_cfg(struct tmp *t, const char *name, const char *text)
{
	assert_true(t->nfiles < sizeof(t->files) / sizeof(*t->files));
	size_t n = strlen(t->dir) + strlen(name) + 2;
	char *path = xmalloc(n);
	snprintf(path, n, "%s/%s", t->dir, name);
	testutil_write_file(path, text, 0644);
	t->files[t->nfiles++] = path;
	return path;
}

/* Loads the config at path as `buildout install` would start: 0 or -1. */
static int load(struct tmp *t, const char *path)
{
	assert_false(t->loaded);
	memset(&t->cfg, 0, sizeof(t->cfg));
	t->loaded = true;
	struct cfg_load_options o = {.config_file = path, .user_defaults = false, .history = true};
	if (cfg_load(&t->cfg, &o) < 0)
		return -1;
	if (cfg_init_buildout(&t->cfg) < 0)
		return -1;
	return cfg_init_parts(&t->cfg);
}

/* The resolved value of sec:opt, failing the test if there is none. */
static const char *get(struct tmp *t, const char *sec, const char *opt)
{
	struct cfg_section *s = cfg_section_get(&t->cfg, sec);
	if (!s)
		fail_msg("no section [%s]", sec);
	bool failed = false;
	const char *v = cfg_get(&t->cfg, s, opt, &failed);
	if (failed)
		fail_msg("${%s:%s} failed", sec, opt);
	if (!v)
		fail_msg("no option %s in [%s]", opt, sec);
	return v;
}

static bool has(struct tmp *t, const char *sec, const char *opt)
{
	struct cfg_section *s = cfg_section_get(&t->cfg, sec);
	bool failed = false;
	return s && cfg_get(&t->cfg, s, opt, &failed) != NULL;
}

static void test_load_minimal(void **state)
{
	struct tmp *t = *state;
	const char *path = write_cfg(t, "buildout.cfg", "[buildout]\nparts =\n");
	assert_int_equal(load(t, path), 0);
	assert_string_equal(get(t, "buildout", "directory"), t->dir);
	assert_string_equal(t->cfg.directory, t->dir);
	/* The defaults are there, the directories made absolute. */
	char want[128];
	snprintf(want, sizeof(want), "%s/bin", t->dir);
	assert_string_equal(get(t, "buildout", "bin-directory"), want);
	snprintf(want, sizeof(want), "%s/parts", t->dir);
	assert_string_equal(get(t, "buildout", "parts-directory"), want);
	assert_string_equal(get(t, "buildout", "log-level"), "INFO");
	assert_string_equal(get(t, "buildout", "versions"), "versions");
	assert_non_null(cfg_find_section(&t->cfg, "versions"));
	assert_null(cfg_find_section(&t->cfg, "nosuch"));
	/* A missing option is NULL without failure. */
	struct cfg_section *b = cfg_section_get(&t->cfg, "buildout");
	bool failed = false;
	assert_null(cfg_get(&t->cfg, b, "nosuch", &failed));
	assert_false(failed);
}

static void test_load_missing_file(void **state)
{
	struct tmp *t = *state;
	char path[128];
	snprintf(path, sizeof(path), "%s/nosuch.cfg", t->dir);
	assert_int_equal(load(t, path), -1);
}

static void test_extends_chain(void **state)
{
	struct tmp *t = *state;
	write_cfg(t, "base.cfg",
		  "[buildout]\nparts = p\n[p]\na = 1\nb = 1\nc = 1\n[only-base]\nx = y\n");
	write_cfg(t, "mid.cfg", "[buildout]\nextends = base.cfg\n[p]\nb = 2\nc = 2\n");
	const char *top = write_cfg(t, "buildout.cfg", "[buildout]\nextends = mid.cfg\n[p]\nc = 3\n");
	assert_int_equal(load(t, top), 0);
	assert_string_equal(get(t, "buildout", "parts"), "p");
	assert_string_equal(get(t, "p", "a"), "1");
	assert_string_equal(get(t, "p", "b"), "2");
	assert_string_equal(get(t, "p", "c"), "3");
	assert_string_equal(get(t, "only-base", "x"), "y");
	/* The history of p:c, newest first: top, mid, base. */
	struct cfg_option *c = cfg_find_option(cfg_find_section(&t->cfg, "p"), "c");
	assert_non_null(c);
	assert_non_null(c->history);
	assert_int_equal(c->history->op, CFG_OVERRIDE);
	assert_string_equal(c->history->value, "3");
	assert_string_equal(c->history->prev->value, "2");
	assert_string_equal(c->history->prev->prev->value, "1");
	assert_int_equal(c->history->prev->prev->op, CFG_SET);
	assert_null(c->history->prev->prev->prev);
}

static void test_extends_diamond(void **state)
{
	struct tmp *t = *state;
	write_cfg(t, "base.cfg", "[p]\nx = base\nl = base\nr = base\n");
	write_cfg(t, "left.cfg",
		  "[buildout]\nextends = base.cfg\n[p]\nx = left\nl = left\nonly-left = l\n");
	write_cfg(t, "right.cfg",
		  "[buildout]\nextends = base.cfg\n[p]\nx = right\nonly-right = r\n");
	const char *top =
		write_cfg(t, "buildout.cfg", "[buildout]\nextends = left.cfg\n  right.cfg\nparts = p\n");
	assert_int_equal(load(t, top), 0);
	/* right.cfg is base.cfg and right's changes: its copy of base's l
	 * overrides left's, as buildout merges. */
	assert_string_equal(get(t, "p", "x"), "right");
	assert_string_equal(get(t, "p", "l"), "base");
	assert_string_equal(get(t, "p", "r"), "base");
	assert_string_equal(get(t, "p", "only-left"), "l");
	assert_string_equal(get(t, "p", "only-right"), "r");
}

static void test_extends_cycle_fails(void **state)
{
	struct tmp *t = *state;
	write_cfg(t, "a.cfg", "[buildout]\nextends = buildout.cfg\n");
	const char *top = write_cfg(t, "buildout.cfg", "[buildout]\nextends = a.cfg\nparts =\n");
	assert_int_equal(load(t, top), -1);
}

static void test_add_remove_across_files(void **state)
{
	struct tmp *t = *state;
	write_cfg(t, "base.cfg", "[buildout]\nparts = p\n[p]\nl =\n  a\n  b\n  c\nm = x\n");
	write_cfg(t, "mid.cfg",
		  "[buildout]\nextends = base.cfg\nparts += q\n"
		  "[p]\nl += d\nl -= b\nm -= x\n[q]\nv = 1\n");
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nextends = mid.cfg\nparts -= p\n"
				    "[p]\nl += e\n  f\nl -= a\n");
	assert_int_equal(load(t, top), 0);
	assert_string_equal(get(t, "buildout", "parts"), "q");
	assert_string_equal(get(t, "p", "l"), "c\nd\ne\nf");
	assert_string_equal(get(t, "p", "m"), "");
	assert_string_equal(get(t, "q", "v"), "1");
	/* p is no part now, but it can still be asked for. */
	struct cfg_section *p = cfg_find_section(&t->cfg, "p");
	assert_non_null(p);
}

static void test_add_without_base_and_set_in_same_file(void **state)
{
	struct tmp *t = *state;
	write_cfg(t, "base.cfg", "[p]\nl = o\n");
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nextends = base.cfg\nparts = p\n"
				    "[p]\nl += c\nl += d\nn += new\nk = base\nk += more\n");
	assert_int_equal(load(t, top), 0);
	/* buildout >= 3.1.1: repeated += accumulate; += with nothing below
	 * starts from nothing (2.13.2 gives "\nnew"). */
	assert_string_equal(get(t, "p", "l"), "o\nc\nd");
	assert_string_equal(get(t, "p", "n"), "new");
	assert_string_equal(get(t, "p", "k"), "base\nmore");
}

static void test_substitution(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\nname = world\n"
				    "[p]\n"
				    "greet = hello ${buildout:name}\n"
				    "self = ${:greet}!\n"
				    "nested = ${q:deep}\n"
				    "price = $$5 and $${buildout:name}\n"
				    "sec = ${:_buildout_section_name_}\n"
				    "two = ${buildout:name}${buildout:name}\n"
				    "unclosed = ${buildout:name\n"
				    "dir = ${buildout:directory}\n"
				    "[q]\ndeep = <${q:leaf}>\nleaf = L\n");
	assert_int_equal(load(t, top), 0);
	assert_string_equal(get(t, "p", "greet"), "hello world");
	assert_string_equal(get(t, "p", "self"), "hello world!");
	assert_string_equal(get(t, "p", "nested"), "<L>");
	assert_string_equal(get(t, "q", "deep"), "<L>");
	/* $$ is kept, and protects the ${ after it. */
	assert_string_equal(get(t, "p", "price"), "$$5 and $${buildout:name}");
	assert_string_equal(get(t, "p", "sec"), "p");
	assert_string_equal(get(t, "p", "two"), "worldworld");
	assert_string_equal(get(t, "p", "unclosed"), "${buildout:name");
	assert_string_equal(get(t, "p", "dir"), t->dir);
	/* The raw value is kept beside the resolved one. */
	struct cfg_option *o = cfg_find_option(cfg_find_section(&t->cfg, "p"), "greet");
	assert_string_equal(o->value, "hello ${buildout:name}");
}

static void test_substitution_through_part_dependencies(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n"
				    "[p]\n=> dep\nv = 1\n"
				    "[dep]\nw = ${p:v}\n");
	assert_int_equal(load(t, top), 0);
	/* Initializing p initialized dep, which p names but never refers to. */
	struct cfg_section *dep = cfg_find_section(&t->cfg, "dep");
	assert_non_null(dep);
	assert_int_equal(dep->state, CFG_INITIALIZED);
	assert_string_equal(get(t, "dep", "w"), "1");
}

static void test_circular_reference_fails(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n"
				    "[p]\na = ${:b}\nb = ${q:c}\n[q]\nc = ${p:a}\n");
	assert_int_equal(load(t, top), -1);
}

static void test_self_reference_fails(void **state)
{
	struct tmp *t = *state;
	const char *top =
		write_cfg(t, "buildout.cfg", "[buildout]\nparts = p\n[p]\na = x${:a}\n");
	assert_int_equal(load(t, top), -1);
}

static void test_bad_references_fail(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n[p]\na = ${nosuch:x}\n");
	assert_int_equal(load(t, top), -1);
}

static void test_missing_option_fails(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n[p]\na = ${buildout:nosuch}\n");
	assert_int_equal(load(t, top), -1);
}

static void test_missing_part_fails(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg", "[buildout]\nparts = p nosuch\n[p]\n");
	assert_int_equal(load(t, top), -1);
}

static void test_lazy_substitution(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n"
				    "[p]\nv = ok\n"
				    "[unused]\nbad = ${nosuch:option}\nworse = ${p:nosuch}\n"
				    "cycle = ${:cycle}\n");
	assert_int_equal(load(t, top), 0);
	assert_string_equal(get(t, "p", "v"), "ok");
	struct cfg_section *u = cfg_find_section(&t->cfg, "unused");
	assert_non_null(u);
	assert_int_equal(u->state, CFG_RAW);
	/* Asked for, it fails. */
	assert_null(cfg_section_get(&t->cfg, "unused"));
}

static void test_macro(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n"
				    "[m]\nrecipe = r\nv = from-m\nw = ${:v}-w\nlist = a\n  b\n"
				    "[n]\nfrom-n = yes\nv = from-n\n"
				    "[p]\n<= m\n  n\nv = own\nlist += c\n");
	assert_int_equal(load(t, top), 0);
	assert_string_equal(get(t, "p", "recipe"), "r");
	assert_string_equal(get(t, "p", "v"), "own");
	/* ${:v} in the macro refers to the section that uses it. */
	assert_string_equal(get(t, "p", "w"), "own-w");
	assert_string_equal(get(t, "p", "from-n"), "yes");
	assert_string_equal(get(t, "p", "list"), "a\nb\nc");
	/* "<" has done its work. */
	assert_false(has(t, "p", "<"));
	/* The macro's own section is unchanged. */
	assert_string_equal(get(t, "m", "w"), "from-m-w");
}

/* by_name lists every option of section sec, in strcmp order. */
static void assert_by_name(struct tmp *t, const char *sec, const char *const *want, size_t n)
{
	struct cfg_section *s = cfg_section_get(&t->cfg, sec);
	assert_non_null(s);
	assert_int_equal(s->nexpanded, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(s->by_name[i]->name, want[i]);
}

static void test_set_keeps_options_sorted(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p q\n"
				    "[p]\nrecipe = r\nzz = 1\nbb = ${:zz}\n"
				    "[m]\nmm = 2\n"
				    "[q]\n<= m\nrecipe = r\n");
	assert_int_equal(load(t, top), 0);
	static const char *const p0[] = {"bb", "recipe", "zz"};
	assert_by_name(t, "p", p0, 3);
	/* Options set after initialization join in their places: first, in
	 * the middle, last; a section without macros and one with. */
	struct cfg_section *p = cfg_section_get(&t->cfg, "p");
	cfg_set(&t->cfg, p, "aa", "x");
	cfg_set(&t->cfg, p, "location", "y");
	cfg_set(&t->cfg, p, "zzz", "z");
	cfg_set(&t->cfg, p, "bb", "changed");
	static const char *const p1[] = {"aa", "bb", "location", "recipe", "zz", "zzz"};
	assert_by_name(t, "p", p1, 6);
	assert_string_equal(get(t, "p", "bb"), "changed");
	assert_string_equal(get(t, "p", "location"), "y");
	struct cfg_section *q = cfg_section_get(&t->cfg, "q");
	cfg_set(&t->cfg, q, "n", "1");
	static const char *const q1[] = {"mm", "n", "recipe"};
	assert_by_name(t, "q", q1, 3);
}

static void test_macro_loop_fails(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n[a]\n<= b\nx = 1\n[b]\n<= a\n[p]\n<= a\n");
	assert_int_equal(load(t, top), -1);
}

static void test_macro_self_loop_fails(void **state)
{
	struct tmp *t = *state;
	const char *top =
		write_cfg(t, "buildout.cfg", "[buildout]\nparts = p\n[p]\n<= p\nx = 1\n");
	assert_int_equal(load(t, top), -1);
}

static void test_macro_missing_fails(void **state)
{
	struct tmp *t = *state;
	const char *top =
		write_cfg(t, "buildout.cfg", "[buildout]\nparts = p\n[p]\n<= nosuch\n");
	assert_int_equal(load(t, top), -1);
}

static void test_conditional_section_in_config(void **state)
{
	struct tmp *t = *state;
	const char *top = write_cfg(t, "buildout.cfg",
				    "[buildout]\nparts = p\n"
				    "[p]\nv = any\n"
				    "[p:windows]\nv = windows\n"
				    "[p:posix and not windows]\nw = posix\n");
	assert_int_equal(load(t, top), 0);
	assert_string_equal(get(t, "p", "v"), "any");
	assert_string_equal(get(t, "p", "w"), "posix");
}

static void test_parse_error_in_extended_file_fails(void **state)
{
	struct tmp *t = *state;
	write_cfg(t, "base.cfg", "[p]\nname: v\n");
	const char *top =
		write_cfg(t, "buildout.cfg", "[buildout]\nextends = base.cfg\nparts =\n");
	assert_int_equal(load(t, top), -1);
}

static void test_bad_buildout_options_fail(void **state)
{
	struct tmp *t = *state;
	const char *top =
		write_cfg(t, "buildout.cfg", "[buildout]\nparts =\noffline = yes\n");
	assert_int_equal(load(t, top), -1);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, setup_tmp, teardown_tmp)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cond_names),
		cmocka_unit_test(test_cond_not_and_or),
		cmocka_unit_test(test_cond_parentheses),
		cmocka_unit_test(test_cond_comparisons),
		cmocka_unit_test(test_cond_chained_comparisons),
		cmocka_unit_test(test_cond_short_circuit),
		cmocka_unit_test(test_cond_errors),
		cmocka_unit_test(test_cond_error_message_truncated),
		TMP_TEST(test_load_minimal),
		TMP_TEST(test_load_missing_file),
		TMP_TEST(test_extends_chain),
		TMP_TEST(test_extends_diamond),
		TMP_TEST(test_extends_cycle_fails),
		TMP_TEST(test_add_remove_across_files),
		TMP_TEST(test_add_without_base_and_set_in_same_file),
		TMP_TEST(test_substitution),
		TMP_TEST(test_substitution_through_part_dependencies),
		TMP_TEST(test_circular_reference_fails),
		TMP_TEST(test_self_reference_fails),
		TMP_TEST(test_bad_references_fail),
		TMP_TEST(test_missing_option_fails),
		TMP_TEST(test_missing_part_fails),
		TMP_TEST(test_lazy_substitution),
		TMP_TEST(test_macro),
		TMP_TEST(test_set_keeps_options_sorted),
		TMP_TEST(test_macro_loop_fails),
		TMP_TEST(test_macro_self_loop_fails),
		TMP_TEST(test_macro_missing_fails),
		TMP_TEST(test_conditional_section_in_config),
		TMP_TEST(test_parse_error_in_extended_file_fails),
		TMP_TEST(test_bad_buildout_options_fail),
		/* Fails until a comparison chain stops at its first false link. */
		cmocka_unit_test(test_cond_chain_short_circuit),
	};
	return cmocka_run_group_tests_name("cfg_resolve", tests, NULL, NULL);
}
