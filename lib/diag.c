#include "diag.h"

#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>

static void (*hook)(int done);

void diag_set_hook(void (*h)(int done))
{
	hook = h;
}

static void report(const char *kind, const char *file, int line, const char *fmt, va_list ap)
{
	/* Built whole and written once, so lines from parallel workers never mix. */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "minimerge: ");
	if (file && line > 0)
		strbuf_addf(&sb, "%s:%d: ", file, line);
	else if (file)
		strbuf_addf(&sb, "%s: ", file);
	strbuf_addf(&sb, "%s: ", kind);
	strbuf_vaddf(&sb, fmt, ap);
	strbuf_addc(&sb, '\n');
	if (hook)
		hook(0);
	fwrite(sb.buf, 1, sb.len, stderr);
	fflush(stderr);
	if (hook)
		hook(1);
	strbuf_release(&sb);
}

void diag_error(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("error", file, line, fmt, ap);
	va_end(ap);
}

void diag_warning(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("warning", file, line, fmt, ap);
	va_end(ap);
}
