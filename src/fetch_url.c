#include "fetch_url.h"

#include <curl/curl.h>
#include <stdio.h>

static size_t on_body(char *data, size_t size, size_t n, void *out)
{
	strbuf_add(out, data, size * n);
	return size * n;
}

int fetch_url(const char *url, struct strbuf *out, char *err, size_t errlen)
{
	static int initialized;
	if (!initialized) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		initialized = 1;
	}
	CURL *curl = curl_easy_init();
	if (!curl) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	char curlerr[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curlerr[0] ? curlerr : curl_easy_strerror(rc));
	curl_easy_cleanup(curl);
	return rc == CURLE_OK ? 0 : -1;
}
