/*
 * digest: SHA-256 (FIPS 180-4) and MD5 (RFC 1321), for the checksums people
 * publish for their downloads: a minibuild's src_sha256 and src_md5 are
 * checked against them, as lowercase hex.  Content identity inside
 * minimerge is xxHash (lib/hash.h), not these.  They are written here
 * because none of the project's fixed libraries (libcurl, libarchive,
 * xxHash, jansson, LMDB) offers them.
 *
 * Both are streaming: init, update with the bytes in pieces of any size,
 * final.  A context holds no memory of its own (it can live on the stack
 * and is dropped without a call); after final it is spent until the next
 * init.
 */
#ifndef MINIMERGE_DIGEST_H
#define MINIMERGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DIGEST_SHA256_SIZE 32 /* bytes; twice as many hex digits */
#define DIGEST_MD5_SIZE 16

/* What both have in common: the message cut into 64-byte blocks. */
struct digest_blocks {
	uint64_t len;          /* bytes given so far */
	unsigned char buf[64]; /* the block being filled: its first len % 64 bytes */
};

struct digest_sha256 {
	uint32_t h[8]; /* the chaining value */
	struct digest_blocks in;
};

struct digest_md5 {
	uint32_t h[4];
	struct digest_blocks in;
};

void digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len);
void digest_sha256_final(struct digest_sha256 *d, unsigned char out[DIGEST_SHA256_SIZE]);

/* SHA-256 runs on the CPU's SHA extensions where it has them, else in
 * portable C; true makes it portable C everywhere (for the tests, which
 * check both).  Set it before any thread hashes. */
void digest_sha256_portable(bool portable);
/* "sha-ni" or "portable": what SHA-256 runs on now. */
const char *digest_sha256_engine(void);

void digest_md5_init(struct digest_md5 *d);
void digest_md5_update(struct digest_md5 *d, const void *data, size_t len);
void digest_md5_final(struct digest_md5 *d, unsigned char out[DIGEST_MD5_SIZE]);

/* The n bytes as 2n lowercase hex digits and a NUL: the form minibuilds
 * write checksums in. */
void digest_hex(const unsigned char *bytes, size_t n, char *out);

/* Reads the file at path once, in 64 KiB blocks, and puts the lowercase hex
 * SHA-256 and MD5 of its contents in the buffers that are not NULL.  0, or
 * -1 with an errno value in *err (the buffers then hold nothing useful). */
int digest_file(const char *path, char sha256_hex[2 * DIGEST_SHA256_SIZE + 1],
		char md5_hex[2 * DIGEST_MD5_SIZE + 1], int *err);

#endif
