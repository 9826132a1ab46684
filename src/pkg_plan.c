#include "pkg_plan.h"

#include "build_env.h"
#include "facts.h"
#include "fetch_home.h"
#include "fetch_static.h"
#include "fetch_vcs.h"
#include "pkg_auto.h"
#include "pkg_buildout.h"

#include "../cache/tree.h"
#include "../cache/record.h"
#include "../lib/argv.h"
#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"
#include "../lib/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Made in a build directory when its build has finished, named after the
 * build's key: a no-op checks it with one access(), and a build directory
 * is made anew for each build, so it holds one stamp. */
#define BUILD_STAMP ".minimerge-build-"
/* Made in <home>/parts when a fetched source is in place, named after the
 * fetch's key; the fetch removes the one before. */
#define FETCH_STAMP ".minimerge-fetch-"

/* What a package's three actions share. */
struct pkg_job {
	struct plan *plan;
	const struct pkg *pkg;
	const char *method;   /* install_method: cmmi, auto, buildout or none */
	const char *home;     /* <root>/<category>/<name> */
	const char *srcdir;   /* the source tree, absolute */
	const char *builddir; /* <home>/parts/build */
	const char *prefix;   /* <home>/parts/part */
	/* Left out of the source, relative to srcdir: "parts" when srcdir is
	 * the home, the VCS's metadata directory (".git") for a checkout, and
	 * what a buildout makes in its directory. */
	const char *exclude[6];
	size_t nexclude;
	bool fetched;         /* src_type = static: srcdir is the home, filled by the fetch */
	/* src_type = git, hg, svn or bzr: srcdir is the home, a checkout, and
	 * vcs_dir its metadata directory.  NULL for the others. */
	const char *vcs, *vcs_dir;
	const char *parts;    /* <home>/parts: builds, installs, the fetch stamp */
	const char *meta;     /* a checkout's <home>/<vcs_dir> */
	/* static, in a plan for a run: the archive's file in the download
	 * cache; NULL otherwise. */
	const char *download;
	/* Installs it needs that are not in this run (-N, --jump): their
	 * recorded outputs stand in for the graph's needs. */
	const char **outside;
	size_t noutside, capoutside;
	/* install_method = buildout: its install (whose needs, the
	 * dependencies' installs, its parts need too); its parts, once its
	 * source is on disk. */
	struct graph_action *install;
	struct pkg_buildout *buildout;
};

static const char *value_or(const struct minibuild_value *v, const char *dflt)
{
	return v->value ? v->value : dflt;
}

/* The words of text (NULL: none), split at blanks as minitage splits
 * them, NULL-ended, in the arena. */
static const char **split_words(struct arena *a, const char *text)
{
	struct argv w = ARGV_INIT;
	argv_add_words(&w, text);
	const char **v = arena_alloc(a, (w.n + 1) * sizeof(*v));
	for (size_t i = 0; i < w.n; i++)
		v[i] = arena_strdup(a, w.v[i]);
	argv_free(&w);
	return v;
}

/* Every package p needs installed, through meta- packages, each once. */
static void collect_deps(const struct pkg *p, struct hmap *seen, const struct pkg ***out,
			 size_t *n, size_t *cap)
{
	for (size_t i = 0; i < p->ndeps; i++) {
		const struct pkg *d = p->deps[i];
		if (hmap_gets(seen, d->mb.name))
			continue;
		hmap_put(seen, d->mb.name, strlen(d->mb.name), (void *)d);
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 8;
			*out = xrealloc(*out, *cap * sizeof(**out));
		}
		(*out)[(*n)++] = d;
		collect_deps(d, seen, out, n, cap);
	}
}

/* The children's environment, made when the package builds (or its
 * parts run), not when it is planned: a no-op run of a deep stack must not
 * pay for every package's list of prefixes.  Worker threads call it:
 * nothing here touches an arena.  Free with build_env_free. */
static char **make_env(const void *job)
{
	const struct pkg_job *pj = job;
	const struct pkg **deps = NULL;
	size_t ndeps = 0, capdeps = 0;
	struct hmap seen = HMAP_INIT;
	collect_deps(pj->pkg, &seen, &deps, &ndeps, &capdeps);
	hmap_free(&seen);
	char **prefixes = xcalloc(ndeps + 1, sizeof(*prefixes));
	size_t n = 0;
	for (size_t i = 0; i < ndeps; i++) {
		if (deps[i]->mb.meta || !deps[i]->mb.category.value)
			continue;
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/%s/%s/parts/part", pj->plan->db->root,
			    deps[i]->mb.category.value, deps[i]->mb.name);
		prefixes[n++] = strbuf_detach(&sb);
	}
	free(deps);
	char **envp = build_env_make((const char *const *)prefixes, n, pj->plan->jobs);
	for (size_t i = 0; i < n; i++)
		free(prefixes[i]);
	free(prefixes);
	return envp;
}

/* A stamp says which work is in a directory: the action's key, or for a
 * download without a checksum, whose key is made after its run, the
 * download's content. */
static void stamp_path(const char *dir, const char *stamp, struct hash128 which,
		       struct strbuf *out)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(which, hex);
	strbuf_addf(out, "%s/%s%s", dir, stamp, hex);
}

static bool stamp_exists(const char *dir, const char *stamp, struct hash128 which)
{
	struct strbuf path = STRBUF_INIT;
	stamp_path(dir, stamp, which, &path);
	bool ok = access(path.buf, F_OK) == 0;
	strbuf_release(&path);
	return ok;
}

/* A static source without a checksum. */
static bool unchecked(const struct pkg_job *pj)
{
	return pj->fetched && !pj->pkg->mb.src_sha256.value && !pj->pkg->mb.src_md5.value;
}

/* fetch: for src_type = path the source is read where it is; the action's
 * key is the tree's identity.  For static, the key is the URL and the
 * checksums: the archive is what they name; without them, the URL and the
 * content hash of the download.  For a checkout, the URL, what it is asked
 * to be at, and its tree. */
static int fetch_inputs(struct graph_action *a, struct graph_inputs *in)
{
	const struct pkg_job *pj = a->data;
	const struct minibuild *mb = &pj->pkg->mb;
	if (!pj->srcdir)
		return 0; /* install_method = none needs no source */
	graph_input_text(in, "option:src_type", mb->src_type.value);
	graph_input_text(in, "option:src_uri", mb->src_uri.value);
	if (pj->fetched && !unchecked(pj)) {
		graph_input_text(in, "option:src_sha256", value_or(&mb->src_sha256, ""));
		graph_input_text(in, "option:src_md5", value_or(&mb->src_md5, ""));
		return 0;
	}
	if (pj->fetched) {
		/* No checksum names the archive: what was downloaded does, so
		 * that a server's file that changed shows (fetch_keyed_by_run_kind). */
		struct hash128 h;
		int rc = tree_file_hash(pj->plan->store, pj->download, &h);
		if (rc < 0)
			return -1;
		char hex[HASH_HEX_LEN + 1] = "(not downloaded)";
		if (rc == 0)
			hash_hex(h, hex);
		graph_input_text(in, "download", hex);
		return 0;
	}
	if (pj->vcs) {
		graph_input_text(in, "option:scm_branch", value_or(&mb->scm_branch, ""));
		graph_input_text(in, "option:scm_revision", value_or(&mb->scm_revision, ""));
	}
	/* Kept, so that explain can name the files that changed. */
	struct tree_options topt = {.exclude = pj->exclude, .nexclude = pj->nexclude,
				    .keep_manifest = true};
	struct hash128 h;
	int rc = tree_hash(pj->plan->store, pj->srcdir, &topt, &h, NULL);
	if (rc == 1 && pj->vcs) {
		/* Not cloned yet: the clone makes it (fetch_keyed_by_run_kind). */
		graph_input_text(in, "source", "(no checkout)");
		return 0;
	}
	if (rc == 1)
		diag_error(mb->path, mb->src_uri.line, "src_uri: no directory %s", pj->srcdir);
	if (rc != 0)
		return -1;
	graph_input_tree(in, "source", h);
	return 0;
}

/* Removes the fetch stamps in dir (of earlier fetches). */
static void remove_fetch_stamps(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, FETCH_STAMP, strlen(FETCH_STAMP)))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* What a static fetch's stamp names: 0, or -1 if an unchecked download is
 * not there (or cannot be read: reported). */
static int fetch_stamp_of(const struct graph_action *a, struct hash128 *which)
{
	const struct pkg_job *pj = a->data;
	if (!unchecked(pj)) {
		*which = a->key;
		return 0;
	}
	return tree_file_hash(pj->plan->store, pj->download, which) == 0 ? 0 : -1;
}

static int fetch_run(struct graph_action *a, struct graph_job *job)
{
	const struct pkg_job *pj = a->data;
	if (!pj->fetched && !pj->vcs)
		return 0; /* a path source is read where it is */
	const struct minibuild *mb = &pj->pkg->mb;
	const struct plan *p = pj->plan;
	int log = graph_job_open_log(job);
	if (log < 0)
		return -1;
	if (pj->vcs) {
		struct fetch_vcs f = {.type = pj->vcs, .uri = mb->src_uri.value,
				      .branch = mb->scm_branch.value,
				      .revision = mb->scm_revision.value, .home = pj->home,
				      .offline = p->offline, .update = p->update, .job = job};
		struct strbuf why = STRBUF_INIT;
		int rc = fetch_vcs(&f, &why);
		if (rc != 0)
			graph_job_fail(job, "%s", why.buf);
		strbuf_release(&why);
		return rc;
	}
	if (unchecked(pj))
		diag_warning(mb->path, mb->src_uri.line,
			     "no src_sha256 or src_md5: the download of %s is not checked",
			     mb->src_uri.value);
	struct fetch_static f = {
		.download = {.url = mb->src_uri.value, .dir = p->downloads,
			     .sha256 = mb->src_sha256.value, .md5 = mb->src_md5.value,
			     .offline = p->offline, .stall_seconds = p->stall_seconds, .log_fd = log,
			     .store = p->store},
		.home = pj->home,
		.max_bytes = p->unpack_limit,
	};
	struct strbuf why = STRBUF_INIT;
	int rc = fetch_static(&f, &why);
	if (rc != 0)
		graph_job_fail(job, "%s", why.buf);
	strbuf_release(&why);
	if (rc != 0)
		return -1;
	struct hash128 which;
	if (fetch_stamp_of(a, &which) != 0) {
		graph_job_fail(job, "cannot read its download again");
		return -1;
	}
	struct strbuf stamp = STRBUF_INIT;
	remove_fetch_stamps(pj->parts);
	stamp_path(pj->parts, FETCH_STAMP, which, &stamp);
	int err = fs_mkdirs(pj->parts, 0777);
	if (!err)
		err = fs_touch(stamp.buf);
	if (err)
		graph_job_fail(job, "cannot write %s: %s", stamp.buf, strerror(err));
	strbuf_release(&stamp);
	return err ? -1 : 0;
}

/* A fetched source is in place if its stamp says this fetch put it there;
 * a checkout if it is there (its tree is in the key). */
static bool fetch_intact(const struct graph_action *a)
{
	const struct pkg_job *pj = a->data;
	if (pj->vcs)
		return fs_is_dir(pj->meta, false);
	struct hash128 which;
	return !pj->fetched ||
	       (fetch_stamp_of(a, &which) == 0 && stamp_exists(pj->parts, FETCH_STAMP, which));
}

/* What every fetch kind is; they differ in when the fetch runs. */
#define FETCH_KIND                                                                         \
	.name = "fetch", .version = 1, .network = true, .inputs = fetch_inputs,            \
	.intact = fetch_intact, .run = fetch_run

/* Its source is read only if a build must run. */
static const struct graph_kind fetch_kind = {FETCH_KIND, .intermediate = true};

/* minimerge fetch: the same action, wanted for itself. */
static const struct graph_kind fetch_only_kind = {FETCH_KIND};

/* A checkout, or a download without a checksum: its key is what its run
 * brings (the tree, the download's content), so it runs (or is skipped)
 * before what needs it is decided. */
static const struct graph_kind fetch_keyed_by_run_kind = {FETCH_KIND, .inputs_after_run = true};

static void own(struct plan *p, void *mem)
{
	if (p->nowned == p->capowned) {
		p->capowned = p->capowned ? 2 * p->capowned : 16;
		p->owned = xrealloc(p->owned, p->capowned * sizeof(*p->owned));
	}
	p->owned[p->nowned++] = mem;
}

/* A buildout package's source is on disk: its config's parts join the
 * graph (pkg_buildout.h).  The main thread, while workers run. */
static int fetch_reveal(struct graph_action *a, struct graph *g)
{
	struct pkg_job *pj = a->data;
	struct plan *p = pj->plan;
	if (!pj->buildout) {
		const struct minibuild *mb = &pj->pkg->mb;
		struct arena *ar = &g->arena;
		const char **only = NULL;
		size_t nonly = 0;
		if (mb->buildout_parts.value) {
			only = split_words(ar, mb->buildout_parts.value);
			while (only[nonly])
				nonly++;
		}
		/* "part dependencies/app-1.0:NAME" */
		const char *place = pj->home + strlen(p->db->root) + 1;
		char *scope = arena_alloc(ar, strlen(place) + 2);
		strcpy(scope, place);
		strcat(scope, ":");
		struct pkg_buildout_options o = {
			.config = path_join(ar, pj->srcdir,
					    value_or(&mb->buildout_config, "buildout.cfg")),
			.directory = pj->home,
			.scope = scope,
			.only = nonly ? (char *const *)only : NULL,
			.nonly = nonly,
			.store = p->store,
			.run = {.downloads = p->downloads, .offline = p->offline,
				.stall_seconds = p->stall_seconds, .unpack_limit = p->unpack_limit,
				.make_env = make_env, .env_ctx = pj},
			.make_directories = !p->dry_run,
		};
		pj->buildout = pkg_buildout_new(&o);
		if (p->nbuildouts == p->capbuildouts) {
			p->capbuildouts = p->capbuildouts ? 2 * p->capbuildouts : 8;
			p->buildouts = xrealloc(p->buildouts, p->capbuildouts * sizeof(*p->buildouts));
		}
		p->buildouts[p->nbuildouts++] = pj->buildout;
	}
	return pkg_buildout_reveal(pj->buildout, g, pj->install);
}

/* The fetches of buildout packages: wanted for themselves (their source
 * must be on disk for their parts to be known), and bringing the parts. */
static const struct graph_kind fetch_reveals_kind = {
	FETCH_KIND, .reveal = fetch_reveal, .reveals = "the parts of its buildout"};

static const struct graph_kind fetch_keyed_by_run_reveals_kind = {
	FETCH_KIND, .inputs_after_run = true, .reveal = fetch_reveal,
	.reveals = "the parts of its buildout"};

static bool is_fetch(const struct graph_action *a)
{
	return a->kind->run == fetch_run;
}

size_t plan_report_offline_misses(const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->graph.nactions; i++) {
		const struct graph_action *a = p->graph.actions[i];
		if (a->state != GRAPH_WOULD_RUN || !is_fetch(a))
			continue;
		const struct pkg_job *pj = a->data;
		const char *url = pj->pkg->mb.src_uri.value;
		if (pj->fetched && access(pj->download, F_OK) != 0) {
			diag_error(NULL, 0, "%s: not in the download cache (offline)", url);
			n++;
		} else if (pj->vcs && !fs_is_dir(pj->meta, false)) {
			diag_error(NULL, 0, "%s: no checkout in %s, and offline", url, pj->home);
			n++;
		}
	}
	return n;
}

static void env_inputs(const struct plan *p, struct graph_inputs *in)
{
	for (size_t i = 0; i < p->nenv; i++)
		graph_input_text(in, p->env_names[i], p->env_values[i]);
}

static void read_env(struct plan *p)
{
	struct arena *a = &p->graph.arena;
	size_t n = 0;
	while (build_env_inputs[n])
		n++;
	p->env_names = arena_alloc(a, n * sizeof(*p->env_names));
	p->env_values = arena_alloc(a, n * sizeof(*p->env_values));
	for (size_t i = 0; i < n; i++) {
		const char *name = build_env_inputs[i], *val = getenv(name);
		char *key = arena_alloc(a, strlen(name) + 5);
		memcpy(key, "env:", 4);
		strcpy(key + 4, name);
		p->env_names[i] = key;
		p->env_values[i] = arena_strdup(a, val ? val : "");
	}
	p->nenv = n;
}

/* What the graph would add as need:install X, from X's record. */
static int outside_inputs(const struct pkg_job *pj, struct graph_inputs *in)
{
	struct strbuf name = STRBUF_INIT;
	/* Its own arena: inputs are collected on several threads at once. */
	struct arena records = ARENA_INIT;
	int rc = 0;
	for (size_t i = 0; i < pj->noutside && rc == 0; i++) {
		struct record r;
		int found = record_get(pj->plan->store, pj->outside[i], &r, &records);
		if (found == 1 && r.status == RECORD_OK) {
			char hex[HASH_HEX_LEN + 1];
			hash_hex(r.output, hex);
			strbuf_reset(&name);
			strbuf_addf(&name, "need:%s", pj->outside[i]);
			graph_input_hash(in, name.buf, r.output, hex);
		} else if (found >= 0) {
			diag_error(pj->pkg->mb.path, 0,
				   "%s needs '%s', which was never done here; without -N or "
				   "--jump it is done first",
				   pj->pkg->mb.name, pj->outside[i]);
			rc = -1;
		} else {
			rc = -1;
		}
	}
	arena_free(&records);
	strbuf_release(&name);
	return rc;
}

static bool is_auto(const struct pkg_job *pj)
{
	return !strcmp(pj->method, "auto");
}

/* What a build or install needs to know; envp is the caller's. */
static struct pkg_auto auto_of(const struct pkg_job *pj, char **envp)
{
	const struct minibuild *mb = &pj->pkg->mb;
	return (struct pkg_auto){
		.backends = pj->plan->backends,
		.builddir = pj->builddir,
		.prefix = pj->prefix,
		.configure_options = mb->configure_options.value,
		.make_options = mb->make_options.value,
		.make_targets = mb->make_targets.value,
		.install_targets = mb->install_targets.value,
		.envp = envp,
	};
}

static int build_inputs(struct graph_action *a, struct graph_inputs *in)
{
	struct pkg_job *pj = a->data;
	const struct minibuild *mb = &pj->pkg->mb;
	graph_input_text(in, "option:install_method", pj->method);
	if (!strcmp(pj->method, "none"))
		return 0;
	graph_input_text(in, "option:configure_options", value_or(&mb->configure_options, ""));
	graph_input_text(in, "option:make_options", value_or(&mb->make_options, ""));
	graph_input_text(in, "option:make_targets", value_or(&mb->make_targets, ""));
	graph_input_text(in, "prefix", pj->prefix);
	env_inputs(pj->plan, in);
	graph_input_hash(in, "compiler", pj->plan->compiler, pj->plan->compiler_text);
	if (is_auto(pj))
		graph_input_hash(in, "backends", pj->plan->backends_identity,
				 pj->plan->backends->searched);
	return outside_inputs(pj, in);
}

/* configure, make: autoconf's commands, without autoreconf. */
static int cmmi_build(const struct pkg_auto *pa, struct graph_job *job)
{
	if (!facts_has_file(pa->builddir, "configure")) {
		graph_job_fail(job, "install_method = cmmi, but the source has no configure script");
		return -1;
	}
	return pkg_auto_run_system(pa, job, "autoconf", false);
}

static int build_run(struct graph_action *a, struct graph_job *job)
{
	const struct pkg_job *pj = a->data;
	if (!strcmp(pj->method, "none"))
		return 0;
	if (graph_job_remove_tree(job, pj->builddir) != 0)
		return -1;
	char *failed = NULL;
	int err = fs_copy_tree(pj->srcdir, pj->builddir, pj->exclude, pj->nexclude, &failed);
	if (err) {
		graph_job_fail(job, "cannot copy the source to %s: %s: %s", pj->builddir, failed,
			       strerror(err));
		free(failed);
		return -1;
	}
	char **envp = make_env(pj);
	struct pkg_auto pa = auto_of(pj, envp);
	int rc = is_auto(pj) ? pkg_auto_build(&pa, job) : cmmi_build(&pa, job);
	build_env_free(envp);
	if (rc != 0)
		return -1;
	struct strbuf stamp = STRBUF_INIT;
	stamp_path(pj->builddir, BUILD_STAMP, a->key, &stamp);
	err = fs_touch(stamp.buf);
	if (err)
		graph_job_fail(job, "cannot write %s: %s", stamp.buf, strerror(err));
	strbuf_release(&stamp);
	return err ? -1 : 0;
}

/* A build directory is the build of a key only if the build finished: a
 * stopped or failed build leaves no stamp, or an older one. */
static bool build_intact(const struct graph_action *a)
{
	const struct pkg_job *pj = a->data;
	return !strcmp(pj->method, "none") || stamp_exists(pj->builddir, BUILD_STAMP, a->key);
}

static const struct graph_kind build_kind = {
	.name = "build",
	.version = 1,
	.intermediate = true,
	.inputs = build_inputs,
	.intact = build_intact,
	.run = build_run,
};

static bool is_buildout(const struct pkg_job *pj)
{
	return !strcmp(pj->method, "buildout");
}

/* A buildout package's install is the sum of its parts, which are its
 * needs: the config and the parts it names come with them. */
static int install_inputs(struct graph_action *a, struct graph_inputs *in)
{
	const struct pkg_job *pj = a->data;
	graph_input_text(in, "option:install_method", pj->method);
	if (!strcmp(pj->method, "none"))
		return 0;
	if (is_buildout(pj)) {
		const struct minibuild *mb = &pj->pkg->mb;
		graph_input_text(in, "option:buildout_config",
				 value_or(&mb->buildout_config, "buildout.cfg"));
		graph_input_text(in, "option:buildout_parts", value_or(&mb->buildout_parts, ""));
		return outside_inputs(pj, in);
	}
	graph_input_text(in, "option:install_targets",
			 value_or(&pj->pkg->mb.install_targets, "install"));
	graph_input_text(in, "prefix", pj->prefix);
	env_inputs(pj->plan, in);
	return 0;
}

static const char *install_output_dir(const struct graph_action *a)
{
	const struct pkg_job *pj = a->data;
	return strcmp(pj->method, "none") && !is_buildout(pj) ? pj->prefix : NULL;
}

static int install_run(struct graph_action *a, struct graph_job *job)
{
	const struct pkg_job *pj = a->data;
	if (!strcmp(pj->method, "none") || is_buildout(pj))
		return 0;
	/* A fresh prefix: what an earlier install left must not survive into
	 * the new output, or its hash would depend on history. */
	if (graph_job_remove_tree(job, pj->prefix) != 0)
		return -1;
	char **envp = make_env(pj);
	struct pkg_auto pa = auto_of(pj, envp);
	int rc = is_auto(pj) ? pkg_auto_install(&pa, job)
			     : pkg_auto_run_system(&pa, job, "autoconf", true);
	build_env_free(envp);
	return rc;
}

static const struct graph_kind install_kind = {
	.name = "install",
	.version = 1,
	.inputs = install_inputs,
	.output_dir = install_output_dir,
	.run = install_run,
};

/* What this minimerge can build so far: the error says what is missing. */
static bool is_download_url(const char *uri)
{
	static const char *const schemes[] = {"http://", "https://", "ftp://", "file://"};
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (!strncmp(uri, schemes[i], strlen(schemes[i])) && uri[strlen(schemes[i])])
			return true;
	return false;
}

/* A checksum is compared as lowercase hex: anything else is a mistake. */
static int check_checksum(const struct minibuild *mb, const struct minibuild_value *v,
			  const char *key, size_t digits)
{
	if (!v->value)
		return 0;
	size_t n = strspn(v->value, "0123456789abcdef");
	if (n == digits && !v->value[n])
		return 0;
	diag_error(mb->path, v->line, "%s = %s: not %zu lowercase hexadecimal digits", key,
		   v->value, digits);
	return -1;
}

static int check_buildable(const struct pkg *p, const char **method)
{
	const struct minibuild *mb = &p->mb;
	*method = value_or(&mb->install_method, "none");
	if (strcmp(*method, "none") && !mb->src_type.value) {
		diag_error(mb->path, mb->install_method.line,
			   "install_method = %s needs a source: set src_type and src_uri", *method);
		return -1;
	}
	const char *type = mb->src_type.value;
	bool vcs = fetch_vcs_dir(type) != NULL;
	if (type && strcmp(type, "path") && strcmp(type, "static") && !vcs) {
		diag_error(mb->path, mb->src_type.line,
			   "src_type = %s cannot be fetched yet (path, static, git, hg, svn and "
			   "bzr can)",
			   type);
		return -1;
	}
	if (type && !mb->src_uri.value) {
		diag_error(mb->path, mb->src_type.line, "src_type = %s needs src_uri", type);
		return -1;
	}
	if (vcs && fetch_vcs_check(mb) != 0)
		return -1;
	if (type && !strcmp(type, "static") && !is_download_url(mb->src_uri.value)) {
		diag_error(mb->path, mb->src_uri.line,
			   "src_uri %s: a static source is fetched from an http, https, ftp or "
			   "file URL",
			   mb->src_uri.value);
		return -1;
	}
	if (check_checksum(mb, &mb->src_sha256, "src_sha256", 64) != 0 ||
	    check_checksum(mb, &mb->src_md5, "src_md5", 32) != 0)
		return -1;
	if (!mb->category.value) {
		diag_error(mb->path, mb->section_line,
			   "no category: the package has no place under the root");
		return -1;
	}
	return 0;
}

static struct pkg_job *plan_one(struct plan *p, struct pkg *pkg, const char *method)
{
	struct arena *a = &p->graph.arena;
	const struct minibuild *mb = &pkg->mb;
	struct pkg_job *pj = arena_alloc(a, sizeof(*pj));
	pj->plan = p;
	pj->pkg = pkg;
	pj->method = method;
	pj->home = path_join(a, path_join(a, p->db->root, mb->category.value), mb->name);
	pj->parts = path_join(a, pj->home, "parts");
	pj->builddir = path_join(a, pj->parts, "build");
	pj->prefix = path_join(a, pj->parts, "part");
	const char *type = mb->src_type.value;
	pj->vcs_dir = fetch_vcs_dir(type);
	if (type && (!strcmp(type, "static") || pj->vcs_dir)) {
		/* Unpacked or checked out into the home, beside parts/ (DESIGN
		 * §6). */
		pj->fetched = !strcmp(type, "static");
		pj->vcs = pj->vcs_dir ? type : NULL;
		pj->meta = pj->vcs ? path_join(a, pj->home, pj->vcs_dir) : NULL;
		if (pj->fetched && p->downloads) {
			struct strbuf file = STRBUF_INIT;
			download_path(p->downloads, mb->src_uri.value, &file);
			pj->download = arena_strdup(a, file.buf);
			strbuf_release(&file);
		}
		pj->srcdir = pj->home;
		pj->exclude[pj->nexclude++] = "parts";
		if (pj->vcs)
			pj->exclude[pj->nexclude++] = pj->vcs_dir;
	} else if (mb->src_uri.value) {
		pj->srcdir = path_normpath(a, path_join(a, p->db->root, mb->src_uri.value));
		size_t hl = strlen(pj->home), sl = strlen(pj->srcdir);
		if (!strcmp(pj->srcdir, pj->home)) {
			pj->exclude[pj->nexclude++] = "parts";
		} else if (hl > sl && !strncmp(pj->home, pj->srcdir, sl) && pj->home[sl] == '/') {
			diag_error(mb->path, mb->src_uri.line,
				   "src_uri %s holds the package's own directory %s; use the "
				   "directory itself or one outside it",
				   pj->srcdir, pj->home);
			return NULL;
		}
	}
	if (is_buildout(pj) && pj->srcdir && !strcmp(pj->srcdir, pj->home)) {
		/* What the buildout makes in its directory is no source. */
		static const char *const made[] = {"bin", "var", "develop-eggs", ".installed.cfg"};
		for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
			pj->exclude[pj->nexclude++] = made[i];
	}
	return pj;
}

/* The build needs the install of each package its package depends on; a
 * meta- package stands for its own dependencies.  A dependency left out of
 * the selection (-N, --jump) is taken as it is on disk. */
static void add_dep_edges(struct graph *g, struct pkg_job *pj, struct graph_action *build,
			  const struct pkg *pkg, const struct hmap *installs, struct hmap *seen)
{
	for (size_t d = 0; d < pkg->ndeps; d++) {
		const struct pkg *dep = pkg->deps[d];
		if (hmap_gets(seen, dep->mb.name))
			continue;
		hmap_put(seen, dep->mb.name, strlen(dep->mb.name), (void *)dep);
		struct graph_action *inst = hmap_gets(installs, dep->mb.name);
		if (dep->mb.meta) {
			add_dep_edges(g, pj, build, dep, installs, seen);
		} else if (inst) {
			graph_add_need(g, build, inst);
		} else if (dep->mb.category.value) {
			if (pj->noutside == pj->capoutside) {
				pj->capoutside = pj->capoutside ? 2 * pj->capoutside : 4;
				pj->outside = xrealloc(pj->outside,
						       pj->capoutside * sizeof(*pj->outside));
			}
			char *id = arena_alloc(&g->arena, strlen(dep->mb.category.value) +
								  strlen(dep->mb.name) + 10);
			sprintf(id, "install %s/%s", dep->mb.category.value, dep->mb.name);
			pj->outside[pj->noutside++] = id;
		}
	}
}

/* The external backends and their helpers as trees (through the stat
 * cache): one added, removed or changed builds what they chose for again. */
static int backends_identity(struct plan *p)
{
	struct strbuf all = STRBUF_INIT;
	const char *helpers = NULL;
	int rc = 0;
	for (size_t i = 0; i < p->backends->n && rc == 0; i++) {
		const struct backend *b = &p->backends->v[i];
		const char *trees[] = {b->dir, b->helpers != helpers ? b->helpers : NULL};
		helpers = b->helpers;
		for (int k = 0; k < 2 && !b->builtin && trees[k] && rc == 0; k++) {
			struct hash128 h = {0}; /* a tree gone since: no tree */
			char hex[HASH_HEX_LEN + 1];
			rc = tree_hash(p->store, trees[k], NULL, &h, NULL) < 0 ? -1 : 0;
			hash_hex(h, hex);
			strbuf_addf(&all, "%s %s %s\n", b->name, trees[k], hex);
		}
	}
	p->backends_identity = hash_bytes(all.buf, all.len);
	strbuf_release(&all);
	return rc;
}

/* Found once, on the main thread: the builds only read the set. */
static int load_backends(struct plan *p)
{
	p->backends = xmalloc(sizeof(*p->backends));
	struct strbuf err = STRBUF_INIT;
	int rc = backend_set_load(p->backends, &err);
	if (rc != 0)
		diag_error(NULL, 0, "%s", err.buf);
	else
		rc = backends_identity(p);
	strbuf_release(&err);
	return rc;
}

int plan_packages(struct plan *p, struct pkg **order, size_t n, bool force_targets)
{
	struct graph *g = &p->graph;
	struct hmap installs = HMAP_INIT; /* package name -> its install action */
	struct strbuf id = STRBUF_INIT;
	int rc = 0;
	read_env(p);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct pkg *pkg = order[i];
		const char *method;
		if (pkg->mb.meta)
			continue;
		struct pkg_job *pj = NULL;
		if (check_buildable(pkg, &method) != 0 || !(pj = plan_one(p, pkg, method))) {
			rc = -1;
			break;
		}
		const char *place = pj->home + strlen(p->db->root) + 1;
		/* A buildout package has no build: its parts come between its
		 * fetch and its install. */
		bool parts = is_buildout(pj) && !p->fetch_only;
		bool by_run = pj->vcs || unchecked(pj);
		const struct graph_kind *fetch =
			parts	     ? (by_run ? &fetch_keyed_by_run_reveals_kind : &fetch_reveals_kind)
			: by_run     ? &fetch_keyed_by_run_kind
			: p->fetch_only ? &fetch_only_kind
					: &fetch_kind;
		struct graph_action *acts[3];
		const struct graph_kind *kinds[3] = {fetch, &build_kind, &install_kind};
		int nacts = p->fetch_only ? 1 : 3;
		for (int k = 0; k < nacts; k++) {
			if (parts && k == 1)
				continue;
			strbuf_reset(&id);
			strbuf_addf(&id, "%s %s", kinds[k]->name, place);
			acts[k] = graph_add_action(g, kinds[k], id.buf, pj);
			acts[k]->forced = force_targets && pkg->target;
		}
		/* -u: every checkout asks its remote. */
		if (pj->vcs && p->update)
			acts[0]->forced = true;
		if (p->fetch_only)
			continue;
		if (parts) {
			pj->install = acts[2];
			graph_add_order(g, acts[2], acts[0]);
		} else {
			graph_add_need(g, acts[1], acts[0]);
			graph_add_need(g, acts[2], acts[1]);
		}
		struct hmap seen = HMAP_INIT;
		add_dep_edges(g, pj, parts ? acts[2] : acts[1], pkg, &installs, &seen);
		if (pj->outside)
			own(p, pj->outside);
		hmap_free(&seen);
		hmap_put(&installs, pkg->mb.name, strlen(pkg->mb.name), acts[2]);
		/* Found now, before any worker runs: its child must not inherit
		 * descriptors the workers' children would then hold. */
		bool builds = !strcmp(method, "cmmi") || !strcmp(method, "auto");
		if (builds && p->store && !p->have_compiler) {
			if (build_env_compiler(p->store, &p->compiler, &p->compiler_text) != 0)
				rc = -1;
			p->have_compiler = true;
		}
		if (!strcmp(method, "auto") && !p->backends && load_backends(p) != 0)
			rc = -1;
	}
	strbuf_release(&id);
	hmap_free(&installs);
	return rc;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nbuildouts; i++)
		pkg_buildout_free(p->buildouts[i]);
	free(p->buildouts);
	for (size_t i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->compiler_text);
	if (p->backends)
		backend_set_free(p->backends);
	free(p->backends);
	graph_free(&p->graph);
}
