/*
 * fetch_url: reads a whole resource at a URL into memory with libcurl (for
 * configs that extend a URL).  Downloads of sources, with their cache,
 * checksums and retries, are the fetch action's, not this module's.
 */
#ifndef MINIMERGE_FETCH_URL_H
#define MINIMERGE_FETCH_URL_H

#include "../lib/strbuf.h"

#include <stddef.h>

/* Appends the body to out.  Returns 0, or -1 with a reason in err (HTTP
 * statuses of 400 and above are failures). */
int fetch_url(const char *url, struct strbuf *out, char *err, size_t errlen);

#endif
