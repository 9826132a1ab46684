/*
 * readahead: small files read on a thread of their own ahead of the thread
 * that parses them.  Thousands of minibuilds are read per run, four system
 * calls each: queued as soon as their names are known, they are read while
 * the caller parses the ones before.  A file taken before the thread got
 * to it is read by the caller; one being read is waited for.  What is read
 * is what file_read_regular reads, with its errors.
 */
#ifndef MINIMERGE_READAHEAD_H
#define MINIMERGE_READAHEAD_H

#include "strbuf.h"

struct readahead;

/* NULL if the thread cannot start: the caller then reads by itself. */
struct readahead *readahead_start(void);
/* Reads path ahead (it is copied); a path queued twice is read once. */
void readahead_queue(struct readahead *r, const char *path);
/* As file_read_regular(path, out, err): path's contents appended to out;
 * 0, -1 with *err, or -2. */
int readahead_take(struct readahead *r, const char *path, struct strbuf *out, int *err);
/* Stops the thread; what was read and not taken is dropped.  r may be
 * NULL. */
void readahead_stop(struct readahead *r);

#endif
