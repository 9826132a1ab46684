#include <greet.h>

#include "config.h"
#include "shout.h"

int shout(char *buf, size_t size, const char *who)
{
	int n = greet(buf, size, who);
	int i;

	for (i = 0; n >= 0 && i < SHOUT_EXCLAMATIONS; i++, n++)
		if ((size_t)n + 1 < size) {
			buf[n] = '!';
			buf[n + 1] = '\0';
		}
	return n;
}
