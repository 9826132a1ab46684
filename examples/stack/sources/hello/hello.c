#include <stdio.h>

#include <count.h>
#include <greet.h>
#include <shout.h>

int main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "world";
	char plain[256], loud[256];
	size_t n;

	greet(plain, sizeof plain, who);
	shout(loud, sizeof loud, who);
	n = count_char(loud, '!');
	printf("%s (from \"%s\": %zu exclamation mark%s counted)\n",
	       loud, plain, n, n == 1 ? "" : "s");
	return 0;
}
