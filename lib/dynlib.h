/*
 * dynlib: loads a shared library the first time a command needs it and
 * fills a table with its functions.  libcurl and libarchive bring some thirty
 * libraries with them; linked at start they cost every run 5 ms before main
 * (measured on a program that does nothing), which a config query or a no-op
 * build must not pay.  Libraries needed on every run are linked as usual.
 */
#ifndef MINIMERGE_DYNLIB_H
#define MINIMERGE_DYNLIB_H

#include <stddef.h>

/* One function to resolve: its symbol and where its pointer goes in the
 * caller's table (offsetof a function-pointer member). */
struct dynlib_symbol {
	const char *name;
	size_t offset;
};

/* Opens soname and stores every symbol's address in table.  Returns 0, or
 * -1 with a message naming the library (and the missing symbol) in err. */
int dynlib_load(const char *soname, const struct dynlib_symbol *symbols, size_t n,
		void *table, char *err, size_t errlen);

#endif
