#include "debianize.h"

#include "../lib/arena.h"
#include "../lib/file.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Continuation lines as Debian's control files want them: a space first,
 * " ." for an empty line. */
static void add_continued(struct strbuf *out, const char *text)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (len == 0 || strspn(p, " \t") == len)
			strbuf_adds(out, "\n .");
		else
			strbuf_addf(out, "\n %.*s", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

/* The first line, then the rest as continuation lines. */
static void add_field(struct strbuf *out, const char *name, const char *text)
{
	size_t first = strcspn(text, "\n");
	strbuf_addf(out, "%s: %.*s", name, (int)first, text);
	if (text[first])
		add_continued(out, text + first + 1);
	strbuf_addc(out, '\n');
}

static void debianize_control(const struct project_info *pi, struct strbuf *out)
{
	strbuf_addf(out, "Source: %s\nSection: %s\nPriority: extra\nMaintainer: %s\n",
		    pi->package_name, pi->section, pi->maintainer);
	strbuf_adds(out, "Build-Depends: ");
	bool debhelper = false;
	for (size_t i = 0; i < pi->nbuild_depends; i++) {
		strbuf_addf(out, "%s, ", pi->build_depends[i]);
		debhelper |= strstr(pi->build_depends[i], "debhelper") != NULL;
	}
	if (debhelper)
		out->buf[out->len -= 2] = '\0';
	else
		strbuf_adds(out, "debhelper (>= 7)");
	strbuf_addc(out, '\n');
	if (pi->homepage)
		strbuf_addf(out, "Homepage: %s\n", pi->homepage);
	strbuf_addf(out, "\nPackage: %s\nSection: %s\nPriority: extra\nArchitecture: %s\n",
		    pi->package_name, pi->section, pi->architecture);
	if (pi->depends)
		strbuf_addf(out, "Depends: %s\n", pi->depends);
	if (pi->extra_control_binary_fields && *pi->extra_control_binary_fields) {
		strbuf_adds(out, pi->extra_control_binary_fields);
		if (out->buf[out->len - 1] != '\n')
			strbuf_addc(out, '\n');
	}
	add_field(out, "Description", pi->description);
}

static void debianize_rules(const struct project_info *pi, struct strbuf *out)
{
	/* pkgme leaves the blank after each word: the file is its, byte for
	 * byte. */
	strbuf_adds(out, "#!/usr/bin/make -f\n%:\n\tdh $@ ");
	if (pi->buildsystem)
		strbuf_addf(out, "--buildsystem=%s ", pi->buildsystem);
	if (pi->debhelper_addons)
		strbuf_addf(out, "--with=%s ", pi->debhelper_addons);
	strbuf_addc(out, '\n');
	if (pi->extra_targets)
		strbuf_adds(out, pi->extra_targets);
}

/* RFC 2822's date in the C locale's names, whatever the user's: Debian
 * reads English. */
static void add_date(struct strbuf *out, time_t when)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	gmtime_r(&when, &tm);
	strbuf_addf(out, "%s, %02d %s %d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int year_of(time_t when)
{
	struct tm tm;
	gmtime_r(&when, &tm);
	return tm.tm_year + 1900;
}

static void debianize_changelog(const struct project_info *pi, time_t when, struct strbuf *out)
{
	strbuf_addf(out, "%s (%s) %s; urgency=low\n\n  * Initial release\n\n -- %s  ",
		    pi->package_name, pi->version, pi->distribution, pi->maintainer);
	add_date(out, when);
	strbuf_addc(out, '\n');
}

static void debianize_copyright(const struct project_info *pi, time_t when, struct strbuf *out)
{
	strbuf_addf(out,
		    "Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
		    "Upstream-Name: %s\nUpstream-Contact: %s\n\nFiles: *\n",
		    pi->package_name, pi->maintainer);
	if (pi->explicit_copyright) {
		add_field(out, "Copyright", pi->explicit_copyright);
		strbuf_addf(out, "License: %s\n", pi->license);
	} else {
		strbuf_addf(out,
			    "Copyright: %d %s\nLicense: %s\n The full text of the license can be found in the "
			    "file '/usr/share/common-licenses/%s'.\n",
			    year_of(when), pi->maintainer, pi->license, pi->license);
	}
	strbuf_addf(out,
		    "\nFiles: debian/*\nCopyright: %d The friendly minimerge robot\n"
		    "License: public-domain\n",
		    year_of(when));
}

/* ---- writing ---- */

struct out_file {
	const char *path; /* relative to the project */
	struct strbuf text;
	mode_t mode; /* fs_write_atomic's: 0 for 0666 less the umask */
};

struct out_files {
	struct out_file *v;
	size_t n, cap;
};

static struct strbuf *add_file(struct out_files *f, const char *path, mode_t mode)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	struct out_file *o = &f->v[f->n++];
	o->path = path;
	o->mode = mode;
	o->text = (struct strbuf)STRBUF_INIT;
	return &o->text;
}

/* An extra file must stay in the project. */
static bool safe_relative(const char *path)
{
	if (!*path || path[0] == '/')
		return false;
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && !strncmp(p, "..", 2))
			return false;
		p += len + (p[len] == '/');
	}
	return true;
}

static int add_extra(struct out_files *f, const json_t *files, bool from_paths,
		     struct strbuf *err)
{
	const char *rel;
	const json_t *v;
	json_object_foreach((json_t *)files, rel, v)
	{
		const char *key = from_paths ? "extra_files_from_paths" : "extra_files";
		if (!safe_relative(rel)) {
			strbuf_addf(err, "%s: '%s' is not a path inside the project", key, rel);
			return -1;
		}
		if (!json_is_string(v)) {
			strbuf_addf(err, "%s: the value for '%s' is not a string", key, rel);
			return -1;
		}
		struct strbuf *text = add_file(f, rel, 0);
		int e;
		if (!from_paths) {
			strbuf_adds(text, json_string_value(v));
		} else if (file_read(json_string_value(v), text, &e) != 0) {
			strbuf_addf(err, "%s: cannot read %s for '%s': %s", key, json_string_value(v),
				    rel, strerror(e));
			return -1;
		}
	}
	return 0;
}

/* Whether a directory on the way from dir to rel is a symbolic link, which
 * would take the file out of the project (said in err). */
static bool through_link(struct arena *a, const char *dir, const char *rel, struct strbuf *err)
{
	const char *path = dir;
	for (const char *p = rel; *p;) {
		size_t len = strcspn(p, "/");
		if (!p[len])
			break; /* the file itself: a rename replaces a link, never follows it */
		path = path_join(a, path, arena_strndup(a, p, len));
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
			strbuf_addf(err, "%s is a symbolic link: %s would not be written inside %s",
				    path, rel, dir);
			return true;
		}
		p += len + 1;
	}
	return false;
}

int debianize_write(const struct project_info *pi, const char *dir, struct strbuf *written,
		    struct strbuf *err)
{
	time_t when = time(NULL);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch) {
		char *end;
		errno = 0;
		long long v = strtoll(epoch, &end, 10);
		struct tm tm;
		/* A date whose year a struct tm cannot hold is no date. */
		if (*end || v < 0 || errno || !gmtime_r(&(time_t){(time_t)v}, &tm) ||
		    tm.tm_year > 9999 - 1900) {
			strbuf_addf(err, "SOURCE_DATE_EPOCH=%s: not a number of seconds since 1970 "
					 "before the year 10000",
				    epoch);
			return -1;
		}
		when = (time_t)v;
	}
	struct out_files f = {0};
	debianize_control(pi, add_file(&f, "debian/control", 0));
	debianize_rules(pi, add_file(&f, "debian/rules", 0755));
	debianize_changelog(pi, when, add_file(&f, "debian/changelog", 0));
	strbuf_adds(add_file(&f, "debian/compat", 0), "7\n");
	debianize_copyright(pi, when, add_file(&f, "debian/copyright", 0));
	strbuf_adds(add_file(&f, "debian/source/format", 0), "3.0 (quilt)\n");
	int rc = 0;
	if ((pi->extra_files && add_extra(&f, pi->extra_files, false, err) != 0) ||
	    (pi->extra_files_from_paths &&
	     add_extra(&f, pi->extra_files_from_paths, true, err) != 0))
		rc = -1;
	struct arena a = ARENA_INIT;
	for (size_t i = 0; i < f.n && rc == 0; i++)
		if (through_link(&a, dir, f.v[i].path, err))
			rc = -1;
	for (size_t i = 0; i < f.n && rc == 0; i++) {
		const char *path = path_join(&a, dir, f.v[i].path);
		int e = fs_mkdirs(path_dirname(&a, path), 0777);
		if (!e)
			e = fs_write_atomic(path, f.v[i].text.buf, f.v[i].text.len, f.v[i].mode);
		if (e) {
			strbuf_addf(err, "cannot write %s: %s", path, strerror(e));
			rc = -1;
		} else {
			strbuf_addf(written, "%s\n", path);
		}
	}
	arena_free(&a);
	for (size_t i = 0; i < f.n; i++)
		strbuf_release(&f.v[i].text);
	free(f.v);
	return rc;
}
