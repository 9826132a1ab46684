/*
 * bytes: tests of eight bytes at once, for the loops that look at every
 * byte of a large input (the config parser's line ends, JSON escaping):
 * they skip eight plain bytes with one test and look closer only where a
 * test says so.  Each test may say yes for a byte that is not one (only
 * above, in memory order, a byte that is, or at one of 0x80 and up), never
 * no for one that is: a yes means "look at these eight one by one".
 */
#ifndef MINIMERGE_BYTES_H
#define MINIMERGE_BYTES_H

#include <stdint.h>
#include <string.h>

#define BYTES_ONES 0x0101010101010101u
#define BYTES_HIGHS 0x8080808080808080u

static inline uint64_t bytes_load8(const void *p)
{
	uint64_t x;
	memcpy(&x, p, sizeof(x));
	return x;
}

/* Some byte of x may be c. */
static inline uint64_t bytes_maybe_eq(uint64_t x, unsigned char c)
{
	return ((x ^ (BYTES_ONES * c)) - BYTES_ONES) & BYTES_HIGHS;
}

/* Some byte of x may be below n (n <= 0x80). */
static inline uint64_t bytes_maybe_below(uint64_t x, unsigned char n)
{
	return (x - BYTES_ONES * n) & BYTES_HIGHS;
}

/* Some byte of x is 0x80 or above. */
static inline uint64_t bytes_any_high(uint64_t x)
{
	return x & BYTES_HIGHS;
}

#endif
