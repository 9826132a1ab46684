#include "cfg_parse.h"

#include "cfg_cond.h"

#include "../lib/bytes.h"
#include "../lib/diag.h"
#include "../lib/strbuf.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Character classes of buildout's regular expressions, one lookup each:
 * the parser asks them of every byte. */
enum { C_SPACE = 1, C_NAME = 2, C_HEADER_NAME = 4, C_REF_NAME = 8 };

static unsigned char classes[256];

static void init_classes(void)
{
	for (int c = 0; c < 256; c++) {
		bool space = c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
		classes[c] = space ? C_SPACE : 0;
		if (c && !space && !strchr("{}[]=:", c))
			classes[c] |= C_NAME;
		if (c && !space && !strchr("#[]:;{}", c))
			classes[c] |= C_HEADER_NAME;
		if (c && c < 0x80 && (isalnum(c) || strchr("-._ ", c)))
			classes[c] |= C_REF_NAME;
	}
}

/* Once: minibuilds are parsed on two threads at a time. */
static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

bool cfg_ref_name_valid(const char *s, size_t n)
{
	pthread_once(&classes_once, init_classes);
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(classes[(unsigned char)s[i]] & C_REF_NAME))
			return false;
	return true;
}

bool cfg_isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static bool is_name_char(int c)
{
	return classes[c & 0xff] & C_NAME;
}

static bool is_header_name_char(int c)
{
	return classes[c & 0xff] & C_HEADER_NAME;
}

/* buildout reads configs as UTF-8 text and fails on anything else. */
static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end && *p && *p < 0x80)
		p++;
	while (p < end) {
		unsigned c = *p++;
		if (c == 0)
			return false;
		if (c < 0x80)
			continue;
		int more = c >= 0xc2 && c <= 0xdf   ? 1
			   : c >= 0xe0 && c <= 0xef ? 2
			   : c >= 0xf0 && c <= 0xf4 ? 3
						    : -1;
		if (more < 0 || end - p < more)
			return false;
		unsigned cp = c & (0x3f >> more);
		for (int i = 0; i < more; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((more == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (more == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		p += more;
	}
	return true;
}

struct cfg_file_section *cfg_file_find(const struct cfg_file *f, const char *name)
{
	return hmap_gets(&f->index, name);
}

struct cfg_delta *cfg_file_section_find(const struct cfg_file_section *s, const char *name)
{
	return hmap_gets(&s->index, name);
}

void cfg_file_free(struct cfg_file *f)
{
	for (size_t i = 0; i < f->nsections; i++) {
		hmap_free(&f->sections[i]->index);
		free(f->sections[i]->deltas);
	}
	free(f->sections);
	hmap_free(&f->index);
	memset(f, 0, sizeof(*f));
}

/* A section header: "[name]" or "[name:expr]", then an optional # or ;
 * comment.  Returns false when the line is not one. */
static bool match_header(const char *line, size_t len, const char **name, size_t *namelen,
			 const char **expr, size_t *exprlen)
{
	if (len == 0 || line[0] != '[')
		return false;
	size_t p = 1;
	while (p < len && cfg_isspace((unsigned char)line[p]))
		p++;
	size_t start = p;
	while (p < len && is_header_name_char((unsigned char)line[p]))
		p++;
	if (p == start)
		return false;
	*name = line + start;
	*namelen = p - start;
	*expr = NULL;
	*exprlen = 0;
	while (p < len && cfg_isspace((unsigned char)line[p]))
		p++;
	size_t close;
	if (p < len && line[p] == ':') {
		/* The expression cannot hold # or ;, so the closing bracket is the
		 * last ']' before the first of them with only spaces after it. */
		size_t colon = p, stop = colon + 1;
		while (stop < len && line[stop] != '#' && line[stop] != ';')
			stop++;
		size_t r = stop;
		while (r > colon + 1) {
			r--;
			if (line[r] == ']')
				break;
			if (!cfg_isspace((unsigned char)line[r]))
				return false;
		}
		if (r <= colon || r >= len || line[r] != ']')
			return false;
		*expr = line + colon + 1;
		*exprlen = r - colon - 1;
		close = r;
	} else {
		if (p >= len || line[p] != ']')
			return false;
		close = p;
	}
	for (p = close + 1; p < len && cfg_isspace((unsigned char)line[p]); p++)
		;
	return p == len || line[p] == '#' || line[p] == ';';
}

/* An option line "name = value" (the name may end in + or -).  Returns the
 * length of the name part before '=', or 0. */
static size_t match_option(const char *line, size_t len)
{
	size_t p = 0;
	while (p < len && is_name_char((unsigned char)line[p]))
		p++;
	if (p == 0)
		return 0;
	while (p < len && cfg_isspace((unsigned char)line[p]))
		p++;
	if (p < len && (line[p] == '+' || line[p] == '-'))
		p++;
	return p < len && line[p] == '=' ? p : 0;
}

static void strip(const char **s, size_t *len)
{
	while (*len && cfg_isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && cfg_isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* Length of a line's leading blanks (spaces and tabs), as textwrap sees it. */
static size_t indent_of(const char *line, size_t len)
{
	size_t n = 0;
	while (n < len && (line[n] == ' ' || line[n] == '\t'))
		n++;
	return n;
}

/* buildout's treatment of a value whose first line was empty:
 * textwrap.dedent(value.rstrip()) with the leading blank lines removed. */
static char *dedent_value(struct arena *a, const char *v, size_t len)
{
	while (len && cfg_isspace((unsigned char)v[len - 1]))
		len--;
	/* The margin: the longest common prefix of the non-blank lines' indents. */
	const char *margin = NULL;
	size_t marginlen = 0;
	for (size_t p = 0; p < len;) {
		const char *e = memchr(v + p, '\n', len - p);
		size_t ll = e ? (size_t)(e - (v + p)) : len - p;
		size_t ind = indent_of(v + p, ll);
		if (ind < ll) {
			if (!margin) {
				margin = v + p;
				marginlen = ind;
			} else {
				size_t k = 0;
				while (k < marginlen && k < ind && margin[k] == v[p + k])
					k++;
				marginlen = k;
			}
		}
		p += ll + 1;
	}
	struct strbuf sb = STRBUF_INIT;
	bool leading = true;
	for (size_t p = 0; p < len;) {
		const char *e = memchr(v + p, '\n', len - p);
		size_t linelen = e ? (size_t)(e - (v + p)) : len - p;
		const char *l = v + p;
		size_t ll = linelen;
		size_t ind = indent_of(l, ll);
		if (ind == ll) {
			ll = 0; /* a line of blanks becomes empty */
		} else if (margin && ll >= marginlen && memcmp(l, margin, marginlen) == 0) {
			l += marginlen;
			ll -= marginlen;
		}
		/* Leading lines of whitespace go, whatever whitespace they hold. */
		bool blank = true;
		for (size_t k = 0; leading && k < ll && blank; k++)
			blank = cfg_isspace((unsigned char)l[k]);
		if (!(leading && blank)) {
			if (!leading)
				strbuf_addc(&sb, '\n');
			strbuf_add(&sb, l, ll);
			leading = false;
		}
		p += linelen + 1;
	}
	char *r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

struct parser {
	struct arena *a;
	struct cfg_file *f;
	const char *path;
	struct cfg_file_section *sect; /* current section, NULL before the first */
	bool condition;                /* the current header's condition */
	bool in_option;                /* an option's value is being read */
	bool after_option;             /* buildout's optname: an option was read
					* since the last header whose condition
					* held; indented lines continue it */
	bool blockmode;                /* the option's first line was empty */
	struct strbuf value;           /* the option being read */
	struct cfg_file_section *opt_sect;
	const char *opt_name;
	char opt_op; /* '=', '+' or '-' */
	int opt_line;
	int errors;
};

struct cfg_file_section *cfg_file_section_for(struct arena *a, struct cfg_file *f,
					      const char *name, size_t len, int line)
{
	struct cfg_file_section *s = hmap_get(&f->index, name, len);
	if (s)
		return s;
	s = arena_alloc(a, sizeof(*s));
	s->name = arena_strndup(a, name, len);
	s->line = line;
	hmap_put(&f->index, s->name, len, s);
	if (f->nsections == f->capsections) {
		f->capsections = f->capsections ? f->capsections * 2 : 8;
		f->sections = xrealloc(f->sections, f->capsections * sizeof(*f->sections));
	}
	f->sections[f->nsections++] = s;
	return s;
}

static struct cfg_delta *delta_for(struct arena *a, struct cfg_file_section *s,
				   const char *name)
{
	struct cfg_delta **at = (struct cfg_delta **)hmap_at(&s->index, name, strlen(name));
	if (*at)
		return *at;
	struct cfg_delta *d = *at = arena_alloc(a, sizeof(*d));
	d->name = name;
	if (s->ndeltas == s->capdeltas) {
		s->capdeltas = s->capdeltas ? s->capdeltas * 2 : 8;
		s->deltas = xrealloc(s->deltas, s->capdeltas * sizeof(*s->deltas));
	}
	s->deltas[s->ndeltas++] = d;
	return d;
}

const char *cfg_join_lines(struct arena *a, const char *old, const char *more)
{
	size_t n = strlen(old), m = strlen(more);
	char *r = arena_alloc(a, n + m + 2);
	memcpy(r, old, n);
	r[n] = '\n';
	memcpy(r + n + 1, more, m + 1);
	return r;
}

/* Repeated += (or -=) in one file gather their lines; an empty one adds
 * nothing, as in buildout >= 3.1.1. */
static const char *gather(struct arena *a, const char *old, const char *more)
{
	return !old ? more : !*more ? old : cfg_join_lines(a, old, more);
}

void cfg_file_add(struct arena *a, struct cfg_file_section *s,
		  const char *name, char op, const char *value, int line)
{
	struct cfg_delta *d = delta_for(a, s, name);
	switch (op) {
	case '=':
		d->set = value;
		d->set_line = line;
		d->add = d->remove = NULL;
		break;
	case '+':
		d->add = gather(a, d->add, value);
		d->add_line = line;
		break;
	default:
		d->remove = gather(a, d->remove, value);
		d->remove_line = line;
		break;
	}
}

/* The option being read is complete: record it in its section's delta. */
static void finish_option(struct parser *ps)
{
	if (!ps->in_option)
		return;
	ps->in_option = false;
	const char *v = ps->value.len && cfg_isspace((unsigned char)ps->value.buf[0])
				? dedent_value(ps->a, ps->value.buf, ps->value.len)
				: arena_strndup(ps->a, ps->value.buf, ps->value.len);
	cfg_file_add(ps->a, ps->opt_sect, ps->opt_name, ps->opt_op, v, ps->opt_line);
}

/* A line quoted in an error is cut, so a 10 MB line makes a short message. */
enum { QUOTE_MAX = 200 };
#define QUOTED(len, line) (int)((len) > QUOTE_MAX ? QUOTE_MAX : (len)), (line), \
	((len) > QUOTE_MAX ? "..." : "")

static void bad_line(struct parser *ps, int lineno, const char *line, size_t len,
		     const char *what)
{
	diag_error(ps->path, lineno, "File contains parsing errors: %s: '%.*s%s'", what,
		   QUOTED(len, line));
	ps->errors++;
}

/* One physical line, without its line ending.  Returns -1 to stop at once. */
static int parse_line(struct parser *ps, int lineno, const char *line, size_t len)
{
	if (len && (line[0] == '#' || line[0] == ';'))
		return 0;
	/* An empty line counts as one starting with whitespace, as buildout
	 * sees "\n". */
	bool indented = len == 0 || cfg_isspace((unsigned char)line[0]);
	if (indented && ps->sect && ps->after_option) {
		if (!ps->condition)
			return 0;
		const char *s = line;
		size_t n = len;
		if (ps->blockmode) {
			while (n && cfg_isspace((unsigned char)s[n - 1]))
				n--;
		} else {
			strip(&s, &n);
			if (!n)
				return 0;
		}
		strbuf_addc(&ps->value, '\n');
		strbuf_add(&ps->value, s, n);
		return 0;
	}
	const char *name, *expr;
	size_t namelen, exprlen;
	if (match_header(line, len, &name, &namelen, &expr, &exprlen)) {
		finish_option(ps);
		ps->condition = true;
		if (exprlen) {
			char *e = arena_strndup(ps->a, expr, exprlen);
			/* buildout lets expressions spell # and ; as \x23 and \x3b. */
			for (char *p; (p = strstr(e, "\\x23")) || (p = strstr(e, "\\x3b"));) {
				*p = p[3] == '3' ? '#' : ';';
				memmove(p + 1, p + 4, strlen(p + 4) + 1);
			}
			char err[256];
			if (cfg_cond_eval(e, &ps->condition, err, sizeof(err)) < 0) {
				diag_error(ps->path, lineno,
					   "cannot evaluate the condition of section [%.*s]: %s",
					   (int)namelen, name, err);
				return -1;
			}
			if (!ps->condition)
				return 0;
		}
		ps->sect = cfg_file_section_for(ps->a, ps->f, name, namelen, lineno);
		ps->after_option = false;
		return 0;
	}
	if (!ps->sect) {
		size_t n = len;
		const char *s = line;
		strip(&s, &n);
		if (!n)
			return 0;
		diag_error(ps->path, lineno, "File contains no section headers: '%.*s%s'",
			   QUOTED(len, line));
		return -1;
	}
	struct strbuf rewritten = STRBUF_INIT;
	if (len >= 2 && line[0] == '=' && line[1] == '>') {
		strbuf_adds(&rewritten, "<part-dependencies> = ");
		strbuf_add(&rewritten, line + 2, len - 2);
		line = rewritten.buf;
		len = rewritten.len;
	}
	size_t namepart = match_option(line, len);
	if (namepart) {
		if (ps->condition) {
			finish_option(ps);
			size_t n = namepart;
			while (n && cfg_isspace((unsigned char)line[n - 1]))
				n--;
			char op = '=';
			if (line[n - 1] == '+' || line[n - 1] == '-') {
				op = line[n - 1];
				/* buildout strips the trailing spaces and operator
				 * characters only: rstrip(' +') or rstrip(' -'). */
				while (n && (line[n - 1] == ' ' || line[n - 1] == op))
					n--;
			}
			const char *v = line + namepart + 1;
			size_t vlen = len - namepart - 1;
			strip(&v, &vlen);
			ps->opt_sect = ps->sect;
			ps->opt_name = arena_strndup(ps->a, line, n);
			ps->opt_op = op;
			ps->opt_line = lineno;
			ps->blockmode = vlen == 0;
			ps->in_option = true;
			ps->after_option = true;
			strbuf_reset(&ps->value);
			strbuf_add(&ps->value, v, vlen);
		}
	} else {
		size_t n = len;
		const char *s = line;
		strip(&s, &n);
		if (ps->after_option || n) {
			const char *what =
				indented ? "an indented line that continues no option"
				: memchr(line, '=', len) || memchr(line, ':', len)
					? "not an option line of the form 'name = value'"
					: "neither a section header nor an option line";
			bad_line(ps, lineno, line, len, what);
		}
	}
	strbuf_release(&rewritten);
	return 0;
}

int cfg_parse(struct arena *a, const char *path, const char *text, size_t len,
	      struct cfg_file *out)
{
	pthread_once(&classes_once, init_classes);
	memset(out, 0, sizeof(*out));
	out->path = arena_strdup(a, path);
	struct parser ps = {.a = a, .f = out, .path = out->path, .condition = true};
	ps.value = (struct strbuf)STRBUF_INIT;
	int lineno = 0, rc = 0;
	size_t p = 0;
	while (p < len) {
		/* Line endings as Python's universal newlines: \n, \r\n or \r. */
		size_t e = p;
		for (uint64_t x; len - e >= 8; e += 8) {
			x = bytes_load8(text + e);
			if (bytes_maybe_eq(x, '\n') | bytes_maybe_eq(x, '\r') |
			    bytes_maybe_below(x, 1) | bytes_any_high(x))
				break;
		}
		bool ascii = true;
		for (; e < len && text[e] != '\n' && text[e] != '\r'; e++)
			ascii &= (unsigned char)text[e] - 1u < 0x7fu; /* 1 to 0x7f */
		lineno++;
		if (!ascii && !valid_utf8(text + p, e - p)) {
			diag_error(ps.path, lineno, "not UTF-8 text (or a NUL byte)");
			rc = -1;
			break;
		}
		if (parse_line(&ps, lineno, text + p, e - p) < 0) {
			rc = -1;
			break;
		}
		p = e;
		if (p < len && text[p] == '\r') {
			p++;
			if (p < len && text[p] == '\n')
				p++;
		} else if (p < len) {
			p++;
		}
	}
	finish_option(&ps);
	strbuf_release(&ps.value);
	if (ps.errors)
		rc = -1;
	return rc;
}
