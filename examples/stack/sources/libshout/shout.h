#ifndef SHOUT_H
#define SHOUT_H

#include <stddef.h>

/* Writes libgreet's "Hello, WHO" followed by the exclamation marks chosen
 * at configure time (--with-exclamations=N) into buf (size bytes at most,
 * always terminated); returns the length it needed, as snprintf does. */
int shout(char *buf, size_t size, const char *who);

#endif
