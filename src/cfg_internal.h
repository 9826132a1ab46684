/*
 * cfg_internal: what the files of the cfg module share and nothing else
 * sees: building sections and options, and buildout's line arithmetic.
 * Everything returned lives in the cfg's arena.
 */
#ifndef MINIMERGE_CFG_INTERNAL_H
#define MINIMERGE_CFG_INTERNAL_H

#include "cfg.h"

/* The section or option of that name, added if new; the name must live as
 * long as the cfg (a literal, or a string in its arena). */
struct cfg_section *cfg_add_section(struct cfg *cfg, const char *name, const char *file,
				    int line);
struct cfg_option *cfg_add_option(struct cfg *cfg, struct cfg_section *s, const char *name);

/* value without the lines equal to a line of removed, as buildout's -=. */
const char *cfg_remove_lines(struct arena *a, const char *value, const char *removed);
/* The raw value, with a pending += / -= (no base below it) settled. */
const char *cfg_raw_value(struct cfg *cfg, const struct cfg_option *o);

#endif
