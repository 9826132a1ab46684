/*
 * arena: a bump allocator for data that lives for a whole run (parsed
 * configs, their sections and values).  Everything allocated from an arena
 * is freed at once by arena_free; nothing is freed one by one.  Allocation
 * never fails: running out of memory ends the process (there is nothing
 * sensible to do after it).
 */
#ifndef MINIMERGE_ARENA_H
#define MINIMERGE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *chunks; /* newest first; the newest is filled */
};

#define ARENA_INIT {0}

void *arena_alloc(struct arena *a, size_t size);     /* zeroed, aligned */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* A copy with ASCII letters lower-cased (names compared without case). */
char *arena_strdup_lower(struct arena *a, const char *s);
void arena_free(struct arena *a);

/* xmalloc and friends: malloc that ends the process when memory runs out. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

#endif
