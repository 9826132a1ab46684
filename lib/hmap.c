#include "hmap.h"

#include "arena.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Keys are names and paths: one of 4 GiB is a bug, not data. */
static uint32_t key_length(size_t keylen)
{
	if (keylen > UINT32_MAX)
		abort();
	return (uint32_t)keylen;
}

static uint32_t key_hash(const char *key, size_t keylen)
{
	return (uint32_t)XXH3_64bits(key, keylen);
}

static struct hmap_slot *find(const struct hmap *m, const char *key, size_t keylen,
			      uint32_t hash)
{
	size_t mask = m->cap - 1;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct hmap_slot *s = &m->slots[i];
		if (!s->key)
			return s;
		if (s->hash == hash && s->keylen == keylen && memcmp(s->key, key, keylen) == 0)
			return s;
	}
}

void *hmap_get(const struct hmap *m, const char *key, size_t keylen)
{
	if (!m->cap)
		return NULL;
	struct hmap_slot *s = find(m, key, keylen, key_hash(key, keylen));
	return s->key ? s->value : NULL;
}

void *hmap_gets(const struct hmap *m, const char *key)
{
	return hmap_get(m, key, strlen(key));
}

static void grow(struct hmap *m)
{
	struct hmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->len = 0;
	for (size_t i = 0; i < old.cap; i++) {
		struct hmap_slot *s = &old.slots[i];
		if (s->key) {
			*find(m, s->key, s->keylen, s->hash) = *s;
			m->len++;
		}
	}
	free(old.slots);
}

void **hmap_at(struct hmap *m, const char *key, size_t keylen)
{
	/* At most 3/4 full keeps probe sequences short. */
	if ((m->len + 1) * 4 > m->cap * 3)
		grow(m);
	uint32_t hash = key_hash(key, keylen);
	struct hmap_slot *s = find(m, key, keylen, hash);
	if (!s->key) {
		s->key = key;
		s->keylen = key_length(keylen);
		s->hash = hash;
		s->value = NULL;
		m->len++;
	}
	return &s->value;
}

void hmap_put(struct hmap *m, const char *key, size_t keylen, void *value)
{
	*hmap_at(m, key, keylen) = value;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
