/*
 * cfg_print: a loaded config as the user sees it: the sections a run
 * touches as INI text or JSON, and the raw merged values with their sources
 * in zc.buildout's `annotate` format.  Output is appended to a strbuf.
 */
#ifndef MINIMERGE_CFG_PRINT_H
#define MINIMERGE_CFG_PRINT_H

#include "cfg.h"

#include "../lib/json_write.h"
#include "../lib/strbuf.h"

/* The initialized sections (all of them when only is NULL, else the one),
 * as {section: {option: value}}, keys sorted. */
void cfg_print_json(const struct cfg *cfg, const struct cfg_section *only, struct json_write *w);
/* The same as INI text that buildout reads back to the same values. */
void cfg_print_text(const struct cfg *cfg, const struct cfg_section *only, struct strbuf *out);
/* buildout annotate: raw values after extends, += and -=, and where each
 * came from, for every section or the one named only.  Needs a cfg loaded
 * with history, and must run before cfg_init_buildout changes raw values. */
void cfg_print_annotate(struct cfg *cfg, const char *only, struct strbuf *out);

#endif
