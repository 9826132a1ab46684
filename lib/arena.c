/* MAP_ANONYMOUS and madvise are Linux (and BSD), not POSIX.1-2008. */
#define _DEFAULT_SOURCE
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Chunks grow with the arena so a large config costs few mallocs. */
enum { ARENA_MIN_CHUNK = 64 * 1024 };
/* The huge page size.  A chunk of a quarter of it and up is mapped on its
 * own, rounded up to whole huge pages, aligned, and offered to the kernel
 * for them: a config of a thousand parts fills megabytes, and taking them
 * one 4 KiB fault at a time cost a fifth of its run (one 2 MiB fault costs
 * about what ten small ones do).  Smaller arenas stay in malloc's memory. */
#define ARENA_HUGE_CHUNK ((size_t)2 * 1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	size_t mapped; /* bytes mapped for the chunk; 0: it came from malloc */
	_Alignas(max_align_t) unsigned char data[];
};

static void out_of_memory(void)
{
	fputs("minimerge: error: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

static struct arena_chunk *chunk_new(size_t want)
{
	size_t total = sizeof(struct arena_chunk) + want;
	struct arena_chunk *c;
	if (total < ARENA_HUGE_CHUNK / 4) {
		c = xmalloc(total);
		c->mapped = 0;
	} else {
		/* Rounded up to whole huge pages, the room goes to the chunk. */
		total = (total + ARENA_HUGE_CHUNK - 1) & ~(ARENA_HUGE_CHUNK - 1);
		size_t span = total + ARENA_HUGE_CHUNK;
		unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			out_of_memory();
		size_t head = (ARENA_HUGE_CHUNK - (uintptr_t)p % ARENA_HUGE_CHUNK) % ARENA_HUGE_CHUNK;
		if (head)
			munmap(p, head);
		munmap(p + head + total, span - head - total);
		madvise(p + head, total, MADV_HUGEPAGE);
		c = (struct arena_chunk *)(p + head);
		c->mapped = total;
		want = total - sizeof(*c);
	}
	c->size = want;
	return c;
}

/* Memory not cleared, aligned to align (a power of two): strings are
 * written whole at once and need no alignment. */
static void *arena_raw(struct arena *a, size_t size, size_t align)
{
	struct arena_chunk *c = a->chunks;
	size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	if (!c || at > c->size || c->size - at < size) {
		size_t want = ARENA_MIN_CHUNK;
		if (c && c->size * 2 > want)
			want = c->size * 2;
		if (want < size)
			want = size;
		c = chunk_new(want);
		c->next = a->chunks;
		a->chunks = c;
		at = 0;
	}
	c->used = at + size;
	return c->data + at;
}

void *arena_alloc(struct arena *a, size_t size)
{
	return memset(arena_raw(a, size, _Alignof(max_align_t)), 0, size);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_raw(a, n + 1, 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_strdup_lower(struct arena *a, const char *s)
{
	char *r = arena_strdup(a, s);
	for (char *c = r; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return r;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->chunks;
	while (c) {
		struct arena_chunk *next = c->next;
		if (c->mapped)
			munmap(c, c->mapped);
		else
			free(c);
		c = next;
	}
	a->chunks = NULL;
}
