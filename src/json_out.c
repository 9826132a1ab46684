#include "json_out.h"

#include "../lib/strbuf.h"

#include <stdio.h>

static int append_json(const char *buf, size_t size, void *sb)
{
	strbuf_add(sb, buf, size);
	return 0;
}

/* JSON_ENCODE_ANY for a bare string.  jansson hands over many small pieces:
 * gathered in memory, they cost one write instead of one stdio call each. */
void json_print(json_t *j)
{
	struct strbuf sb = STRBUF_INIT;
	json_dump_callback(j, append_json, &sb, JSON_INDENT(2) | JSON_ENCODE_ANY);
	strbuf_addc(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	json_decref(j);
}
