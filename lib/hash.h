/*
 * hash: the project's 128-bit content hash (XXH3-128) as a value, and its
 * one text form: 32 lowercase hex digits, high 64 bits first (xxHash's
 * canonical order).  Keys, output hashes and artifact names all use it.
 */
#ifndef MINIMERGE_HASH_H
#define MINIMERGE_HASH_H

#include <xxhash.h>

#include <stdbool.h>
#include <stddef.h>

#define HASH_HEX_LEN 32

struct hash128 {
	XXH128_hash_t h;
};

static inline bool hash_equal(struct hash128 a, struct hash128 b)
{
	return XXH128_isEqual(a.h, b.h);
}

static inline bool hash_is_zero(struct hash128 a)
{
	return a.h.low64 == 0 && a.h.high64 == 0;
}

struct hash128 hash_bytes(const void *data, size_t len);
/* out gets HASH_HEX_LEN digits and a NUL. */
void hash_hex(struct hash128 h, char out[HASH_HEX_LEN + 1]);
/* Reads exactly HASH_HEX_LEN hex digits (either case).  0 or -1. */
int hash_from_hex(const char *s, struct hash128 *out);
/* The 16 bytes in canonical order, and back. */
void hash_to_bytes(struct hash128 h, unsigned char out[16]);
struct hash128 hash_from_bytes(const unsigned char in[16]);

#endif
