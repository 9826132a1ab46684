#include "path.h"

#include "strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *path_join(struct arena *a, const char *dir, const char *name)
{
	if (name[0] == '/' || !dir[0])
		return arena_strdup(a, name);
	size_t n = strlen(dir);
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, dir);
	if (dir[n - 1] != '/')
		strbuf_addc(&sb, '/');
	strbuf_adds(&sb, name);
	char *r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

char *path_dirname(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return arena_strdup(a, "");
	size_t n = (size_t)(slash - path) + 1;
	/* Python keeps a head made only of slashes, and strips others. */
	size_t k = n;
	while (k > 0 && path[k - 1] == '/')
		k--;
	return arena_strndup(a, path, k ? k : n);
}

char *path_normpath(struct arena *a, const char *path)
{
	if (!path[0])
		return arena_strdup(a, ".");
	/* POSIX keeps exactly two leading slashes, folds three or more to one. */
	int initial = path[0] == '/' ? (path[1] == '/' && path[2] != '/' ? 2 : 1) : 0;
	size_t n = strlen(path);
	const char **comps = xmalloc((n / 2 + 2) * sizeof(*comps));
	size_t *lens = xmalloc((n / 2 + 2) * sizeof(*lens));
	size_t ncomp = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* dropped */
		} else if (len == 2 && p[0] == '.' && p[1] == '.' &&
			   (initial || (ncomp && !(lens[ncomp - 1] == 2 &&
						  memcmp(comps[ncomp - 1], "..", 2) == 0)))) {
			if (ncomp)
				ncomp--;
		} else {
			comps[ncomp] = p;
			lens[ncomp++] = len;
		}
		p += len;
	}
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < initial; i++)
		strbuf_addc(&sb, '/');
	for (size_t i = 0; i < ncomp; i++) {
		if (i)
			strbuf_addc(&sb, '/');
		strbuf_add(&sb, comps[i], lens[i]);
	}
	if (!sb.len)
		strbuf_addc(&sb, '.');
	char *r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	free(comps);
	free(lens);
	return r;
}

char *path_abspath(struct arena *a, const char *path)
{
	if (path[0] == '/')
		return path_normpath(a, path);
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	char *r = path_normpath(a, path_join(a, cwd, path));
	free(cwd);
	return r;
}

/* Splits an absolute path into its non-empty components. */
static size_t split_components(char *path, char **comps)
{
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		comps[n++] = tok;
	return n;
}

char *path_relpath(struct arena *a, const char *path, const char *start)
{
	char *p = path_abspath(a, path), *s = path_abspath(a, start);
	if (!p || !s)
		return arena_strdup(a, path);
	char **pc = xmalloc((strlen(p) / 2 + 2) * sizeof(*pc));
	char **sc = xmalloc((strlen(s) / 2 + 2) * sizeof(*sc));
	size_t np = split_components(p, pc), ns = split_components(s, sc);
	size_t common = 0;
	while (common < np && common < ns && !strcmp(pc[common], sc[common]))
		common++;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = common; i < ns; i++)
		strbuf_adds(&sb, sb.len ? "/.." : "..");
	for (size_t i = common; i < np; i++) {
		if (sb.len)
			strbuf_addc(&sb, '/');
		strbuf_adds(&sb, pc[i]);
	}
	if (!sb.len)
		strbuf_addc(&sb, '.');
	char *r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	free(pc);
	free(sc);
	return r;
}

char *path_expanduser(struct arena *a, const char *path)
{
	if (path[0] != '~' || (path[1] && path[1] != '/'))
		return arena_strdup(a, path);
	const char *home = getenv("HOME");
	if (!home)
		return arena_strdup(a, path);
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, home);
	/* Python strips HOME's trailing slashes before appending the rest,
	 * and answers "/" if nothing is left at all. */
	while (sb.len && sb.buf[sb.len - 1] == '/')
		sb.buf[--sb.len] = '\0';
	strbuf_adds(&sb, path + 1);
	if (!sb.len)
		strbuf_addc(&sb, '/');
	char *r = arena_strndup(a, sb.buf, sb.len);
	strbuf_release(&sb);
	return r;
}

bool path_is_url(const char *s)
{
	const char *p = s;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '.' || *p == '-')
		p++;
	return p > s && strncmp(p, "://", 3) == 0;
}
