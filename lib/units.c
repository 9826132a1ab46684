#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

int units_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void units_human(struct strbuf *sb, uint64_t bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u)
		strbuf_addf(sb, "%.1f %s", v, units[u]);
	else
		strbuf_addf(sb, "%ju B", (uintmax_t)bytes);
}

void units_local_time(struct strbuf *sb, const struct timeval *tv, char sep)
{
	struct tm tm;
	time_t t = tv->tv_sec;
	localtime_r(&t, &tm);
	strbuf_addf(sb, "%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday, sep, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (tv->tv_usec)
		strbuf_addf(sb, ".%06ld", (long)tv->tv_usec);
}
