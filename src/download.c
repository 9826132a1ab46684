#include "download.h"

#include "version.h"

#include "../lib/curl_lib.h"
#include "../lib/digest.h"
#include "../lib/fsutil.h"
#include "../lib/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The hash part of a cache name: enough that two URLs never meet. */
#define NAME_HASH_HEX 12

void download_path(const char *dir, const char *url, struct strbuf *out)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(hash_bytes(url, strlen(url)), hex);
	const char *end = url + strcspn(url, "?#");
	const char *seg = end;
	while (seg > url && seg[-1] != '/')
		seg--;
	/* "http://host" and "http://host/dir/" name no file. */
	if (seg == end || (seg > url && seg[-1] == '/' && seg - url >= 2 && seg[-2] == '/'))
		seg = end;
	strbuf_addf(out, "%s/%.*s-", dir, NAME_HASH_HEX, hex);
	if (seg == end)
		strbuf_adds(out, "download");
	for (const char *p = seg; p < end; p++) {
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

static int64_t ns_of(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* What a verification of path is kept under, and what it was of: the
 * file's stat and the checksums it matched.  0, or -1 if path cannot be
 * stat-ed or changed too lately to be trusted by its stat. */
static int verified_as(const struct download *d, const char *path, struct strbuf *key,
		       struct strbuf *val)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t since = ns_of(now) - 1000000000;
	if (ns_of(st.st_mtim) >= since || ns_of(st.st_ctim) >= since)
		return -1;
	strbuf_addf(key, "verified:%s", path);
	strbuf_addf(val, "%ju %ju %jd %ld.%09ld %ld.%09ld\nsha256 %s\nmd5 %s\n",
		    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
		    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long)st.st_ctim.tv_sec,
		    st.st_ctim.tv_nsec, d->sha256 ? d->sha256 : "-", d->md5 ? d->md5 : "-");
	return 0;
}

static int digest_matches(const struct download *d, const char *path, struct strbuf *why);

/* 0 if the file has the expected checksums (or none are expected), 1 if
 * not, -1 if it cannot be read; why says what differs. */
static int verify(const struct download *d, const char *path, struct strbuf *why)
{
	if (!d->sha256 && !d->md5)
		return 0;
	struct strbuf key = STRBUF_INIT, val = STRBUF_INIT, kept = STRBUF_INIT;
	bool keep = d->store && verified_as(d, path, &key, &val) == 0;
	bool known = keep && store_get(d->store, STORE_META, key.buf, key.len, &kept) == 1 &&
		     kept.len == val.len && !memcmp(kept.buf, val.buf, val.len);
	int rc = 0;
	if (known)
		note(d, "%s: verified before, and unchanged since\n", path);
	else
		rc = digest_matches(d, path, why);
	if (rc == 0 && keep && !known)
		store_put(d->store, STORE_META, key.buf, key.len, val.buf, val.len);
	strbuf_release(&key);
	strbuf_release(&val);
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
	char sha256[65], md5[33];
	int err = 0;
	if (digest_file(path, d->sha256 ? sha256 : NULL, d->md5 ? md5 : NULL, &err) != 0) {
		strbuf_addf(why, "cannot read %s: %s", path, strerror(err));
		return -1;
	}
	return compare(d, sha256, md5, why);
}

/* Where a transfer's bytes go: the .part file, and the digests, computed
 * as the bytes come so that the file is not read again to check it. */
struct sink {
	int fd;
	int err; /* of a failed write */
	bool sha, md;  /* which digests are wanted */
	struct digest_sha256 sha256;
	struct digest_md5 md5;
};

static void sink_reset(struct sink *s)
{
	digest_sha256_init(&s->sha256);
	digest_md5_init(&s->md5);
}

static void sink_hash(struct sink *s, const void *data, size_t len)
{
	if (s->sha)
		digest_sha256_update(&s->sha256, data, len);
	if (s->md)
		digest_md5_update(&s->md5, data, len);
}

/* Hashes what an earlier, cut transfer left in part: a resume appends to
 * it.  0, or -1 with why. */
static int sink_hash_file(struct sink *s, const char *part, struct strbuf *why)
{
	int fd = open(part, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : (strbuf_addf(why, "cannot read %s: %s", part,
							   strerror(errno)),
					      -1);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sink_hash(s, buf, (size_t)n);
	int err = n < 0 ? errno : 0;
	close(fd);
	if (err)
		strbuf_addf(why, "cannot read %s: %s", part, strerror(err));
	return err ? -1 : 0;
}

/* What the bytes hashed as they came are checked against: 0, or 1 with
 * why. */
static int sink_check(const struct download *d, struct sink *s, struct strbuf *why)
{
	unsigned char bytes[DIGEST_SHA256_SIZE];
	char sha256[2 * DIGEST_SHA256_SIZE + 1] = "", md5[2 * DIGEST_MD5_SIZE + 1] = "";
	if (s->sha) {
		digest_sha256_final(&s->sha256, bytes);
		digest_hex(bytes, DIGEST_SHA256_SIZE, sha256);
	}
	if (s->md) {
		digest_md5_final(&s->md5, bytes);
		digest_hex(bytes, DIGEST_MD5_SIZE, md5);
	}
	return compare(d, sha256, md5, why);
}

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n, done = 0;
	while (done < len) {
		ssize_t w = write(s->fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->err = errno;
			return 0; /* libcurl stops with CURLE_WRITE_ERROR */
		}
		done += (size_t)w;
	}
	sink_hash(s, data, len);
	return len;
}

/* Worth another try: the network or the server may do better later. */
static bool transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_HTTP_RETURNED_ERROR:
		return status >= 500 || status == 429 || status == 408;
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_FTP_ACCEPT_TIMEOUT:
		return true;
	default:
		return false;
	}
}

/* One transfer into part, appending from its current size.  Returns the
 * curl code; *status is the HTTP status (0 for other protocols). */
static CURLcode transfer(const struct curl_lib *lib, const struct download *d, const char *part,
			 long *status, char *curlerr, struct sink *sink)
{
	*status = 0;
	curlerr[0] = '\0';
	sink->err = 0;
	sink->fd = open(part, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (sink->fd < 0) {
		sink->err = errno;
		return CURLE_WRITE_ERROR;
	}
	struct stat st;
	curl_off_t from = fstat(sink->fd, &st) == 0 ? (curl_off_t)st.st_size : 0;
	CURL *curl = lib->easy_init();
	if (!curl) {
		close(sink->fd);
		snprintf(curlerr, CURL_ERROR_SIZE, "cannot start libcurl");
		return CURLE_FAILED_INIT;
	}
	lib->easy_setopt(curl, CURLOPT_URL, d->url);
	lib->easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	lib->easy_setopt(curl, CURLOPT_WRITEDATA, sink);
	lib->easy_setopt(curl, CURLOPT_ERRORBUFFER, curlerr);
	lib->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	lib->easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	lib->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	lib->easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lib->easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, d->stall_seconds > 0 ? d->stall_seconds : 60L);
	lib->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	lib->easy_setopt(curl, CURLOPT_USERAGENT, "minimerge/" MINIMERGE_VERSION);
	if (from > 0)
		lib->easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, from);
	CURLcode rc = lib->easy_perform(curl);
	lib->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	lib->easy_cleanup(curl);
	if (rc == CURLE_OK && fsync(sink->fd) != 0) {
		sink->err = errno;
		rc = CURLE_WRITE_ERROR;
	}
	close(sink->fd);
	return rc;
}

static void describe(const struct download *d, CURLcode rc, long status, const char *curlerr,
		     const struct sink *sink, const struct curl_lib *lib, struct strbuf *why)
{
	if (rc == CURLE_HTTP_RETURNED_ERROR)
		strbuf_addf(why, "%s: HTTP %ld", d->url, status);
	else if (rc == CURLE_WRITE_ERROR && sink->err)
		strbuf_addf(why, "%s: cannot write the download: %s", d->url, strerror(sink->err));
	else
		strbuf_addf(why, "%s: %s", d->url, curlerr[0] ? curlerr : lib->easy_strerror(rc));
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Downloads into part, then renames it to path once verified. */
static int fetch_into(const struct download *d, const char *path, const char *part,
		      struct strbuf *why)
{
	char err[256];
	const struct curl_lib *lib = curl_lib(err, sizeof(err));
	if (!lib) {
		strbuf_addf(why, "%s: %s", d->url, err);
		return -1;
	}
	char curlerr[CURL_ERROR_SIZE];
	struct sink sink = {.fd = -1, .sha = d->sha256 != NULL, .md = d->md5 != NULL};
	sink_reset(&sink);
	if (sink_hash_file(&sink, part, why) != 0)
		return -1;
	long status = 0, wait = 250;
	CURLcode rc = CURLE_OK;
	for (int attempt = 0;; attempt++) {
		rc = transfer(lib, d, part, &status, curlerr, &sink);
		if (rc == CURLE_RANGE_ERROR || status == 416) {
			/* The server would not resume: start over, at once. */
			note(d, "%s: the server does not resume; starting over\n", d->url);
			if (truncate(part, 0) != 0) {
				strbuf_addf(why, "cannot truncate %s: %s", part, strerror(errno));
				return -1;
			}
			sink_reset(&sink);
			rc = transfer(lib, d, part, &status, curlerr, &sink);
		}
		if (rc == CURLE_OK || !transient(rc, status) || attempt == DOWNLOAD_RETRIES)
			break;
		struct strbuf reason = STRBUF_INIT;
		describe(d, rc, status, curlerr, &sink, lib, &reason);
		note(d, "%s; trying again in %ld ms\n", reason.buf, wait);
		strbuf_release(&reason);
		pause_ms(wait);
		wait *= 2;
	}
	if (rc != CURLE_OK) {
		describe(d, rc, status, curlerr, &sink, lib, why);
		/* What a permanent failure left is no start for a resume. */
		if (!transient(rc, status))
			unlink(part);
		return -1;
	}
	if (sink_check(d, &sink, why) != 0) {
		unlink(part);
		return -1;
	}
	if (rename(part, path) != 0) {
		strbuf_addf(why, "cannot rename %s: %s", part, strerror(errno));
		return -1;
	}
	fs_sync_dir(d->dir);
	return 0;
}

int download_fetch(const struct download *d, struct strbuf *path, struct strbuf *why)
{
	struct strbuf file = STRBUF_INIT, part = STRBUF_INIT;
	download_path(d->dir, d->url, &file);
	strbuf_addf(&part, "%s.part", file.buf);
	int rc = -1;
	struct stat st;
	if (stat(file.buf, &st) == 0) {
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
	strbuf_release(&file);
	strbuf_release(&part);
	return rc;
}
