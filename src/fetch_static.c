#include "fetch_static.h"

#include "fetch_home.h"

#include "../lib/archive_lib.h"
#include "../lib/extract.h"
#include "../lib/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fetch_static_unpack(const char *archive, const char *dir, uint64_t max_bytes,
			struct strbuf *why)
{
	/* A source comes from anywhere: its links stay inside it, no program
	 * of it runs as another user, and it does not fill the disk. */
	const struct extract_rules rules = {.confine_links = true, .no_setid = true,
					    .max_bytes = max_bytes};
	char err[256];
	const struct archive_lib *al = archive_lib(err, sizeof(err));
	if (!al) {
		strbuf_addf(why, "%s", err);
		return -1;
	}
	struct archive *in = al->read_new();
	if (!in) {
		strbuf_adds(why, "cannot start libarchive: out of memory");
		return -1;
	}
	/* ARCHIVE_WARN: a filter done by an outside program; slower, works. */
	int rc = -1;
	if (al->read_support_filter_all(in) < ARCHIVE_WARN ||
	    al->read_support_format_tar(in) < ARCHIVE_WARN ||
	    al->read_support_format_zip(in) < ARCHIVE_WARN ||
	    al->read_open_filename(in, archive, 65536) != ARCHIVE_OK)
		strbuf_addf(why, "cannot read %s: %s", archive, al->error_string(in));
	else if (extract_entries(al, in, dir, archive, &rules) != 0)
		strbuf_addf(why, "cannot unpack %s", archive);
	else
		rc = 0;
	al->read_free(in);
	return rc;
}

int fetch_static_single_dir(const char *dir, struct strbuf *out, struct strbuf *why)
{
	DIR *d = opendir(dir);
	if (!d) {
		strbuf_addf(why, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	struct strbuf only = STRBUF_INIT;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n++ == 0)
			strbuf_addf(&only, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	int one = n == 1 && fs_is_dir(only.buf, false);
	if (one)
		strbuf_add(out, only.buf, only.len);
	strbuf_release(&only);
	return one;
}

int fetch_static_tree(const char *dir, struct strbuf *out, struct strbuf *why)
{
	int one = fetch_static_single_dir(dir, out, why);
	if (one == 0)
		strbuf_adds(out, dir);
	return one < 0 ? -1 : 0;
}

int fetch_static(const struct fetch_static *f, struct strbuf *why)
{
	struct strbuf archive = STRBUF_INIT, tmp = STRBUF_INIT, old = STRBUF_INIT,
		      tree = STRBUF_INIT;
	strbuf_addf(&tmp, "%s.unpack", f->home);
	strbuf_addf(&old, "%s.old", f->home);
	int rc = -1;
	/* What a stopped fetch left. */
	if (fetch_home_remove(tmp.buf, why) != 0 || fetch_home_remove(old.buf, why) != 0)
		goto out;
	if (download_fetch(&f->download, &archive, why) != 0)
		goto out;
	int err = fs_mkdirs(tmp.buf, 0777);
	if (err) {
		strbuf_addf(why, "cannot create %s: %s", tmp.buf, strerror(err));
		goto out;
	}
	if (fetch_static_unpack(archive.buf, tmp.buf, f->max_bytes, why) != 0 ||
	    fetch_static_tree(tmp.buf, &tree, why) != 0 ||
	    fetch_home_swap_in(tree.buf, f->home, NULL, why) != 0)
		goto out;
	rc = 0;
out:;
	/* Empty once a top directory moved out of it; the unpacked tree after
	 * a failure, when the reason is the failure's. */
	struct strbuf left = STRBUF_INIT;
	if (fetch_home_remove(tmp.buf, &left) != 0 && rc == 0) {
		strbuf_add(why, left.buf, left.len);
		rc = -1;
	}
	strbuf_release(&left);
	strbuf_release(&archive);
	strbuf_release(&tmp);
	strbuf_release(&old);
	strbuf_release(&tree);
	return rc;
}
