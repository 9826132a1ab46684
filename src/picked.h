/*
 * picked: what a run does with the versions it picked once it has run, as
 * buildout does (show-picked-versions prints them, update-versions-file
 * appends them to a file) and as the extension buildout.dumppickedversions
 * did (prints them between banners, or writes dump-picked-versions-file).
 * The settings come from a config's [buildout] or from minimerge.cfg's
 * [minimerge]: whoever reads them fills a picked_options.
 */
#ifndef MINIMERGE_PICKED_H
#define MINIMERGE_PICKED_H

#include "versionmap.h"

#include <stdbool.h>

struct picked_options {
	const char *dir;         /* relative file names are relative to it */
	bool show;               /* show-picked-versions */
	const char *update_file; /* update-versions-file, as given; NULL: none */
	bool dump;               /* extensions has buildout.dumppickedversions */
	const char *dump_file;   /* dump-picked-versions-file, as given; NULL: printed */
	bool overwrite;          /* overwrite-picked-versions-file */
};

/* Prints and writes what o asks for.  0, or -1 when a file could not be
 * written (reported). */
int picked_report(const struct versionmap *vm, const struct picked_options *o);

#endif
