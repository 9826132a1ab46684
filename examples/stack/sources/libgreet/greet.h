#ifndef GREET_H
#define GREET_H

#include <stddef.h>

/* Writes "Hello, WHO" into buf (size bytes at most, always terminated);
 * returns the length it needed, as snprintf does. */
int greet(char *buf, size_t size, const char *who);

#endif
