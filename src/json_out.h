/*
 * json_out: printing a JSON document on stdout, the same way for every
 * command's --json: lib/json_write's layout (two-space indent, keys in the
 * order they were set), one write.  A document built with jansson goes
 * through json_print; a large one is streamed into a json_write and
 * printed with json_out_print.
 */
#ifndef MINIMERGE_JSON_OUT_H
#define MINIMERGE_JSON_OUT_H

#include "../lib/json_write.h"

#include <jansson.h>

/* A json_write that prints on stdout as it goes; json_out_print ends it. */
#define JSON_OUT_INIT {.out = STRBUF_INIT, .closers = STRBUF_INIT, .sink = json_out_write}
void json_out_write(const char *text, size_t len);

/* Appends j to w as it is, objects in their insertion order. */
void json_write_json(struct json_write *w, const json_t *j);
/* Prints j and a newline, and drops the reference to j. */
void json_print(json_t *j);
/* Prints what w holds and a newline, and releases w. */
void json_out_print(struct json_write *w);

#endif
