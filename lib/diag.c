#include "diag.h"

#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>

static void (*hook)(int done);
static _Thread_local struct strbuf *capture;

void diag_set_hook(void (*h)(int done))
{
	hook = h;
}

void diag_replay(const char *text, size_t len)
{
	if (!len)
		return;
	if (hook)
		hook(0);
	fwrite(text, 1, len, stderr);
	fflush(stderr);
	if (hook)
		hook(1);
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
	if (capture)
		strbuf_add(capture, sb.buf, sb.len);
	else
		diag_replay(sb.buf, sb.len);
	strbuf_release(&sb);
}

void diag_capture(struct strbuf *to)
{
	capture = to;
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
