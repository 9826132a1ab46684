#include "json_write.h"

#include "bytes.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A new line and the indent of depth levels, after a comma if comma. */
static void new_line(struct json_write *w, size_t depth, bool comma)
{
	static const char line[] = ",\n                                                              ";
	size_t n = 2 * depth;
	const size_t room = sizeof(line) - 3;
	if (n <= room) {
		strbuf_add(&w->out, line + !comma, 1 + comma + n);
		return;
	}
	strbuf_add(&w->out, line + !comma, 1 + comma + room);
	for (n -= room; n > room; n -= room)
		strbuf_add(&w->out, line + 2, room);
	strbuf_add(&w->out, line + 2, n);
}

/* What goes before a value or a key: nothing after a key or at the top,
 * else the separator and the new line. */
static void before_item(struct json_write *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->closers.len)
		return;
	new_line(w, w->closers.len, w->has_members);
	w->has_members = true;
}

static void open_container(struct json_write *w, char open, char close)
{
	before_item(w);
	strbuf_addc(&w->out, open);
	strbuf_addc(&w->closers, close);
	w->has_members = false;
}

void json_write_object(struct json_write *w)
{
	open_container(w, '{', '}');
}

void json_write_array(struct json_write *w)
{
	open_container(w, '[', ']');
}

void json_write_end(struct json_write *w)
{
	char close = w->closers.buf[w->closers.len - 1];
	strbuf_setlen(&w->closers, w->closers.len - 1);
	if (w->has_members)
		new_line(w, w->closers.len, false);
	strbuf_addc(&w->out, close);
	/* The container just closed is a member of its parent. */
	w->has_members = true;
	if (w->sink && w->out.len >= 64 * 1024) {
		w->sink(w->out.buf, w->out.len);
		strbuf_reset(&w->out);
	}
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2, min = 0x80, cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3, min = 0x800, cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4, min = 0x10000, cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Text is escaped straight into out's room, a piece at a time: a piece
 * of n bytes becomes at most 6n (\u00XX each), and a UTF-8 sequence that
 * starts in it may run 3 bytes past it. */
enum { ESCAPE_PIECE = 4096 };

static void add_escaped(struct strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	/* The quotes of an empty string; each piece below grows for its own. */
	strbuf_grow(out, 2);
	char *o = out->buf + out->len;
	*o++ = '"';
	while (p < end) {
		size_t piece = (size_t)(end - p) < ESCAPE_PIECE ? (size_t)(end - p) : ESCAPE_PIECE;
		out->len = (size_t)(o - out->buf);
		strbuf_grow(out, 6 * piece + 4);
		o = out->buf + out->len;
		const unsigned char *stop = p + piece;
		while (p < stop) {
			for (uint64_t x; stop - p >= 8; p += 8, o += 8) {
				x = bytes_load8(p);
				if (bytes_maybe_below(x, 0x20) | bytes_any_high(x) |
				    bytes_maybe_eq(x, '"') | bytes_maybe_eq(x, '\\'))
					break;
				memcpy(o, &x, 8);
			}
			if (p == stop)
				break;
			unsigned char c = *p;
			if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
				*o++ = (char)c;
				p++;
				continue;
			}
			if (c >= 0x80) {
				size_t n = utf8_sequence(p, (size_t)(end - p));
				if (n) {
					memcpy(o, p, n);
					o += n;
					p += n;
				} else {
					memcpy(o, "\xef\xbf\xbd", 3);
					o += 3;
					p++;
				}
				continue;
			}
			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[c >> 4];
				o[4] = hex[c & 15];
				o += 5;
				break;
			}
			p++;
		}
	}
	*o++ = '"';
	strbuf_setlen(out, (size_t)(o - out->buf));
}

void json_write_key(struct json_write *w, const char *key)
{
	before_item(w);
	add_escaped(&w->out, key, strlen(key));
	strbuf_add(&w->out, ": ", 2);
	w->after_key = true;
}

void json_write_stringn(struct json_write *w, const char *s, size_t len)
{
	before_item(w);
	add_escaped(&w->out, s, len);
}

void json_write_string(struct json_write *w, const char *s)
{
	if (s)
		json_write_stringn(w, s, strlen(s));
	else
		json_write_null(w);
}

void json_write_member(struct json_write *w, const char *key, const char *s)
{
	json_write_key(w, key);
	json_write_string(w, s);
}

void json_write_int(struct json_write *w, long long v)
{
	before_item(w);
	strbuf_addf(&w->out, "%lld", v);
}

void json_write_real(struct json_write *w, double v)
{
	if (!isfinite(v)) {
		json_write_null(w);
		return;
	}
	char text[40];
	int n = snprintf(text, sizeof(text), "%.17g", v);
	char *e = strchr(text, 'e');
	if (!e && !strchr(text, '.')) {
		memcpy(text + n, ".0", 3);
	} else if (e) {
		/* 1e+300 as 1e300, 1e-08 as 1e-8. */
		char *from = e + 1, *to = e + 1;
		if (*from == '-')
			to = ++from;
		else if (*from == '+')
			from++;
		while (*from == '0' && from[1])
			from++;
		memmove(to, from, strlen(from) + 1);
	}
	before_item(w);
	strbuf_adds(&w->out, text);
}

void json_write_bool(struct json_write *w, bool v)
{
	before_item(w);
	strbuf_adds(&w->out, v ? "true" : "false");
}

void json_write_null(struct json_write *w)
{
	before_item(w);
	strbuf_add(&w->out, "null", 4);
}

void json_write_release(struct json_write *w)
{
	strbuf_release(&w->out);
	strbuf_release(&w->closers);
	w->has_members = w->after_key = false;
}
