#include "fetch_url.h"

#include "../lib/curl_lib.h"

#include <stdio.h>

static size_t on_body(char *data, size_t size, size_t n, void *out)
{
	strbuf_add(out, data, size * n);
	return size * n;
}

int fetch_url(const char *url, struct strbuf *out, char *err, size_t errlen)
{
	const struct curl_lib *lib = curl_lib(err, errlen);
	if (!lib)
		return -1;
	CURL *curl = lib->easy_init();
	if (!curl) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	char curlerr[CURL_ERROR_SIZE] = "";
	lib->easy_setopt(curl, CURLOPT_URL, url);
	lib->easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	lib->easy_setopt(curl, CURLOPT_WRITEDATA, out);
	lib->easy_setopt(curl, CURLOPT_ERRORBUFFER, curlerr);
	lib->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	lib->easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	lib->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	lib->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = lib->easy_perform(curl);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curlerr[0] ? curlerr : lib->easy_strerror(rc));
	lib->easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
}
