#include "fetch_vcs.h"

#include "fetch_home.h"

#include "../lib/fsutil.h"
#include "../lib/spawn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runs git with args (NULL-ended) in dir, its output in the log; with out,
 * its stdout in out instead.  0, or -1 with the reason in why. */
static int git(const struct fetch_vcs *f, const char *dir, struct strbuf *out,
	       struct strbuf *why, const char *const *args)
{
	const char *argv[16] = {"git"};
	size_t n = 1;
	while (args[n - 1] && n < sizeof(argv) / sizeof(argv[0]) - 1) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	if (f->log_fd >= 0 && !out) {
		dprintf(f->log_fd, "$");
		for (size_t i = 0; argv[i]; i++)
			dprintf(f->log_fd, " %s", argv[i]);
		dprintf(f->log_fd, "\n");
	}
	struct spawn_options o;
	spawn_options_init(&o);
	o.argv = argv;
	o.cwd = dir;
	o.stdout_fd = f->log_fd;
	o.stderr_fd = f->log_fd;
	struct spawn_result r;
	int rc = out ? spawn_capture(&o, false, out, &r) : spawn_run(&o, &r);
	if (rc != 0) {
		strbuf_addf(why, "git %s: ", argv[1]);
		spawn_result_describe(&r, "git", 0, why);
		if (!r.start_errno)
			strbuf_adds(why, " (see its log)");
	}
	return rc;
}

#define GIT(f, dir, out, why, ...) git(f, dir, out, why, (const char *const[]){__VA_ARGS__, NULL})

/* The first line of a git answer, without its newline. */
static void chomp(struct strbuf *sb)
{
	size_t n = strcspn(sb->buf, "\n");
	sb->len = n;
	sb->buf[n] = '\0';
}

/* Keeps parts/ (builds and installs) out of git's sight: a checkout with
 * it is neither dirty nor in the way of a checkout. */
static int ignore_parts(const char *dir, struct strbuf *why)
{
	struct strbuf path = STRBUF_INIT;
	strbuf_addf(&path, "%s/.git/info", dir);
	int err = fs_mkdirs(path.buf, 0777);
	strbuf_adds(&path, "/exclude");
	FILE *fp = err ? NULL : fopen(path.buf, "a");
	if (!fp || fputs("/parts/\n", fp) == EOF || fclose(fp) != 0) {
		strbuf_addf(why, "cannot write %s: %s", path.buf, strerror(err ? err : errno));
		strbuf_release(&path);
		return -1;
	}
	strbuf_release(&path);
	return 0;
}

/* Checks out the wanted revision in dir, detached: scm_revision, else the
 * fetched scm_branch, else what the remote's HEAD is. */
static int check_out(const struct fetch_vcs *f, const char *dir, struct strbuf *why)
{
	struct strbuf want = STRBUF_INIT;
	if (f->revision)
		strbuf_adds(&want, f->revision);
	else if (f->branch)
		strbuf_addf(&want, "origin/%s", f->branch);
	else
		strbuf_adds(&want, "origin/HEAD");
	/* A commit not fetched yet (a revision newer than the clone, or not
	 * on its branch): the remote may have it. */
	struct strbuf commit = STRBUF_INIT, ignored = STRBUF_INIT;
	strbuf_addf(&commit, "%s^{commit}", want.buf);
	int rc = 0;
	if (GIT(f, dir, &ignored, &ignored, "rev-parse", "--quiet", "--verify", commit.buf) != 0)
		rc = f->offline ? 0 : GIT(f, dir, NULL, why, "fetch", "--quiet", "--tags", "origin");
	if (rc == 0)
		rc = GIT(f, dir, NULL, why, "checkout", "--quiet", "--detach", commit.buf);
	strbuf_release(&want);
	strbuf_release(&commit);
	strbuf_release(&ignored);
	return rc;
}

/* What the minibuild asks a checkout to be at, as git's config keeps it
 * (minimerge.wanted): a changed scm_branch or scm_revision moves the
 * checkout, a local change does not. */
static void wanted(const struct fetch_vcs *f, struct strbuf *out)
{
	if (f->revision)
		strbuf_addf(out, "revision %s", f->revision);
	else if (f->branch)
		strbuf_addf(out, "branch %s", f->branch);
	else
		strbuf_adds(out, "the remote's HEAD");
}

static int remember_wanted(const struct fetch_vcs *f, const char *dir, struct strbuf *why)
{
	struct strbuf w = STRBUF_INIT;
	wanted(f, &w);
	int rc = GIT(f, dir, NULL, why, "config", "minimerge.wanted", w.buf);
	strbuf_release(&w);
	return rc;
}

static int clone_into(const struct fetch_vcs *f, const char *dir, struct strbuf *why)
{
	if (f->offline) {
		strbuf_addf(why, "%s: no checkout in %s, and offline", f->uri, f->home);
		return -1;
	}
	int rc = f->branch ? GIT(f, NULL, NULL, why, "clone", "--quiet", "--branch", f->branch,
				 "--", f->uri, dir)
			   : GIT(f, NULL, NULL, why, "clone", "--quiet", "--", f->uri, dir);
	if (rc == 0 && f->revision)
		rc = check_out(f, dir, why);
	if (rc == 0)
		rc = ignore_parts(dir, why);
	if (rc == 0)
		rc = remember_wanted(f, dir, why);
	return rc;
}

/* Where a checkout of another URL goes: HOME.old.YYYYMMDDHHMMSS. */
static void old_name(const char *home, struct strbuf *out)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	strbuf_addf(out, "%s.old.%s", home, stamp);
}

int fetch_git(const struct fetch_vcs *f, struct strbuf *why)
{
	struct strbuf git_dir = STRBUF_INIT, tmp = STRBUF_INIT, url = STRBUF_INIT,
		      head = STRBUF_INIT, keep = STRBUF_INIT, ignored = STRBUF_INIT;
	strbuf_addf(&git_dir, "%s/.git", f->home);
	strbuf_addf(&tmp, "%s.unpack", f->home);
	int rc = -1;
	if (fetch_home_remove(tmp.buf, why) != 0)
		goto out;
	bool have = fetch_home_is_dir(git_dir.buf);
	if (have && GIT(f, f->home, &url, &ignored, "config", "--get", "remote.origin.url") == 0) {
		chomp(&url);
		if (strcmp(url.buf, f->uri)) {
			/* Another URL: a new clone, the old one kept. */
			if (f->log_fd >= 0)
				dprintf(f->log_fd, "the checkout is of %s, not %s: cloning anew\n",
					url.buf, f->uri);
			old_name(f->home, &keep);
			have = false;
		}
	}
	if (!have) {
		rc = clone_into(f, tmp.buf, why);
		if (rc == 0)
			rc = fetch_home_swap_in(tmp.buf, f->home, keep.len ? keep.buf : NULL, why);
		goto out;
	}
	if (f->update && !f->offline) {
		rc = GIT(f, f->home, NULL, why, "fetch", "--quiet", "--tags", "origin");
		if (rc == 0)
			rc = check_out(f, f->home, why);
		if (rc == 0)
			rc = remember_wanted(f, f->home, why);
		goto out;
	}
	struct strbuf now = STRBUF_INIT, was = STRBUF_INIT;
	wanted(f, &now);
	GIT(f, f->home, &was, &ignored, "config", "--get", "minimerge.wanted");
	chomp(&was);
	bool moved = strcmp(now.buf, was.buf) != 0;
	strbuf_release(&now);
	strbuf_release(&was);
	if (moved) {
		rc = check_out(f, f->home, why);
		if (rc == 0)
			rc = remember_wanted(f, f->home, why);
		goto out;
	}
	rc = 0;
	if (f->revision) {
		/* Pinned: HEAD must be the revision's commit. */
		struct strbuf want = STRBUF_INIT, commit = STRBUF_INIT;
		strbuf_addf(&commit, "%s^{commit}", f->revision);
		if (GIT(f, f->home, &head, &ignored, "rev-parse", "HEAD") != 0 ||
		    GIT(f, f->home, &want, &ignored, "rev-parse", "--quiet", "--verify",
			commit.buf) != 0 ||
		    strcmp(head.buf, want.buf))
			rc = check_out(f, f->home, why);
		strbuf_release(&want);
		strbuf_release(&commit);
	}
out:
	fetch_home_remove(tmp.buf, &ignored);
	strbuf_release(&git_dir);
	strbuf_release(&tmp);
	strbuf_release(&url);
	strbuf_release(&head);
	strbuf_release(&keep);
	strbuf_release(&ignored);
	return rc;
}
