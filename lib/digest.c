#include "digest.h"

#include "arena.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* digest_file's reads: few system calls, and still in the CPU's caches
 * while both digests go over them. */
#define FILE_BLOCK 65536

static uint32_t rotl(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static uint32_t rotr(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The low bytes bytes of x at p, in SHA's big-endian or MD5's
 * little-endian order. */
static void store(unsigned char *p, uint64_t x, int bytes, bool big_endian)
{
	for (int i = 0; i < bytes; i++)
		p[big_endian ? bytes - 1 - i : i] = (unsigned char)(x >> 8 * i);
}

/* Runs the compression function on n whole 64-byte blocks. */
typedef void compress_fn(uint32_t *h, const unsigned char *blocks, size_t n);

/* The bytes go straight from data to compress when they make whole blocks,
 * through in->buf only at the two ends: downloads are hashed as they are
 * read, in large pieces. */
static void blocks_add(struct digest_blocks *in, uint32_t *h, compress_fn *compress,
		       const unsigned char *data, size_t len)
{
	if (len == 0)
		return; /* data may be NULL */
	size_t have = in->len % 64;
	in->len += len;
	if (have) {
		size_t take = 64 - have < len ? 64 - have : len;
		memcpy(in->buf + have, data, take);
		if (have + take < 64)
			return;
		compress(h, in->buf, 1);
		data += take;
		len -= take;
	}
	compress(h, data, len / 64);
	memcpy(in->buf, data + len / 64 * 64, len % 64);
}

/* The padding both specifications share: a 1 bit, zeros to 56 bytes into a
 * block, the message's length in bits as 8 bytes.  Then the digest is the
 * chaining value's words in the same byte order. */
static void blocks_final(struct digest_blocks *in, uint32_t *h, int words, compress_fn *compress,
			 bool big_endian, unsigned char *out)
{
	size_t have = in->len % 64;
	in->buf[have++] = 0x80;
	if (have > 56) {
		memset(in->buf + have, 0, 64 - have);
		compress(h, in->buf, 1);
		have = 0;
	}
	memset(in->buf + have, 0, 56 - have);
	store(in->buf + 56, in->len * 8, 8, big_endian);
	compress(h, in->buf, 1);
	for (int i = 0; i < words; i++)
		store(out + 4 * i, h[i], 4, big_endian);
}

/* SHA-256: FIPS 180-4, sections 4.1.2, 4.2.2, 5.3.3 and 6.2. */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The message schedule kept as a ring of its last 16 words: w[t & 15]
 * turns from W(t - 16) into W(t). */
static uint32_t sha256_next_word(uint32_t w[16], int t)
{
	uint32_t w15 = w[(t + 1) & 15], w2 = w[(t + 14) & 15];
	uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ w15 >> 3;
	uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ w2 >> 10;
	return w[t & 15] += s1 + w[(t + 9) & 15] + s0;
}

/* Round t + i of sha256_compress, t a multiple of 16: its word is w[i],
 * as the block gave it in the first 16 rounds.  The working variables take
 * each other's places from one round to the next: eight rounds in a row
 * name them in turn instead of moving them, and with i a constant the
 * ring's indices are too (this and the ring make it about half again as
 * fast as a loop over W[0..63]).  Ch and Maj are in forms with an
 * operation fewer than the specification's. */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, i)                                       \
	do {                                                                          \
		uint32_t wt = t ? sha256_next_word(w, i) : w[i];                      \
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +          \
			      (g ^ (e & (f ^ g))) + sha256_k[t + i] + wt;             \
		d += t1;                                                              \
		h = t1 + (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +                   \
		    ((a & b) | (c & (a | b)));                                        \
	} while (0)

#define SHA256_8ROUNDS(i)                                                             \
	do {                                                                          \
		SHA256_ROUND(a, b, c, d, e, f, g, h, i);                              \
		SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1);                          \
		SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2);                          \
		SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3);                          \
		SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4);                          \
		SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5);                          \
		SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6);                          \
		SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7);                          \
	} while (0)

static void sha256_compress(uint32_t *hv, const unsigned char *blocks, size_t n)
{
	for (; n; n--, blocks += 64) {
		uint32_t w[16];
		for (int i = 0; i < 16; i++)
			w[i] = load_be32(blocks + 4 * i);
		uint32_t a = hv[0], b = hv[1], c = hv[2], d = hv[3];
		uint32_t e = hv[4], f = hv[5], g = hv[6], h = hv[7];
		for (int t = 0; t < 64; t += 16) {
			SHA256_8ROUNDS(0);
			SHA256_8ROUNDS(8);
		}
		hv[0] += a, hv[1] += b, hv[2] += c, hv[3] += d;
		hv[4] += e, hv[5] += f, hv[6] += g, hv[7] += h;
	}
}

#undef SHA256_8ROUNDS
#undef SHA256_ROUND

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SHA_NI 1

/* The same compression on the SHA extensions of x86 (Intel since Goldmont
 * and Ice Lake, AMD since Zen): about three times the portable C's speed,
 * which is most of what checking a large download costs.  The instructions
 * keep the working variables as two vectors, (A, B, E, F) and (C, D, G, H)
 * from the highest lane down, do two rounds an instruction and compute the
 * message schedule four words at a time. */
__attribute__((target("sha,ssse3,sse4.1"))) static void sha256_compress_ni(uint32_t *hv,
									   const unsigned char *blocks,
									   size_t n)
{
	const __m128i be_words = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	/* hv[0..3] and hv[4..7] with their lanes reversed, (D, C, B, A) and
	 * (H, G, F, E) from lane 0 up, give both vectors' halves. */
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)hv), 0x1b);
	__m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(hv + 4)), 0x1b);
	__m128i abef = _mm_unpackhi_epi64(efgh, abcd);
	__m128i cdgh = _mm_unpacklo_epi64(efgh, abcd);
	for (; n; n--, blocks += 64) {
		__m128i abef_in = abef, cdgh_in = cdgh;
		/* w[q % 4] holds W(4q) to W(4q + 3).  The loops are unrolled so
		 * that w lives in registers: rolled, gcc -O2 kept it on the
		 * stack, and the schedule's stores and reloads sat in the
		 * rounds' chain (1.63 GB/s here, 1.91 unrolled, OpenSSL's
		 * speed). */
		__m128i w[4];
#pragma GCC unroll 4
		for (int i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blocks + 16 * i)),
						be_words);
#pragma GCC unroll 16
		for (int q = 0; q < 16; q++) {
			__m128i wk = _mm_add_epi32(w[q & 3],
						   _mm_loadu_si128((const __m128i *)&sha256_k[4 * q]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
			if (q >= 12)
				continue;
			/* W(t) for t = 4q + 16 to 4q + 19: W(t - 16) + s0(W(t - 15)),
			 * then W(t - 7), then s1(W(t - 2)). */
			__m128i x = _mm_sha256msg1_epu32(w[q & 3], w[(q + 1) & 3]);
			x = _mm_add_epi32(x, _mm_alignr_epi8(w[(q + 3) & 3], w[(q + 2) & 3], 4));
			w[q & 3] = _mm_sha256msg2_epu32(x, w[(q + 3) & 3]);
		}
		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}
	abcd = _mm_shuffle_epi32(_mm_unpackhi_epi64(cdgh, abef), 0x1b);
	efgh = _mm_shuffle_epi32(_mm_unpacklo_epi64(cdgh, abef), 0x1b);
	_mm_storeu_si128((__m128i *)hv, abcd);
	_mm_storeu_si128((__m128i *)(hv + 4), efgh);
}
#endif

static bool sha256_portable_only;

void digest_sha256_portable(bool portable)
{
	sha256_portable_only = portable;
}

#ifdef HAVE_SHA_NI
#include <cpuid.h>
#include <stdatomic.h>

/* CPUID, read once: leaf 7's SHA bit, leaf 1's SSSE3 and SSE4.1 bits (the
 * shuffles and blends around the SHA instructions).  Not
 * __builtin_cpu_supports: clang's does not know "sha". */
static bool cpu_has_sha_ni(void)
{
	static atomic_int known; /* 0 not yet, 1 yes, 2 no */
	int k = atomic_load_explicit(&known, memory_order_relaxed);
	if (!k) {
		unsigned a, b, c, d;
		bool sha = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
		bool sse = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1);
		k = sha && sse ? 1 : 2;
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k == 1;
}
#endif

static compress_fn *sha256_compressor(void)
{
#ifdef HAVE_SHA_NI
	if (!sha256_portable_only && cpu_has_sha_ni())
		return sha256_compress_ni;
#endif
	return sha256_compress;
}

const char *digest_sha256_engine(void)
{
	return sha256_compressor() == sha256_compress ? "portable" : "sha-ni";
}

void digest_sha256_init(struct digest_sha256 *d)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(d->h, h0, sizeof(h0));
	d->in.len = 0;
}

void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len)
{
	blocks_add(&d->in, d->h, sha256_compressor(), data, len);
}

void digest_sha256_final(struct digest_sha256 *d, unsigned char out[DIGEST_SHA256_SIZE])
{
	blocks_final(&d->in, d->h, 8, sha256_compressor(), true, out);
}

/* MD5: RFC 1321, section 3. */

/* T[i], the integer part of 2^32 * |sin(i + 1)|. */
static const uint32_t md5_t[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
	0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
	0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
	0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
	0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* Each round's four rotations, and where its steps take their words: the
 * word of step i of round r is (start + i * stride) mod 16. */
static const unsigned char md5_shift[4][4] = {
	{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
static const unsigned char md5_start[4] = {0, 1, 5, 0};
static const unsigned char md5_stride[4] = {1, 5, 3, 7};

/* The round function of step i: F, G, H or I. */
static uint32_t md5_f(int i, uint32_t x, uint32_t y, uint32_t z)
{
	switch (i / 16) {
	case 0:
		return (x & y) | (~x & z);
	case 1:
		return (x & z) | (y & ~z);
	case 2:
		return x ^ y ^ z;
	default:
		return y ^ (x | ~z);
	}
}

static void md5_compress(uint32_t *h, const unsigned char *blocks, size_t n)
{
	for (; n; n--, blocks += 64) {
		uint32_t x[16];
		for (int i = 0; i < 16; i++)
			x[i] = load_le32(blocks + 4 * i);
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
		for (int i = 0; i < 64; i++) {
			int r = i / 16;
			uint32_t word = x[(md5_start[r] + i * md5_stride[r]) % 16];
			uint32_t sum = a + md5_f(i, b, c, d) + word + md5_t[i];
			a = d;
			d = c;
			c = b;
			b += rotl(sum, md5_shift[r][i % 4]);
		}
		h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	}
}

void digest_md5_init(struct digest_md5 *d)
{
	static const uint32_t h0[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
	memcpy(d->h, h0, sizeof(h0));
	d->in.len = 0;
}

void digest_md5_update(struct digest_md5 *d, const void *data, size_t len)
{
	blocks_add(&d->in, d->h, md5_compress, data, len);
}

void digest_md5_final(struct digest_md5 *d, unsigned char out[DIGEST_MD5_SIZE])
{
	blocks_final(&d->in, d->h, 4, md5_compress, false, out);
}

void digest_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Feeds what fd gives until its end to the digests asked for. */
static int digest_fd(int fd, struct digest_sha256 *sha256, struct digest_md5 *md5, int *err)
{
	unsigned char *buf = xmalloc(FILE_BLOCK);
	ssize_t n;
	while ((n = read(fd, buf, FILE_BLOCK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			break;
		}
		if (sha256)
			digest_sha256_update(sha256, buf, (size_t)n);
		if (md5)
			digest_md5_update(md5, buf, (size_t)n);
	}
	free(buf);
	return n == 0 ? 0 : -1;
}

int digest_file(const char *path, char sha256_hex[2 * DIGEST_SHA256_SIZE + 1],
		char md5_hex[2 * DIGEST_MD5_SIZE + 1], int *err)
{
	int fd = open(fs_cwd_relative(path), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	struct digest_sha256 sha256;
	struct digest_md5 md5;
	digest_sha256_init(&sha256);
	digest_md5_init(&md5);
	int rc = digest_fd(fd, sha256_hex ? &sha256 : NULL, md5_hex ? &md5 : NULL, err);
	close(fd);
	if (rc != 0)
		return -1;
	unsigned char bytes[DIGEST_SHA256_SIZE];
	if (sha256_hex) {
		digest_sha256_final(&sha256, bytes);
		digest_hex(bytes, DIGEST_SHA256_SIZE, sha256_hex);
	}
	if (md5_hex) {
		digest_md5_final(&md5, bytes);
		digest_hex(bytes, DIGEST_MD5_SIZE, md5_hex);
	}
	return 0;
}
