/*
 * Unit tests for lib/extract: files, directories and symlinks come out with
 * the archive's modes and times (to the nanosecond) whatever the umask,
 * parents without an entry are made, a sparse file comes out whole, every
 * entry that could write outside the directory or is not a file, a
 * directory or a symlink is refused by name, a source's links stay inside
 * its tree and its setuid bits are refused, and the umask is never
 * touched, not even for a moment: that is what the module is for.
 * Archives are written in memory by libarchive; every test works in its
 * own temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../lib/archive_lib.h"
#include "../../lib/arena.h"
#include "../../lib/extract.h"
#include "../../lib/strbuf.h"
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Entry i of an archive has this mtime plus i seconds and i microseconds,
 * so that each entry's time is its own. */
#define STAMP 1500000000

/* What the messages call the archive. */
#define WHAT "the test's tar"

struct fix {
	char dir[64];
	char dest[96];    /* dir/dest: what is extracted into */
	char outside[96]; /* dir/outside: what nothing may reach */
};

static int setup(void **state)
{
	struct fix *f = xcalloc(1, sizeof(*f));
	if (testutil_mkdtemp(f->dir, sizeof(f->dir), "test_extract") < 0) {
		free(f);
		return -1;
	}
	snprintf(f->dest, sizeof(f->dest), "%s/dest", f->dir);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
	if (mkdir(f->dest, 0755) != 0 || mkdir(f->outside, 0755) != 0) {
		testutil_remove_tree(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	int rc = testutil_remove_tree(f->dir);
	free(f);
	return rc;
}

static const struct archive_lib *lib(void)
{
	char err[256];
	const struct archive_lib *al = archive_lib(err, sizeof(err));
	if (!al)
		fail_msg("%s", err);
	return al;
}

static struct timespec mtime_of(size_t i)
{
	return (struct timespec){STAMP + (time_t)i, 1000 * (long)i + 7};
}

/* An entry to write: type 0 is a hard link to data. */
struct ent {
	const char *name;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFIFO, ... */
	mode_t perm;
	const char *data; /* a file's content, a link's target */
};

static la_ssize_t to_strbuf(struct archive *a, void *ctx, const void *buf, size_t len)
{
	(void)a;
	strbuf_add(ctx, buf, len);
	return (la_ssize_t)len;
}

static struct archive *writer(struct strbuf *tar)
{
	const struct archive_lib *al = lib();
	struct archive *a = al->write_new();
	assert_non_null(a);
	/* Not restricted: every entry's nanoseconds are kept. */
	assert_int_equal(al->write_set_format_pax(a), ARCHIVE_OK);
	assert_int_equal(al->write_open(a, tar, NULL, to_strbuf, NULL), ARCHIVE_OK);
	return a;
}

static void writer_close(struct archive *a)
{
	assert_int_equal(lib()->write_close(a), ARCHIVE_OK);
	lib()->write_free(a);
}

/* Appends entry e, timed as entry i, to a. */
static void add(struct archive *a, struct archive_entry *ae, const struct ent *e, size_t i)
{
	const struct archive_lib *al = lib();
	al->entry_clear(ae);
	al->entry_set_pathname(ae, e->name);
	al->entry_set_filetype(ae, e->type ? e->type : AE_IFREG);
	al->entry_set_perm(ae, e->perm);
	struct timespec t = mtime_of(i);
	al->entry_set_mtime(ae, t.tv_sec, t.tv_nsec);
	size_t len = 0;
	if (!e->type)
		al->entry_set_hardlink(ae, e->data);
	else if (e->type == AE_IFLNK)
		al->entry_set_symlink(ae, e->data);
	else if (e->type == AE_IFREG)
		al->entry_set_size(ae, (la_int64_t)(len = strlen(e->data)));
	assert_int_equal(al->write_header(a, ae), ARCHIVE_OK);
	if (len)
		assert_int_equal(al->write_data(a, e->data, len), (la_ssize_t)len);
}

/* The tar of v[0..n). */
static void tar_of(const struct ent *v, size_t n, struct strbuf *tar)
{
	struct archive *a = writer(tar);
	struct archive_entry *ae = lib()->entry_new();
	assert_non_null(ae);
	for (size_t i = 0; i < n; i++)
		add(a, ae, &v[i], i);
	lib()->entry_free(ae);
	writer_close(a);
}

/* Extracts tar into f->dest under rules (NULL: an artifact's); *msg gets
 * what was said on stderr (the caller frees it).  extract_entries'
 * result. */
static int extract(struct fix *f, const struct strbuf *tar, char **msg,
		   const struct extract_rules *rules)
{
	const struct archive_lib *al = lib();
	struct archive *in = al->read_new();
	assert_non_null(in);
	assert_int_equal(al->read_support_format_tar(in), ARCHIVE_OK);
	assert_int_equal(al->read_open_memory(in, tar->buf, tar->len), ARCHIVE_OK);
	char path[128];
	snprintf(path, sizeof(path), "%s/stderr", f->dir);
	struct testutil_stderr c;
	testutil_stderr_capture(&c, path);
	int r = extract_entries(al, in, f->dest, WHAT, rules);
	*msg = testutil_stderr_restore(&c);
	al->read_free(in);
	return r;
}

/* Extracts v[0..n) under rules and expects it to work, saying nothing. */
static void extract_ok_with(struct fix *f, const struct ent *v, size_t n,
			    const struct extract_rules *rules)
{
	struct strbuf tar = STRBUF_INIT;
	tar_of(v, n, &tar);
	char *msg;
	assert_int_equal(extract(f, &tar, &msg, rules), 0);
	assert_string_equal(msg, "");
	free(msg);
	strbuf_release(&tar);
}

static void extract_ok(struct fix *f, const struct ent *v, size_t n)
{
	extract_ok_with(f, v, n, NULL);
}

/* A fresh, empty f->dest. */
static void empty_dest(struct fix *f)
{
	assert_int_equal(testutil_remove_tree(f->dest), 0);
	assert_int_equal(mkdir(f->dest, 0755), 0);
}

static void lstat_in(struct fix *f, const char *rel, struct stat *st)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", f->dest, rel);
	if (lstat(path, st) != 0)
		fail_msg("%s is missing", rel);
}

static void assert_content(struct fix *f, const char *rel, const char *want)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", f->dest, rel);
	char *got = testutil_read_file(path, NULL);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void assert_time(struct timespec got, struct timespec want)
{
	assert_int_equal(got.tv_sec, want.tv_sec);
	assert_int_equal(got.tv_nsec, want.tv_nsec);
}

static const struct ent tree[] = {
	{"./", AE_IFDIR, 0755, NULL},
	{"bin", AE_IFDIR, 0755, NULL},
	{"bin/run", AE_IFREG, 0755, "#!/bin/sh\n"},
	/* An artifact keeps its setuid bit (a source may not have one). */
	{"bin/su", AE_IFREG, 04755, "#!/bin/sh\n"},
	{"./etc/", AE_IFDIR, 0750, NULL},
	{"etc/secret", AE_IFREG, 0600, "secret"},
	/* Group-writable: a umask of 077 would take that away. */
	{"etc/shared", AE_IFREG, 0664, "shared"},
	{"tmp", AE_IFDIR, 01777, NULL},
	{"tmp/file", AE_IFREG, 0666, "anyone's"},
	/* Written into before it gets its mode. */
	{"ro", AE_IFDIR, 0555, NULL},
	{"ro/file", AE_IFREG, 0444, "read only"},
	{"empty", AE_IFREG, 0640, ""},
	{"lib", AE_IFLNK, 0777, "bin"},
	{"dangling", AE_IFLNK, 0777, "/nowhere/at/all"},
};
#define NTREE (sizeof(tree) / sizeof(*tree))

static void check_tree(struct fix *f)
{
	/* Times first: reading a file may change its atime. */
	for (size_t i = 1; i < NTREE; i++) {
		struct stat st;
		lstat_in(f, tree[i].name, &st);
		assert_int_equal(st.st_mode & S_IFMT, tree[i].type);
		if (tree[i].type != AE_IFLNK)
			assert_int_equal(st.st_mode & 07777, tree[i].perm);
		assert_time(st.st_mtim, mtime_of(i));
		assert_time(st.st_atim, mtime_of(i));
	}
	for (size_t i = 1; i < NTREE; i++) {
		if (tree[i].type == AE_IFREG)
			assert_content(f, tree[i].name, tree[i].data);
		if (tree[i].type != AE_IFLNK)
			continue;
		char path[512], target[512];
		snprintf(path, sizeof(path), "%s/%s", f->dest, tree[i].name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		assert_true(n >= 0);
		target[n] = '\0';
		assert_string_equal(target, tree[i].data);
	}
	assert_int_equal(testutil_count_names(f->dest), 7);
}

static void test_modes_and_times_whatever_the_umask(void **state)
{
	struct fix *f = *state;
	static const mode_t masks[] = {077, 0, 022};
	for (size_t m = 0; m < sizeof(masks) / sizeof(*masks); m++) {
		empty_dest(f);
		mode_t old = umask(masks[m]);
		extract_ok(f, tree, NTREE);
		umask(old);
		check_tree(f);
	}
}

static void test_implicit_parents_and_names(void **state)
{
	struct fix *f = *state;
	static const struct ent v[] = {
		{"deep/er/file", AE_IFREG, 0640, "deep"},
		{"deep/other/", AE_IFDIR, 0711, NULL},
		{"././x", AE_IFREG, 0644, "x"},
		{"a//b/./c", AE_IFREG, 0644, "c"},
		/* A directory over a directory: the later entry's mode wins. */
		{"d", AE_IFDIR, 0700, NULL},
		{"d/f", AE_IFREG, 0644, "f"},
		{"d/", AE_IFDIR, 0750, NULL},
		/* No search for its owner: its subdirectory gets its mode first. */
		{"locked", AE_IFDIR, 0600, NULL},
		{"locked/sub", AE_IFDIR, 0750, NULL},
	};
	mode_t old = umask(077);
	extract_ok(f, v, sizeof(v) / sizeof(*v));
	umask(old);
	static const struct {
		const char *name;
		mode_t mode;
	} want[] = {
		{"deep", S_IFDIR | 0755}, {"deep/er", S_IFDIR | 0755}, {"deep/er/file", S_IFREG | 0640},
		{"deep/other", S_IFDIR | 0711}, {"x", S_IFREG | 0644}, {"a", S_IFDIR | 0755},
		{"a/b", S_IFDIR | 0755}, {"a/b/c", S_IFREG | 0644}, {"d", S_IFDIR | 0750},
		{"locked", S_IFDIR | 0600},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		struct stat st;
		lstat_in(f, want[i].name, &st);
		assert_int_equal(st.st_mode, want[i].mode);
	}
	struct stat st;
	lstat_in(f, "d", &st);
	assert_time(st.st_mtim, mtime_of(6));
	assert_content(f, "deep/er/file", "deep");
	assert_content(f, "a/b/c", "c");
	char locked[128];
	snprintf(locked, sizeof(locked), "%s/locked", f->dest);
	assert_int_equal(chmod(locked, 0700), 0);
	lstat_in(f, "locked/sub", &st);
	assert_int_equal(st.st_mode, S_IFDIR | 0750);
	assert_int_equal(testutil_count_names(f->dest), 5);
}

static void test_sparse_file(void **state)
{
	struct fix *f = *state;
	enum { MIB = 1024 * 1024, SIZE = 3 * MIB + 100 };
	/* Data, a hole, data, and a hole to the end. */
	char *want = xcalloc(1, SIZE);
	memcpy(want, "head.", 5);
	memcpy(want + MIB, "middle.", 7);
	const struct archive_lib *al = lib();
	struct strbuf tar = STRBUF_INIT;
	struct archive *a = writer(&tar);
	struct archive_entry *ae = al->entry_new();
	assert_non_null(ae);
	al->entry_set_pathname(ae, "sparse");
	al->entry_set_filetype(ae, AE_IFREG);
	al->entry_set_perm(ae, 0644);
	al->entry_set_size(ae, SIZE);
	al->entry_sparse_add_entry(ae, 0, 5);
	al->entry_sparse_add_entry(ae, MIB, 7);
	assert_int_equal(al->write_header(a, ae), ARCHIVE_OK);
	/* The writer is given every byte and leaves the holes out. */
	assert_int_equal(al->write_data(a, want, SIZE), SIZE);
	al->entry_free(ae);
	writer_close(a);
	assert_true(tar.len < MIB);

	/* Its holes count against a limit: the build copies them. */
	char *msg;
	const struct extract_rules limited = {.max_bytes = SIZE - 1};
	assert_int_equal(extract(f, &tar, &msg, &limited), -1);
	assert_non_null(strstr(msg, "sparse: the archive unpacks to more than"));
	free(msg);
	empty_dest(f);
	const struct extract_rules enough = {.max_bytes = SIZE};
	assert_int_equal(extract(f, &tar, &msg, &enough), 0);
	assert_string_equal(msg, "");
	free(msg);
	char path[128];
	snprintf(path, sizeof(path), "%s/sparse", f->dest);
	size_t len;
	char *got = testutil_read_file(path, &len);
	assert_non_null(got);
	assert_int_equal(len, SIZE);
	assert_memory_equal(got, want, SIZE);
	free(got);
	free(want);
	strbuf_release(&tar);
}

/* Expects v[0..n) to be refused under rules with a message naming the
 * entry named, and nothing written outside f->dest. */
static void refused_with(struct fix *f, const struct ent *v, size_t n, const char *named,
			 const struct extract_rules *rules)
{
	empty_dest(f);
	struct strbuf tar = STRBUF_INIT;
	tar_of(v, n, &tar);
	char *msg;
	assert_int_equal(extract(f, &tar, &msg, rules), -1);
	char want[512];
	snprintf(want, sizeof(want), "error: cannot unpack %s: %s: ", WHAT, named);
	if (!strstr(msg, want))
		fail_msg("'%s' does not say '%s'", msg, want);
	assert_int_equal(testutil_count_names(f->outside), 0);
	free(msg);
	strbuf_release(&tar);
}

static void refused(struct fix *f, const struct ent *v, size_t n, const char *named)
{
	refused_with(f, v, n, named, NULL);
}

static void test_refusals(void **state)
{
	struct fix *f = *state;
	char absolute[128];
	snprintf(absolute, sizeof(absolute), "%s/absolute", f->outside);
	const struct ent abs[] = {{absolute, AE_IFREG, 0644, "evil"}};
	refused(f, abs, 1, absolute);
	const struct ent dotdot[] = {{"a/../../outside/dotdot", AE_IFREG, 0644, "evil"}};
	refused(f, dotdot, 1, dotdot[0].name);
	const struct ent dotdot_dir[] = {{"../outside/dir/", AE_IFDIR, 0755, NULL}};
	refused(f, dotdot_dir, 1, dotdot_dir[0].name);
	/* A symlink entry, then a path through it, relative or absolute. */
	const struct ent through[] = {{"up", AE_IFLNK, 0777, "../outside"},
				      {"up/through", AE_IFREG, 0644, "evil"}};
	refused(f, through, 2, "up/through");
	const struct ent through_abs[] = {{"d", AE_IFDIR, 0755, NULL},
					  {"d/up", AE_IFLNK, 0777, f->outside},
					  {"d/up/deeper/through", AE_IFREG, 0644, "evil"}};
	refused(f, through_abs, 3, "d/up/deeper/through");
	const struct ent through_dir[] = {{"up", AE_IFLNK, 0777, f->outside}, {"up/dir", AE_IFDIR, 0755, NULL}};
	refused(f, through_dir, 2, "up/dir/");
	/* And a symlink over a file: the file's name is taken. */
	const struct ent over[] = {{"x", AE_IFLNK, 0777, f->outside}, {"x", AE_IFREG, 0644, "evil"}};
	refused(f, over, 2, "x");
	const struct ent hard[] = {{"hard", 0, 0644, "/etc/passwd"}};
	refused(f, hard, 1, "hard");
	const struct ent hard_in[] = {{"file", AE_IFREG, 0644, "x"}, {"hard", 0, 0644, "file"}};
	refused(f, hard_in, 2, "hard");
	const struct ent fifo[] = {{"fifo", AE_IFIFO, 0644, NULL}};
	refused(f, fifo, 1, "fifo");
	const struct ent chr[] = {{"dev/null", AE_IFCHR, 0666, NULL}};
	refused(f, chr, 1, "dev/null");
	const struct ent blk[] = {{"disk", AE_IFBLK, 0660, NULL}};
	refused(f, blk, 1, "disk");
	/* The same name twice, but for a directory over a directory. */
	const struct ent twice[] = {{"f", AE_IFREG, 0644, "1"}, {"f", AE_IFREG, 0644, "2"}};
	refused(f, twice, 2, "f");
	const struct ent dir_over_file[] = {{"f", AE_IFREG, 0644, "1"}, {"f/", AE_IFDIR, 0755, NULL}};
	refused(f, dir_over_file, 2, "f/");
	const struct ent file_over_dir[] = {{"d", AE_IFDIR, 0755, NULL}, {"d", AE_IFREG, 0644, "1"}};
	refused(f, file_over_dir, 2, "d");
	const struct ent file_as_dir[] = {{"f", AE_IFREG, 0644, "1"}, {"f/g", AE_IFREG, 0644, "2"}};
	refused(f, file_as_dir, 2, "f/g");
}

static const struct extract_rules source = {.confine_links = true, .no_setid = true};

/* A source's links stay in the tree: what an artifact may hold, a source
 * may not. */
static void test_source_rules(void **state)
{
	struct fix *f = *state;
	/* The limit is on all the files together. */
	const struct ent three[] = {{"a", AE_IFREG, 0644, "1234"}, {"b", AE_IFREG, 0644, "5678"},
				    {"c", AE_IFREG, 0644, "9"}};
	const struct extract_rules nine = {.max_bytes = 9}, eight = {.max_bytes = 8};
	empty_dest(f);
	extract_ok_with(f, three, 3, &nine);
	refused_with(f, three, 3, "c", &eight);
	const struct ent abs_link[] = {{"lib/libc.so", AE_IFLNK, 0777, "/usr/lib/libc.so"}};
	empty_dest(f);
	extract_ok(f, abs_link, 1);
	refused_with(f, abs_link, 1, "lib/libc.so", &source);
	const struct ent up[] = {{"d/up", AE_IFLNK, 0777, "../../outside"}};
	refused_with(f, up, 1, "d/up", &source);
	/* Each link stays inside, but one goes through the other: refused,
	 * whichever comes first in the archive. */
	const struct ent via[] = {{"d/s", AE_IFLNK, 0777, ".."}, {"t", AE_IFLNK, 0777, "d/s/.."}};
	refused_with(f, via, 2, "t", &source);
	const struct ent via_late[] = {{"t", AE_IFLNK, 0777, "d/s/../x"},
				       {"d/s", AE_IFLNK, 0777, ".."}};
	refused_with(f, via_late, 2, "t", &source);
	const struct ent setuid[] = {{"bin/su", AE_IFREG, 04755, "#!/bin/sh\n"}};
	refused_with(f, setuid, 1, "bin/su", &source);
	const struct ent setgid[] = {{"shared", AE_IFDIR, 02775, NULL}};
	refused_with(f, setgid, 1, "shared/", &source);
	const struct ent hard_out[] = {{"hard", 0, 0644, "../outside/x"}};
	refused_with(f, hard_out, 1, "hard", &source);
	const struct ent hard_missing[] = {{"hard", 0, 0644, "nothing"}};
	refused_with(f, hard_missing, 1, "hard", &source);
	const struct ent hard_via[] = {{"up", AE_IFLNK, 0777, "sub"}, {"sub", AE_IFDIR, 0755, NULL},
				       {"sub/f", AE_IFREG, 0644, "x"}, {"hard", 0, 0644, "up/f"}};
	refused_with(f, hard_via, 4, "hard", &source);

	/* What stays inside is made: relative links, a chain of them, "..",
	 * a hard link to a file before it. */
	const struct ent fine[] = {
		{"lib/libx.so.1.2", AE_IFREG, 0644, "elf"},
		{"lib/libx.so.1", AE_IFLNK, 0777, "libx.so.1.2"},
		{"lib/libx.so", AE_IFLNK, 0777, "libx.so.1"},
		{"include/x.h", AE_IFREG, 0644, "h"},
		{"lib/inc", AE_IFLNK, 0777, "../include/"},
		{"top", AE_IFLNK, 0777, "."},
		{"lib/copy", 0, 0644, "lib/libx.so.1.2"},
	};
	empty_dest(f);
	extract_ok_with(f, fine, sizeof(fine) / sizeof(fine[0]), &source);
	struct stat a, b;
	lstat_in(f, "lib/copy", &a);
	lstat_in(f, "lib/libx.so.1.2", &b);
	assert_true(a.st_ino == b.st_ino && a.st_nlink == 2);
	char path[256];
	snprintf(path, sizeof(path), "%s/lib/libx.so", f->dest);
	char *got = testutil_read_file(path, NULL);
	assert_string_equal(got, "elf");
	free(got);
}

/* Reads the umask from /proc/self/status in a loop, which (unlike umask())
 * does not change it, counting the reads that saw another value. */
struct watch {
	mode_t expect;
	atomic_bool stop;
	atomic_ulong reads, others;
};

/* The umask, or -1 where the kernel does not say (before Linux 4.7). */
static long umask_now(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strstr(buf, "\nUmask:");
	return p ? strtol(p + 7, NULL, 8) : -1;
}

static void *watch_umask(void *arg)
{
	struct watch *w = arg;
	while (!atomic_load(&w->stop)) {
		if (umask_now() != (long)w->expect)
			atomic_fetch_add(&w->others, 1);
		atomic_fetch_add(&w->reads, 1);
	}
	return NULL;
}

/* Waits up to 10 s for *counter to reach at least n.  Whether it did. */
static bool wait_for(atomic_ulong *counter, unsigned long n)
{
	for (int i = 0; i < 10000 && atomic_load(counter) < n; i++)
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	return atomic_load(counter) >= n;
}

static void test_umask_is_never_touched(void **state)
{
	struct fix *f = *state;
	if (umask_now() < 0)
		skip();
	/* Many entries: libarchive's disk writer set the umask to 0 for each.
	 * Mostly the same ten directories again and again, which makes no
	 * inodes: the entries come fast, and the watcher catches such a
	 * moment in every run.  With as many new files it took longer and
	 * caught one in a few runs out of ten. */
	struct strbuf tar = STRBUF_INIT;
	struct archive *a = writer(&tar);
	struct archive_entry *ae = lib()->entry_new();
	assert_non_null(ae);
	char name[64];
	for (size_t i = 0, n = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "dir%zu", i % 10);
		add(a, ae, &(struct ent){name, AE_IFDIR, 0755, NULL}, n++);
		if (i >= 100)
			continue;
		snprintf(name, sizeof(name), "dir%zu/file%zu", i % 10, i / 10);
		add(a, ae, &(struct ent){name, AE_IFREG, 0644, "content"}, n++);
	}
	lib()->entry_free(ae);
	writer_close(a);

	/* No assertion while the watcher runs: it would be left running. */
	mode_t old = umask(022);
	struct watch w = {.expect = 022};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, watch_umask, &w), 0);
	/* The watcher sees a change when there is one; two reads more, and
	 * one of them began after the umask was put back. */
	bool sees = wait_for(&w.reads, 1);
	umask(0);
	sees = sees && wait_for(&w.others, 1);
	umask(022);
	unsigned long reads = atomic_load(&w.reads);
	sees = sees && wait_for(&w.reads, reads + 2);
	unsigned long others = atomic_load(&w.others);

	char *msg = NULL;
	int r = sees ? extract(f, &tar, &msg, NULL) : -1;
	unsigned long during = atomic_load(&w.reads) - reads;
	atomic_store(&w.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(umask(old), 022);
	assert_true(sees);
	assert_int_equal(r, 0);
	assert_string_equal(msg, "");
	assert_int_equal(testutil_count_names(f->dest), 10);
	assert_true(during > 0);
	if (atomic_load(&w.others) != others)
		fail_msg("the umask was not 022 in %lu of %lu reads during the extraction",
			 atomic_load(&w.others) - others, during);
	free(msg);
	strbuf_release(&tar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_modes_and_times_whatever_the_umask, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_implicit_parents_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_umask_is_never_touched, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
