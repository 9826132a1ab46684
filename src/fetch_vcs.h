/*
 * fetch_vcs: the fetch of a src_type = git, hg, svn or bzr package: a
 * checkout in the package's home, made and moved by the tool run as a
 * child (argv, never a shell; bzr is `bzr`, or `brz` where there is no
 * `bzr` on PATH), its output in the fetch's log.  The four are one way of
 * fetching: a table in fetch_vcs.c says what each step is for each tool.
 *
 * - No checkout yet: git clone (of scm_branch when it is set), hg clone,
 *   svn checkout or bzr branch into HOME.unpack, then what the minibuild
 *   asks for is checked out (scm_revision, else scm_branch, else the
 *   tool's newest: the remote's HEAD, tip, HEAD, last:1); the home's
 *   parts/ moves in, the tool is told to ignore it where it keeps such a
 *   list outside the tree (git: .git/info/exclude; hg: an ignore file
 *   named in .hg/hgrc; svn and bzr have none, and nothing here asks their
 *   status), and the checkout takes the home's place.
 * - A checkout of another URL (src_uri changed): the old one is kept as
 *   HOME.old.YYYYMMDDHHMMSS, as minitage does, and a new one is made.
 * - A checkout of the URL: with update (install -u), the remote is asked
 *   for what is new and what the minibuild asks for is checked out.
 *   Without, that is checked out when it changed since the last fetch,
 *   or when the checkout is not at a pinned scm_revision (asking the
 *   remote when the revision is not there).  Otherwise the checkout is
 *   used as it is, local changes and all.
 * - Offline: a checkout is used as it is; none is an error, and so is an
 *   svn checkout that has to move (svn's history is on the server).
 *
 * What a checkout is of (src_uri) and what the minibuild asked it to be
 * at: the file minimerge-wanted in the tool's metadata directory, a line
 * each; git's URL is its remote.origin.url.  A checkout without that file
 * (or, for git, that URL) was not made here: it counts as one of another
 * URL.
 *
 * The checkout's identity, in the fetch's key, is the hash of its tree
 * without the metadata directory and parts/ (pkg_plan.c): a local change
 * is a changed source, and explain names the files.
 */
#ifndef MINIMERGE_FETCH_VCS_H
#define MINIMERGE_FETCH_VCS_H

#include "../lib/strbuf.h"

#include <stdbool.h>

struct graph_job;
struct minibuild;

struct fetch_vcs {
	const char *type; /* src_type: git, hg, svn or bzr */
	const char *uri;
	const char *branch;   /* scm_branch, or NULL */
	const char *revision; /* scm_revision, or NULL */
	const char *home;
	bool offline;
	bool update;
	/* The fetch action's job: the commands go to its log (and, with -v,
	 * to the terminal) as the build's do. */
	struct graph_job *job;
};

/* The metadata directory at the top of a checkout of src_type type
 * (".git", ".hg", ".svn", ".bzr"), or NULL when type is not a VCS's. */
const char *fetch_vcs_dir(const char *type);

/* What a VCS source cannot be, found before anything runs: a src_uri that
 * is not a URL (or, but for svn, an absolute path), an scm_branch for svn
 * or bzr (their URLs name branches), an svn scm_revision that is not a
 * number.  0, or -1 (reported with the minibuild's file and line). */
int fetch_vcs_check(const struct minibuild *mb);

/* 0, or -1 with the reason appended to why. */
int fetch_vcs(const struct fetch_vcs *f, struct strbuf *why);

#endif
