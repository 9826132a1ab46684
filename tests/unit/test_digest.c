/*
 * Unit tests for lib/digest: the examples of FIPS 180 and RFC 1321, the
 * lengths at which the padding needs one block or two, updates cut at any
 * point, and digest_file against coreutils' sha256sum and md5sum.  The
 * expected values that are not the specifications' come from Python's
 * hashlib.  The whole group runs twice: on the SHA extensions where the
 * CPU has them, then on the portable C.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/digest.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHA256_HEX (2 * DIGEST_SHA256_SIZE + 1)
#define MD5_HEX (2 * DIGEST_MD5_SIZE + 1)

/* The digests of data given in two updates, cut at cut. */
static void hex_of(const void *data, size_t len, size_t cut, char sha256[SHA256_HEX], char md5[MD5_HEX])
{
	const unsigned char *p = data;
	struct digest_sha256 s;
	struct digest_md5 m;
	unsigned char bytes[DIGEST_SHA256_SIZE];
	digest_sha256_init(&s);
	digest_sha256_update(&s, p, cut);
	digest_sha256_update(&s, p + cut, len - cut);
	digest_sha256_final(&s, bytes);
	digest_hex(bytes, DIGEST_SHA256_SIZE, sha256);
	digest_md5_init(&m);
	digest_md5_update(&m, p, cut);
	digest_md5_update(&m, p + cut, len - cut);
	digest_md5_final(&m, bytes);
	digest_hex(bytes, DIGEST_MD5_SIZE, md5);
}

static void assert_sha256(const char *text, const char *expected)
{
	char sha256[SHA256_HEX], md5[MD5_HEX];
	hex_of(text, strlen(text), 0, sha256, md5);
	assert_string_equal(sha256, expected);
}

static void assert_md5(const char *text, const char *expected)
{
	char sha256[SHA256_HEX], md5[MD5_HEX];
	hex_of(text, strlen(text), 0, sha256, md5);
	assert_string_equal(md5, expected);
}

/* FIPS 180-2, appendix B: one block, two blocks, a million 'a'. */
static void test_sha256_fips_examples(void **state)
{
	(void)state;
	assert_sha256("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* In pieces of 1000, as a download comes, and not of 64. */
	char a[1000];
	memset(a, 'a', sizeof(a));
	struct digest_sha256 d;
	digest_sha256_init(&d);
	for (int i = 0; i < 1000; i++)
		digest_sha256_update(&d, a, sizeof(a));
	unsigned char bytes[DIGEST_SHA256_SIZE];
	char hex[SHA256_HEX];
	digest_sha256_final(&d, bytes);
	digest_hex(bytes, sizeof(bytes), hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* RFC 1321, appendix A.5. */
static void test_md5_rfc_suite(void **state)
{
	(void)state;
	assert_md5("", "d41d8cd98f00b204e9800998ecf8427e");
	assert_md5("a", "0cc175b9c0f1b6a831c399e269772661");
	assert_md5("abc", "900150983cd24fb0d6963f7d28e17f72");
	assert_md5("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
	assert_md5("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
	assert_md5("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		   "d174ab98d277d9f5a5611c2c9f419d9f");
	assert_md5("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		   "57edf4a22be3c955ac49da2e2107b67a");
}

/* The bytes 0, 1, 2, ... */
static void counting_bytes(unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)i;
}

/* Up to 55 bytes the length fits in the last block; from 56 to 63 it takes
 * a block of its own; at 64 the padding starts a new block. */
static void test_padding_boundaries(void **state)
{
	(void)state;
	static const struct {
		size_t len;
		const char *sha256, *md5;
	} cases[] = {
		{0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		 "d41d8cd98f00b204e9800998ecf8427e"},
		{55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59",
		 "6912ee65fff2d9f9ce2508cddf8bcda0"},
		{56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562",
		 "51fdd1acda72405dfdfa03fcb85896d7"},
		{63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488",
		 "48a6295221902e8e0938f773a7185e72"},
		{64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108",
		 "b2d3f56bc197fd985d5965079b5e7148"},
		{65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781",
		 "8bd7053801c768420faf816fadba971c"},
		{119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6",
		 "1c772251899a7ff007400b888d6b2042"},
		{120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c",
		 "b7ba1efc6022e9ed272f00b8831e26e6"},
		{128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5",
		 "37eff01866ba3f538421b30b7cbefcac"},
		{200, "1901da1c9f699b48f6b2636e65cbf73abf99d0441ef67f5c540a42f7051dec6f",
		 "fb7001d34b8e82c9b579be5005d5b0a5"},
	};
	unsigned char msg[200];
	counting_bytes(msg, sizeof(msg));
	char sha256[SHA256_HEX], md5[MD5_HEX];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hex_of(msg, cases[i].len, cases[i].len, sha256, md5);
		assert_string_equal(sha256, cases[i].sha256);
		assert_string_equal(md5, cases[i].md5);
	}
}

static void test_split_updates(void **state)
{
	(void)state;
	unsigned char msg[200];
	counting_bytes(msg, sizeof(msg));
	char sha256_whole[SHA256_HEX], md5_whole[MD5_HEX], sha256[SHA256_HEX], md5[MD5_HEX];
	hex_of(msg, sizeof(msg), 0, sha256_whole, md5_whole);
	for (size_t cut = 1; cut <= sizeof(msg); cut++) {
		hex_of(msg, sizeof(msg), cut, sha256, md5);
		assert_string_equal(sha256, sha256_whole);
		assert_string_equal(md5, md5_whole);
	}
	/* A byte at a time, which stays buffered but one time in 64, with an
	 * update of nothing from nowhere in between. */
	struct digest_sha256 s;
	struct digest_md5 m;
	digest_sha256_init(&s);
	digest_md5_init(&m);
	for (size_t i = 0; i < sizeof(msg); i++) {
		digest_sha256_update(&s, msg + i, 1);
		digest_sha256_update(&s, NULL, 0);
		digest_md5_update(&m, msg + i, 1);
		digest_md5_update(&m, NULL, 0);
	}
	unsigned char bytes[DIGEST_SHA256_SIZE];
	digest_sha256_final(&s, bytes);
	digest_hex(bytes, DIGEST_SHA256_SIZE, sha256);
	assert_string_equal(sha256, sha256_whole);
	digest_md5_final(&m, bytes);
	digest_hex(bytes, DIGEST_MD5_SIZE, md5);
	assert_string_equal(md5, md5_whole);
}

static void test_hex(void **state)
{
	(void)state;
	static const unsigned char bytes[] = {0x00, 0x09, 0x0a, 0x7f, 0x80, 0xff};
	char hex[2 * sizeof(bytes) + 1];
	digest_hex(bytes, sizeof(bytes), hex);
	assert_string_equal(hex, "00090a7f80ff");
	digest_hex(bytes, 0, hex);
	assert_string_equal(hex, "");
}

/* digest_file */

/* Writes len bytes of a fixed pseudo-random sequence to path. */
static void write_noise(const char *path, size_t len)
{
	unsigned char *buf = malloc(len + 1);
	assert_non_null(buf);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	free(buf);
}

/* The digest that tool (sha256sum, md5sum) prints for path. */
static void tool_hex(const char *tool, const char *path, char out[SHA256_HEX])
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "%s '%s'", tool, path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%64[0-9a-f]", out), 1);
	assert_int_equal(pclose(p), 0);
}

/* The tests' directory, made once for all of them. */
static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	return testutil_mkdtemp(dir, sizeof(dir), "test_digest");
}

static int remove_dir(void **state)
{
	(void)state;
	return testutil_remove_tree(dir);
}

static void test_file_matches_coreutils(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 1048583};
	char path[96];
	snprintf(path, sizeof(path), "%s/f", dir);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		write_noise(path, sizes[i]);
		char sha256[SHA256_HEX], md5[MD5_HEX], want_sha256[SHA256_HEX], want_md5[SHA256_HEX];
		tool_hex("sha256sum", path, want_sha256);
		tool_hex("md5sum", path, want_md5);
		int err = 0;
		assert_int_equal(digest_file(path, sha256, md5, &err), 0);
		assert_string_equal(sha256, want_sha256);
		assert_string_equal(md5, want_md5);
		/* Either alone gives the same (into a buffer emptied first). */
		sha256[0] = md5[0] = '\0';
		assert_int_equal(digest_file(path, sha256, NULL, &err), 0);
		assert_string_equal(sha256, want_sha256);
		assert_int_equal(digest_file(path, NULL, md5, &err), 0);
		assert_string_equal(md5, want_md5);
	}
}

static void test_file_errors(void **state)
{
	(void)state;
	char path[96], sha256[SHA256_HEX], md5[MD5_HEX];
	snprintf(path, sizeof(path), "%s/missing", dir);
	int err = 0;
	assert_int_equal(digest_file(path, sha256, md5, &err), -1);
	assert_int_equal(err, ENOENT);
	/* A directory opens; its first read fails. */
	err = 0;
	assert_int_equal(digest_file(dir, sha256, md5, &err), -1);
	assert_int_equal(err, EISDIR);
}

static void test_engine_follows_the_cpu(void **state)
{
	(void)state;
	digest_sha256_portable(false);
#if defined(__x86_64__) && defined(__GNUC__)
	/* /proc/cpuinfo's flags, as the kernel read them. */
	FILE *f = fopen("/proc/cpuinfo", "r");
	assert_non_null(f);
	char line[4096];
	bool has = false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			has = strstr(line, " sha_ni") && strstr(line, " sse4_1") && strstr(line, " ssse3");
			break;
		}
	fclose(f);
	assert_string_equal(digest_sha256_engine(), has ? "sha-ni" : "portable");
#endif
	digest_sha256_portable(true);
	assert_string_equal(digest_sha256_engine(), "portable");
}

static int portable_setup(void **state)
{
	digest_sha256_portable(true);
	return make_dir(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_fips_examples),
		cmocka_unit_test(test_md5_rfc_suite),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_split_updates),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_file_matches_coreutils),
		cmocka_unit_test(test_file_errors),
	};
	const struct CMUnitTest engine[] = {cmocka_unit_test(test_engine_follows_the_cpu)};
	int failed = cmocka_run_group_tests_name("digest engine", engine, NULL, NULL);
	digest_sha256_portable(false);
	char name[64];
	snprintf(name, sizeof(name), "digest (sha256 %s)", digest_sha256_engine());
	failed += _cmocka_run_group_tests(name, tests, sizeof(tests) / sizeof(tests[0]), make_dir,
					  remove_dir);
	failed += _cmocka_run_group_tests("digest (sha256 portable)", tests,
					  sizeof(tests) / sizeof(tests[0]), portable_setup,
					  remove_dir);
	return failed;
}
