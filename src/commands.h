/*
 * commands: the subcommands main dispatches to.  Each takes the arguments
 * after its name (argv[0] is the command's name) and returns the process's
 * exit status (lib/diag.h).
 */
#ifndef MINIMERGE_COMMANDS_H
#define MINIMERGE_COMMANDS_H

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_buildout(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_debianize(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_minitagify(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_versions(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
