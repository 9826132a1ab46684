/*
 * strbuf: the project's one growable string.  buf is always NUL-terminated
 * (an empty strbuf points at a shared empty string until it first grows), so
 * it can be handed to any C string function.  The strbuf owns buf until
 * strbuf_detach gives it to the caller, who then frees it.
 */
#ifndef MINIMERGE_STRBUF_H
#define MINIMERGE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len; /* bytes in buf, not counting the NUL */
	size_t cap; /* bytes allocated; 0 while buf is the shared empty string */
};

extern char strbuf_empty[];
#define STRBUF_INIT {strbuf_empty, 0, 0}

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_reset(struct strbuf *sb);           /* empty, keeps the memory */
/* Cut to its first len bytes (len <= sb->len), keeping the memory. */
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_release(struct strbuf *sb);         /* frees, back to STRBUF_INIT */
char *strbuf_detach(struct strbuf *sb);         /* caller frees the result */

#endif
