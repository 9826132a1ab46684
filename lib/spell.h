/*
 * spell: "did you mean" suggestions, as git and cargo give them: the known
 * words nearest to a misspelt one by edit distance.
 */
#ifndef MINIMERGE_SPELL_H
#define MINIMERGE_SPELL_H

#include <stddef.h>

/* Levenshtein distance: insertions, deletions and substitutions. */
size_t spell_distance(const char *a, const char *b);

/* Stores in out (at most max) the candidates close enough to word to be a
 * likely typo, nearest first, ties in the candidates' order; returns how
 * many.  Close enough: a distance of at most a third of word's length
 * (and at least 2), or a candidate of which word is the start. */
size_t spell_nearest(const char *word, const char *const *candidates, size_t n,
		     const char **out, size_t max);

#endif
