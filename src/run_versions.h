/*
 * run_versions: what a run does with its version map once it has run: the
 * picked versions (picked.h) and the report (report.h), as the run's
 * settings ask: a config's [buildout], or minimerge.cfg's [minimerge] for
 * an install of packages.  The settings are read and checked before the
 * run, so that a bad one stops it before anything runs.
 *
 * The settings: allow-picked-versions, show-picked-versions, update-versions-file, extensions
 * (buildout.sendpickedversions, buildout.dumppickedversions),
 * dump-picked-versions-file, overwrite-picked-versions-file,
 * send-data-url (or whiskers-url), send-data-format (form or json),
 * send-data-timeout (seconds, each try).
 */
#ifndef MINIMERGE_RUN_VERSIONS_H
#define MINIMERGE_RUN_VERSIONS_H

#include "cfg.h"
#include "part_plan.h"
#include "picked.h"
#include "pkgdb.h"
#include "pkgsel.h"
#include "report.h"
#include "versionmap.h"

#include "../lib/arena.h"

#include <stdbool.h>
#include <sys/time.h>

struct run_versions_setting {
	const char *value; /* NULL: not set */
	const char *file;  /* where it is set, for errors */
	int line;
};

/* Where a run's settings and the report's view of it come from. */
struct run_versions_source {
	/* The setting name of the run's section, in out. */
	void (*get)(const void *ctx, const char *name, struct run_versions_setting *out);
	const void *ctx;
	const char *dir;          /* relative file names are relative to it */
	bool url_reports;         /* send-data-url alone turns the report on */
	struct report_input view; /* its config, pins and directory */
};

/* A config's: [buildout] (resolved) and its versions section; the report
 * needs the extension, as in buildout.  cfg must outlive src. */
void run_versions_source_config(struct run_versions_source *src, struct cfg *cfg,
				const struct part_plan *pp);
/* An install's: minimerge.cfg's [minimerge] and [versions]; send-data-url
 * is enough for the report. */
void run_versions_source_root(struct run_versions_source *src, struct pkgdb *db);

struct run_versions {
	struct picked_options picked;
	bool report;
	struct report_options send;
	struct timeval started; /* set by run_versions_read */
};

/* Reads and checks the settings; a holds what is kept.  0, or -1
 * (reported). */
int run_versions_read(struct run_versions *rv, const struct run_versions_source *src,
		      struct arena *a);

/* Whether anything is to be printed, written or sent after the run: if
 * not, a caller need not build the map for run_versions_after. */
bool run_versions_wanted(const struct run_versions *rv);

/* allow-picked-versions = false: every pick of vm is an error ("Picked:
 * name = version") at the setting.  0 or -1 (reported). */
int run_versions_check_picks(const struct versionmap *vm, const struct run_versions_source *src);

/* After the run.  0, or -1 when a file of picked versions could not be
 * written (reported); the report never fails. */
int run_versions_after(const struct run_versions *rv, const struct versionmap *vm,
		       const struct run_versions_source *src);

/* Resolves what a run of the config (when not NULL) or an install of the
 * targets would, runs nothing, and calls fn with the version map and the
 * run's settings.  fn's status (an EXIT_ value), or EXIT_BAD_INPUT
 * (reported). */
int run_versions_resolve(const char *config, char **targets, size_t ntargets,
			 const struct pkgsel_options *sel,
			 int (*fn)(const struct versionmap *vm, const struct run_versions_source *src,
				   struct arena *a, void *ctx),
			 void *ctx);

/* The report alone, now (minimerge report). */
void run_versions_report(const struct run_versions *rv, const struct versionmap *vm,
			 const struct run_versions_source *src);

#endif
