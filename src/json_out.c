#include "json_out.h"

#include <stdio.h>

void json_write_json(struct json_write *w, const json_t *j)
{
	if (!j) {
		/* A json_pack that failed: still valid JSON. */
		json_write_null(w);
		return;
	}
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *value;
		json_write_object(w);
		json_object_foreach((json_t *)j, key, value) {
			json_write_key(w, key);
			json_write_json(w, value);
		}
		json_write_end(w);
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *value;
		json_write_array(w);
		json_array_foreach(j, i, value)
			json_write_json(w, value);
		json_write_end(w);
		break;
	}
	case JSON_STRING:
		json_write_stringn(w, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		json_write_int(w, json_integer_value(j));
		break;
	case JSON_REAL:
		json_write_real(w, json_real_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		json_write_bool(w, json_is_true(j));
		break;
	case JSON_NULL:
		json_write_null(w);
		break;
	}
}

void json_out_write(const char *text, size_t len)
{
	fwrite(text, 1, len, stdout);
}

void json_out_print(struct json_write *w)
{
	strbuf_addc(&w->out, '\n');
	fwrite(w->out.buf, 1, w->out.len, stdout);
	json_write_release(w);
}

void json_print(json_t *j)
{
	struct json_write w = JSON_OUT_INIT;
	json_write_json(&w, j);
	json_out_print(&w);
	json_decref(j);
}
