#include <stdio.h>

#include "greet.h"

int greet(char *buf, size_t size, const char *who)
{
	return snprintf(buf, size, "Hello, %s", who);
}
