#include "spell.h"

#include "arena.h"

#include <stdlib.h>
#include <string.h>

size_t spell_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = xmalloc((lb + 1) * sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

size_t spell_nearest(const char *word, const char *const *candidates, size_t n,
		     const char **out, size_t max)
{
	size_t len = strlen(word);
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	size_t *dist = xmalloc((max + 1) * sizeof(*dist));
	size_t found = 0;
	for (size_t i = 0; i < n && max; i++) {
		size_t d = strncmp(candidates[i], word, len) == 0 ? 1 : spell_distance(word, candidates[i]);
		if (d > limit || d == 0)
			continue;
		/* Insertion into the short sorted list; equal distances keep
		 * the candidates' order. */
		size_t at = found;
		while (at > 0 && dist[at - 1] > d)
			at--;
		if (at >= max)
			continue;
		size_t end = found < max ? found : max - 1;
		memmove(out + at + 1, out + at, (end - at) * sizeof(*out));
		memmove(dist + at + 1, dist + at, (end - at) * sizeof(*dist));
		out[at] = candidates[i];
		dist[at] = d;
		if (found < max)
			found++;
	}
	free(dist);
	return found;
}
