#include "store.h"

#include "../lib/arena.h"
#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/hmap.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The map is reserved address space, not memory or disk: LMDB grows the file
 * as it fills.  64 GiB leaves room for the largest stat caches. */
#define STORE_MAP_SIZE ((size_t)64 << 30)

static const char *const db_names[STORE_NDBS] = {
	[STORE_RECORDS] = "records", [STORE_ACTIONS] = "actions", [STORE_STAT] = "stat",
	[STORE_CAS] = "cas",         [STORE_TREES] = "trees",     [STORE_META] = "meta",
	[STORE_PARTS] = "parts",
};

/* A pending write.  Its map key is the database's number followed by the
 * entry's key, so one map holds the writes of every database. */
struct pending {
	char *mapkey;
	size_t mapkeylen;
	void *val;
	size_t vlen;
	int deleted;
};

struct store {
	char *dir;
	MDB_env *env;
	MDB_dbi dbs[STORE_NDBS];
	pthread_mutex_t flush_lock; /* one flush or clear at a time: batches commit in order */
	pthread_mutex_t lock;       /* guards pending and flushing */
	struct hmap pending;
	/* The batch a flush is committing, read from here until it is
	 * committed: it is no longer pending and not yet in LMDB. */
	struct hmap flushing;
};

static void report(const struct store *s, const char *what, int rc)
{
	diag_error(s->dir, 0, "%s: %s", what, mdb_strerror(rc));
}

struct store *store_open(const char *dir)
{
	struct store *s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	pthread_mutex_init(&s->flush_lock, NULL);
	pthread_mutex_init(&s->lock, NULL);
	int err = fs_mkdirs(dir, 0777);
	if (err) {
		diag_error(dir, 0, "cannot create the state directory: %s", strerror(err));
		store_close(s);
		return NULL;
	}
	MDB_txn *txn = NULL;
	int rc = mdb_env_create(&s->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(s->env, STORE_NDBS);
	if (rc == 0)
		rc = mdb_env_set_mapsize(s->env, STORE_MAP_SIZE);
	/* MDB_NOTLS: read transactions belong to the caller, not the thread, so
	 * the worker threads may each read. */
	if (rc == 0)
		rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0666);
	/* Reader slots of runs that were killed pin old pages: free them. */
	if (rc == 0)
		rc = mdb_reader_check(s->env, NULL);
	if (rc == 0)
		rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	for (int i = 0; rc == 0 && i < STORE_NDBS; i++)
		rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbs[i]);
	if (rc == 0) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (rc != 0) {
		if (txn)
			mdb_txn_abort(txn);
		report(s, "cannot open the state database", rc);
		store_close(s);
		return NULL;
	}
	return s;
}

static void pending_free(struct hmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		struct pending *p = m->slots[i].value;
		if (!m->slots[i].key)
			continue;
		free(p->mapkey);
		free(p->val);
		free(p);
	}
	hmap_free(m);
	*m = (struct hmap)HMAP_INIT;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	pending_free(&s->pending);
	pthread_mutex_destroy(&s->flush_lock);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s);
}

static char *map_key(enum store_db db, const void *key, size_t klen, size_t *len)
{
	char *k = xmalloc(klen + 1);
	k[0] = (char)db;
	memcpy(k + 1, key, klen);
	*len = klen + 1;
	return k;
}

int store_get(struct store *s, enum store_db db, const void *key, size_t klen,
	      struct strbuf *val)
{
	return store_get_head(s, db, key, klen, val, SIZE_MAX);
}

int store_get_head(struct store *s, enum store_db db, const void *key, size_t klen,
		   struct strbuf *val, size_t max)
{
	size_t mklen;
	char *mk = map_key(db, key, klen, &mklen);
	pthread_mutex_lock(&s->lock);
	struct pending *p = hmap_get(&s->pending, mk, mklen);
	if (!p)
		p = hmap_get(&s->flushing, mk, mklen);
	int found = -1;
	if (p) {
		found = !p->deleted;
		if (found && val) {
			strbuf_reset(val);
			strbuf_add(val, p->val, p->vlen < max ? p->vlen : max);
		}
	}
	pthread_mutex_unlock(&s->lock);
	free(mk);
	if (found >= 0)
		return found;

	MDB_txn *txn = NULL;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc != 0) {
		report(s, "cannot read the state database", rc);
		return -1;
	}
	MDB_val k = {klen, (void *)key}, v;
	rc = mdb_get(txn, s->dbs[db], &k, &v);
	if (rc == 0 && val) {
		strbuf_reset(val);
		strbuf_add(val, v.mv_data, v.mv_size < max ? v.mv_size : max);
	}
	mdb_txn_abort(txn);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		report(s, "cannot read the state database", rc);
		return -1;
	}
	return 1;
}

static void pending_set(struct store *s, enum store_db db, const void *key, size_t klen,
			const void *val, size_t vlen, int deleted)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	p->mapkey = map_key(db, key, klen, &p->mapkeylen);
	p->deleted = deleted;
	p->vlen = vlen;
	p->val = xmalloc(vlen ? vlen : 1);
	if (vlen)
		memcpy(p->val, val, vlen);
	pthread_mutex_lock(&s->lock);
	struct pending *old = hmap_get(&s->pending, p->mapkey, p->mapkeylen);
	/* The map keeps the old entry's key pointer: keep that key, swap the
	 * value in. */
	if (old) {
		free(old->val);
		old->val = p->val;
		old->vlen = p->vlen;
		old->deleted = deleted;
		free(p->mapkey);
		free(p);
	} else {
		hmap_put(&s->pending, p->mapkey, p->mapkeylen, p);
	}
	pthread_mutex_unlock(&s->lock);
}

void store_put(struct store *s, enum store_db db, const void *key, size_t klen,
	       const void *val, size_t vlen)
{
	/* Refused now: at flush time LMDB would refuse the whole batch, and
	 * every later one, since a failed batch stays pending. */
	if (!klen || klen > (size_t)mdb_env_get_maxkeysize(s->env)) {
		diag_error(s->dir, 0, "a key of %zu bytes cannot be stored (at most %d)", klen,
			   mdb_env_get_maxkeysize(s->env));
		return;
	}
	pending_set(s, db, key, klen, val, vlen, 0);
}

void store_del(struct store *s, enum store_db db, const void *key, size_t klen)
{
	pending_set(s, db, key, klen, NULL, 0, 1);
}

int store_flush(struct store *s)
{
	pthread_mutex_lock(&s->flush_lock);
	pthread_mutex_lock(&s->lock);
	s->flushing = s->pending;
	s->pending = (struct hmap)HMAP_INIT;
	pthread_mutex_unlock(&s->lock);
	/* Only this flush changes s->flushing: it may read it unlocked. */
	const struct hmap *b = &s->flushing;

	MDB_txn *txn = NULL;
	int rc = b->len ? mdb_txn_begin(s->env, NULL, 0, &txn) : 0;
	for (size_t i = 0; rc == 0 && i < b->cap; i++) {
		struct pending *p = b->slots[i].value;
		if (!b->slots[i].key)
			continue;
		MDB_val k = {p->mapkeylen - 1, p->mapkey + 1}, v = {p->vlen, p->val};
		MDB_dbi dbi = s->dbs[(unsigned char)p->mapkey[0]];
		rc = p->deleted ? mdb_del(txn, dbi, &k, NULL) : mdb_put(txn, dbi, &k, &v, 0);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	if (rc == 0 && txn)
		rc = mdb_txn_commit(txn);
	else if (txn)
		mdb_txn_abort(txn);
	pthread_mutex_lock(&s->lock);
	struct hmap batch = s->flushing;
	s->flushing = (struct hmap)HMAP_INIT;
	if (rc != 0) {
		/* Put the batch back under anything written since: the newer
		 * writes win. */
		for (size_t i = 0; i < batch.cap; i++) {
			struct pending *p = batch.slots[i].value;
			if (!batch.slots[i].key)
				continue;
			if (hmap_get(&s->pending, p->mapkey, p->mapkeylen)) {
				free(p->mapkey);
				free(p->val);
				free(p);
			} else {
				hmap_put(&s->pending, p->mapkey, p->mapkeylen, p);
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_unlock(&s->flush_lock);
	if (rc != 0) {
		report(s, "cannot write the state database", rc);
		hmap_free(&batch);
		return -1;
	}
	pending_free(&batch);
	return 0;
}

int store_each(struct store *s, enum store_db db, const void *prefix, size_t plen,
	       store_visit_fn *fn, void *ctx)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, s->dbs[db], &cur);
	if (rc != 0) {
		if (cur)
			mdb_cursor_close(cur);
		if (txn)
			mdb_txn_abort(txn);
		report(s, "cannot read the state database", rc);
		return -1;
	}
	/* Keys are in byte order: those with the prefix are one run, from
	 * the first key not below it. */
	MDB_val k = {plen, (void *)prefix}, v;
	int ret = 0;
	for (rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	     rc == 0 && !ret && (!plen || (k.mv_size >= plen && !memcmp(k.mv_data, prefix, plen)));
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		ret = fn(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (rc != 0 && rc != MDB_NOTFOUND && !ret) {
		report(s, "cannot read the state database", rc);
		return -1;
	}
	return ret;
}

int store_clear(struct store *s, enum store_db db)
{
	/* No batch in flight may commit entries of db after the drop. */
	pthread_mutex_lock(&s->flush_lock);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->pending.cap; i++) {
		struct pending *p = s->pending.slots[i].value;
		if (s->pending.slots[i].key && (unsigned char)p->mapkey[0] == db)
			p->deleted = 1;
	}
	pthread_mutex_unlock(&s->lock);
	MDB_txn *txn = NULL;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc == 0) {
		rc = mdb_drop(txn, s->dbs[db], 0);
		if (rc == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	pthread_mutex_unlock(&s->flush_lock);
	if (rc != 0) {
		report(s, "cannot clear the state database", rc);
		return -1;
	}
	return 0;
}
