#include "transfers.h"

#include "version.h"

#include "../lib/arena.h"
#include "../lib/curl_lib.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* libcurl's reads from a socket: curl's own tool takes 100 KiB, a fifth of
 * the system calls of libcurl's 16 KiB default. */
#define RECEIVE_BUFFER (128 * 1024)

/* A transfer while it waits or runs: the caller's, on its stack. */
struct job {
	struct transfer *t;
	CURL *easy;
	struct curl_slist *headers;
	atomic_uint_fast64_t received;
	atomic_int_fast64_t announced; /* -1 until the body starts; 0: not said */
	bool done;
	/* The caller waits on its own: one for all woke every waiting
	 * caller at each end. */
	pthread_cond_t done_cv;
	struct job *next;
};

static struct {
	const struct curl_lib *lib;
	CURLM *multi;
	char error[CURL_ERROR_SIZE]; /* why the thread could not start */
	pthread_mutex_t mu;
	struct job *waiting, *running; /* lists through next */
	CURL **idle;                   /* easy handles to use again */
	size_t nidle, capidle;
	atomic_uint_fast64_t received_ever;
} tr = {.mu = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t started = PTHREAD_ONCE_INIT;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct job *j = ctx;
	size_t len = size * n;
	if (atomic_load_explicit(&j->announced, memory_order_relaxed) < 0) {
		curl_off_t cl = -1;
		tr.lib->easy_getinfo(j->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		atomic_store_explicit(&j->announced, cl > 0 ? cl : 0, memory_order_relaxed);
	}
	atomic_fetch_add_explicit(&j->received, len, memory_order_relaxed);
	atomic_fetch_add_explicit(&tr.received_ever, len, memory_order_relaxed);
	return j->t->write(data, len, j->t->ctx);
}

/* Sets what every transfer shares; the rest is the transfer's own. */
static void set_options(struct job *j)
{
	const struct curl_lib *lib = tr.lib;
	CURL *c = j->easy;
	struct transfer *t = j->t;
	lib->easy_setopt(c, CURLOPT_URL, t->url);
	lib->easy_setopt(c, CURLOPT_PRIVATE, j);
	lib->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	lib->easy_setopt(c, CURLOPT_WRITEDATA, j);
	lib->easy_setopt(c, CURLOPT_ERRORBUFFER, t->error);
	lib->easy_setopt(c, CURLOPT_BUFFERSIZE, (long)RECEIVE_BUFFER);
	lib->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	lib->easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	lib->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	lib->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lib->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, t->stall_seconds > 0 ? t->stall_seconds : TRANSFER_STALL_SECONDS);
	lib->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	lib->easy_setopt(c, CURLOPT_USERAGENT, "minimerge/" MINIMERGE_VERSION);
	/* Where the certificates are, as curl's tool is told. */
	const char *bundle = getenv("CURL_CA_BUNDLE");
	if (!bundle || !*bundle)
		bundle = getenv("SSL_CERT_FILE");
	if (bundle && *bundle)
		lib->easy_setopt(c, CURLOPT_CAINFO, bundle);
	const char *certdir = getenv("SSL_CERT_DIR");
	if (certdir && *certdir)
		lib->easy_setopt(c, CURLOPT_CAPATH, certdir);
	if (t->from > 0)
		lib->easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, t->from);
	if (t->post) {
		lib->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->post_len);
		lib->easy_setopt(c, CURLOPT_POSTFIELDS, t->post);
	}
	if (t->content_type) {
		char header[256];
		snprintf(header, sizeof(header), "Content-Type: %s", t->content_type);
		j->headers = lib->slist_append(NULL, header);
		lib->easy_setopt(c, CURLOPT_HTTPHEADER, j->headers);
	}
	if (t->timeout_seconds > 0)
		lib->easy_setopt(c, CURLOPT_TIMEOUT, t->timeout_seconds);
}

/* Caller holds tr.mu. */
static void finish(struct job *j)
{
	for (struct job **p = &tr.running; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			break;
		}
	}
	if (j->easy) {
		tr.lib->easy_reset(j->easy);
		tr.lib->slist_free_all(j->headers);
		j->headers = NULL;
		if (tr.nidle == tr.capidle) {
			tr.capidle = tr.capidle ? 2 * tr.capidle : 8;
			tr.idle = xrealloc(tr.idle, tr.capidle * sizeof(*tr.idle));
		}
		tr.idle[tr.nidle++] = j->easy;
		j->easy = NULL;
	}
	j->done = true;
	pthread_cond_signal(&j->done_cv);
}

/* Moves the waiting jobs into the multi handle.  Caller holds tr.mu. */
static void admit(void)
{
	while (tr.waiting) {
		struct job *j = tr.waiting;
		tr.waiting = j->next;
		j->next = tr.running;
		tr.running = j;
		j->easy = tr.nidle ? tr.idle[--tr.nidle] : tr.lib->easy_init();
		if (j->easy)
			set_options(j);
		if (!j->easy || tr.lib->multi_add_handle(tr.multi, j->easy) != CURLM_OK) {
			j->t->rc = CURLE_FAILED_INIT;
			snprintf(j->t->error, sizeof(j->t->error), "cannot start libcurl");
			finish(j);
		}
	}
}

static void *transfers_main(void *arg)
{
	(void)arg;
	const struct curl_lib *lib = tr.lib;
	for (;;) {
		pthread_mutex_lock(&tr.mu);
		admit();
		pthread_mutex_unlock(&tr.mu);
		int still;
		lib->multi_perform(tr.multi, &still);
		CURLMsg *m;
		int left;
		while ((m = lib->multi_info_read(tr.multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			CURL *c = m->easy_handle;
			CURLcode rc = m->data.result;
			struct job *j = NULL;
			lib->easy_getinfo(c, CURLINFO_PRIVATE, (char **)&j);
			lib->multi_remove_handle(tr.multi, c);
			j->t->rc = rc;
			/* Some errors leave the error buffer empty: libcurl's
			 * words for the code then. */
			if (rc != CURLE_OK && !j->t->error[0])
				snprintf(j->t->error, sizeof(j->t->error), "%s",
					 lib->easy_strerror(rc));
			lib->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &j->t->status);
			pthread_mutex_lock(&tr.mu);
			finish(j);
			pthread_mutex_unlock(&tr.mu);
		}
		/* Timers and sockets wake it, and so does a new job. */
		lib->multi_poll(tr.multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

static void start(void)
{
	tr.lib = curl_lib(tr.error, sizeof(tr.error));
	if (!tr.lib)
		return;
	tr.multi = tr.lib->multi_init();
	pthread_t thread;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (!tr.multi || pthread_create(&thread, &attr, transfers_main, NULL) != 0) {
		snprintf(tr.error, sizeof(tr.error), "cannot start libcurl's transfers");
		tr.lib = NULL;
	}
	pthread_attr_destroy(&attr);
}

int transfers_run(struct transfer *t)
{
	t->rc = CURLE_OK;
	t->status = 0;
	t->error[0] = '\0';
	pthread_once(&started, start);
	if (!tr.lib) {
		snprintf(t->error, sizeof(t->error), "%s", tr.error);
		return -1;
	}
	struct job j = {.t = t};
	atomic_init(&j.received, 0);
	atomic_init(&j.announced, -1);
	pthread_cond_init(&j.done_cv, NULL);
	pthread_mutex_lock(&tr.mu);
	j.next = tr.waiting;
	tr.waiting = &j;
	pthread_mutex_unlock(&tr.mu);
	tr.lib->multi_wakeup(tr.multi);
	pthread_mutex_lock(&tr.mu);
	while (!j.done)
		pthread_cond_wait(&j.done_cv, &tr.mu);
	pthread_mutex_unlock(&tr.mu);
	pthread_cond_destroy(&j.done_cv);
	return 0;
}

void transfers_progress(struct transfers_progress *p)
{
	*p = (struct transfers_progress){.all_announced = true};
	pthread_mutex_lock(&tr.mu);
	for (const struct job *j = tr.running; j; j = j->next) {
		p->running++;
		p->received += atomic_load_explicit(&j->received, memory_order_relaxed);
		int_fast64_t size = atomic_load_explicit(&j->announced, memory_order_relaxed);
		if (size > 0)
			p->announced += (uint64_t)size;
		else
			p->all_announced = false;
	}
	pthread_mutex_unlock(&tr.mu);
	p->received_ever = atomic_load_explicit(&tr.received_ever, memory_order_relaxed);
}

void transfers_pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

bool transfers_transient(CURLcode rc, long status)
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
