/*
 * store: minimerge's state, one LMDB environment in a directory
 * (<root>/.minimerge/db) with a named database per kind of entry.  Keys and
 * values are byte strings; what they hold is the caller's.
 *
 * Reads see what is committed plus this process's pending writes.  Writes
 * are pending (in memory) until store_flush commits all of them in one write
 * transaction: one fsync per flush, never one per entry.  A crash loses the
 * pending writes, never the consistency of what was committed.
 *
 * Thread-safe: any thread may get, put and flush; every read runs in its own
 * read transaction.  Two processes may open the same store (LMDB's lock
 * file); minimerge itself lets one run at a time per root (src/ takes the
 * lock).
 */
#ifndef MINIMERGE_STORE_H
#define MINIMERGE_STORE_H

#include "../lib/strbuf.h"

#include <stddef.h>

enum store_db {
	STORE_RECORDS, /* identity -> record (cache/record.h) */
	STORE_ACTIONS, /* key -> output hash, artifact */
	STORE_STAT,    /* absolute path -> inode, size, mtime, ctime, content hash;
			* and a tree's snapshot (cache/tree.h) under byte 1, a
			* hash of the exclude list and the tree's absolute path,
			* a key no file's can be (those start with '/') */
	STORE_CAS,     /* artifact hash -> size, last use */
	STORE_TREES,   /* tree hash -> its manifest, for explain's "source changed" */
	STORE_META,    /* small facts: the last run, compilers' identities */
	STORE_PARTS,   /* a buildout part's identity -> what it installed (src/part_state.h) */
	STORE_NDBS
};

struct store;

/* Opens (creating it and its parents) the store in dir.  NULL after
 * reporting why. */
struct store *store_open(const char *dir);
/* Closes it; pending writes not flushed are dropped. */
void store_close(struct store *s);

/* 1 with the value in val (replacing its contents; val may be NULL to ask
 * only whether the key is there), 0 if absent, -1 on an error (reported). */
int store_get(struct store *s, enum store_db db, const void *key, size_t klen,
	      struct strbuf *val);
/* The same, with at most the first max bytes of the value: the head of a
 * large entry, read without copying the rest. */
int store_get_head(struct store *s, enum store_db db, const void *key, size_t klen,
		   struct strbuf *val, size_t max);
void store_put(struct store *s, enum store_db db, const void *key, size_t klen,
	       const void *val, size_t vlen);
void store_del(struct store *s, enum store_db db, const void *key, size_t klen);
/* Commits every pending write in one transaction.  0 or -1 (reported; the
 * writes stay pending). */
int store_flush(struct store *s);

/* Calls fn for each committed entry of db whose key starts with prefix
 * (plen bytes; 0: every entry), in key order, until fn returns non-zero
 * (which store_each returns).  -1 on an error (reported). */
typedef int store_visit_fn(void *ctx, const void *key, size_t klen, const void *val,
			   size_t vlen);
int store_each(struct store *s, enum store_db db, const void *prefix, size_t plen,
	       store_visit_fn *fn, void *ctx);
/* Empties db, pending writes included, at once (committed).  0 or -1. */
int store_clear(struct store *s, enum store_db db);

#endif
