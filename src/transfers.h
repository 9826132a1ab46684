/*
 * transfers: every URL a run downloads goes through one curl multi handle,
 * driven by one thread of its own, so that transfers to the same server
 * share its connections (a TLS handshake or a TCP one per package costs
 * more than a small package) and one place knows the bytes in flight for
 * the status line.
 *
 * Any thread may start a transfer; it waits for the end while the
 * transfers thread moves the bytes.  How many run at once is the callers'
 * affair: the network workers of the scheduler (--fetch-jobs).
 */
#ifndef MINIMERGE_TRANSFERS_H
#define MINIMERGE_TRANSFERS_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

/* A transfer's stall_seconds unless etc/minimerge.cfg says otherwise. */
#define TRANSFER_STALL_SECONDS 60L

struct transfer {
	const char *url;
	/* Takes the body's bytes as they come, on the transfers thread:
	 * returns len, or anything else to stop (CURLE_WRITE_ERROR). */
	size_t (*write)(const char *data, size_t len, void *ctx);
	void *ctx;
	curl_off_t from;     /* asked for from this offset (a resume), or 0 */
	long stall_seconds;  /* less than a byte a second this long: cut off; 0: the default */
	/* A POST of post_len bytes (NULL: a GET), as content_type (NULL:
	 * application/x-www-form-urlencoded), cut off after timeout_seconds
	 * (0: no limit but the stall's). */
	const char *post, *content_type;
	size_t post_len;
	long timeout_seconds;
	/* What came of it. */
	CURLcode rc;
	long status;         /* the HTTP (or FTP) response code, or 0 */
	char error[CURL_ERROR_SIZE]; /* libcurl's words, or "" */
};

/* Runs t to its end: 0 with t's results filled in (t->rc says whether the
 * transfer worked), or -1 if libcurl cannot be loaded or started, with
 * why in t->error. */
int transfers_run(struct transfer *t);

/* Sleeps ms milliseconds, signals or not: the wait between two tries of a
 * transfer. */
void transfers_pause_ms(long ms);
/* Whether a transfer that ended with rc (and HTTP status) may succeed if
 * tried again: connection trouble, timeouts, 5xx, 408 and 429; not 4xx,
 * a bad host or a bad URL. */
bool transfers_transient(CURLcode rc, long status);

/* What is in flight now: bytes received, the sum of the sizes the servers
 * announced (of those that did), and all bytes received since the start,
 * for rates. */
struct transfers_progress {
	unsigned running;
	uint64_t received, announced, received_ever;
	bool all_announced; /* every one running announced its size */
};

/* Any thread; all zero before the first transfer. */
void transfers_progress(struct transfers_progress *p);

#endif
