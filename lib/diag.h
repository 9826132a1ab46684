/*
 * diag: the one way minimerge reports errors to the user.
 * Every message is one line on stderr in the form
 *     minimerge: FILE:LINE: error: MESSAGE
 * with FILE and LINE left out where there is no place to name.  Library code
 * reports through here and returns an error; only main chooses the exit
 * status.  A message may span lines; the prefix goes on the first only.
 */
#ifndef MINIMERGE_DIAG_H
#define MINIMERGE_DIAG_H

#include <stddef.h>

/* Exit statuses, as in DESIGN §7. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,      /* an action failed */
	EXIT_BAD_INPUT = 2,   /* bad usage, config or input */
	EXIT_INTERRUPTED = 130,
};

/* file may be NULL (no place); line 0 names the file alone. */
void diag_error(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with "warning:": something odd that does not stop the run. */
void diag_warning(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Called before each message is written, and after with done set: a
 * status line on the terminal is cleared and redrawn around it.  NULL:
 * none. */
void diag_set_hook(void (*hook)(int done));

struct strbuf;
/* While to is set, the calling thread's messages are appended to it
 * instead of written: work done ahead on a thread keeps its messages for
 * the caller to write when it takes the work, in the order of a run
 * without the thread.  NULL writes them again. */
void diag_capture(struct strbuf *to);
/* Writes messages captured earlier (len bytes) as they would have been. */
void diag_replay(const char *text, size_t len);

#endif
