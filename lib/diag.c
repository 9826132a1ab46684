#include "diag.h"

#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>

void diag_error(const char *file, int line, const char *fmt, ...)
{
	/* Built whole and written once, so lines from parallel workers never mix. */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "minimerge: ");
	if (file && line > 0)
		strbuf_addf(&sb, "%s:%d: ", file, line);
	else if (file)
		strbuf_addf(&sb, "%s: ", file);
	strbuf_adds(&sb, "error: ");
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addc(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	strbuf_release(&sb);
}
