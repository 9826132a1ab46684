#include "cfg_print.h"

#include "cfg_internal.h"

#include "../lib/path.h"

#include <stdlib.h>
#include <string.h>

static int section_by_name(const void *a, const void *b)
{
	return strcmp((*(struct cfg_section *const *)a)->name,
		      (*(struct cfg_section *const *)b)->name);
}

static int option_by_name(const void *a, const void *b)
{
	return strcmp((*(struct cfg_option *const *)a)->name,
		      (*(struct cfg_option *const *)b)->name);
}

/* The sections to print, sorted by name; the caller frees the array. */
static struct cfg_section **sorted_sections(const struct cfg *cfg, bool used_only, size_t *n)
{
	struct cfg_section **v = xmalloc((cfg->nsections + 1) * sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < cfg->nsections; i++)
		if (!used_only || cfg->sections[i]->state == CFG_INITIALIZED)
			v[(*n)++] = cfg->sections[i];
	if (*n)
		qsort(v, *n, sizeof(*v), section_by_name);
	return v;
}

static struct cfg_option **sorted_options(struct cfg_option **opts, size_t n)
{
	struct cfg_option **v = xmalloc((n + 1) * sizeof(*v));
	if (n) {
		memcpy(v, opts, n * sizeof(*v));
		qsort(v, n, sizeof(*v), option_by_name);
	}
	return v;
}

/* Values were checked to be UTF-8 when their file was parsed. */
static void section_json(const struct cfg_section *s, struct json_write *w)
{
	json_write_object(w);
	for (size_t i = 0; i < s->nexpanded; i++)
		json_write_member(w, s->by_name[i]->name, s->by_name[i]->resolved);
	json_write_end(w);
}

void cfg_print_json(const struct cfg *cfg, const struct cfg_section *only, struct json_write *w)
{
	if (only) {
		section_json(only, w);
		return;
	}
	json_write_object(w);
	size_t n;
	struct cfg_section **secs = sorted_sections(cfg, true, &n);
	for (size_t i = 0; i < n; i++) {
		json_write_key(w, secs[i]->name);
		section_json(secs[i], w);
	}
	free(secs);
	json_write_end(w);
}

static void print_section_text(const struct cfg_section *s, struct strbuf *out)
{
	strbuf_addf(out, "[%s]\n", s->name);
	struct cfg_option *const *opts = s->by_name;
	for (size_t i = 0; i < s->nexpanded; i++) {
		const char *v = opts[i]->resolved;
		if (!strchr(v, '\n')) {
			strbuf_addf(out, "%s =%s%s\n", opts[i]->name, *v ? " " : "", v);
			continue;
		}
		/* Multi-line values start on the next line, indented, which
		 * buildout reads back to the same value. */
		strbuf_addf(out, "%s =\n", opts[i]->name);
		for (const char *p = v;;) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			strbuf_adds(out, n ? "    " : "");
			strbuf_add(out, p, n);
			strbuf_addc(out, '\n');
			if (!e)
				break;
			p = e + 1;
		}
	}
}

void cfg_print_text(const struct cfg *cfg, const struct cfg_section *only, struct strbuf *out)
{
	if (only) {
		print_section_text(only, out);
		return;
	}
	size_t n;
	struct cfg_section **secs = sorted_sections(cfg, true, &n);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addc(out, '\n');
		print_section_text(secs[i], out);
	}
	free(secs);
}

/* buildout shows a file inside the buildout directory relative to it. */
static const char *source_for_human(struct cfg *cfg, const char *source)
{
	size_t n = strlen(cfg->directory);
	if (!strncmp(source, cfg->directory, n))
		return path_relpath(&cfg->arena, source, cfg->directory);
	return source;
}

static void print_sources(struct cfg *cfg, const struct cfg_option *o, struct strbuf *out)
{
	/* From the newest change back to the last that set the whole value,
	 * printed oldest first. */
	const struct cfg_step *stop = o->history;
	size_t n = 0;
	for (; stop; stop = stop->prev) {
		n++;
		if (stop->op != CFG_ADD && stop->op != CFG_REMOVE)
			break;
	}
	const struct cfg_step **steps = xmalloc((n + 1) * sizeof(*steps));
	size_t k = 0;
	for (const struct cfg_step *st = o->history; k < n; st = st->prev)
		steps[k++] = st;
	while (k--) {
		const struct cfg_step *st = steps[k];
		const char *src = source_for_human(cfg, st->source);
		const char *prefix = st->op == CFG_ADD ? "+=  " : st->op == CFG_REMOVE ? "-=  " : "    ";
		strbuf_addf(out, "%s%s\n", prefix, src);
	}
	free(steps);
}

void cfg_print_annotate(struct cfg *cfg, const char *only, struct strbuf *out)
{
	strbuf_adds(out, "\nAnnotated sections\n==================\n");
	size_t n;
	struct cfg_section **secs = sorted_sections(cfg, false, &n);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, secs[i]->name))
			continue;
		strbuf_addf(out, "\n[%s]\n", secs[i]->name);
		struct cfg_option **opts = sorted_options(secs[i]->options, secs[i]->noptions);
		for (size_t j = 0; j < secs[i]->noptions; j++) {
			const char *v = cfg_raw_value(cfg, opts[j]);
			strbuf_addf(out, "%s=%s%s\n", opts[j]->name, *v || strchr(v, '\n') ? " " : "",
				    v);
			print_sources(cfg, opts[j], out);
		}
		free(opts);
	}
	free(secs);
}
