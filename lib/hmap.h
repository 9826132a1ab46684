/*
 * hmap: a map from byte strings to pointers, open addressing, hashed with
 * XXH3.  Keys are not copied: the caller keeps each key alive (usually in an
 * arena) as long as the map.  Values are the caller's.
 */
#ifndef MINIMERGE_HMAP_H
#define MINIMERGE_HMAP_H

#include <stddef.h>
#include <stdint.h>

/* 24 bytes: maps of a large config hold hundreds of thousands of slots. */
struct hmap_slot {
	const char *key; /* NULL: empty */
	uint32_t keylen;
	uint32_t hash;
	void *value;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

#define HMAP_INIT {0}

void *hmap_get(const struct hmap *m, const char *key, size_t keylen);
void *hmap_gets(const struct hmap *m, const char *key);
/* Sets key to value, replacing any earlier value. */
void hmap_put(struct hmap *m, const char *key, size_t keylen, void *value);
/* Where key's value lives, for a lookup that may add the key: one hash
 * where hmap_get then hmap_put would take two.  A key not yet in the map is
 * added, holding NULL; the map keeps key itself, so it must live as long as
 * the map. */
void **hmap_at(struct hmap *m, const char *key, size_t keylen);
void hmap_free(struct hmap *m);

#endif
