/* recipe_mkdir: z3c.recipe.mkdir.  `paths` (default: the part's directory
 * under parts-directory), one or more, made absolute in the options as the
 * original does; `mode` (octal) for the directories it creates;
 * `create-intermediate` (default on) for their parents.  Directories are
 * kept when the part goes unless `remove-on-update` is on.  One that went
 * missing makes the part run again. */
#include "recipe.h"

#include "../lib/diag.h"
#include "../lib/fsutil.h"
#include "../lib/path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int mkdir_init(struct recipe_init *ri)
{
	bool failed = false;
	const char *dir = recipe_init_directory(ri);
	const char *paths = cfg_get(ri->cfg, ri->section, "paths", &failed);
	if (failed || !dir)
		return -1;
	if (!paths || !*paths)
		paths = recipe_set_dir(ri, "paths");
	if (!paths)
		return -1;
	struct strbuf out = STRBUF_INIT;
	char *list = xstrdup(paths), *save = NULL;
	for (char *t = strtok_r(list, " \t\n\r\f\v", &save); t;
	     t = strtok_r(NULL, " \t\n\r\f\v", &save))
		strbuf_addf(&out, "%s%s", out.len ? "\n" : "", recipe_path(ri->arena, dir, t));
	free(list);
	if (recipe_init_check_mode(ri, "0755") != 0) {
		strbuf_release(&out);
		return -1;
	}
	cfg_set(ri->cfg, ri->section, "paths", out.buf);
	strbuf_release(&out);
	return 0;
}

static int mkdir_install(struct recipe_run *r)
{
	bool intermediate, remove;
	if (recipe_option_bool(r, "create-intermediate", true, &intermediate) != 0 ||
	    recipe_option_bool(r, "remove-on-update", false, &remove) != 0)
		return -1;
	mode_t explicit_mode = recipe_option_mode(r->part, 0);
	mode_t mode = explicit_mode ? explicit_mode : 0777;
	char *list = xstrdup(recipe_option_or(r->part, "paths", "")), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(list, "\n", &save); t && rc == 0; t = strtok_r(NULL, "\n", &save)) {
		int err = 0;
		if (!fs_is_dir(t, true)) {
			err = intermediate ? fs_mkdirs(t, mode) : (mkdir(t, mode) ? errno : 0);
			/* The umask must not narrow an explicit mode. */
			if (!err && explicit_mode && chmod(t, mode) != 0)
				err = errno;
		}
		if (err) {
			graph_job_fail(r->job, "cannot create %s: %s", t, strerror(err));
			rc = -1;
		} else if (remove) {
			recipe_add_path(r, t);
		}
	}
	free(list);
	return rc;
}

/* Directories it keeps are not recorded: they are checked here, so that
 * one that went missing is made again. */
static bool mkdir_intact(const struct recipe_part *p)
{
	char *list = xstrdup(recipe_option_or(p, "paths", "")), *save = NULL;
	bool ok = true;
	for (char *t = strtok_r(list, "\n", &save); t && ok; t = strtok_r(NULL, "\n", &save))
		ok = fs_is_dir(t, true);
	free(list);
	return ok;
}

static const char *const names[] = {"z3c.recipe.mkdir", "mkdir", NULL};

const struct recipe recipe_mkdir = {
	.names = names,
	.version = 1,
	.init = mkdir_init,
	.install = mkdir_install,
	.intact = mkdir_intact,
};
