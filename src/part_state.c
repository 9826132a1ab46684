/* part_state: a buildout part's installed state in the store, as JSON. */
#include "part_state.h"

#include "../lib/diag.h"
#include "../lib/units.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *to_json(const struct part_state *ps)
{
	char hex[HASH_HEX_LEN + 1];
	hash_hex(ps->key, hex);
	json_t *options = json_object(), *paths = json_array();
	for (size_t i = 0; i < ps->noptions; i++)
		json_object_set_new(options, ps->options[i].name, json_string(ps->options[i].value));
	for (size_t i = 0; i < ps->npaths; i++)
		json_array_append_new(paths, json_string(ps->paths[i]));
	json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:I}", "key", hex, "recipe", ps->recipe,
			      "options", options, "paths", paths, "installed_ns",
			      (json_int_t)ps->installed_ns);
	if (ps->program)
		json_object_set_new(j, "program", json_string(ps->program));
	return j;
}

static int from_json(const char *text, size_t len, struct part_state *out, struct arena *a)
{
	json_t *j = json_loadb(text, len, 0, NULL);
	json_t *key = json_object_get(j, "key"), *recipe = json_object_get(j, "recipe");
	json_t *options = json_object_get(j, "options"), *paths = json_object_get(j, "paths");
	json_t *when = json_object_get(j, "installed_ns"), *program = json_object_get(j, "program");
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (!json_is_string(key) || hash_from_hex(json_string_value(key), &out->key) != 0 ||
	    !json_is_string(recipe) || !json_is_object(options) || !json_is_array(paths) ||
	    !json_is_integer(when) || (program && !json_is_string(program)))
		goto out;
	out->recipe = arena_strdup(a, json_string_value(recipe));
	out->program = program ? arena_strdup(a, json_string_value(program)) : NULL;
	out->installed_ns = json_integer_value(when);
	out->options = arena_alloc(a, (json_object_size(options) + 1) * sizeof(*out->options));
	const char *name;
	json_t *v;
	json_object_foreach(options, name, v)
	{
		if (!json_is_string(v))
			goto out;
		out->options[out->noptions].name = arena_strdup(a, name);
		out->options[out->noptions++].value = arena_strdup(a, json_string_value(v));
	}
	recipe_options_sort(out->options, out->noptions);
	out->paths = arena_alloc(a, (json_array_size(paths) + 1) * sizeof(*out->paths));
	size_t i;
	json_array_foreach(paths, i, v)
	{
		if (!json_is_string(v))
			goto out;
		out->paths[out->npaths++] = arena_strdup(a, json_string_value(v));
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}

void part_state_put(struct store *s, const char *identity, const struct part_state *ps)
{
	json_t *j = to_json(ps);
	char *text = json_dumps(j, JSON_COMPACT);
	store_put(s, STORE_PARTS, identity, strlen(identity), text, strlen(text));
	free(text);
	json_decref(j);
}

void part_state_del(struct store *s, const char *identity)
{
	store_del(s, STORE_PARTS, identity, strlen(identity));
}

struct found {
	const char *identity;
	struct part_state ps;
};

struct collect {
	size_t prefix_len;
	struct arena *arena;
	struct found *items;
	size_t n, cap;
	bool bad;
};

static int collect_one(void *ctx, const void *key, size_t klen, const void *val, size_t vlen)
{
	struct collect *c = ctx;
	/* A package's parts ("part cat/pkg:name") are under the prefix of a
	 * config's own ("part "): a part's name has no colon. */
	if (memchr((const char *)key + c->prefix_len, ':', klen - c->prefix_len))
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
	}
	struct found *f = &c->items[c->n];
	f->identity = arena_strndup(c->arena, key, klen);
	if (from_json(val, vlen, &f->ps, c->arena) != 0) {
		diag_error(NULL, 0, "the store's entry for %s is not a part's state", f->identity);
		c->bad = true;
		return 1;
	}
	c->n++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	int64_t x = ((const struct found *)a)->ps.installed_ns,
		y = ((const struct found *)b)->ps.installed_ns;
	return x < y ? -1 : x > y;
}

int part_state_each(struct store *s, const char *prefix, part_state_visit_fn *fn, void *ctx,
		    struct arena *a)
{
	struct collect c = {.prefix_len = strlen(prefix), .arena = a};
	int rc = store_each(s, STORE_PARTS, prefix, c.prefix_len, collect_one, &c) < 0 || c.bad ? -1 : 0;
	if (rc == 0 && c.n) {
		qsort(c.items, c.n, sizeof(*c.items), by_time);
		for (size_t i = 0; i < c.n; i++)
			fn(ctx, c.items[i].identity, &c.items[i].ps);
	}
	free(c.items);
	return rc;
}

void part_state_when(const struct part_state *ps, struct strbuf *out)
{
	struct timeval tv = {.tv_sec = (time_t)(ps->installed_ns / 1000000000)};
	units_local_time(out, &tv, 'T');
}

json_t *part_state_to_json(const char *name, const struct part_state *ps)
{
	json_t *j = to_json(ps);
	json_object_set_new(j, "name", json_string(name));
	struct strbuf when = STRBUF_INIT;
	part_state_when(ps, &when);
	json_object_set_new(j, "installed", json_string(when.buf));
	strbuf_release(&when);
	json_object_del(j, "installed_ns");
	return j;
}
