#include "curl_lib.h"

#include "dynlib.h"

#include <pthread.h>
#include <stddef.h>

/* libcurl's SONAME has been libcurl.so.4 since 7.16 (2006); upstream keeps
 * the ABI under that name. */
#define CURL_SONAME "libcurl.so.4"

/* The table's prototypes must be curl.h's: _Generic does not evaluate its
 * operand, so this references no libcurl symbol at link time. */
#define CURL_LIB_CHECK(ret, name, params)                                   \
	_Static_assert(_Generic(&curl_##name, ret(*) params: 1, default: 0), \
		       "curl_lib.h: curl_" #name " does not match curl.h");
CURL_LIB_FUNCTIONS(CURL_LIB_CHECK)

static const struct dynlib_symbol symbols[] = {
#define CURL_LIB_SYMBOL(ret, name, params) {"curl_" #name, offsetof(struct curl_lib, name)},
	CURL_LIB_FUNCTIONS(CURL_LIB_SYMBOL)
};

const struct curl_lib *curl_lib(char *err, size_t errlen)
{
	static struct curl_lib lib;
	static int loaded;
	/* Workers may ask first, at once: one of them loads. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const void *ret = &lib;
	pthread_mutex_lock(&lock);
	if (!loaded) {
		if (dynlib_load(CURL_SONAME, symbols, sizeof(symbols) / sizeof(symbols[0]),
				&lib, err, errlen) != 0)
			ret = NULL;
		else
			lib.global_init(CURL_GLOBAL_DEFAULT);
		loaded = ret != NULL;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}
