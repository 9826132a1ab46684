/*
 * units: sizes as people write and read them: "500M", "5G" (powers of
 * 1024) parsed, and byte counts printed as "1.5 GiB"; times as Python
 * prints them, for the files and documents that tools made with Python
 * read.
 */
#ifndef MINIMERGE_UNITS_H
#define MINIMERGE_UNITS_H

#include "strbuf.h"

#include <stdint.h>
#include <sys/time.h>

/* "5G", "300M", "1024", "2GiB": bytes (K, M, G, T are powers of 1024; a
 * B or iB after them is allowed).  0 or -1. */
int units_parse_size(const char *s, uint64_t *out);

/* Appends bytes as "512 B", "1.5 KiB", "3.0 GiB". */
void units_human(struct strbuf *sb, uint64_t bytes);

/* Appends tv in local time as Python's datetime does: isoformat() with sep
 * 'T', str() with ' ': "2013-03-20T11:06:42.900950", the microseconds only
 * when there are some. */
void units_local_time(struct strbuf *sb, const struct timeval *tv, char sep);

#endif
