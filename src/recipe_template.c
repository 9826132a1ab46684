/* recipe_template: collective.recipe.template.  The text comes from the
 * file `input` (relative to the buildout directory) or from the option
 * `inline`; `output` is where it goes, with `mode` (octal).  An input file's
 * ${section:option} references are replaced as buildout replaces them in
 * options ($$ keeps what follows).  The text is rendered when the config is
 * read, as the original does in its constructor: a change of the input or
 * of a value it uses changes the part's key. */
#include "recipe.h"

#include "../lib/file.h"
#include "../lib/fsutil.h"
#include "../lib/hash.h"
#include "../lib/path.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

struct template {
	const char *text;
	size_t len;
	const char *output;
};

static int template_init(struct recipe_init *ri)
{
	struct cfg *cfg = ri->cfg;
	struct cfg_section *s = ri->section;
	bool failed = false;
	const char *input = cfg_get(cfg, s, "input", &failed);
	const char *inline_text = cfg_get(cfg, s, "inline", &failed);
	const char *output = cfg_get(cfg, s, "output", &failed);
	if (failed)
		return -1;
	if ((!input || !*input) == (!inline_text)) {
		recipe_init_error(ri, "input", "give either input (a file) or inline (the text)");
		return -1;
	}
	if (!output || !*output) {
		recipe_init_error(ri, "output", "no output: where the text is to go");
		return -1;
	}
	if (recipe_init_check_mode(ri, "0644") != 0)
		return -1;
	struct template *t = arena_alloc(ri->arena, sizeof(*t));
	/* What it writes is the part's, where every part's paths are; what
	 * it reads comes with the config, beside it. */
	const char *dir = recipe_init_directory(ri);
	if (!dir)
		return -1;
	t->output = recipe_path(ri->arena, dir, output);
	if (inline_text) {
		t->text = inline_text;
	} else {
		const char *path = recipe_path(ri->arena, cfg->directory, input);
		struct strbuf text = STRBUF_INIT;
		int err = 0;
		if (file_read(path, &text, &err) != 0) {
			recipe_init_error(ri, "input", "cannot read the input %s: %s", path,
					  strerror(err));
			strbuf_release(&text);
			return -1;
		}
		t->text = cfg_substitute(cfg, s, text.buf, path, 0);
		strbuf_release(&text);
		if (!t->text)
			return -1;
	}
	t->len = strlen(t->text);
	ri->recipe_data = t;
	return 0;
}

static int template_inputs(const struct recipe_part *p, struct graph_inputs *in)
{
	const struct template *t = p->recipe_data;
	graph_input_hash(in, "text", hash_bytes(t->text, t->len), NULL);
	return 0;
}

static int template_install(struct recipe_run *r)
{
	const struct template *t = r->part->recipe_data;
	mode_t mode = recipe_option_mode(r->part, 0);
	struct arena a = ARENA_INIT;
	int err = fs_mkdirs(path_dirname(&a, t->output), 0777);
	arena_free(&a);
	if (!err)
		err = fs_write_atomic(t->output, t->text, t->len, mode);
	if (err) {
		graph_job_fail(r->job, "cannot write %s: %s", t->output, strerror(err));
		return -1;
	}
	recipe_add_path(r, t->output);
	return 0;
}

static const char *const names[] = {"collective.recipe.template", "template", NULL};

const struct recipe recipe_template = {
	.names = names,
	.version = 1,
	.init = template_init,
	.inputs = template_inputs,
	.install = template_install,
};
