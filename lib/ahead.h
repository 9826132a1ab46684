/*
 * ahead: n items of work shared by the caller and one thread of its own.
 * The thread does items from the last down while the caller goes through
 * them as it needs them (for thousands of minibuilds, from the first up),
 * so the two meet somewhere in the middle and each item is done once, by
 * whoever claims it first.  The caller asks before each item: either it
 * does it itself, or the thread has done it (waited for if it is doing it
 * now) and the caller takes the thread's result.  Results live where work
 * puts them, in the caller's ctx; work must touch nothing the caller does
 * meanwhile.
 */
#ifndef MINIMERGE_AHEAD_H
#define MINIMERGE_AHEAD_H

#include <stdbool.h>
#include <stddef.h>

struct ahead;

/* Starts the thread on work(ctx, i) for i from n - 1 down.  NULL if it
 * cannot start: the caller then does every item itself. */
struct ahead *ahead_start(size_t n, void (*work)(void *ctx, size_t i), void *ctx);
/* true: item i is the caller's to do (the thread will not); false: the
 * thread has done it, and what it wrote may be read.  a may be NULL
 * (true). */
bool ahead_claim(struct ahead *a, size_t i);
/* Stops the thread after the item it is doing and frees a (may be NULL). */
void ahead_stop(struct ahead *a);

#endif
