/*
 * json_out: printing a JSON document on stdout, the same way for every
 * command's --json: two-space indent, keys in the order they were set, one
 * write.
 */
#ifndef MINIMERGE_JSON_OUT_H
#define MINIMERGE_JSON_OUT_H

#include <jansson.h>

/* Prints j and a newline, and drops the reference to j. */
void json_print(json_t *j);

#endif
