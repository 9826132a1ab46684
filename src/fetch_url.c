#include "fetch_url.h"

#include "transfers.h"

#include <stdio.h>

static size_t on_body(const char *data, size_t len, void *out)
{
	strbuf_add(out, data, len);
	return len;
}

int fetch_url(const char *url, struct strbuf *out, char *err, size_t errlen)
{
	struct transfer t = {.url = url, .write = on_body, .ctx = out};
	if (transfers_run(&t) != 0 || t.rc != CURLE_OK) {
		if (t.rc == CURLE_HTTP_RETURNED_ERROR)
			snprintf(err, errlen, "HTTP %ld", t.status);
		else
			snprintf(err, errlen, "%s", t.error[0] ? t.error : "the transfer failed");
		return -1;
	}
	return 0;
}
