/* recipe_command: plone.recipe.command.  `command` runs through /bin/sh in
 * the buildout directory when the part is installed, `update-command` when
 * an unchanged part is updated; `location` lists the paths the part
 * manages (removed when it is uninstalled).  A failing command stops the
 * run only with stop-on-error on, as with plone.recipe.command; otherwise
 * it is said and the part counts as installed. */
#include "recipe.h"

#include <stdlib.h>
#include <string.h>

static int run_command(struct recipe_run *r, const char *option)
{
	const char *cmd = recipe_option(r->part, option);
	bool stop;
	if (recipe_option_bool(r, "stop-on-error", false, &stop) != 0)
		return -1;
	if (cmd && *cmd) {
		const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
		if (recipe_spawn(r, argv, NULL, NULL) != 0) {
			if (stop)
				return -1;
			graph_job_say(r->job, "%s: %s failed; going on, as stop-on-error is off",
				      r->part->name, option);
		}
	}
	return 0;
}

static void add_locations(struct recipe_run *r)
{
	const char *loc = recipe_option(r->part, "location");
	if (!loc)
		return;
	char *list = xstrdup(loc), *save = NULL;
	for (char *t = strtok_r(list, " \t\n\r\f\v", &save); t;
	     t = strtok_r(NULL, " \t\n\r\f\v", &save))
		recipe_add_path(r, t);
	free(list);
}

static int command_install(struct recipe_run *r)
{
	if (run_command(r, "command") != 0)
		return -1;
	add_locations(r);
	return 0;
}

static bool command_has_update(const struct recipe_part *p)
{
	const char *u = recipe_option(p, "update-command");
	return u && *u;
}

static int command_update(struct recipe_run *r)
{
	return run_command(r, "update-command");
}

static const char *const names[] = {"plone.recipe.command", "command", NULL};

const struct recipe recipe_command = {
	.names = names,
	.version = 1,
	.install = command_install,
	.has_update = command_has_update,
	.update = command_update,
};
