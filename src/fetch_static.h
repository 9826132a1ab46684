/*
 * fetch_static: the fetch of a src_type = static package.  The archive is
 * downloaded into the cache (download.h) and unpacked (lib/extract.h, so
 * nothing lands outside the tree) into HOME.unpack, next to the package's
 * home; a single top directory is flattened, as minitage does; then the
 * tree takes the home's place.  The home's parts/ (build directory and
 * install prefix) moves into the new tree first, and the old source goes:
 * a source is the archive's, nothing else (fetch_home.h).
 */
#ifndef MINIMERGE_FETCH_STATIC_H
#define MINIMERGE_FETCH_STATIC_H

#include "download.h"

#include "../lib/strbuf.h"

#include <stdint.h>

/* max_bytes unless etc/minimerge.cfg says otherwise (unpack-limit). */
#define FETCH_UNPACK_LIMIT ((uint64_t)8 << 30)

struct fetch_static {
	struct download download; /* url, checksums, cache, offline, log */
	const char *home;         /* <root>/<category>/<name> */
	uint64_t max_bytes;       /* the most the archive may unpack to; 0: no limit */
};

/* 0, or -1 with the reason appended to why. */
int fetch_static(const struct fetch_static *f, struct strbuf *why);

/* Unpacks archive into the directory dir under a source's rules: links stay
 * inside, no setuid or setgid bit, at most max_bytes (0: no limit).  0, or
 * -1 with the reason appended to why. */
int fetch_static_unpack(const char *archive, const char *dir, uint64_t max_bytes,
			struct strbuf *why);
/* Whether dir holds one entry only, a directory: 1 with its path appended
 * to out, or 0; -1 with the reason appended to why if dir cannot be read. */
int fetch_static_single_dir(const char *dir, struct strbuf *out, struct strbuf *why);
/* The tree an archive unpacked into dir stands for: its single top
 * directory, or dir itself, appended to out.  0, or -1 with the reason
 * appended to why if dir cannot be read. */
int fetch_static_tree(const char *dir, struct strbuf *out, struct strbuf *why);

#endif
