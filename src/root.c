#include "root.h"

#include "../lib/diag.h"
#include "../lib/path.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool given;

void root_given(void)
{
	given = true;
}

static bool is(struct arena *a, const char *dir, const char *name, bool want_dir)
{
	struct stat st;
	return stat(path_join(a, dir, name), &st) == 0 && S_ISDIR(st.st_mode) == want_dir;
}

const char *root_find(struct arena *a)
{
	char *cwd = path_abspath(a, ".");
	if (!cwd) {
		diag_error(NULL, 0, "cannot read the current directory");
		return NULL;
	}
	if (given)
		return cwd;
	const char *env = getenv("MINIMERGE_ROOT");
	if (env && *env)
		return path_abspath(a, env);
	for (char *dir = cwd;; dir = path_dirname(a, dir)) {
		if (is(a, dir, "etc/minimerge.cfg", false) || is(a, dir, "minilays", true))
			return dir;
		if (!strcmp(dir, "/"))
			return cwd;
	}
}
