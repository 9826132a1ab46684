/*
 * curl_lib: libcurl, loaded on first use (see dynlib.h for why).  Callers
 * include <curl/curl.h> for its types and constants and call through the
 * table: curl_lib(err, n)->easy_perform(h).  A function is added by adding a
 * line to CURL_LIB_FUNCTIONS; its prototype is checked against curl.h at
 * compile time.
 */
#ifndef MINIMERGE_CURL_LIB_H
#define MINIMERGE_CURL_LIB_H

#include <curl/curl.h>
#include <stddef.h>

/* X(return type, name without the curl_ prefix, parameter list) */
#define CURL_LIB_FUNCTIONS(X)                                          \
	X(CURLcode, global_init, (long flags))                         \
	X(CURL *, easy_init, (void))                                   \
	X(CURLcode, easy_setopt, (CURL *curl, CURLoption option, ...)) \
	X(CURLcode, easy_perform, (CURL *curl))                        \
	X(CURLcode, easy_getinfo, (CURL *curl, CURLINFO info, ...))    \
	X(void, easy_cleanup, (CURL *curl))                            \
	X(const char *, easy_strerror, (CURLcode code))                \
	X(void, easy_reset, (CURL *curl))                              \
	X(struct curl_slist *, slist_append,                           \
	  (struct curl_slist *list, const char *string))               \
	X(void, slist_free_all, (struct curl_slist *list))             \
	X(CURLM *, multi_init, (void))                                 \
	X(CURLMcode, multi_add_handle, (CURLM *multi, CURL *curl))     \
	X(CURLMcode, multi_remove_handle, (CURLM *multi, CURL *curl))  \
	X(CURLMcode, multi_perform, (CURLM *multi, int *running))      \
	X(CURLMcode, multi_poll,                                       \
	  (CURLM *multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, \
	   int timeout_ms, int *ret))                                  \
	X(CURLMcode, multi_wakeup, (CURLM *multi))                     \
	X(CURLMsg *, multi_info_read, (CURLM *multi, int *msgs_in_queue))

struct curl_lib {
#define CURL_LIB_MEMBER(ret, name, params) ret (*name) params;
	CURL_LIB_FUNCTIONS(CURL_LIB_MEMBER)
#undef CURL_LIB_MEMBER
};

/* The loaded and globally initialised library, or NULL with the reason in
 * err.  Any thread may call it, the first call included. */
const struct curl_lib *curl_lib(char *err, size_t errlen);

#endif
