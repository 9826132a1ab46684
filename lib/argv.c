#include "argv.h"

#include "arena.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void argv_addn(struct argv *a, const char *word, size_t len)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	char *copy = xmalloc(len + 1);
	memcpy(copy, word, len);
	copy[len] = '\0';
	a->v[a->n++] = copy;
	a->v[a->n] = NULL;
}

void argv_add(struct argv *a, const char *word)
{
	argv_addn(a, word, strlen(word));
}

void argv_addf(struct argv *a, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	argv_addn(a, sb.buf, sb.len);
	strbuf_release(&sb);
}

void argv_add_words(struct argv *a, const char *text)
{
	if (!text)
		return;
	for (text += strspn(text, " \t\n"); *text; text += strspn(text, " \t\n")) {
		size_t len = strcspn(text, " \t\n");
		argv_addn(a, text, len);
		text += len;
	}
}

const char *const *argv_list(const struct argv *a)
{
	return (const char *const *)a->v;
}

void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	*a = (struct argv)ARGV_INIT;
}
