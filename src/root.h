/*
 * root: the directory a minimerge run works in (minilays/, etc/, the
 * installed packages).  -C DIR names it; else $MINIMERGE_ROOT; else the
 * nearest directory upward holding etc/minimerge.cfg or minilays/; else the
 * current directory.
 */
#ifndef MINIMERGE_ROOT_H
#define MINIMERGE_ROOT_H

#include "../lib/arena.h"

/* main calls this after -C DIR has made DIR the current directory. */
void root_given(void);
/* The root, absolute; NULL (reported) if the current directory is unreadable. */
const char *root_find(struct arena *a);

#endif
