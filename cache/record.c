#include "record.h"

#include "../lib/arena.h"
#include "../lib/strbuf.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* Bumped whenever the layout below changes. */
#define RECORD_FORMAT 1
/* The bytes before the inputs: format, key, output, status, start,
 * duration, run, slot, count. */
#define RECORD_HEAD (4 + 16 + 16 + 4 + 8 + 8 + 8 + 4 + 4)

/* Integers are little-endian, fixed width; strings are a u32 length and the
 * bytes; hashes their 16 canonical bytes. */
static void put_u64(struct strbuf *b, uint64_t v)
{
	unsigned char c[8];
	for (int i = 0; i < 8; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	strbuf_add(b, c, 8);
}

static void put_u32(struct strbuf *b, uint32_t v)
{
	unsigned char c[4];
	for (int i = 0; i < 4; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	strbuf_add(b, c, 4);
}

static void put_hash(struct strbuf *b, struct hash128 h)
{
	unsigned char c[16];
	hash_to_bytes(h, c);
	strbuf_add(b, c, 16);
}

static void put_str(struct strbuf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	n = n > max ? max : n;
	put_u32(b, (uint32_t)n);
	strbuf_add(b, s, n);
}

struct reader {
	const unsigned char *p, *end;
	int bad;
};

static const unsigned char *take(struct reader *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *at = r->p;
	r->p += n;
	return at;
}

static uint64_t get_u64(struct reader *r)
{
	const unsigned char *c = take(r, 8);
	uint64_t v = 0;
	for (int i = 0; c && i < 8; i++)
		v |= (uint64_t)c[i] << (8 * i);
	return v;
}

static uint32_t get_u32(struct reader *r)
{
	const unsigned char *c = take(r, 4);
	uint32_t v = 0;
	for (int i = 0; c && i < 4; i++)
		v |= (uint32_t)c[i] << (8 * i);
	return v;
}

static struct hash128 get_hash(struct reader *r)
{
	const unsigned char *c = take(r, 16);
	struct hash128 h = {{0, 0}};
	return c ? hash_from_bytes(c) : h;
}

static char *get_str(struct reader *r, struct arena *a)
{
	uint32_t n = get_u32(r);
	const unsigned char *c = take(r, n);
	return c ? arena_strndup(a, (const char *)c, n) : NULL;
}

void record_put(struct store *s, const char *identity, const struct record *r)
{
	struct strbuf b = STRBUF_INIT;
	put_u32(&b, RECORD_FORMAT);
	put_hash(&b, r->key);
	put_hash(&b, r->output);
	put_u32(&b, (uint32_t)r->status);
	put_u64(&b, (uint64_t)r->started_ns);
	put_u64(&b, r->duration_ns);
	put_u64(&b, r->run);
	put_u32(&b, r->slot);
	put_u32(&b, (uint32_t)r->ninputs);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct record_input *in = &r->inputs[i];
		put_str(&b, in->name, (size_t)-1);
		put_u32(&b, (uint32_t)in->type);
		put_hash(&b, in->hash);
		put_str(&b, in->text ? in->text : "", RECORD_TEXT_MAX);
	}
	store_put(s, STORE_RECORDS, identity, strlen(identity), b.buf, b.len);
	strbuf_release(&b);
}

int record_get(struct store *s, const char *identity, struct record *r, struct arena *a)
{
	struct strbuf b = STRBUF_INIT;
	memset(r, 0, sizeof(*r));
	int found = store_get_head(s, STORE_RECORDS, identity, strlen(identity), &b,
				   a ? SIZE_MAX : RECORD_HEAD);
	if (found <= 0) {
		strbuf_release(&b);
		return found;
	}
	struct reader rd = {(const unsigned char *)b.buf, (const unsigned char *)b.buf + b.len, 0};
	if (get_u32(&rd) != RECORD_FORMAT) {
		strbuf_release(&b);
		return 0;
	}
	r->key = get_hash(&rd);
	r->output = get_hash(&rd);
	r->status = get_u32(&rd) == RECORD_OK ? RECORD_OK : RECORD_FAILED;
	r->started_ns = (int64_t)get_u64(&rd);
	r->duration_ns = get_u64(&rd);
	r->run = get_u64(&rd);
	r->slot = get_u32(&rd);
	uint32_t n = get_u32(&rd);
	if (!a) {
		strbuf_release(&b);
		if (rd.bad) {
			memset(r, 0, sizeof(*r));
			return 0;
		}
		return 1;
	}
	/* Each input takes at least 28 bytes: a count beyond what is left is a
	 * damaged entry, not an allocation to attempt. */
	if (rd.bad || n > (size_t)(rd.end - rd.p) / 28) {
		strbuf_release(&b);
		return 0;
	}
	r->inputs = arena_alloc(a, (n ? n : 1) * sizeof(*r->inputs));
	for (uint32_t i = 0; i < n && !rd.bad; i++) {
		struct record_input *in = &r->inputs[r->ninputs++];
		in->name = get_str(&rd, a);
		uint32_t type = get_u32(&rd);
		in->type = type <= RECORD_INPUT_TREE ? (enum record_input_type)type : RECORD_INPUT_HASH;
		in->hash = get_hash(&rd);
		in->text = get_str(&rd, a);
	}
	strbuf_release(&b);
	if (rd.bad) {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	return 1;
}

int action_cache_get(struct store *s, struct hash128 key, struct action_entry *e)
{
	unsigned char k[16];
	hash_to_bytes(key, k);
	struct strbuf b = STRBUF_INIT;
	int found = store_get(s, STORE_ACTIONS, k, sizeof(k), &b);
	if (found > 0 && b.len == 32) {
		e->output = hash_from_bytes((const unsigned char *)b.buf);
		e->artifact = hash_from_bytes((const unsigned char *)b.buf + 16);
	} else if (found > 0) {
		found = 0;
	}
	strbuf_release(&b);
	return found;
}

void action_cache_put(struct store *s, struct hash128 key, const struct action_entry *e)
{
	unsigned char k[16], v[32];
	hash_to_bytes(key, k);
	hash_to_bytes(e->output, v);
	hash_to_bytes(e->artifact, v + 16);
	store_put(s, STORE_ACTIONS, k, sizeof(k), v, sizeof(v));
}

struct prune {
	struct store *s;
	bool (*keep)(void *ctx, struct hash128 artifact);
	void *ctx;
	long dropped;
};

static int prune_one(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct prune *p = ctx;
	struct hash128 artifact = vlen == 32 ? hash_from_bytes((const unsigned char *)val + 16)
					     : (struct hash128){{0, 0}};
	if (vlen != 32 || (!hash_is_zero(artifact) && !p->keep(p->ctx, artifact))) {
		store_del(p->s, STORE_ACTIONS, key, klen);
		p->dropped++;
	}
	return 0;
}

long action_cache_prune(struct store *s, bool (*keep)(void *ctx, struct hash128 artifact),
			void *ctx)
{
	struct prune p = {s, keep, ctx, 0};
	return store_each(s, STORE_ACTIONS, NULL, 0, prune_one, &p) < 0 ? -1 : p.dropped;
}
