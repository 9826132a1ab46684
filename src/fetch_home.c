#include "fetch_home.h"

#include "../lib/fsutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fetch_home_remove(const char *path, struct strbuf *why)
{
	char *failed = NULL;
	int err = fs_remove_tree(path, &failed);
	if (err) {
		strbuf_addf(why, "cannot remove %s: %s", failed ? failed : path, strerror(err));
		free(failed);
		return -1;
	}
	return 0;
}

int fetch_home_swap_in(const char *tree, const char *home, const char *keep_as,
		       struct strbuf *why)
{
	struct strbuf parts = STRBUF_INIT, kept = STRBUF_INIT, old = STRBUF_INIT;
	strbuf_addf(&parts, "%s/parts", home);
	strbuf_addf(&kept, "%s/parts", tree);
	if (keep_as)
		strbuf_adds(&old, keep_as);
	else
		strbuf_addf(&old, "%s.old", home);
	int rc = -1;
	if (fs_is_dir(parts.buf, false)) {
		struct stat st;
		if (lstat(kept.buf, &st) == 0) {
			strbuf_addf(why, "the new source has a parts entry at its top, where "
					 "minimerge keeps builds and installs");
			goto out;
		}
		if (rename(parts.buf, kept.buf) != 0) {
			strbuf_addf(why, "cannot move %s: %s", parts.buf, strerror(errno));
			goto out;
		}
	}
	bool had_home = access(home, F_OK) == 0;
	if (had_home && rename(home, old.buf) != 0) {
		strbuf_addf(why, "cannot move %s aside: %s", home, strerror(errno));
		goto out;
	}
	if (rename(tree, home) != 0) {
		strbuf_addf(why, "cannot move the source into %s: %s", home, strerror(errno));
		if (had_home)
			rename(old.buf, home);
		goto out;
	}
	rc = had_home && !keep_as ? fetch_home_remove(old.buf, why) : 0;
out:
	strbuf_release(&parts);
	strbuf_release(&kept);
	strbuf_release(&old);
	return rc;
}

