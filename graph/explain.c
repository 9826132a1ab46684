/* Why an action runs, in words (DESIGN §5): each named input that differs
 * from the record of the last run. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Enough of a value to recognise it on one line. */
#define SHOWN_MAX 60
/* Changed files named before "...". */
#define FILES_SHOWN 3

static void add_value(struct strbuf *sb, const char *v)
{
	size_t n = strlen(v);
	if (!n) {
		strbuf_adds(sb, "''");
		return;
	}
	if (n <= SHOWN_MAX) {
		strbuf_adds(sb, v);
		return;
	}
	strbuf_add(sb, v, SHOWN_MAX - 3);
	strbuf_adds(sb, "...");
}

static const struct record_input *find(const struct record_input *items, size_t n,
				       const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].name, name))
			return &items[i];
	return NULL;
}

/* "option:configure_options" -> class "option", what "configure_options". */
static const char *split_class(const char *name, size_t *classlen)
{
	const char *colon = strchr(name, ':');
	*classlen = colon ? (size_t)(colon - name) : strlen(name);
	return colon ? colon + 1 : NULL;
}

static void add_subject(struct strbuf *sb, const char *name)
{
	size_t cl;
	const char *what = split_class(name, &cl);
	if (!what) {
		strbuf_adds(sb, name);
	} else if (cl == 4 && !strncmp(name, "need", 4)) {
		strbuf_addf(sb, "dependency %s", what);
	} else if (cl == 3 && !strncmp(name, "env", 3)) {
		strbuf_addf(sb, "environment variable %s", what);
	} else {
		strbuf_add(sb, name, cl);
		strbuf_addf(sb, " %s", what);
	}
}

static void add_tree_change(struct strbuf *sb, struct store *s, const struct record_input *old,
			    const struct record_input *now)
{
	struct tree_manifest a = {0}, b = {0};
	if (!s || tree_manifest_load(s, old->hash, &a) != 1 ||
	    tree_manifest_load(s, now->hash, &b) != 1) {
		tree_manifest_free(&a);
		tree_manifest_free(&b);
		return;
	}
	const char **paths;
	size_t n = tree_diff(&a, &b, &paths);
	strbuf_addf(sb, ": %zu file%s (", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < FILES_SHOWN; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", paths[i]);
	strbuf_adds(sb, n > FILES_SHOWN ? ", ...)" : ")");
	free(paths);
	tree_manifest_free(&a);
	tree_manifest_free(&b);
}

static void add_change(struct strbuf *sb, struct store *s, const struct record_input *old,
		       const struct record_input *now)
{
	if (sb->len)
		strbuf_adds(sb, "; ");
	if (!old) {
		strbuf_adds(sb, "new ");
		add_subject(sb, now->name);
		if (now->type == RECORD_INPUT_TEXT) {
			strbuf_adds(sb, " (");
			add_value(sb, now->text);
			strbuf_addc(sb, ')');
		}
		return;
	}
	add_subject(sb, now ? now->name : old->name);
	if (!now) {
		strbuf_adds(sb, " removed");
		return;
	}
	strbuf_adds(sb, " changed");
	if (now->type == RECORD_INPUT_TREE) {
		add_tree_change(sb, s, old, now);
	} else if (now->type == RECORD_INPUT_TEXT || (*old->text && *now->text)) {
		size_t cl;
		/* A dependency's text is its output hash: saying which hash is
		 * noise; that it changed is the news. */
		split_class(now->name, &cl);
		if (!(cl == 4 && !strncmp(now->name, "need", 4))) {
			strbuf_adds(sb, " (");
			add_value(sb, old->text);
			strbuf_adds(sb, " -> ");
			add_value(sb, now->text);
			strbuf_addc(sb, ')');
		}
	}
}

char *graph_explain(struct store *s, const struct record *old, const struct graph_inputs *now)
{
	if (!old)
		return xstrdup("new");
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < now->n; i++) {
		const struct record_input *o = find(old->inputs, old->ninputs, now->items[i].name);
		if (!o || !hash_equal(o->hash, now->items[i].hash) || o->type != now->items[i].type)
			add_change(&sb, s, o, &now->items[i]);
	}
	for (size_t i = 0; i < old->ninputs; i++)
		if (!find(now->items, now->n, old->inputs[i].name))
			add_change(&sb, s, &old->inputs[i], NULL);
	if (old->status == RECORD_FAILED) {
		struct strbuf f = STRBUF_INIT;
		strbuf_adds(&f, "failed last time");
		if (sb.len)
			strbuf_addf(&f, "; %s", sb.buf);
		strbuf_release(&sb);
		return strbuf_detach(&f);
	}
	return sb.len ? strbuf_detach(&sb) : (strbuf_release(&sb), NULL);
}
