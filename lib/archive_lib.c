#include "archive_lib.h"

#include "dynlib.h"

#include <pthread.h>
#include <stddef.h>

/* libarchive's SONAME has been libarchive.so.13 since 3.0 (2011); upstream
 * keeps the ABI under that name. */
#define ARCHIVE_SONAME "libarchive.so.13"

/* The table's prototypes must be the headers': _Generic does not evaluate
 * its operand, so this references no libarchive symbol at link time. */
#define ARCHIVE_LIB_CHECK(ret, name, params)                                      \
	_Static_assert(_Generic(&archive_##name, ret(*) params: 1, default: 0), \
		       "archive_lib.h: archive_" #name " does not match archive.h");
ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_CHECK)

static const struct dynlib_symbol symbols[] = {
#define ARCHIVE_LIB_SYMBOL(ret, name, params) \
	{"archive_" #name, offsetof(struct archive_lib, name)},
	ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_SYMBOL)
};

const struct archive_lib *archive_lib(char *err, size_t errlen)
{
	static struct archive_lib lib;
	static int loaded;
	/* Workers may ask first, at once: one of them loads. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const void *ret = &lib;
	pthread_mutex_lock(&lock);
	if (!loaded) {
		if (dynlib_load(ARCHIVE_SONAME, symbols, sizeof(symbols) / sizeof(symbols[0]),
				&lib, err, errlen) != 0)
			ret = NULL;
		loaded = ret != NULL;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}
