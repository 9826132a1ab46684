/*
 * cfg_cond: the conditions of buildout's section headers, [name:expr].
 *
 * buildout hands expr to Python's eval; minimerge evaluates a small, safe
 * subset instead: buildout's names (python3, linux, posix, bits64, ...),
 * sys.platform, os.name, sys.byteorder, True, False, None, numbers, quoted
 * strings, and, or, not, parentheses and comparisons (== != < <= > >=,
 * in, not in, is, is not).  Anything else is an error with a message saying
 * what was not understood, never executed.
 */
#ifndef MINIMERGE_CFG_COND_H
#define MINIMERGE_CFG_COND_H

#include <stdbool.h>
#include <stddef.h>

/* Returns 0 and sets *result, or -1 and writes a message to err. */
int cfg_cond_eval(const char *expr, bool *result, char *err, size_t errlen);

#endif
