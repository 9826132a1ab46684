/*
 * extract: creates an archive's entries on disk, read through libarchive
 * but written by our own code.  libarchive's disk writer sets the umask to
 * 0 and back, when it starts and for every entry: the umask belongs to the
 * process, so a child another worker spawns in that moment (a make install)
 * runs with umask 0 and creates world-writable files.  Nothing here reads
 * or sets the umask: every mode is set with fchmod or fchmodat once the
 * entry exists.  Directories are created 0700 and opened to write in, so
 * a umask that takes the owner's own bits away is not supported.
 *
 * What it promises:
 * - an entry is a regular file, a directory or a symlink (or, with
 *   rules, a hard link inside the tree); a device, a FIFO or a socket is
 *   refused;
 * - a name is relative and has no ".." component; "." and empty components
 *   (a leading "./", a trailing "/") are dropped, and the entry whose name
 *   is left empty (the "./" of a tar) is skipped;
 * - nothing is written through a symlink: each parent is opened component
 *   by component without following one (a missing parent is created, and
 *   ends 0755 with the time its contents left it); nothing is written over
 *   an existing entry but a directory over a directory;
 * - a file or a symlink gets the entry's mtime, to the nanosecond, as its
 *   atime and mtime; a file its permission bits too (a symlink's own are
 *   not used, and Linux cannot set them);
 * - a directory gets its bits and times once every entry is written,
 *   deepest first, so that what is written into it changes neither;
 * - owners are not restored: everything belongs to the caller.
 * Different threads may extract into different directories at once.
 */
#ifndef MINIMERGE_EXTRACT_H
#define MINIMERGE_EXTRACT_H

#include "archive_lib.h"

#include <stdbool.h>
#include <stdint.h>

/* What a downloaded source may hold, beyond an artifact of our own.  An
 * artifact is packed here from an install prefix, where a symlink to
 * /usr/lib is at home; a source comes from anywhere. */
struct extract_rules {
	/* A symlink's target, resolved from where it is, stays inside dir and
	 * goes through no other symlink of the tree; a hard link is made if
	 * its target is an entry unpacked before it (refused otherwise). */
	bool confine_links;
	/* A setuid or setgid bit is refused. */
	bool no_setid;
	/* The most bytes the files may add up to (their sizes, holes
	 * included: a sparse file of a terabyte is a terabyte to the build
	 * that copies it); 0: no limit. */
	uint64_t max_bytes;
};

/* Creates every entry read from in (an opened libarchive reader) under
 * dir, an existing empty directory; rules may be NULL (none).  0, or -1
 * after reporting "cannot unpack WHAT: ENTRY: REASON" (what is e.g.
 * "artifact 3fa9..."), or "cannot read WHAT: ..." when libarchive cannot.
 * After a failure dir holds what was written so far, every directory still
 * 0700. */
int extract_entries(const struct archive_lib *al, struct archive *in, const char *dir,
		    const char *what, const struct extract_rules *rules);

#endif
