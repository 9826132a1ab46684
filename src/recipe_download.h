/*
 * recipe_download: hexagonit.recipe.download (also gocept.download and
 * minitage.recipe.fetch): a part's `url` is fetched into the download
 * cache and checked (download.h), then unpacked safely (lib/extract.h:
 * nothing lands outside the tree, no setuid bit, no more than the unpack
 * limit) into `destination`, or, with `download-only`, copied there as
 * `filename`.
 *
 * Its parts share with recipe_cmmi's how a source is named and fetched:
 * `url`, and `md5sum` and/or `sha256` checked against the download.  The
 * helpers below are that share.
 */
#ifndef MINIMERGE_RECIPE_DOWNLOAD_H
#define MINIMERGE_RECIPE_DOWNLOAD_H

#include "recipe.h"

#include "../lib/strbuf.h"

/* init: checks md5sum and sha256 (hex digests of the right length).  0, or
 * -1 (reported at the option). */
int recipe_download_check_sums(struct recipe_init *ri);

/* The part's url into the download cache, checked: the file's path is
 * appended to file.  0, or -1 after graph_job_fail. */
int recipe_download_fetch(struct recipe_run *r, struct strbuf *file);

/* Unpacks archive into dir, removed first if it is there, then created.
 * 0, or -1 after graph_job_fail (dir holds what was unpacked so far). */
int recipe_download_unpack(struct recipe_run *r, const char *archive, const char *dir);

#endif
