/* recipe_download: hexagonit.recipe.download.  Options: `url` (required),
 * `md5sum` and/or `sha256`, `destination` (default: the part's directory
 * under parts-directory; `location` is set to it, as the original does),
 * `strip-top-level-dir` (default off: on, the archive must hold a single
 * top directory, whose contents are taken), `ignore-existing` (an entry
 * already in an existing destination is left alone instead of failing the
 * part), `download-only` (the file is copied into destination as
 * `filename`, default the URL's last path segment, with `mode`).
 *
 * An archive is unpacked next to the destination (DEST.unpack-PART), then
 * renamed into place: whole when the destination is not there, entry by
 * entry into one that is.  What was renamed in is recorded, so it goes
 * when the part does.
 *
 * The part's key is its options: a download without a checksum that
 * changes on the server is not fetched again while they stay the same
 * (buildout does the same); give md5sum or sha256 to pin it.  Not done:
 * hash-name, excludes and on-update. */
#include "recipe_download.h"
#include "fetch_static.h"

#include "download.h"

#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- what recipe_cmmi shares ---- */

static int check_sum(struct recipe_init *ri, const char *option, size_t digits)
{
	bool failed = false;
	const char *v = cfg_get(ri->cfg, ri->section, option, &failed);
	if (failed)
		return -1;
	if (!v || !*v || (strlen(v) == digits && strspn(v, "0123456789abcdefABCDEF") == digits))
		return 0;
	recipe_init_error(ri, option, "%s = %s: %zu hexadecimal digits", option, v, digits);
	return -1;
}

int recipe_download_check_sums(struct recipe_init *ri)
{
	return check_sum(ri, "md5sum", 32) != 0 || check_sum(ri, "sha256", 64) != 0 ? -1 : 0;
}

/* A checksum option as download.h compares it: lowercase.  NULL if the
 * option is absent or empty; init checked its length. */
static const char *sum_of(const struct recipe_run *r, const char *option, char *buf, size_t n)
{
	const char *v = recipe_option(r->part, option);
	if (!v || !*v)
		return NULL;
	size_t i = 0;
	for (; v[i] && i + 1 < n; i++)
		buf[i] = (char)(v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 'a' : v[i]);
	buf[i] = '\0';
	return buf;
}

int recipe_download_fetch(struct recipe_run *r, struct strbuf *file)
{
	const struct recipe_buildout *bo = r->part->buildout;
	int log = graph_job_open_log(r->job);
	if (log < 0)
		return -1;
	char sha256[65], md5[33];
	struct download d = {
		.url = recipe_option(r->part, "url"),
		.dir = bo->downloads,
		.sha256 = sum_of(r, "sha256", sha256, sizeof(sha256)),
		.md5 = sum_of(r, "md5sum", md5, sizeof(md5)),
		.offline = bo->offline,
		.stall_seconds = bo->stall_seconds,
		.log_fd = log,
		.store = bo->store,
	};
	struct strbuf why = STRBUF_INIT;
	int rc = download_fetch(&d, file, &why);
	if (rc != 0)
		graph_job_fail(r->job, "%s", why.buf);
	strbuf_release(&why);
	return rc;
}

int recipe_download_unpack(struct recipe_run *r, const char *archive, const char *dir)
{
	if (graph_job_remove_tree(r->job, dir) != 0)
		return -1;
	int err = fs_mkdirs(dir, 0777);
	if (err) {
		graph_job_fail(r->job, "cannot create %s: %s", dir, strerror(err));
		return -1;
	}
	struct strbuf why = STRBUF_INIT;
	int rc = fetch_static_unpack(archive, dir, r->part->buildout->unpack_limit, &why);
	if (rc != 0)
		graph_job_fail(r->job, "%s (%s)", why.buf, recipe_option(r->part, "url"));
	strbuf_release(&why);
	return rc;
}

/* Whether dir holds one entry only, a directory: 1 (its path appended to
 * out) or 0; -1 after graph_job_fail if dir cannot be read. */
static int single_dir(struct recipe_run *r, const char *dir, struct strbuf *out)
{
	struct strbuf why = STRBUF_INIT;
	int one = fetch_static_single_dir(dir, out, &why);
	if (one < 0)
		graph_job_fail(r->job, "%s", why.buf);
	strbuf_release(&why);
	return one;
}

/* ---- the recipe ---- */

static int download_init(struct recipe_init *ri)
{
	struct cfg_section *s = ri->section;
	bool failed = false;
	const char *url = cfg_get(ri->cfg, s, "url", &failed);
	const char *filename = cfg_get(ri->cfg, s, "filename", &failed);
	if (failed)
		return -1;
	if (!url || !*url) {
		recipe_init_error(ri, "url", "no url: what is to be downloaded");
		return -1;
	}
	if (recipe_init_check_mode(ri, "0644") != 0)
		return -1;
	/* A file name, not a path: the copy stays in the destination. */
	if (filename && (strchr(filename, '/') || !strcmp(filename, ".") ||
			 !strcmp(filename, ".."))) {
		recipe_init_error(ri, "filename", "filename = %s: a name in the destination, without /",
				  filename);
		return -1;
	}
	if (recipe_download_check_sums(ri) != 0)
		return -1;
	const char *dest = recipe_set_dir(ri, "destination");
	if (!dest)
		return -1;
	cfg_set(ri->cfg, s, "location", dest);
	return 0;
}

/* download-only: the file copied into the destination.  What is recorded
 * is the destination if this made it, else the file alone. */
static int copy_into(struct recipe_run *r, const char *file, const char *dest)
{
	struct strbuf target = STRBUF_INIT;
	const char *name = recipe_option(r->part, "filename");
	if (name && *name) {
		strbuf_adds(&target, name);
	} else {
		size_t len = download_url_name(recipe_option(r->part, "url"), &name);
		strbuf_add(&target, name, len);
	}
	if (!target.len) {
		graph_job_fail(r->job, "the URL %s names no file: set filename",
			       recipe_option(r->part, "url"));
		strbuf_release(&target);
		return -1;
	}
	bool made = !fs_is_dir(dest, true);
	int err = fs_mkdirs(dest, 0777);
	if (err) {
		graph_job_fail(r->job, "cannot create %s: %s", dest, strerror(err));
	} else {
		if (made)
			recipe_add_path(r, dest);
		struct strbuf path = STRBUF_INIT;
		strbuf_addf(&path, "%s/%s", dest, target.buf);
		err = fs_copy_atomic(file, path.buf, recipe_option_mode(r->part, 0));
		if (err)
			graph_job_fail(r->job, "cannot copy %s to %s: %s", file, path.buf,
				       strerror(err));
		else if (!made)
			recipe_add_path(r, path.buf);
		strbuf_release(&path);
	}
	strbuf_release(&target);
	return err ? -1 : 0;
}

/* Renames each entry of dir into an existing destination, recording it;
 * one already there fails the part, or is left alone with
 * ignore-existing (and not recorded: it is not the part's). */
static int move_entries(struct recipe_run *r, const char *dir, const char *dest, bool ignore)
{
	DIR *d = opendir(dir);
	if (!d) {
		graph_job_fail(r->job, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		strbuf_reset(&from);
		strbuf_reset(&to);
		strbuf_addf(&from, "%s/%s", dir, e->d_name);
		strbuf_addf(&to, "%s/%s", dest, e->d_name);
		struct stat st;
		bool there = lstat(to.buf, &st) == 0;
		if (there && ignore) {
			graph_job_say(r->job, "%s: ignoring the existing %s", r->part->name, to.buf);
		} else if (there) {
			graph_job_fail(r->job, "%s is already there: remove it, or set "
					       "ignore-existing = true",
				       to.buf);
			rc = -1;
		} else if (rename(from.buf, to.buf) != 0) {
			graph_job_fail(r->job, "cannot move %s to %s: %s", from.buf, to.buf,
				       strerror(errno));
			rc = -1;
		} else {
			recipe_add_path(r, to.buf);
		}
	}
	closedir(d);
	strbuf_release(&from);
	strbuf_release(&to);
	return rc;
}

/* The unpacked tree (tmp, or its top directory) into the destination. */
static int put_in_place(struct recipe_run *r, const char *tree, const char *dest, bool ignore)
{
	if (fs_is_dir(dest, true))
		return move_entries(r, tree, dest, ignore);
	struct arena a = ARENA_INIT;
	int err = fs_mkdirs(path_dirname(&a, dest), 0777);
	arena_free(&a);
	if (!err && rename(tree, dest) != 0)
		err = errno;
	if (err) {
		graph_job_fail(r->job, "cannot move %s to %s: %s", tree, dest, strerror(err));
		return -1;
	}
	recipe_add_path(r, dest);
	return 0;
}

static int unpack_into(struct recipe_run *r, const char *file, const char *dest)
{
	bool strip, ignore;
	if (recipe_option_bool(r, "strip-top-level-dir", false, &strip) != 0 ||
	    recipe_option_bool(r, "ignore-existing", false, &ignore) != 0)
		return -1;
	struct strbuf tmp = STRBUF_INIT, top = STRBUF_INIT;
	/* Next to the destination, so that a rename puts it in place; named
	 * after the part, as parts may share a destination. */
	strbuf_addf(&tmp, "%s.unpack-%s", dest, r->part->name);
	int rc = recipe_download_unpack(r, file, tmp.buf);
	if (rc == 0 && strip) {
		int one = single_dir(r, tmp.buf, &top);
		if (one == 0)
			graph_job_fail(r->job, "strip-top-level-dir: %s does not hold a single "
					       "directory at its top",
				       recipe_option(r->part, "url"));
		rc = one == 1 ? 0 : -1;
	}
	if (rc == 0)
		rc = put_in_place(r, strip ? top.buf : tmp.buf, dest, ignore);
	/* Gone if renamed whole; else what is left of it.  After a failure,
	 * the failure is what is said. */
	if (rc == 0)
		rc = graph_job_remove_tree(r->job, tmp.buf);
	else
		fs_remove_tree(tmp.buf, NULL);
	strbuf_release(&tmp);
	strbuf_release(&top);
	return rc;
}

static int download_install(struct recipe_run *r)
{
	bool only;
	if (recipe_option_bool(r, "download-only", false, &only) != 0)
		return -1;
	const char *dest = recipe_option(r->part, "destination");
	struct strbuf file = STRBUF_INIT;
	int rc = recipe_download_fetch(r, &file);
	if (rc == 0)
		rc = only ? copy_into(r, file.buf, dest) : unpack_into(r, file.buf, dest);
	strbuf_release(&file);
	return rc;
}

static const char *const names[] = {"hexagonit.recipe.download", "minitage.recipe.fetch",
				    "gocept.download", "download", NULL};

const struct recipe recipe_download = {
	.names = names,
	.version = 1,
	.init = download_init,
	.install = download_install,
};
