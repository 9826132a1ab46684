/*
 * fuzz_cfg: a libFuzzer target for the config reader.  Each input is parsed
 * with cfg_parse (an arena per input, freed after it); an input that parses
 * is also written to buildout.cfg in a temporary directory made at start-up
 * and loaded as `minimerge config` loads a file: cfg_load, cfg_init_buildout,
 * cfg_init_parts, cfg_free.
 *
 * The load runs offline (buildout:offline=true given as on the command line)
 * so that an `extends = http://...` never reaches the network, and inputs
 * that name /dev/, /proc/ or /sys/ are only parsed, so that an `extends =
 * /dev/zero` cannot read forever.  The program's diagnostics (fd 2) go to
 * /dev/null unless FUZZ_VERBOSE is set in the environment; libFuzzer's own
 * output and crash reports are kept.  FUZZ_NUL_TERMINATE: see below.
 *
 * Build and run: tests/fuzz/build OUTDIR [SECONDS].
 */
#include "../../lib/arena.h"
#include "../../src/cfg.h"
#include "../../src/cfg_parse.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool nul_terminate;
static char dir[4096];
static char cfg_path[4096 + 32];

static void remove_tmp(void)
{
	unlink(cfg_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/fuzz_cfg.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_cfg: mkdtemp");
		abort();
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/buildout.cfg", dir);
	atexit(remove_tmp);
	nul_terminate = getenv("FUZZ_NUL_TERMINATE") != NULL;
	if (!getenv("FUZZ_VERBOSE")) {
		/* libFuzzer's -close_fd_mask=2 sends fd 2 to /dev/null after
		 * keeping a copy for its own output and the sanitizers' reports;
		 * given first, a -close_fd_mask on the command line still wins. */
		static char flag[] = "-close_fd_mask=2";
		char **args = malloc(((size_t)*argc + 2) * sizeof(*args));
		if (args) {
			args[0] = (*argv)[0];
			args[1] = flag;
			for (int i = 1; i <= *argc; i++)
				args[i + 1] = (*argv)[i];
			*argv = args; /* lives as long as the process */
			(*argc)++;
		}
	}
	return 0;
}

static bool names_special_files(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"dev/", "proc/", "sys/"};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		size_t n = strlen(names[i]);
		for (size_t k = 0; k + n <= size; k++)
			if (!memcmp(data + k, names[i], n))
				return true;
	}
	return false;
}

static bool write_input(const uint8_t *data, size_t size)
{
	int fd = open(cfg_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0) {
			close(fd);
			return false;
		}
		done += (size_t)n;
	}
	return close(fd) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct cfg_file f;
	/* libFuzzer's data ends where the input ends: reading past len is
	 * caught.  FUZZ_NUL_TERMINATE passes a copy with a NUL after it, as
	 * minimerge's own reader does, to fuzz past such a known report. */
	char *copy = NULL;
	const char *text = (const char *)data;
	if (nul_terminate) {
		copy = malloc(size + 1);
		if (!copy)
			abort();
		memcpy(copy, data, size);
		copy[size] = '\0';
		text = copy;
	}
	int rc = cfg_parse(&a, "fuzz.cfg", text, size, &f);
	cfg_file_free(&f);
	arena_free(&a);
	free(copy);
	if (rc < 0 || names_special_files(data, size) || !write_input(data, size))
		return 0;

	static const struct cfg_assignment offline = {"buildout", "offline", "true"};
	struct cfg cfg = {0};
	struct cfg_load_options o = {
		.config_file = cfg_path,
		.user_defaults = false,
		.assignments = &offline,
		.nassignments = 1,
	};
	if (cfg_load(&cfg, &o) == 0 && cfg_init_buildout(&cfg) == 0)
		cfg_init_parts(&cfg);
	cfg_free(&cfg);
	return 0;
}
