/*
 * Unit tests for src/pkgname: minibuild names and their versions.  The names
 * are minitage's own test cases (research/minitage.md §1) plus some that
 * were checked against minitage's regex with Python's re; the version order
 * is Gentoo's, as pkgname.h describes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/pkgname.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Names */

static void test_valid_names(void **state)
{
	(void)state;
	static const char *const names[] = {
		/* minitage's tests */
		"meta-toto", "test-toto", "toto", "test-1.0", "test-test-1.0", "test-1.0.3",
		"test-1.0_beta444", "test-1.0_py2.4", "test-1.0_py2.5",
		"test-1.0_beta444_pre20071024", "test-1.0_alpha44", "test-1.0_alpha44_pre20071024",
		"test-1.0_pre20071024", "test-1.0_branch10", "test-1.0_branchHEAD10",
		"test-1.0_tagHEAD10", "test-1.0_r1", "test-1.0_rHEAD", "test-1.0_rTIP",
		/* checked against the regex */
		"python-2.7", "openssl-0.9.7m", "mapnik-0.6.0-r847", "postgresql-8.2.4_py2.5",
		"a", "7", "a.b", "a_p", "a_rc", "a_p-1", "a-1.0_p1-2.3_rc", "a-1_p-2ab.3",
		"a_tag1._r7", "A_branchZ..9", "a_r007", "x_py2.4_py2.5",
	};
	for (size_t i = 0; i < LEN(names); i++) {
		if (!pkgname_valid(names[i]))
			fail_msg("rejected valid name '%s'", names[i]);
	}
}

static void test_invalid_names(void **state)
{
	(void)state;
	static const char *const names[] = {
		/* minitage's tests */
		"test-", "test-1.0_prout4", "test-1.0_py3k", "test_prout4-1.0", "test-test-",
		"meta-meta-", "test-1.0_brancha10", "test-1.0_branch.10", "test-1.0_rnot",
		"meta-", "notvalidforminitage-",
		/* checked against the regex */
		"test-1.0_py2.7", "a_b", "", "-a", ".a", "a..b", "a-.b", "a_", "a__p", "a_p_",
		"a_p-", "a_p-x", "a_p-1a2", "a_p-1.", "a_p-1.a", "a_r", "a_rc_r", "a_tag",
		"a_tagA-", "a_py2.4.1", "a_py", "a b", "a/b", "é",
		/* re.match takes it, as '$' matches before a final newline; a full
		 * match does not */
		"a-1\n",
	};
	for (size_t i = 0; i < LEN(names); i++) {
		if (pkgname_valid(names[i]))
			fail_msg("accepted invalid name '%s'", names[i]);
	}
}

/* "a", then n times "-1", then end (which may be NULL); the caller frees it. */
static char *repeat_name(size_t n, const char *end)
{
	size_t elen = end ? strlen(end) : 0;
	char *s = malloc(1 + 2 * n + elen + 1);
	assert_non_null(s);
	s[0] = 'a';
	for (size_t i = 0; i < n; i++)
		memcpy(s + 1 + 2 * i, "-1", 2);
	memcpy(s + 1 + 2 * n, end ? end : "", elen + 1);
	return s;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* minitage's regex takes about 5 s to reject this one. */
static void test_no_backtracking(void **state)
{
	(void)state;
	char *name = repeat_name(22, "_");
	assert_int_equal(strlen(name), 46);
	enum { CALLS = 100 };
	int accepted = 0;
	double t = seconds();
	for (int i = 0; i < CALLS; i++)
		accepted += pkgname_valid(name);
	double per_call = (seconds() - t) / CALLS;
	assert_int_equal(accepted, 0);
	print_message("22 x \"-1\" then \"_\": rejected in %.0f ns\n", per_call * 1e9);
	assert_true(per_call < 1e-3);
	free(name);
}

static void test_long_names_are_linear(void **state)
{
	(void)state;
	char *bad = repeat_name(100000, "_");
	char *good = repeat_name(100000, "_p");
	double t = seconds();
	assert_false(pkgname_valid(bad));
	assert_true(pkgname_valid(good));
	assert_true(seconds() - t < 0.05);
	free(bad);
	free(good);
}

/* Splitting */

static void test_split(void **state)
{
	(void)state;
	static const struct {
		const char *name, *version;
		size_t base_len;
	} cases[] = {
		{"openssl-0.9.7m", "0.9.7m", 7},
		{"test-test-1.0", "1.0", 9},
		{"mapnik-0.6.0-r847", "0.6.0-r847", 6},
		{"gcc-4.8-runtime-1.0", "1.0", 15},
		{"zlib", NULL, 4},
		{"meta-toto", NULL, 9},
		{"python-2.7", "2.7", 6},
		{"test-1.0_beta444_pre20071024", "1.0_beta444_pre20071024", 4},
		{"postgresql-8.2.4_py2.5", "8.2.4_py2.5", 10},
		{"a-1-1", "1", 3},
		{"a-1a2", NULL, 5},
		{"a-1.0_prout", NULL, 11},
		{"", NULL, 0},
	};
	for (size_t i = 0; i < LEN(cases); i++) {
		size_t base_len = 12345;
		const char *v = pkgname_split(cases[i].name, &base_len);
		if (!cases[i].version) {
			if (v)
				fail_msg("'%s': version '%s', expected none", cases[i].name, v);
		} else {
			if (!v)
				fail_msg("'%s': no version, expected '%s'", cases[i].name,
					 cases[i].version);
			assert_string_equal(v, cases[i].version);
			/* A pointer into the name, not a copy. */
			assert_ptr_equal(v, cases[i].name + cases[i].base_len + 1);
		}
		if (base_len != cases[i].base_len)
			fail_msg("'%s': base_len %zu, expected %zu", cases[i].name, base_len,
				 cases[i].base_len);
	}
}

static void test_split_long(void **state)
{
	(void)state;
	char *name = repeat_name(100000, NULL);
	size_t base_len = 0;
	const char *v = pkgname_split(name, &base_len);
	assert_non_null(v);
	assert_string_equal(v, "1");
	assert_int_equal(base_len, strlen(name) - 2);
	free(name);
}

/* Versions */

static void test_version_valid(void **state)
{
	(void)state;
	static const char *const versions[] = {
		"1", "0", "1.0", "0.9.7m", "1.0.3", "20071024", "007.08",
		"1.0_beta444_pre20071024", "1.0_p", "1.0_pre1_p2", "1.0_p2_alpha",
		"1.0_alpha_beta_pre_rc_p", "1.0_py2.4", "1.0_py3.10", "1.0_tagHEAD10",
		"1.0_branch1.X", "1.0_rHEAD", "1.0_rTIP", "1.0_r0", "0.6.0-r847",
		"1.0_alpha_py2.5_tagA_r3", "1.0_py2.4_tagA_branchB", "1.0a_rc1-r2",
	};
	for (size_t i = 0; i < LEN(versions); i++) {
		if (!pkgname_version_valid(versions[i]))
			fail_msg("rejected version '%s'", versions[i]);
	}
}

static void test_version_invalid(void **state)
{
	(void)state;
	static const char *const versions[] = {
		"", "a", "1.", ".1", "1..0", "-1.0", "1.0ab", "1.0A", "1.0a2", "1.0-", "1.0_",
		"1.0__p", "1.0_r", "1.0_rnot", "1.0_prout4", "1.0_py", "1.0_py2", "1.0_py2.",
		"1.0_py3k", "1.0_tag", "1.0_taga", "1.0_brancha10", "1.0_branch.10",
		"1.0_r1_r2", "1.0_r1_beta", "1.0_r1_py2.4", "1.0_py2.4_beta", "1.0-r1-r2",
		"1.0-r", "1.0-rHEAD", "1.0-1", "1.0-beta", "4.8-runtime-1.0", "1.0 ",
		"1.0_p1 ", "1.0_rc1x",
	};
	for (size_t i = 0; i < LEN(versions); i++) {
		if (pkgname_version_valid(versions[i]))
			fail_msg("accepted version '%s'", versions[i]);
	}
}

/* Every pair of a strictly increasing list, both ways, and each with itself. */
static void check_increasing(const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (pkgname_version_cmp(v[i], v[i]) != 0)
			fail_msg("'%s' != itself", v[i]);
		for (size_t j = i + 1; j < n; j++) {
			if (pkgname_version_cmp(v[i], v[j]) >= 0)
				fail_msg("not '%s' < '%s'", v[i], v[j]);
			if (pkgname_version_cmp(v[j], v[i]) <= 0)
				fail_msg("not '%s' > '%s'", v[j], v[i]);
		}
	}
}

static void test_version_order_release(void **state)
{
	(void)state;
	static const char *const v[] = {
		"1.0_alpha", "1.0_alpha2", "1.0_beta", "1.0_pre", "1.0_rc1", "1.0",
		"1.0_p1", "1.0a", "1.0.1", "1.9", "1.10",
	};
	check_increasing(v, LEN(v));
}

static void test_version_order_letter(void **state)
{
	(void)state;
	static const char *const v[] = {"0.9.7", "0.9.7a", "0.9.7m", "0.9.8"};
	check_increasing(v, LEN(v));
}

static void test_version_order_revision(void **state)
{
	(void)state;
	static const char *const v[] = {"1.0", "1.0_r1", "1.0_r2", "1.0_r10", "1.0_rHEAD"};
	check_increasing(v, LEN(v));
}

static void test_version_order_numbers(void **state)
{
	(void)state;
	static const char *const v[] = {
		"0", "0.0", "0.0.0", "0.1", "0.9", "0.10", "0.99", "0.100", "1", "1.0",
		"1.0.0", "1.0.0.0", "2", "10", "18446744073709551615", "18446744073709551616",
		"99999999999999999999999999", "100000000000000000000000000",
		"100000000000000000000000000.1",
	};
	check_increasing(v, LEN(v));
}

/* Suffixes pair up in order; an extra one is compared with "none". */
static void test_version_order_suffixes(void **state)
{
	(void)state;
	static const char *const v[] = {
		"1.0_alpha44_pre20071024", "1.0_alpha44", "1.0_beta9", "1.0_beta444_pre20071024",
		"1.0_beta444_pre20071025", "1.0_beta444", "1.0_beta444_p", "1.0_beta444_p1",
		"1.0_pre2_alpha", "1.0_pre2", "1.0_pre10", "1.0_rc", "1.0_rc2_pre1", "1.0_rc2",
		"1.0", "1.0_p1_alpha", "1.0_p1", "1.0_p1_p1", "1.0_p2",
	};
	check_increasing(v, LEN(v));
}

/* Labels come after the suffixes and before the revision. */
static void test_version_order_labels(void **state)
{
	(void)state;
	static const char *const v[] = {
		"1.0_rc1_py2.5_r9", "1.0", "1.0_r1", "1.0_rHEAD", "1.0_branchA", "1.0_branchB",
		"1.0_py2.4", "1.0_py2.4_r3", "1.0_py2.4_tagA", "1.0_py2.5", "1.0_py2.50",
		"1.0_tagA", "1.0_tagA.1", "1.0_tagB", "1.0_p1",
	};
	check_increasing(v, LEN(v));
}

static void test_version_equal(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
		{"1.0_rHEAD", "1.0_rTIP"}, {"0.6.0-r847", "0.6.0_r847"}, {"1.0", "1.0_r0"},
		{"1.0", "1.0-r000"}, {"1.0_alpha", "1.0_alpha0"}, {"1.0_p", "1.0_p00"},
		{"01.002", "1.2"}, {"1.0_r007", "1.0_r7"},
		{"1.000000000000000000000000000001", "1.1"},
	};
	for (size_t i = 0; i < LEN(pairs); i++) {
		if (pkgname_version_cmp(pairs[i][0], pairs[i][1]) != 0 ||
		    pkgname_version_cmp(pairs[i][1], pairs[i][0]) != 0)
			fail_msg("'%s' != '%s'", pairs[i][0], pairs[i][1]);
	}
}

/* The whole order at once, non-versions (by strcmp) before versions. */
static const char *const all_sorted[] = {
	"", "1.0-", "1.0_prout4", "a", "b",
	"0", "0.9.7", "0.9.7a", "0.9.7m", "0.9.8", "1.0_alpha", "1.0_alpha2",
	"1.0_beta", "1.0_beta444_pre20071024", "1.0_beta444", "1.0_pre", "1.0_rc1",
	"1.0", "1.0_r1", "1.0_r2", "1.0_r10", "1.0_rHEAD", "1.0_py2.4", "1.0_py2.5",
	"1.0_tagA", "1.0_p1", "1.0a", "1.0.1", "1.9", "1.10", "20071024",
	"123456789012345678901234567890",
};

static void test_version_order_all(void **state)
{
	(void)state;
	check_increasing(all_sorted, LEN(all_sorted));
}

static int qsort_cmp(const void *a, const void *b)
{
	return pkgname_version_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* Shuffled, the order is antisymmetric and sorting restores it. */
static void test_version_antisymmetric_shuffled(void **state)
{
	(void)state;
	enum { N = LEN(all_sorted) };
	const char *v[N];
	unsigned long seed = 12345;
	for (int round = 0; round < 50; round++) {
		memcpy(v, all_sorted, sizeof v);
		for (size_t i = N - 1; i > 0; i--) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			size_t j = (size_t)(seed >> 33) % (i + 1);
			const char *tmp = v[i];
			v[i] = v[j];
			v[j] = tmp;
		}
		for (size_t i = 0; i < N; i++)
			for (size_t j = 0; j < N; j++) {
				int ab = sign(pkgname_version_cmp(v[i], v[j]));
				int ba = sign(pkgname_version_cmp(v[j], v[i]));
				if (ab != -ba || (ab == 0) != (i == j))
					fail_msg("'%s' vs '%s': %d and %d", v[i], v[j], ab, ba);
			}
		qsort(v, N, sizeof v[0], qsort_cmp);
		for (size_t i = 0; i < N; i++)
			assert_string_equal(v[i], all_sorted[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_names),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_no_backtracking),
		cmocka_unit_test(test_long_names_are_linear),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_long),
		cmocka_unit_test(test_version_valid),
		cmocka_unit_test(test_version_invalid),
		cmocka_unit_test(test_version_order_release),
		cmocka_unit_test(test_version_order_letter),
		cmocka_unit_test(test_version_order_revision),
		cmocka_unit_test(test_version_order_numbers),
		cmocka_unit_test(test_version_order_suffixes),
		cmocka_unit_test(test_version_order_labels),
		cmocka_unit_test(test_version_equal),
		cmocka_unit_test(test_version_order_all),
		cmocka_unit_test(test_version_antisymmetric_shuffled),
	};
	return cmocka_run_group_tests_name("pkgname", tests, NULL, NULL);
}
