/*
 * cfg_print: a loaded config as the user sees it: the sections a run
 * touches as INI text or JSON, and the raw merged values with their sources
 * in zc.buildout's `annotate` format.  Output is appended to a strbuf.
 */
#ifndef MINIMERGE_CFG_PRINT_H
#define MINIMERGE_CFG_PRINT_H

#include "cfg.h"

#include "../lib/strbuf.h"

#include <jansson.h>

/* The initialized sections (all of them when only is NULL, else the one),
 * as {section: {option: value}}; sorted keys.  New reference. */
json_t *cfg_to_json(const struct cfg *cfg, const struct cfg_section *only);
/* The same as INI text that buildout reads back to the same values. */
void cfg_print_text(const struct cfg *cfg, const struct cfg_section *only, struct strbuf *out);
/* buildout annotate: raw values after extends, += and -=, and where each
 * came from, for every section or the one named only.  Must run before
 * cfg_init_buildout changes raw values. */
void cfg_print_annotate(struct cfg *cfg, const char *only, struct strbuf *out);

#endif
