#include "count.h"

size_t count_char(const char *s, int c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}
