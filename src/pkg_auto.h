/*
 * pkg_auto: install_method = auto (issue 8).  A package that carries no
 * build instructions is built the way its tree says: the build asks the
 * backends (backend.h) about its build directory, notes the one chosen
 * with its score and reason (in the log, and for explain), and runs the
 * commands of the build system that backend names (its `buildsystem`,
 * debhelper's word):
 *
 *   autoconf        [autoreconf -fi when there is no configure]
 *                   ./configure --prefix=P; make; make install
 *   cmake           cmake -S . -B _minimerge_build -DCMAKE_INSTALL_PREFIX=P;
 *                   cmake --build; cmake --install
 *   meson           meson setup _minimerge_build --prefix=P; ninja -C;
 *                   meson install -C
 *   makefile        make PREFIX=P prefix=P; make ... install
 *   pybuild,        python3 -m pip wheel (into _minimerge_dist);
 *   python_distutils python3 -m pip install --prefix=P of that wheel
 *   perl_makemaker  perl Makefile.PL INSTALL_BASE=P; make; make install
 *   perl_build      perl Build.PL --install_base P; ./Build; ./Build install
 *
 * configure_options go to the configuring step, make_options and
 * make_targets to the building one, install_targets replace make's
 * "install".  The build writes the build system it used into the build
 * directory, where the install reads it.
 */
#ifndef MINIMERGE_PKG_AUTO_H
#define MINIMERGE_PKG_AUTO_H

#include "backend.h"

#include "../graph/graph.h"

#include <stdbool.h>

struct pkg_auto {
	const struct backend_set *backends;
	const char *builddir; /* a copy of the source, made by the caller */
	const char *prefix;
	/* A minibuild's options; NULL: not set. */
	const char *configure_options, *make_options, *make_targets, *install_targets;
	char *const *envp;
};

/* Chooses the backend and builds.  0, or -1 after graph_job_fail (no
 * backend wants the tree: each one's score and reason). */
int pkg_auto_build(const struct pkg_auto *pa, struct graph_job *job);
/* Installs what pkg_auto_build built into the prefix.  0 or -1 (failed). */
int pkg_auto_install(const struct pkg_auto *pa, struct graph_job *job);
/* Runs the build (or install) commands of one build system in pa's build
 * directory, as the table above says: what install_method = cmmi runs too
 * ("autoconf", its source having a configure script).  0 or -1 (failed). */
int pkg_auto_run_system(const struct pkg_auto *pa, struct graph_job *job, const char *system,
			bool install);

#endif
