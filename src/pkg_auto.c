#include "pkg_auto.h"

#include "facts.h"

#include "../lib/argv.h"
#include "../lib/file.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Where the build leaves its build system's name for the install. */
#define BUILD_SYSTEM_FILE ".minimerge-buildsystem"
#define OUT_OF_TREE "_minimerge_build"
#define WHEELS "_minimerge_dist"

enum { MAX_STEPS = 3 };

enum system { AUTOCONF, CMAKE, MESON, MAKEFILE, PYTHON, PERL_MAKEMAKER, PERL_BUILD };

/* debhelper's names of the build systems minimerge runs. */
static const struct {
	const char *name;
	enum system system;
} systems[] = {
	{"autoconf", AUTOCONF},		{"cmake", CMAKE},
	{"meson", MESON},		{"makefile", MAKEFILE},
	{"pybuild", PYTHON},		{"python_distutils", PYTHON},
	{"perl_makemaker", PERL_MAKEMAKER}, {"perl_build", PERL_BUILD},
};
enum { NSYSTEMS = sizeof(systems) / sizeof(*systems) };

/* The build system of a name, or -1. */
static int system_of(const char *name)
{
	for (size_t i = 0; i < NSYSTEMS; i++)
		if (!strcmp(systems[i].name, name))
			return (int)systems[i].system;
	return -1;
}

/* make OPTIONS... TARGETS... (and PREFIX= for a plain Makefile). */
static void add_make(const struct pkg_auto *pa, struct argv *step, bool prefix,
		     const char *targets)
{
	argv_add(step, "make");
	if (prefix) {
		argv_addf(step, "PREFIX=%s", pa->prefix);
		argv_addf(step, "prefix=%s", pa->prefix);
	}
	argv_add_words(step, pa->make_options);
	argv_add_words(step, targets);
}

/* The build steps of system in pa's build directory. */
static size_t build_steps(const struct pkg_auto *pa, enum system system, int jobs,
			  struct argv *steps)
{
	size_t n = 0;
	switch (system) {
	case AUTOCONF:
		if (!facts_has_file(pa->builddir, "configure"))
			argv_add_words(&steps[n++], "autoreconf -fi");
		argv_add(&steps[n], "./configure");
		argv_addf(&steps[n], "--prefix=%s", pa->prefix);
		argv_add_words(&steps[n++], pa->configure_options);
		add_make(pa, &steps[n++], false, pa->make_targets);
		break;
	case CMAKE:
		argv_add_words(&steps[n], "cmake -S . -B " OUT_OF_TREE);
		argv_addf(&steps[n], "-DCMAKE_INSTALL_PREFIX=%s", pa->prefix);
		/* lib/, not lib/<triplet>: the prefix is read as minitage lays it. */
		argv_add_words(&steps[n], "-DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_BUILD_TYPE=Release");
		argv_add_words(&steps[n++], pa->configure_options);
		argv_add_words(&steps[n], "cmake --build " OUT_OF_TREE);
		argv_addf(&steps[n++], "--parallel=%d", jobs);
		break;
	case MESON:
		argv_add_words(&steps[n], "meson setup " OUT_OF_TREE);
		argv_addf(&steps[n], "--prefix=%s", pa->prefix);
		argv_add_words(&steps[n], "--libdir=lib --buildtype=release");
		argv_add_words(&steps[n++], pa->configure_options);
		argv_add_words(&steps[n], "ninja -C " OUT_OF_TREE);
		argv_addf(&steps[n], "-j%d", jobs);
		argv_add_words(&steps[n++], pa->make_targets);
		break;
	case MAKEFILE:
		add_make(pa, &steps[n++], true, pa->make_targets);
		break;
	case PYTHON:
		/* Nothing is fetched: what the project needs is in the stack. */
		argv_add_words(&steps[n++], "python3 -m pip wheel --no-deps --no-build-isolation "
					    "--no-index --wheel-dir " WHEELS " .");
		break;
	case PERL_MAKEMAKER:
		argv_add_words(&steps[n], "perl Makefile.PL");
		argv_addf(&steps[n], "INSTALL_BASE=%s", pa->prefix);
		argv_add_words(&steps[n++], pa->configure_options);
		add_make(pa, &steps[n++], false, pa->make_targets);
		break;
	case PERL_BUILD:
		argv_add_words(&steps[n], "perl Build.PL --install_base");
		argv_add(&steps[n], pa->prefix);
		argv_add_words(&steps[n++], pa->configure_options);
		argv_add(&steps[n++], "./Build");
		break;
	}
	return n;
}

static bool is_wheel(const char *name, bool is_dir, void *ctx)
{
	(void)ctx;
	size_t len = strlen(name);
	return !is_dir && len > 4 && !strcmp(name + len - 4, ".whl");
}

/* The install steps of system; 0 after graph_job_fail when there is
 * nothing to install. */
static size_t install_steps(const struct pkg_auto *pa, enum system system, struct graph_job *job,
			    struct argv *steps)
{
	const char *targets = pa->install_targets ? pa->install_targets : "install";
	size_t n = 0;
	switch (system) {
	case AUTOCONF:
	case PERL_MAKEMAKER:
	case MAKEFILE:
		add_make(pa, &steps[n++], system == MAKEFILE, targets);
		break;
	case CMAKE:
		argv_add_words(&steps[n++], "cmake --install " OUT_OF_TREE);
		break;
	case MESON:
		argv_add_words(&steps[n++], "meson install --no-rebuild -C " OUT_OF_TREE);
		break;
	case PYTHON: {
		struct arena a = ARENA_INIT;
		const char *dir = path_join(&a, pa->builddir, WHEELS);
		size_t count = 0;
		const char **wheels = fs_list_dir(&a, dir, is_wheel, NULL, &count);
		if (count == 1) {
			argv_add_words(&steps[n], "python3 -m pip install --no-deps --no-index "
						  "--no-build-isolation --ignore-installed");
			argv_addf(&steps[n], "--prefix=%s", pa->prefix);
			argv_add(&steps[n++], path_join(&a, dir, wheels[0]));
		} else {
			graph_job_fail(job, "the build left %zu wheels in %s, not one", count, dir);
		}
		free(wheels);
		arena_free(&a);
		break;
	}
	case PERL_BUILD:
		argv_add_words(&steps[n++], "./Build install");
		break;
	}
	return n;
}

/* What the backends wrote on stderr belongs in the build's log. */
static int log_text(struct graph_job *job, const struct strbuf *text)
{
	if (!text->len)
		return 0;
	int fd = graph_job_open_log(job);
	if (fd < 0)
		return -1;
	int err = fs_write_all(fd, text->buf, text->len);
	if (err)
		graph_job_fail(job, "cannot write its log: %s", strerror(err));
	return err ? -1 : 0;
}

/* Asks the backends; the build system of the one chosen goes to system
 * (malloc'd).  0, or -1 after graph_job_fail. */
static int choose(const struct pkg_auto *pa, struct graph_job *job, char **system)
{
	struct arena a = ARENA_INIT;
	struct strbuf log = STRBUF_INIT, err = STRBUF_INIT, why = STRBUF_INIT;
	struct backend_score *scores = NULL;
	json_t *facts = NULL;
	const char *name = NULL;
	int r = backend_rank(pa->backends, pa->builddir, &a, &scores, &log, &err);
	const struct backend_score *w = r == 0 ? &scores[0] : NULL;
	if (r != 0) {
		strbuf_add(&why, err.buf, err.len);
	} else if (!backend_has_winner(scores, pa->backends->n)) {
		backend_describe_none(pa->backends, scores, pa->builddir, &why);
	} else if ((r = backend_info(pa->backends, w->backend, pa->builddir, &a,
				     (const char *const[]){"buildsystem", NULL}, &facts, &log,
				     &err)) != 0) {
		/* A user error (exit 42) is the backend's words alone. */
		if (r != -2)
			strbuf_addf(&why, "backend %s: ", w->backend->name);
		strbuf_add(&why, err.buf, err.len);
	} else {
		const json_t *bs = json_object_get(facts, "buildsystem");
		name = json_is_string(bs) ? json_string_value(bs) : NULL;
		if (!name || system_of(name) < 0) {
			strbuf_addf(&why, "backend %s names ", w->backend->name);
			if (name)
				strbuf_addf(&why, "the build system '%s', which minimerge cannot run", name);
			else
				strbuf_adds(&why, "no build system (buildsystem)");
			strbuf_adds(&why, " (it runs");
			for (size_t i = 0; i < NSYSTEMS; i++)
				strbuf_addf(&why, "%s %s", i ? "," : "", systems[i].name);
			strbuf_addc(&why, ')');
			name = NULL;
		}
	}
	/* What the scripts said on stderr first, then the verdict. */
	int rc = log_text(job, &log);
	if (rc == 0 && name) {
		graph_job_note(job, "backend %s (score %d%s%s), build system %s", w->backend->name,
			       w->score, w->reason ? ": " : "", w->reason ? w->reason : "", name);
		*system = xstrdup(name);
	} else if (rc == 0) {
		graph_job_fail(job, "%s", why.buf);
		rc = -1;
	}
	json_decref(facts);
	free(scores);
	strbuf_release(&log);
	strbuf_release(&err);
	strbuf_release(&why);
	arena_free(&a);
	return rc;
}

int pkg_auto_run_system(const struct pkg_auto *pa, struct graph_job *job, const char *name,
			bool install)
{
	struct argv steps[MAX_STEPS + 1] = {ARGV_INIT, ARGV_INIT, ARGV_INIT, ARGV_INIT};
	int system = system_of(name);
	if (system < 0) {
		graph_job_fail(job, "'%s' is no build system minimerge runs", name);
		return -1;
	}
	size_t n = install ? install_steps(pa, (enum system)system, job, steps)
			   : build_steps(pa, (enum system)system, graph_job_jobs(job), steps);
	int rc = n ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = graph_job_spawn(job, argv_list(&steps[i]), pa->builddir, pa->envp);
		argv_free(&steps[i]);
	}
	return rc;
}

int pkg_auto_build(const struct pkg_auto *pa, struct graph_job *job)
{
	char *system = NULL;
	if (choose(pa, job, &system) != 0)
		return -1;
	int rc = pkg_auto_run_system(pa, job, system, false);
	if (rc == 0) {
		struct strbuf path = STRBUF_INIT;
		strbuf_addf(&path, "%s/%s", pa->builddir, BUILD_SYSTEM_FILE);
		int err = fs_write_atomic(path.buf, system, strlen(system), 0);
		if (err) {
			graph_job_fail(job, "cannot write %s: %s", path.buf, strerror(err));
			rc = -1;
		}
		strbuf_release(&path);
	}
	free(system);
	return rc;
}

int pkg_auto_install(const struct pkg_auto *pa, struct graph_job *job)
{
	struct strbuf path = STRBUF_INIT, system = STRBUF_INIT;
	strbuf_addf(&path, "%s/%s", pa->builddir, BUILD_SYSTEM_FILE);
	int err;
	int rc = -1;
	if (file_read(path.buf, &system, &err) != 0)
		graph_job_fail(job, "cannot read %s (%s): the build did not finish", path.buf,
			       strerror(err));
	else
		rc = pkg_auto_run_system(pa, job, system.buf, true);
	strbuf_release(&path);
	strbuf_release(&system);
	return rc;
}
