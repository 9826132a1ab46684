/*
 * json_write: JSON written as it is produced, into a strbuf, in the one
 * layout every --json output has: two-space indent, one member per line,
 * `"key": value`, empty containers as {} and [], the same bytes jansson's
 * JSON_INDENT(2) writes.  Large outputs (a 10,000-package graph, a
 * 1,000-part config) stream through it instead of building a document.
 *
 * Strings are escaped as jansson escapes them (\" \\ \b \f \n \r \t, other
 * control characters as \u00XX, everything else as it is); a byte that is
 * not part of valid UTF-8 becomes U+FFFD, so the output is always JSON.
 * The caller pairs every object/array with json_write_end and puts a key
 * before each member of an object; the writer trusts it.
 */
#ifndef MINIMERGE_JSON_WRITE_H
#define MINIMERGE_JSON_WRITE_H

#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>

struct json_write {
	struct strbuf out;     /* the text so far */
	struct strbuf closers; /* '}' or ']' per open container, innermost last */
	bool has_members;      /* the innermost container has one already */
	bool after_key;        /* a key was written; its value comes next */
	/* If set, each time a container ends with 64 KiB or more in out, out
	 * is handed to it and emptied: a long document goes out in pieces
	 * that stay in the cache instead of being built whole. */
	void (*sink)(const char *text, size_t len);
};

#define JSON_WRITE_INIT {.out = STRBUF_INIT, .closers = STRBUF_INIT}

void json_write_object(struct json_write *w);
void json_write_array(struct json_write *w);
void json_write_end(struct json_write *w);
void json_write_key(struct json_write *w, const char *key);
/* NULL is written as null. */
void json_write_string(struct json_write *w, const char *s);
void json_write_stringn(struct json_write *w, const char *s, size_t len);
void json_write_int(struct json_write *w, long long v);
/* As jansson: 17 significant digits, ".0" added to a whole number. */
void json_write_real(struct json_write *w, double v);
void json_write_bool(struct json_write *w, bool v);
void json_write_null(struct json_write *w);
/* key then string, the common member. */
void json_write_member(struct json_write *w, const char *key, const char *s);
void json_write_release(struct json_write *w);

#endif
