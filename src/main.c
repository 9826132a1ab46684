/* minimerge's entry point: global options, then one command. */
#include "commands.h"
#include "root.h"
#include "version.h"

#include "../lib/fsutil.h"
#include "../lib/diag.h"
#include "../lib/spell.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct command commands[] = {
	{"buildout", "run a buildout config: its parts as a parallel graph", cmd_buildout},
	{"cache", "show, check and trim the cache of artifacts (stats, verify, gc, clear)",
	 cmd_cache},
	{"config", "print the resolved buildout config (text, JSON or annotated)", cmd_config},
	{"debianize", "write Debian packaging (debian/) for a project, as pkgme does",
	 cmd_debianize},
	{"explain", "say which actions an install would run, and why", cmd_explain},
	{"fetch", "fetch the sources of packages and what they need", cmd_fetch},
	{"graph", "print the package graph of targets (text, JSON, DOT or a tree)", cmd_graph},
	{"info", "say which backend handles a project's tree, and what it reports", cmd_info},
	{"install", "build and install packages and what they need", cmd_install},
	{"list", "list the minibuilds the minilays hold", cmd_list},
	{"minitagify", "write a minibuild for a project's tree from its backend's facts",
	 cmd_minitagify},
	{"report", "send the picked-versions report (sendpickedversions) of targets", cmd_report},
	{"show", "show one package: its minibuild, origin and dependencies", cmd_show},
	{"versions", "print the versions an install of targets resolves, as [versions]",
	 cmd_versions},
};

static void usage(FILE *f)
{
	fputs("usage: minimerge [-C DIR] [--version] [--help] COMMAND [ARGS]\n"
	      "       minimerge [-C DIR] [INSTALL OPTIONS] TARGET...\n"
	      "\n"
	      "Builds whole software stacks from buildout configs and minibuilds.\n"
	      "\n"
	      "options:\n"
	      "  -C DIR      change to DIR before doing anything else; DIR is the root\n"
	      "  --version   print the version and exit\n"
	      "  -h, --help  print this help and exit\n"
	      "\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(f, "  %-10s  %s\n", commands[i].name, commands[i].summary);
	fputs("\n'minimerge COMMAND --help' describes a command.\n", f);
}

static bool install_option(const char *a)
{
	static const char *const options[] = {
		"-p", "--pretend", "-N", "--nodeps", "--only-dependencies", "--jump", "-n",
		"--dry-run", "--explain", "-v", "--verbose", "--force", "-o", "--offline", "-F",
		"--fetchonly", "--fetch-first", "-u", "--update", "-j", "-k", "--fetch-jobs", "--json"};
	for (size_t i = 0; i < sizeof(options) / sizeof(*options); i++)
		if (!strcmp(a, options[i]))
			return true;
	/* The forms with the value attached: --jump=PKG, -j4, -k0. */
	return !strncmp(a, "--jump=", 7) || !strncmp(a, "--fetch-jobs=", 13) ||
	       (a[1] == 'j' && a[2] >= '0' && a[2] <= '9') ||
	       (a[1] == 'k' && a[2] >= '0' && a[2] <= '9');
}

/* A bare word is a target; when it is no package but looks like a
 * misspelt command, say so. */
static void hint_command(const char *word)
{
	const char *names[sizeof(commands) / sizeof(*commands)];
	for (size_t c = 0; c < sizeof(commands) / sizeof(*commands); c++)
		names[c] = commands[c].name;
	const char *near;
	if (spell_nearest(word, names, sizeof(names) / sizeof(*names), &near, 1))
		fprintf(stderr, "minimerge: '%s' is not a command either; did you mean '%s'?\n",
			word, near);
}

int main(int argc, char **argv)
{
	int i = 1;
	fs_cwd_note();
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--version")) {
			printf("minimerge %s\n", MINIMERGE_VERSION);
			return EXIT_OK;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "-C") || !strncmp(a, "-C", 2)) {
			const char *dir = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!dir) {
				diag_error(NULL, 0, "-C needs a directory");
				return EXIT_BAD_INPUT;
			}
			if (chdir(dir) < 0) {
				diag_error(dir, 0, "cannot change to this directory");
				return EXIT_BAD_INPUT;
			}
			fs_cwd_note();
			root_given();
		} else if (install_option(a)) {
			/* minitage's form: minimerge -p TARGET... is install. */
			argv[i - 1] = "install";
			return cmd_install(argc - i + 1, argv + i - 1);
		} else {
			diag_error(NULL, 0, "unknown option '%s' (see minimerge --help)", a);
			return EXIT_BAD_INPUT;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 == argc) {
			usage(stdout);
			return EXIT_OK;
		}
		char *help[] = {argv[i + 1], "--help", NULL};
		for (size_t c = 0; c < sizeof(commands) / sizeof(*commands); c++)
			if (!strcmp(commands[c].name, argv[i + 1]))
				return commands[c].run(2, help);
		diag_error(NULL, 0, "unknown command '%s' (see minimerge --help)", argv[i + 1]);
		return EXIT_BAD_INPUT;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(*commands); c++)
		if (!strcmp(commands[c].name, argv[i]))
			return commands[c].run(argc - i, argv + i);
	/* minitage's form: minimerge TARGET... installs. */
	const char *word = argv[i];
	argv[i - 1] = "install";
	int rc = cmd_install(argc - i + 1, argv + i - 1);
	if (rc == EXIT_BAD_INPUT)
		hint_command(word);
	return rc;
}
