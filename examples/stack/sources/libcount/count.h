#ifndef COUNT_H
#define COUNT_H

#include <stddef.h>

/* Returns how many times the character c occurs in the string s. */
size_t count_char(const char *s, int c);

#endif
