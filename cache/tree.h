/*
 * tree: the identity of a directory tree, a hash over every entry under it
 * (its path relative to the top, its type and permission bits, its
 * content), in path order.  Equal trees have equal hashes wherever they
 * are; owners and times do not count.  A source tree, an install prefix and
 * a restored artifact are all compared this way.
 *
 * A regular file's hash is the XXH3-128 of its bytes, a symbolic link's that
 * of its target (links are entries, never followed; dir itself may be one);
 * a directory is an entry with a zero hash, so that empty ones count.  A
 * fifo, socket or device has no place in a source tree or a prefix: meeting
 * one is an error naming it (exclude it to hash the rest).  An entry removed
 * while the tree is walked is left out.
 *
 * The tree's hash is the XXH3-128 of its entries in bytewise order of their
 * full paths ("a-c" before "a/b"), each as its path, a NUL, its mode
 * (st_mode & (S_IFMT | 07777)) as 4 bytes little-endian, and its hash's 16
 * canonical bytes.
 *
 * A stat cache in the store (absolute path -> device, inode, size, mtime_ns,
 * ctime_ns, mode, content hash) lets an unchanged file go unread, so an
 * unchanged 100,000-file tree costs a walk and stats.  A file changed (its
 * mtime or ctime) within the last second is hashed but not cached: its stat
 * may not show the next change.
 *
 * A snapshot in the store spares the walk too.  When a walk finds no entry,
 * and not the top directory, changed within the last second, it keeps the
 * tree's hash with each entry's path, stat (as above) and hash, under the
 * tree's absolute path and its exclude list.  The next tree_hash of that
 * path with that list only stats the entries the snapshot lists: if every
 * stat, the top directory's included, is the same, the hash and the
 * manifest are the snapshot's, no directory or file read.  An entry added,
 * removed or renamed changes its directory's mtime; any change to an entry
 * (its mtime put back included) changes its ctime; so a difference, or an
 * entry gone, or a damaged snapshot, means a walk, which keeps a new
 * snapshot when the tree is not racy and it differs from the one read: a
 * run where nothing changed writes nothing.  What is excluded is not
 * stat-ed (adding or removing an excluded entry itself changes its
 * directory's mtime, and costs a walk).  Like the stat cache, this trusts
 * the file system to keep mtimes and ctimes, and the clock not to go back.
 *
 * The manifest (each entry's path, mode and hash) can be kept in the store
 * under the tree's hash, so that explain can name the files that changed
 * between two hashes of a tree.
 *
 * Nothing here is global: worker threads may hash trees at once, sharing
 * the store.
 */
#ifndef MINIMERGE_TREE_H
#define MINIMERGE_TREE_H

#include "store.h"

#include "../lib/arena.h"
#include "../lib/hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tree_entry {
	const char *path;   /* relative to the top, '/'-separated, no leading "./" */
	unsigned mode;      /* st_mode: the type bits and the permission bits */
	struct hash128 hash; /* a file's content, a symlink's target; zero for a directory */
};

struct tree_manifest {
	struct tree_entry *entries; /* sorted by path (bytewise) */
	size_t n;
	struct arena arena; /* the paths */
};

struct tree_options {
	/* Paths relative to the top, written as the entries' paths are, that
	 * are left out with all under them (a package's parts/ and build
	 * directory). */
	const char *const *exclude;
	size_t nexclude;
	/* Keep the manifest in the store (tree_manifest_save) if none is kept
	 * under the tree's hash yet: an unchanged tree costs a lookup. */
	bool keep_manifest;
};

/* Hashes the tree at dir.  s may be NULL (no stat cache, no snapshot).  m,
 * if not NULL, receives the manifest, empty unless 0 is returned (free it
 * with tree_manifest_free in any case).  Returns 0, 1 if dir does not exist, -1
 * on any other error (reported, naming the path). */
int tree_hash(struct store *s, const char *dir, const struct tree_options *opt,
	      struct hash128 *out, struct tree_manifest *m);
void tree_manifest_free(struct tree_manifest *m);

/* The content hash of one regular file, as a tree holding it would have
 * it, through the same stat cache (s may be NULL).  0, 1 if there is no
 * such file, or -1 (reported, naming the path). */
int tree_file_hash(struct store *s, const char *path, struct hash128 *out);

/* What the stat cache holds, committed entries only: files and tree
 * snapshots.  0 or -1 (reported). */
int tree_cache_count(struct store *s, uint64_t *files, uint64_t *snapshots);

/* Keeps m in the store under the tree's hash (pending until the store is
 * flushed; nothing is written if that hash is kept already), and reads it
 * back: 1 found, 0 absent, -1 error (reported); m is
 * empty unless 1. */
void tree_manifest_save(struct store *s, struct hash128 tree, const struct tree_manifest *m);
int tree_manifest_load(struct store *s, struct hash128 tree, struct tree_manifest *m);

/* The paths that differ between two manifests (added, removed, or changed
 * in mode or content), sorted.  *paths points into the manifests; the
 * caller frees the array.  Returns how many. */
size_t tree_diff(const struct tree_manifest *old, const struct tree_manifest *new,
		 const char ***paths);

#endif
