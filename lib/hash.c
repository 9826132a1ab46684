#include "hash.h"

#include <string.h>

struct hash128 hash_bytes(const void *data, size_t len)
{
	struct hash128 r = {XXH3_128bits(data, len)};
	return r;
}

void hash_hex(struct hash128 h, char out[HASH_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char b[16];
	hash_to_bytes(h, b);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[HASH_HEX_LEN] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hash_from_hex(const char *s, struct hash128 *out)
{
	unsigned char b[16];
	for (int i = 0; i < 16; i++) {
		int hi = hex_digit(s[2 * i]);
		int lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
		if (lo < 0)
			return -1;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	*out = hash_from_bytes(b);
	return 0;
}

void hash_to_bytes(struct hash128 h, unsigned char out[16])
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, h.h);
	memcpy(out, c.digest, 16);
}

struct hash128 hash_from_bytes(const unsigned char in[16])
{
	XXH128_canonical_t c;
	memcpy(c.digest, in, 16);
	struct hash128 r = {XXH128_hashFromCanonical(&c)};
	return r;
}
