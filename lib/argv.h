/*
 * argv: a command line built word by word, for spawn.h.  Options a user
 * writes (configure_options, make-options) are split at blanks, as minitage
 * and zc.recipe.cmmi split them: no shell, no quotes.
 * The vector is NULL-ended after every call; its words are malloc'd and
 * owned by it until argv_free.
 */
#ifndef MINIMERGE_ARGV_H
#define MINIMERGE_ARGV_H

#include <stddef.h>

struct argv {
	char **v;
	size_t n, cap;
};

#define ARGV_INIT {NULL, 0, 0}

void argv_add(struct argv *a, const char *word);
void argv_addf(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Each blank-separated word of text (NULL: none). */
void argv_add_words(struct argv *a, const char *text);
/* For spawn_options.argv. */
const char *const *argv_list(const struct argv *a);
void argv_free(struct argv *a);

#endif
