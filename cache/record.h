/*
 * record: what the store keeps about an action between runs, under its
 * identity ("install dependencies/zlib-1.2.13"): the key it last ran with,
 * each named input that made the key (its hash, and its text where a
 * person should see it, for explain), the output hash, how it ended, when
 * and how long it took.  Also the action cache: key -> output hash and
 * artifact, the entries that let another identity, or the same one after
 * its outputs were lost, be restored instead of run.
 *
 * The encoding is private to this module and carries a version: an entry
 * written by another format reads as absent, which makes its action run.
 */
#ifndef MINIMERGE_RECORD_H
#define MINIMERGE_RECORD_H

#include "store.h"

#include "../lib/arena.h"
#include "../lib/hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum record_input_type {
	RECORD_INPUT_TEXT, /* text is the value itself (an option, a path) */
	RECORD_INPUT_HASH, /* text, if any, only describes the hashed thing */
	RECORD_INPUT_TREE, /* hash is a tree's (cache/tree.h): the manifest may be kept */
};

struct record_input {
	const char *name; /* "option:configure_options", "need:fetch x" */
	enum record_input_type type;
	struct hash128 hash;
	const char *text; /* "" if none; at most RECORD_TEXT_MAX bytes */
};

#define RECORD_TEXT_MAX 1024

enum record_status { RECORD_OK, RECORD_FAILED };

struct record {
	struct hash128 key, output;
	enum record_status status;
	int64_t started_ns;   /* wall clock, ns since the epoch */
	uint64_t duration_ns; /* how long the run (or restore) took */
	uint64_t run;         /* which run wrote it: the run's start, ns since the epoch */
	uint32_t slot;        /* the worker that ran it, for traces */
	struct record_input *inputs;
	size_t ninputs;
};

/* 1 with *r filled, its inputs and strings allocated from a (a run reads
 * one record per action: one malloc each would be most of a no-op), 0 if
 * absent or of another format, -1 on an error (reported).  With a NULL,
 * all but the inputs (none), read without the bytes that hold them: what a
 * skip needs, a tenth of the size. */
int record_get(struct store *s, const char *identity, struct record *r, struct arena *a);
/* Pending until the store is flushed. */
void record_put(struct store *s, const char *identity, const struct record *r);

/* The action cache. */
struct action_entry {
	struct hash128 output;
	struct hash128 artifact; /* zero: no artifact (the output is not a tree) */
};
int action_cache_get(struct store *s, struct hash128 key, struct action_entry *e);
void action_cache_put(struct store *s, struct hash128 key, const struct action_entry *e);
/* Drops the entries whose artifact keep() refuses (gone from the CAS).
 * Returns how many went (pending until a flush), or -1 (reported). */
long action_cache_prune(struct store *s, bool (*keep)(void *ctx, struct hash128 artifact),
			void *ctx);

#endif
