/*
 * cas: the artifacts, content-addressed.  An artifact is a directory tree
 * packed by libarchive into a tar (pax restricted: ustar unless a long or
 * non-ASCII name needs more), named by the XXH3-128 of the packed bytes:
 * <casdir>/<first 2 hex digits>/<other 30>.  The same tree gives the same
 * bytes: entries sorted by path (bytewise), owners dropped (uid and gid 0,
 * no names), times in whole seconds, compressed with zstd where libarchive
 * has it built in, else gzip.  A tree holds regular files, directories and
 * symlinks only; hard links are packed as separate files.
 *
 * A file appears in the CAS only whole: written to <casdir>/tmp/, fsynced,
 * renamed.  Its index entry in the store is what stats and gc read:
 * STORE_CAS maps the 16 bytes of the hash (canonical order) to three
 * little-endian uint64s: size in bytes, last use, creation (unix time in
 * nanoseconds).
 * A pack and a restore are uses.  Index writes are the store's pending
 * writes; cas_stats, cas_verify and cas_gc commit them first (store_flush)
 * and verify and gc commit their own removals before returning.
 *
 * Every artifact is re-hashed as it is read: a corrupt one is never
 * unpacked; it is removed.  libarchive is loaded on first use
 * (lib/archive_lib.h): call archive_lib before starting threads.
 */
#ifndef MINIMERGE_CAS_H
#define MINIMERGE_CAS_H

#include "store.h"

#include "../lib/hash.h"

#include <stdbool.h>
#include <stdint.h>

/* Packs the tree at dir (symlinks not followed) into a new artifact, or
 * into the one that has the same bytes.  0 with *artifact set, or -1
 * (reported, naming the path). */
int cas_pack(struct store *s, const char *casdir, const char *dir, struct hash128 *artifact);

/* Replaces dest with the artifact's tree: the artifact is read whole and
 * checked, unpacked into <dest>.restore.<pid> beside dest (its parent is
 * created if missing), then the old dest is renamed aside and the new tree
 * renamed into place, so a failure leaves dest as it was.  Returns 0; 1 if
 * the artifact is missing or corrupt (a warning names it; it leaves the
 * index, and a corrupt one the disk); -1 on another error (reported). */
int cas_restore(struct store *s, const char *casdir, struct hash128 artifact, const char *dest);

/* Whether the index lists the artifact (pending writes included).  True
 * when the index cannot be read (reported): nothing is dropped for it. */
bool cas_has(struct store *s, struct hash128 artifact);

struct cas_stats {
	uint64_t count, bytes;
};
/* Counts what the index lists.  0 or -1. */
int cas_stats(struct store *s, struct cas_stats *out);

/* Re-hashes every indexed artifact; each corrupt or missing one is reported
 * (one line naming it) and dropped from the index and the disk.  Returns
 * the number dropped, or -1 on an error. */
long cas_verify(struct store *s, const char *casdir);

/* Removes least recently used artifacts until the total is at most
 * max_bytes.  0 with what went in *removed and *freed, or -1. */
int cas_gc(struct store *s, const char *casdir, uint64_t max_bytes, uint64_t *removed,
	   uint64_t *freed);

/* Removes every artifact (the fan-out directories and tmp/, whatever the
 * index lists) and empties the index, committed at once.  Not while this
 * process packs.  0 or -1. */
int cas_clear(struct store *s, const char *casdir);

#endif
