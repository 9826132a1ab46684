/*
 * file: reading a whole file into memory, the one way the project does it
 * (configs, minibuilds, minilay listings' files).
 */
#ifndef MINIMERGE_FILE_H
#define MINIMERGE_FILE_H

#include "strbuf.h"

#include <stdbool.h>

/* Appends the contents of path to out.  Returns 0, or -1 with an errno
 * value in *err (EISDIR for a directory). */
int file_read(const char *path, struct strbuf *out, int *err);
/* The same for a regular file only: -2, having read nothing, for anything
 * else (a FIFO is not waited for, a device not read). */
int file_read_regular(const char *path, struct strbuf *out, int *err);

#endif
