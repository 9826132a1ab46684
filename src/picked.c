/* picked: the picked versions after a run, as buildout and
 * buildout.dumppickedversions give them (picked.h). */
#include "picked.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"
#include "../lib/units.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STARS "*********************************************"

/* buildout's: the banner and the text on stdout, the lines appended to the
 * file (a file that exists gets a dated comment in place of
 * "[versions]"). */
static int buildout_style(const struct versionmap *vm, const struct picked_options *o,
			  struct arena *a)
{
	if (!versionmap_has_picks(vm))
		return 0;
	struct strbuf text = STRBUF_INIT;
	versionmap_print(vm, true, VERSIONMAP_BUILDOUT, &text);
	if (o->show)
		printf("Versions had to be automatically picked.\n"
		       "The following part definition lists the versions picked:\n%s",
		       text.buf);
	int rc = 0;
	if (o->update_file) {
		const char *path = path_join(a, o->dir, o->update_file);
		struct strbuf add = STRBUF_INIT;
		if (access(path, F_OK) == 0) {
			struct timeval now;
			gettimeofday(&now, NULL);
			strbuf_adds(&add, "\n# Added by minimerge at ");
			units_local_time(&add, &now, ' ');
			strbuf_addc(&add, '\n');
			strbuf_adds(&add, text.buf + strlen("[versions]\n"));
		} else {
			strbuf_adds(&add, text.buf);
		}
		int err = fs_append(path, add.buf, add.len);
		if (err) {
			diag_error(path, 0, "could not write the picked versions: %s", strerror(err));
			rc = -1;
		} else {
			printf("Picked versions have been written to %s\n", o->update_file);
		}
		strbuf_release(&add);
	}
	strbuf_release(&text);
	return rc;
}

/* buildout.dumppickedversions': every run, even with nothing picked. */
static int dump_style(const struct versionmap *vm, const struct picked_options *o,
		      struct arena *a)
{
	struct strbuf text = STRBUF_INIT;
	versionmap_print(vm, true, VERSIONMAP_DUMPPICKED, &text);
	int rc = 0;
	if (!o->dump_file) {
		printf("*************** PICKED VERSIONS ****************\n%s\n"
		       "*************** /PICKED VERSIONS ***************\n",
		       text.buf);
	} else {
		const char *path = path_join(a, o->dir, o->dump_file);
		bool exists = access(path, F_OK) == 0;
		if (exists && !o->overwrite) {
			printf(STARS "\nSkipped: File %s already exists.\n" STARS "\n", o->dump_file);
		} else {
			printf(STARS "\n%s %s\n" STARS "\n",
			       exists ? "Overwriting" : "Writing picked versions to", o->dump_file);
			int err = fs_write_atomic(path, text.buf, text.len, 0);
			if (err) {
				diag_error(path, 0, "could not write the picked versions: %s",
					   strerror(err));
				rc = -1;
			}
		}
	}
	strbuf_release(&text);
	return rc;
}

int picked_report(const struct versionmap *vm, const struct picked_options *o)
{
	struct arena a = ARENA_INIT;
	int rc = buildout_style(vm, o, &a);
	if (o->dump && dump_style(vm, o, &a) != 0)
		rc = -1;
	fflush(stdout);
	arena_free(&a);
	return rc;
}
