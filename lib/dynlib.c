#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int dynlib_load(const char *soname, const struct dynlib_symbol *symbols, size_t n,
		void *table, char *err, size_t errlen)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen, "cannot load %s: %s", soname, dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *fn = dlsym(lib, symbols[i].name);
		if (!fn) {
			snprintf(err, errlen, "%s has no function %s", soname, symbols[i].name);
			dlclose(lib);
			return -1;
		}
		/* POSIX guarantees a function pointer round-trips through void *. */
		memcpy((char *)table + symbols[i].offset, &fn, sizeof(fn));
	}
	return 0;
}
