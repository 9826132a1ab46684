/*
 * debianize: Debian packaging from a project's info, in pkgme's formats
 * (research/pkgme.md §4): debian/control, rules, changelog, compat,
 * copyright and source/format, and the backend's extra files.
 *
 * The texts are made first, then written, each file atomically: a bad
 * extra file path stops everything before anything is written.  Existing
 * files are replaced, as pkgme replaces them.  The changelog's date is
 * $SOURCE_DATE_EPOCH's when it is set (reproducible builds), else now.
 * Where this differs from pkgme: the robot that holds the copyright of
 * the debian directory is minimerge's, and the license line of the copyright file
 * reads "The full text of the license can be found ..." (pkgme's lacks
 * "license").
 */
#ifndef MINIMERGE_DEBIANIZE_H
#define MINIMERGE_DEBIANIZE_H

#include "project_info.h"

#include "../lib/strbuf.h"


/* Writes dir/debian/ (and the extra files, relative to dir).  The paths
 * written are appended to written, one per line.  0, or -1 with why in
 * err. */
int debianize_write(const struct project_info *pi, const char *dir, struct strbuf *written,
		    struct strbuf *err);

#endif
