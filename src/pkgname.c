#include "pkgname.h"

#include <string.h>

/*
 * Names.  minitage's regex is NAME TAIL with
 *   NAME = alnum+ ([-.] alnum+)*
 *   TAIL = (VER | _SUFFIX)*      (its star of "VER? (_SUFFIX)*" says that)
 *   VER  = -digit+ (.digit+ | [a-z])*
 * Every VER is also "-" alnum+ (. alnum+)*, so the VERs before the first '_'
 * can always be read as part of NAME, and a name matches exactly when the text
 * before its first '_' is a NAME and the rest is a sequence of VER and _SUFFIX
 * tokens.  No token holds a '-' or '_' after its first character, so the rest
 * splits into tokens at each '-' and '_' with no choice to make: one pass, no
 * backtracking.  (minitage's re.match would also take a final newline, as
 * Python's '$' does; a file name ending in one is not worth accepting.)
 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_lower(c) || is_upper(c);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* The length of kw if s[0..n) starts with it, else 0. */
static size_t starts(const char *s, size_t n, const char *kw)
{
	size_t k = strlen(kw);
	return k <= n && memcmp(s, kw, k) == 0 ? k : 0;
}

static bool equals(const char *s, size_t n, const char *kw)
{
	return strlen(kw) == n && memcmp(s, kw, n) == 0;
}

static bool is_name(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i < n; i++) {
		bool sep = s[i] == '-' || s[i] == '.';
		if (!sep && !is_alnum(s[i]))
			return false;
		if (sep && !is_alnum(s[i - 1]))
			return false;
	}
	return true;
}

/* VER without its '-'. */
static bool is_ver_token(const char *s, size_t n)
{
	if (n == 0 || !is_digit(s[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (s[i] == '.') {
			if (i + 1 == n || !is_digit(s[i + 1]))
				return false;
		} else if (is_digit(s[i])) {
			if (!is_digit(s[i - 1]) && s[i - 1] != '.')
				return false;
		} else if (!is_lower(s[i])) {
			return false;
		}
	}
	return true;
}

/* _tagX and _branchX: X without the keyword. */
static bool is_tag_label(const char *s, size_t n)
{
	if (n == 0 || !(is_upper(s[0]) || is_digit(s[0])))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(is_upper(s[i]) || is_digit(s[i]) || s[i] == '.'))
			return false;
	return true;
}

/* The revision of _rX: X without the 'r'. */
static bool is_revision(const char *s, size_t n)
{
	return equals(s, n, "HEAD") || equals(s, n, "TIP") || (n > 0 && all_digits(s, n));
}

/* The release suffixes from oldest to newest; no suffix at all sits between
 * _rc and _p, with rank RANK_NONE. */
static const char *const release_words[] = {"alpha", "beta", "pre", "rc", "", "p"};
enum { RANK_NONE = 4, NRELEASE = 6 };

/* The rank of a release suffix (s[0..n), without its '_'), and in *kw_len the
 * length of its word, which its number follows; -1 if it is not one. */
static int release_rank(const char *s, size_t n, size_t *kw_len)
{
	for (int r = 0; r < NRELEASE; r++) {
		size_t k = starts(s, n, release_words[r]);
		if (k && all_digits(s + k, n - k)) { /* k == 0: a word is needed */
			*kw_len = k;
			return r;
		}
	}
	return -1;
}

/* SUFFIX, without its '_'. */
static bool is_name_suffix(const char *s, size_t n)
{
	size_t k;
	if (equals(s, n, "py2.4") || equals(s, n, "py2.5"))
		return true;
	if (n > 0 && s[0] == 'r' && is_revision(s + 1, n - 1))
		return true;
	if ((k = starts(s, n, "tag")) || (k = starts(s, n, "branch")))
		if (is_tag_label(s + k, n - k))
			return true;
	return release_rank(s, n, &k) >= 0;
}

bool pkgname_valid(const char *name)
{
	size_t n = strcspn(name, "_");
	if (!is_name(name, n))
		return false;
	const char *p = name + n;
	while (*p) {
		char kind = *p++;
		size_t len = strcspn(p, "-_");
		if (kind == '_' ? !is_name_suffix(p, len) : !is_ver_token(p, len))
			return false;
		p += len;
	}
	return true;
}

/*
 * Versions.  A parsed version keeps spans into the string, so comparing
 * needs no allocation and no number is ever converted to an integer.
 */
struct version {
	const char *nums, *nums_end; /* N(.N)* */
	char letter;                 /* the [a-z] after the numbers, or 0 */
	const char *rel, *rel_end;   /* the release suffixes, each with its '_' */
	const char *lab, *lab_end;   /* the labels, each with its '_' */
	const char *rev;             /* the revision's digits, HEAD or TIP */
	size_t rev_len;              /* 0 (and rev "") when there is none */
};

enum token { TOK_BAD, TOK_RELEASE, TOK_LABEL, TOK_REVISION };

static enum token classify(const char *s, size_t n)
{
	size_t k;
	if (release_rank(s, n, &k) >= 0)
		return TOK_RELEASE;
	if ((k = starts(s, n, "py"))) {
		size_t dot = k;
		while (dot < n && is_digit(s[dot]))
			dot++;
		if (dot > k && dot + 1 < n && s[dot] == '.' && all_digits(s + dot + 1, n - dot - 1))
			return TOK_LABEL;
		return TOK_BAD;
	}
	if ((k = starts(s, n, "tag")) || (k = starts(s, n, "branch")))
		return is_tag_label(s + k, n - k) ? TOK_LABEL : TOK_BAD;
	if (n > 0 && s[0] == 'r' && is_revision(s + 1, n - 1))
		return TOK_REVISION;
	return TOK_BAD;
}

static bool parse_version(const char *v, struct version *out)
{
	const char *p = v;
	out->nums = p;
	for (;;) {
		if (!is_digit(*p))
			return false;
		while (is_digit(*p))
			p++;
		if (*p != '.')
			break;
		p++;
	}
	out->nums_end = p;
	out->letter = is_lower(*p) ? *p++ : 0;
	out->rel = out->rel_end = out->lab = out->lab_end = p;
	out->rev = "";
	out->rev_len = 0;
	/* Tokens come in this order: releases, then labels, then a revision. */
	enum token last = TOK_RELEASE;
	while (*p) {
		if (out->rev_len)
			return false;
		char kind = *p++;
		size_t len = strcspn(p, "-_");
		enum token t = kind == '_' ? classify(p, len) : TOK_BAD;
		if (kind == '-' && len > 1 && *p == 'r' && all_digits(p + 1, len - 1))
			t = TOK_REVISION;
		if (t == TOK_BAD || t < last)
			return false;
		last = t;
		if (t == TOK_RELEASE)
			out->rel_end = out->lab = out->lab_end = p + len;
		else if (t == TOK_LABEL)
			out->lab_end = p + len;
		else {
			out->rev = p + 1;
			out->rev_len = len - 1;
		}
		p += len;
	}
	return true;
}

bool pkgname_version_valid(const char *v)
{
	struct version ver;
	return parse_version(v, &ver);
}

const char *pkgname_split(const char *name, size_t *base_len)
{
	/* A version holds no '-' but the one before -rN at its end, so each
	 * try stops by the next '-' or two, and the whole search is linear. */
	for (const char *p = strchr(name, '-'); p; p = strchr(p + 1, '-')) {
		if (pkgname_version_valid(p + 1)) { /* it starts with a digit */
			*base_len = (size_t)(p - name);
			return p + 1;
		}
	}
	*base_len = strlen(name);
	return NULL;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Compares two runs of digits as numbers, whatever their length; an empty
 * run is 0. */
static int cmp_number(const char *a, size_t an, const char *b, size_t bn)
{
	while (an && *a == '0')
		a++, an--;
	while (bn && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	return an ? sign(memcmp(a, b, an)) : 0;
}

/* Moves *p past the next token of [*p, end): the run of characters up to the
 * next sep.  Sets *tok and *len to it, without the separator; false at end. */
static bool next_token(const char **p, const char *end, char sep, const char **tok, size_t *len)
{
	if (*p >= end)
		return false;
	if (**p == sep)
		(*p)++;
	*tok = *p;
	while (*p < end && **p != sep)
		(*p)++;
	*len = (size_t)(*p - *tok);
	return true;
}

static int cmp_nums(const struct version *a, const struct version *b)
{
	const char *pa = a->nums, *pb = b->nums, *ta, *tb;
	size_t na, nb;
	for (;;) {
		bool ha = next_token(&pa, a->nums_end, '.', &ta, &na);
		bool hb = next_token(&pb, b->nums_end, '.', &tb, &nb);
		if (!ha || !hb)
			return ha - hb; /* equal so far: more components is newer */
		int c = cmp_number(ta, na, tb, nb);
		if (c)
			return c;
	}
}

/* Two release suffixes by rank, then number; "" stands for none. */
static int cmp_release(const char *ta, size_t na, const char *tb, size_t nb)
{
	size_t ka = 0, kb = 0;
	int ra = na ? release_rank(ta, na, &ka) : RANK_NONE;
	int rb = nb ? release_rank(tb, nb, &kb) : RANK_NONE;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return cmp_number(ta + ka, na - ka, tb + kb, nb - kb);
}

/* Pairs the suffixes in order; once one side runs out, the other's next
 * suffix is compared with "none", as Gentoo does. */
static int cmp_releases(const struct version *a, const struct version *b)
{
	const char *pa = a->rel, *pb = b->rel, *ta, *tb;
	size_t na, nb;
	for (;;) {
		bool ha = next_token(&pa, a->rel_end, '_', &ta, &na);
		bool hb = next_token(&pb, b->rel_end, '_', &tb, &nb);
		if (!ha && !hb)
			return 0;
		int c = cmp_release(ha ? ta : "", ha ? na : 0, hb ? tb : "", hb ? nb : 0);
		if (c)
			return c;
	}
}

/* Labels pair up in order and compare as strings; a missing one is older. */
static int cmp_labels(const struct version *a, const struct version *b)
{
	const char *pa = a->lab, *pb = b->lab, *ta, *tb;
	size_t na, nb;
	for (;;) {
		bool ha = next_token(&pa, a->lab_end, '_', &ta, &na);
		bool hb = next_token(&pb, b->lab_end, '_', &tb, &nb);
		if (!ha || !hb)
			return ha - hb;
		int c = memcmp(ta, tb, na < nb ? na : nb);
		if (c)
			return sign(c);
		if (na != nb)
			return na < nb ? -1 : 1;
	}
}

/* HEAD and TIP are the newest revision there is; none is revision 0. */
static int cmp_revisions(const struct version *a, const struct version *b)
{
	bool sa = a->rev_len && !is_digit(a->rev[0]);
	bool sb = b->rev_len && !is_digit(b->rev[0]);
	if (sa || sb)
		return sa - sb;
	return cmp_number(a->rev, a->rev_len, b->rev, b->rev_len);
}

int pkgname_version_cmp(const char *a, const char *b)
{
	struct version va, vb;
	bool oka = parse_version(a, &va), okb = parse_version(b, &vb);
	if (!oka || !okb)
		return oka == okb ? sign(strcmp(a, b)) : oka - okb;
	int c = cmp_nums(&va, &vb);
	if (!c && va.letter != vb.letter)
		c = va.letter < vb.letter ? -1 : 1;
	if (!c)
		c = cmp_releases(&va, &vb);
	if (!c)
		c = cmp_labels(&va, &vb);
	if (!c)
		c = cmp_revisions(&va, &vb);
	return c;
}
