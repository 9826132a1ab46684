/* Unit tests of recipe: names to recipes, the gs.recipe.base checks every
 * part gets, and what the recipes share. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "../../src/download.h"
#include "../../src/recipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fix {
	char dir[64];
	char cfg_path[128], err_path[128];
	struct cfg cfg;
	struct arena arena;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	if (!f || testutil_mkdtemp(f->dir, sizeof(f->dir), "test_recipe") != 0)
		return -1;
	snprintf(f->cfg_path, sizeof(f->cfg_path), "%s/buildout.cfg", f->dir);
	snprintf(f->err_path, sizeof(f->err_path), "%s/stderr", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	cfg_free(&f->cfg);
	arena_free(&f->arena);
	int rc = testutil_remove_tree(f->dir);
	free(f);
	return rc;
}

/* Loads text as the config, the recipe hook set; init: as a run starts. */
static void load(struct fix *f, const char *text, bool init)
{
	testutil_write_file(f->cfg_path, text, 0644);
	f->cfg.part_initialized = recipe_part_initialized;
	f->cfg.part_ctx = &f->arena;
	struct cfg_load_options o = {.config_file = f->cfg_path};
	assert_int_equal(cfg_load(&f->cfg, &o), 0);
	if (init)
		assert_int_equal(cfg_init_buildout(&f->cfg), 0);
}

/* Initializes section name, expecting failure; returns stderr. */
static char *get_fails(struct fix *f, const char *name)
{
	struct testutil_stderr c;
	testutil_stderr_capture(&c, f->err_path);
	struct cfg_section *s = cfg_section_get(&f->cfg, name);
	char *err = testutil_stderr_restore(&c);
	assert_null(s);
	return err;
}

static void test_names_people_use(void **state)
{
	(void)state;
	assert_ptr_equal(recipe_find("plone.recipe.command", "f", 1), &recipe_command);
	assert_ptr_equal(recipe_find("collective.recipe.template", "f", 1), &recipe_template);
	assert_ptr_equal(recipe_find("z3c.recipe.mkdir", "f", 1), &recipe_mkdir);
}

static void test_a_part_gets_its_recipe(void **state)
{
	struct fix *f = *state;
	load(f, "[buildout]\nparts = p\n[p]\nrecipe = z3c.recipe.mkdir\n", true);
	assert_int_equal(cfg_init_parts(&f->cfg), 0);
	struct cfg_section *s = cfg_find_section(&f->cfg, "p");
	const struct recipe_found *found = s->part_data;
	assert_ptr_equal(found->recipe, &recipe_mkdir);
	assert_int_equal(f->cfg.nparts, 1);
	/* mkdir's init made its default path absolute, for others to see. */
	bool failed = false;
	char want[160];
	snprintf(want, sizeof(want), "%s/parts/p", f->dir);
	assert_string_equal(cfg_get(&f->cfg, s, "paths", &failed), want);
}

static void test_unknown_recipe_lists_the_built_ins(void **state)
{
	struct fix *f = *state;
	load(f, "[buildout]\n[p]\nrecipe = no.such\n", true);
	char *err = get_fails(f, "p");
	assert_non_null(strstr(err, "buildout.cfg:3: error: unknown recipe 'no.such'"));
	assert_non_null(strstr(err, "plone.recipe.command"));
	free(err);
}

/* What gs.recipe.base's constructor refuses. */
static void test_parts_need_the_buildout_directory(void **state)
{
	struct fix *f = *state;
	/* Before start-up [buildout] has no directory yet. */
	load(f, "[buildout]\n[p]\nrecipe = plone.recipe.command\n", false);
	char *err = get_fails(f, "p");
	assert_non_null(
		strstr(err, "buildout.cfg:2: error: part p: \"directory\" value not in the "
			    "\"buildout\" options"));
	free(err);
}

static void test_parts_need_a_bin_directory(void **state)
{
	struct fix *f = *state;
	load(f, "[buildout]\n[p]\nrecipe = plone.recipe.command\n", true);
	cfg_set(&f->cfg, cfg_find_section(&f->cfg, "buildout"), "bin-directory", "");
	char *err = get_fails(f, "p");
	assert_non_null(strstr(err, "part p: \"bin-directory\" value not in the \"buildout\" "
				    "options"));
	free(err);
}

static void test_options_are_found_by_name(void **state)
{
	(void)state;
	struct recipe_option o[] = {{"a", "1"}, {"b", ""}, {"c", "3"}};
	struct recipe_part p = {.options = o, .noptions = 3};
	assert_string_equal(recipe_option(&p, "a"), "1");
	assert_string_equal(recipe_option(&p, "c"), "3");
	assert_null(recipe_option(&p, "d"));
	assert_string_equal(recipe_option_or(&p, "a", "dflt"), "1");
	assert_string_equal(recipe_option_or(&p, "c", "dflt"), "3");
	assert_string_equal(recipe_option_or(&p, "b", "dflt"), "dflt");
	assert_string_equal(recipe_option_or(&p, "x", "dflt"), "dflt");
}

/* The file a URL names (a download's name in the cache, a download-only
 * copy's): its last path segment, never its host, never in its query. */
static void test_the_file_a_url_names(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"http://host/d/a.tgz?x=1#f", "a.tgz"}, {"http://host", ""},
		{"http://host/dir/", ""}, {"http://host?x=/y", ""}, {"http://host:80", ""},
		{"file:///tmp/x.tgz", "x.tgz"}, {"file:///x.tgz", "x.tgz"},
		{"http://h/a//b", "b"}, {"rel/p?u=http://x/y", "p"}, {"x", "x"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name;
		size_t len = download_url_name(cases[i][0], &name);
		char got[64];
		snprintf(got, sizeof(got), "%.*s", (int)len, name);
		assert_string_equal(got, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_people_use),
		cmocka_unit_test_setup_teardown(test_a_part_gets_its_recipe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_recipe_lists_the_built_ins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_parts_need_the_buildout_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_parts_need_a_bin_directory, setup, teardown),
		cmocka_unit_test(test_options_are_found_by_name),
		cmocka_unit_test(test_the_file_a_url_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
