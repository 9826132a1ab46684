/*
 * fuzz_minibuild: a libFuzzer target for the minibuild reader.  The input's
 * first line is the minibuild's name (so the name grammar and the version
 * split are fuzzed too), the rest its text, parsed and checked with
 * minibuild_parse as a minilay load does, with one [minitage.variables]
 * entry so that ${} filling runs.  An arena per input, freed after it.
 *
 * Build and run: tests/fuzz/build OUTDIR [SECONDS].
 */
#include "../../lib/arena.h"
#include "../../lib/hmap.h"
#include "../../src/minibuild.h"
#include "../../src/pkgname.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	const char *text = memchr(data, '\n', size);
	size_t name_len = text ? (size_t)(text - (const char *)data) : size;
	char *name = arena_strndup(&a, (const char *)data, name_len);
	size_t rest = text ? size - name_len - 1 : 0;
	struct hmap vars = HMAP_INIT;
	hmap_put(&vars, "prefix", 6, "/opt/minitage");
	struct minibuild_context ctx = {&vars, "linux"};
	struct minibuild mb;
	size_t base_len;
	const char *version = pkgname_split(name, &base_len);
	if (version)
		(void)pkgname_version_cmp(version, "1.0_rc1");
	(void)minibuild_parse(&a, &ctx, "minilays/fuzz/pkg", name, "minilays/fuzz",
			      text ? text + 1 : "", rest, &mb);
	hmap_free(&vars);
	arena_free(&a);
	return 0;
}
