/*
 * download: a static source's archive, fetched with libcurl (http, https,
 * ftp, file) into the download cache, <root>/downloads/, and verified.
 *
 * The file's name is derived from the URL (a short hash of the whole URL,
 * then its last path segment), so two URLs never share a file and a person
 * can tell what a file is.  It is written as NAME.part and renamed when it
 * is complete and verified: a file under its own name is whole.  A cached
 * file is verified again on every reuse (one that does not match is
 * fetched anew), but for one whose stat is what it was when it was last
 * verified against the same checksums: that is kept in the store, as the
 * tree stat cache keeps file hashes (a file changed within the last second
 * is not kept: its next change may leave the same stat).
 *
 * Transient failures (connection refused or reset, timeouts, a transfer cut
 * off, HTTP 5xx and 429) are retried, with a pause doubling from 250 ms, at
 * most DOWNLOAD_RETRIES times; an interrupted transfer resumes where it
 * stopped when the server takes a Range request.  Permanent failures (HTTP
 * 4xx, an unknown host, a file:// path that is not there) fail at once.
 * Proxies come from the usual environment variables, as libcurl reads them.
 *
 * Two fetches of one file of the cache at once in this process are one
 * after the other: the second finds what the first brought.
 *
 * The bytes go through the run's one curl multi handle (transfers.h) and
 * are hashed on the calling thread once whole; any thread may download.
 * A download is not synced to the disk as it is written (a crash leaves a
 * file that fails its check and is fetched again), but before the store
 * keeps a verification by stat, which would let a reuse skip the check.
 */
#ifndef MINIMERGE_DOWNLOAD_H
#define MINIMERGE_DOWNLOAD_H

#include "transfers.h"

#include "../cache/store.h"
#include "../lib/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

#define DOWNLOAD_RETRIES 5

struct download {
	const char *url;
	const char *dir;    /* the download cache, created if missing */
	const char *sha256; /* expected, lowercase hex, or NULL */
	const char *md5;    /* expected, lowercase hex, or NULL */
	bool offline;       /* use the cache only */
	/* A transfer that moves less than a byte a second for this long is
	 * cut off (and retried). */
	long stall_seconds;
	int log_fd;         /* what happens, a line each, or -1 */
	struct store *store; /* where verifications are kept, or NULL */
};

/* The URL's last path segment, before any query or fragment, as it is (not
 * decoded): its length, and where it starts in *name.  0 when the URL names
 * no file ("http://host", "http://host/dir/"). */
size_t download_url_name(const char *url, const char **name);
/* The cache's file for a URL: dir/NAME.  Appended to out. */
void download_path(const char *dir, const char *url, struct strbuf *out);

/* Fetches d->url unless the cache has it verified; the file's path is
 * appended to path.  0, or -1 with the reason (naming the URL, and the HTTP
 * status or the checksums that differ) appended to why. */
int download_fetch(const struct download *d, struct strbuf *path, struct strbuf *why);

#endif
