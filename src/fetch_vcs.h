/*
 * fetch_vcs: the fetch of a src_type = git package: a checkout in the
 * package's home, made and moved by git run as a child (argv, never a
 * shell), its output in the fetch's log.
 *
 * - No checkout yet: git clone into HOME.unpack (of scm_branch when it is
 *   set), then, with scm_revision (a commit, a tag or a branch), a
 *   detached checkout of it; the home's parts/ moves in, git is told to
 *   ignore it (.git/info/exclude), and the checkout takes the home's
 *   place.
 * - A checkout of another URL (src_uri changed): the old one is kept as
 *   HOME.old.YYYYMMDDHHMMSS, as minitage does, and a new one is cloned.
 * - A checkout of the URL: with update (install -u), the remote is
 *   fetched and scm_revision, else scm_branch, else the remote's HEAD is
 *   checked out, detached.  Without, what the minibuild asks for is
 *   checked out when it changed since the last fetch (git's config keeps
 *   it as minimerge.wanted), or when HEAD is not at a pinned scm_revision
 *   (fetching from the remote when the revision is not there).  Otherwise
 *   the checkout is used as it is, local changes and all.
 * - Offline: a checkout is used as it is; none is an error.
 *
 * The checkout's identity, in the fetch's key, is the hash of its tree
 * without .git and parts/ (pkg_plan.c): a local change is a changed
 * source, and explain names the files.
 */
#ifndef MINIMERGE_FETCH_VCS_H
#define MINIMERGE_FETCH_VCS_H

#include "../lib/strbuf.h"

#include <stdbool.h>

struct fetch_vcs {
	const char *uri;
	const char *branch;   /* scm_branch, or NULL */
	const char *revision; /* scm_revision, or NULL */
	const char *home;
	bool offline;
	bool update;
	int log_fd;
};

/* 0, or -1 with the reason appended to why. */
int fetch_git(const struct fetch_vcs *f, struct strbuf *why);

#endif
