/*
 * minilay: the directories minibuilds are found in, searched in order
 * ($MINILAYS, then [minimerge] minilays of etc/minimerge.cfg, then the
 * subdirectories of <root>/minilays/ sorted), and the index of the files
 * they hold.  The first minilay holding a name wins; later copies are
 * shadowed.  Files minitage ignores are skipped (dot files, readme*, *.svn,
 * *.sav, *ignore, *~).
 */
#ifndef MINIMERGE_MINILAY_H
#define MINIMERGE_MINILAY_H

#include "../lib/arena.h"
#include "../lib/hmap.h"

#include <stdbool.h>
#include <stddef.h>

struct minilay_file {
	const char *name;
	size_t minilay;              /* index into dirs */
	struct minilay_file *shadow; /* the next copy of this name, in a later minilay */
	size_t index;                /* of the winner, in files */
};

struct minilays {
	const char **dirs; /* absolute, in search order */
	size_t ndirs;
	struct minilay_file **files; /* the winning copy of each name, sorted by name */
	size_t nfiles;
	struct hmap by_name;         /* name -> struct minilay_file (the winner) */
	struct hmap by_base;         /* base name -> struct minilay_versions */
};

/* The versioned names sharing one base name (zlib-1.2.13, zlib-1.3). */
struct minilay_versions {
	const char **names;
	size_t n, cap;
};

/* The search path.  env is $MINILAYS (or NULL); configured is the
 * [minimerge] minilays value (or NULL) from cfg_path:cfg_line.  Relative
 * entries are taken from the root.  0 or -1 (reported: a listed directory
 * that does not exist). */
int minilays_open(struct arena *a, const char *root, const char *env, const char *configured,
		  const char *cfg_path, int cfg_line, struct minilays *out);
void minilays_free(struct minilays *m);

/* Whether minitage would skip a file of this name. */
bool minilay_ignored(const char *name);

#endif
