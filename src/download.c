#include "download.h"

#include "transfers.h"

#include "../cache/tree.h"
#include "../lib/arena.h"
#include "../lib/digest.h"
#include "../lib/fsutil.h"
#include "../lib/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The hash part of a cache name: enough that two URLs never meet. */
#define NAME_HASH_HEX 12

size_t download_url_name(const char *url, const char **name)
{
	const char *end = url + strcspn(url, "?#");
	/* The path starts past the host, if there is one: "http://host"
	 * names no file. */
	const char *path = url, *scheme_end = strstr(url, "://");
	if (scheme_end && scheme_end < end)
		path = scheme_end + 3 + strcspn(scheme_end + 3, "/?#");
	const char *start = end;
	while (start > path && start[-1] != '/')
		start--;
	*name = start;
	return (size_t)(end - start);
}

void download_path(const char *dir, const char *url, struct strbuf *out)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(hash_bytes(url, strlen(url)), hex);
	const char *seg;
	size_t len = download_url_name(url, &seg);
	strbuf_addf(out, "%s/%.*s-", dir, NAME_HASH_HEX, hex);
	if (!len)
		strbuf_adds(out, "download");
	for (const char *p = seg; p < seg + len; p++) {
		char c = *p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     c == '.' || c == '_' || c == '-' || c == '+';
		strbuf_addc(out, plain ? c : '_');
	}
}

static void note(const struct download *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct download *d, const char *fmt, ...)
{
	if (d->log_fd < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vdprintf(d->log_fd, fmt, ap);
	va_end(ap);
}

static int digest_matches(const struct download *d, const char *path, struct strbuf *why);

static int sync_data(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fdatasync(fd);
	close(fd);
	return rc;
}

/* 0 if the file has the expected checksums (or none are expected), 1 if
 * not, -1 if it cannot be read; why says what differs.  A file verified
 * before is known by its content hash, which the tree cache's stat record
 * gives without reading it again. */
static int verify(const struct download *d, const char *path, struct strbuf *why)
{
	if (!d->sha256 && !d->md5)
		return 0;
	struct strbuf key = STRBUF_INIT, kept = STRBUF_INIT;
	strbuf_addf(&key, "verified:sha256 %s md5 %s", d->sha256 ? d->sha256 : "-",
		    d->md5 ? d->md5 : "-");
	struct hash128 h;
	bool hashed = d->store && tree_file_hash(d->store, path, &h) == 0;
	bool known = hashed && store_get(d->store, STORE_META, key.buf, key.len, &kept) == 1 &&
		     kept.len == sizeof(h) && !memcmp(kept.buf, &h, sizeof(h));
	int rc = 0;
	if (known)
		note(d, "%s: verified before, and unchanged since\n", path);
	else
		rc = digest_matches(d, path, why);
	/* A download is not synced when written: the record vouches for the
	 * bytes from now on, so they go to the disk first.  Most are by now
	 * (the kernel writes dirty pages back within half a minute). */
	if (rc == 0 && hashed && !known && sync_data(path) == 0)
		store_put(d->store, STORE_META, key.buf, key.len, &h, sizeof(h));
	strbuf_release(&key);
	strbuf_release(&kept);
	return rc;
}

/* 0 if the digests found are the expected ones, else 1 with why. */
static int compare(const struct download *d, const char *sha256, const char *md5,
		   struct strbuf *why)
{
	if (d->sha256 && strcmp(d->sha256, sha256)) {
		strbuf_addf(why, "%s: src_sha256 is %s, the download's sha256 is %s", d->url,
			    d->sha256, sha256);
		return 1;
	}
	if (d->md5 && strcmp(d->md5, md5)) {
		strbuf_addf(why, "%s: src_md5 is %s, the download's md5 is %s", d->url, d->md5, md5);
		return 1;
	}
	return 0;
}

/* verify's hashing: 0, 1 or -1 as verify. */
static int digest_matches(const struct download *d, const char *path, struct strbuf *why)
{
	if (!d->sha256 && !d->md5)
		return 0; /* nothing to read the file for */
	char sha256[65], md5[33];
	int err = 0;
	if (digest_file(path, d->sha256 ? sha256 : NULL, d->md5 ? md5 : NULL, &err) != 0) {
		strbuf_addf(why, "cannot read %s: %s", path, strerror(err));
		return -1;
	}
	return compare(d, sha256, md5, why);
}

/* libcurl hands the body over 16 KiB at a time; the .part file takes it
 * in pieces this large: a sixteenth of the writes, each with its system
 * call and the file system's work per call. */
#define SINK_BUFFER (256 * 1024)

/* Where a transfer's bytes go: the .part file, through buf. */
struct sink {
	int fd;
	int err; /* of a failed write */
	char *buf;
	size_t len;
};

static int sink_flush(struct sink *s)
{
	if (!s->err && s->len)
		s->err = fs_write_all(s->fd, s->buf, s->len);
	s->len = 0;
	return s->err;
}

/* Through the buffer whatever len is: libcurl's pieces are far smaller
 * than it, but nothing here counts on that. */
static size_t on_data(const char *data, size_t len, void *ctx)
{
	struct sink *s = ctx;
	for (size_t done = 0; done < len;) {
		if (s->len == SINK_BUFFER && sink_flush(s))
			return 0;
		size_t n = len - done < SINK_BUFFER - s->len ? len - done : SINK_BUFFER - s->len;
		memcpy(s->buf + s->len, data + done, n);
		s->len += n;
		done += n;
	}
	return len;
}

/* One transfer into part, appending from its current size.  0, or -1 if
 * libcurl could not be used (said in why). */
static int transfer(const struct download *d, const char *part, struct transfer *t,
		    struct sink *sink, struct strbuf *why)
{
	sink->err = 0;
	sink->len = 0;
	sink->fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (sink->fd < 0) {
		sink->err = errno;
		t->rc = CURLE_WRITE_ERROR;
		t->status = 0;
		return 0;
	}
	struct stat st;
	*t = (struct transfer){.url = d->url, .write = on_data, .ctx = sink,
			       .from = fstat(sink->fd, &st) == 0 ? (curl_off_t)st.st_size : 0,
			       .stall_seconds = d->stall_seconds};
	int rc = transfers_run(t);
	/* What came before a cut stays: a resume starts at the file's end. */
	if (sink_flush(sink) && t->rc == CURLE_OK)
		t->rc = CURLE_WRITE_ERROR;
	close(sink->fd);
	if (rc != 0)
		strbuf_addf(why, "%s: %s", d->url, t->error);
	return rc;
}

static void describe(const struct download *d, const struct transfer *t, const struct sink *sink,
		     struct strbuf *why)
{
	if (t->rc == CURLE_HTTP_RETURNED_ERROR)
		strbuf_addf(why, "%s: HTTP %ld", d->url, t->status);
	else if (t->rc == CURLE_WRITE_ERROR && sink->err)
		strbuf_addf(why, "%s: cannot write the download: %s", d->url, strerror(sink->err));
	else if (t->status && !strncmp(d->url, "ftp", 3))
		strbuf_addf(why, "%s: FTP %ld: %s", d->url, t->status,
			    t->error[0] ? t->error : "the transfer failed");
	else
		strbuf_addf(why, "%s: %s", d->url, t->error);
}

/* Downloads into part, resuming and trying again as transfers allow:
 * 0 once part is whole, else -1 with why. */
static int download_part(const struct download *d, const char *part, struct sink *sink,
			 struct strbuf *why)
{
	struct transfer t;
	long wait = 250;
	for (int attempt = 0;; attempt++) {
		if (transfer(d, part, &t, sink, why) != 0)
			return -1;
		if (t.rc == CURLE_RANGE_ERROR || t.status == 416) {
			/* The server would not resume: start over, at once. */
			note(d, "%s: the server does not resume; starting over\n", d->url);
			if (truncate(part, 0) != 0) {
				strbuf_addf(why, "cannot truncate %s: %s", part, strerror(errno));
				return -1;
			}
			if (transfer(d, part, &t, sink, why) != 0)
				return -1;
		}
		if (t.rc == CURLE_OK || !transfers_transient(t.rc, t.status) ||
		    attempt == DOWNLOAD_RETRIES)
			break;
		struct strbuf reason = STRBUF_INIT;
		describe(d, &t, sink, &reason);
		note(d, "%s; trying again in %ld ms\n", reason.buf, wait);
		strbuf_release(&reason);
		transfers_pause_ms(wait);
		wait *= 2;
	}
	if (t.rc != CURLE_OK) {
		describe(d, &t, sink, why);
		/* What a permanent failure left is no start for a resume. */
		if (!transfers_transient(t.rc, t.status))
			unlink(part);
		return -1;
	}
	return 0;
}

/* Downloads into part, then renames it to path once verified. */
static int fetch_into(const struct download *d, const char *path, const char *part,
		      struct strbuf *why)
{
	struct sink sink = {.fd = -1, .buf = xmalloc(SINK_BUFFER)};
	int rc = download_part(d, part, &sink, why);
	free(sink.buf);
	if (rc != 0)
		return -1;
	/* Hashed here, on the caller's thread, not as the bytes came: the
	 * transfers thread moves every download's bytes, and the callers
	 * hash theirs on as many cores as there are.  The file is still in
	 * the page cache. */
	if (digest_matches(d, part, why) != 0) {
		unlink(part);
		return -1;
	}
	if (rename(part, path) != 0) {
		strbuf_addf(why, "cannot rename %s: %s", part, strerror(errno));
		return -1;
	}
	return 0;
}

/* A file of the cache is written through one NAME.part: two fetches of it
 * at once (a run's download part and cmmi part of one archive) would
 * both write it.  The second waits for the first, then finds the file in
 * the cache.  Within this process: one minimerge at a time works on a
 * root. */
struct fetching {
	const char *file;
	struct fetching *next;
};

static pthread_mutex_t fetching_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fetching_done = PTHREAD_COND_INITIALIZER;
static struct fetching *fetching;

static bool is_fetching(const char *file)
{
	for (const struct fetching *f = fetching; f; f = f->next)
		if (!strcmp(f->file, file))
			return true;
	return false;
}

static void fetch_begin(struct fetching *me)
{
	pthread_mutex_lock(&fetching_lock);
	while (is_fetching(me->file))
		pthread_cond_wait(&fetching_done, &fetching_lock);
	me->next = fetching;
	fetching = me;
	pthread_mutex_unlock(&fetching_lock);
}

static void fetch_end(struct fetching *me)
{
	pthread_mutex_lock(&fetching_lock);
	struct fetching **p = &fetching;
	while (*p != me)
		p = &(*p)->next;
	*p = me->next;
	pthread_cond_broadcast(&fetching_done);
	pthread_mutex_unlock(&fetching_lock);
}

int download_fetch(const struct download *d, struct strbuf *path, struct strbuf *why)
{
	struct strbuf file = STRBUF_INIT, part = STRBUF_INIT;
	download_path(d->dir, d->url, &file);
	strbuf_addf(&part, "%s.part", file.buf);
	struct fetching me = {.file = file.buf};
	fetch_begin(&me);
	int rc = -1;
	if (access(file.buf, F_OK) == 0) {
		struct strbuf bad = STRBUF_INIT;
		int v = verify(d, file.buf, &bad);
		if (v == 0) {
			note(d, "%s: in the download cache, %s\n", d->url, file.buf);
			rc = 0;
		} else if (v > 0) {
			/* The cache went bad, or the minibuild's checksum changed
			 * for the same URL: fetch it anew. */
			note(d, "%s; fetching it again\n", bad.buf);
			unlink(file.buf);
		} else {
			strbuf_add(why, bad.buf, bad.len);
			strbuf_release(&bad);
			goto out;
		}
		strbuf_release(&bad);
	}
	if (rc != 0 && d->offline) {
		strbuf_addf(why, "%s: not in the download cache (offline)", d->url);
		goto out;
	}
	if (rc != 0) {
		int err = fs_mkdirs(d->dir, 0777);
		if (err) {
			strbuf_addf(why, "cannot create %s: %s", d->dir, strerror(err));
			goto out;
		}
		note(d, "%s: downloading to %s\n", d->url, file.buf);
		rc = fetch_into(d, file.buf, part.buf, why);
	}
	if (rc == 0)
		strbuf_add(path, file.buf, file.len);
out:
	fetch_end(&me);
	strbuf_release(&file);
	strbuf_release(&part);
	return rc;
}
