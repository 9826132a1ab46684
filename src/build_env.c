#include "build_env.h"

#include "../lib/arena.h"
#include "../lib/diag.h"
#include "../lib/spawn.h"
#include "../lib/strbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

const char *const build_env_inputs[] = {
	"CC", "CFLAGS", "CPPFLAGS", "CXX", "CXXFLAGS", "LDFLAGS", "LIBS", "PATH", "PKG_CONFIG_PATH",
	NULL,
};

/* Whether one of settings names the variable of entry (NAME=value). */
static bool is_set(const char *entry, const char *const *settings, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(settings[i], "=");
		if (!strncmp(entry, settings[i], len) && entry[len] == '=')
			return true;
	}
	return false;
}

char **build_env_override(char *const *base, const char *const *settings, size_t n)
{
	base = base ? base : environ;
	size_t count = 0;
	while (base[count])
		count++;
	char **envp = xcalloc(count + n + 1, sizeof(*envp));
	size_t k = 0;
	for (size_t i = 0; i < count; i++)
		if (!is_set(base[i], settings, n))
			envp[k++] = xstrdup(base[i]);
	for (size_t i = 0; i < n; i++)
		if (strchr(settings[i], '='))
			envp[k++] = xstrdup(settings[i]);
	return envp;
}

/* NAME=ours user's, with sep between the pieces. */
static char *joined(const char *name, const struct strbuf *ours, const char *sep)
{
	const char *user = getenv(name);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s=%s", name, ours->buf);
	if (user && *user)
		strbuf_addf(&sb, "%s%s", ours->len ? sep : "", user);
	return strbuf_detach(&sb);
}

char **build_env_make(const char *const *prefixes, size_t n, int jobs)
{
	char *set[8];
	size_t k = 0;
	struct strbuf path = STRBUF_INIT, inc = STRBUF_INIT, ld = STRBUF_INIT, pc = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *p = prefixes[i];
		strbuf_addf(&path, "%s%s/bin", i ? ":" : "", p);
		strbuf_addf(&inc, "%s-I%s/include", i ? " " : "", p);
		strbuf_addf(&ld, "%s-L%s/lib -Wl,-rpath,%s/lib", i ? " " : "", p, p);
		strbuf_addf(&pc, "%s%s/lib/pkgconfig:%s/share/pkgconfig", i ? ":" : "", p, p);
	}
	set[k++] = joined("PATH", &path, ":");
	set[k++] = joined("CPPFLAGS", &inc, " ");
	/* An unset CFLAGS lets configure choose its own (autoconf's -g -O2):
	 * the -I flags are in CPPFLAGS for it.  A set one gets them too, for
	 * the builds that ignore CPPFLAGS. */
	if (getenv("CFLAGS"))
		set[k++] = joined("CFLAGS", &inc, " ");
	set[k++] = joined("LDFLAGS", &ld, " ");
	set[k++] = joined("PKG_CONFIG_PATH", &pc, ":");
	struct strbuf mf = STRBUF_INIT;
	strbuf_addf(&mf, "MAKEFLAGS=-j%d", jobs > 0 ? jobs : 1);
	set[k++] = strbuf_detach(&mf);
	set[k++] = xstrdup("MFLAGS"); /* the user's does not reach builds either */
	char **envp = build_env_override(NULL, (const char *const *)set, k);
	for (size_t i = 0; i < k; i++)
		free(set[i]);
	strbuf_release(&path);
	strbuf_release(&inc);
	strbuf_release(&ld);
	strbuf_release(&pc);
	return envp;
}

char **build_env_append_path(const char *dir)
{
	const char *path = getenv("PATH");
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "PATH=%s%s%s", path ? path : "", path && *path ? ":" : "", dir);
	const char *set[] = {sb.buf};
	char **envp = build_env_override(NULL, set, 1);
	strbuf_release(&sb);
	return envp;
}

void build_env_free(char **envp)
{
	for (char **e = envp; e && *e; e++)
		free(*e);
	free(envp);
}

/* Runs cc --version into out; 0 or -1 (reported). */
static int compiler_version(const char *cc, struct strbuf *out)
{
	const char *argv[] = {cc, "--version", NULL};
	struct spawn_options o;
	spawn_options_init(&o);
	o.argv = argv;
	struct spawn_result r;
	int rc = spawn_capture(&o, true, out, &r);
	if (rc != 0) {
		struct strbuf why = STRBUF_INIT;
		spawn_result_describe(&r, cc, 0, &why);
		diag_error(NULL, 0, "the C compiler does not answer --version: %s", why.buf);
		strbuf_release(&why);
	}
	return rc;
}

int build_env_compiler(struct store *s, struct hash128 *id, char **text)
{
	const char *cc = getenv("CC");
	cc = cc && *cc ? cc : "cc";
	struct strbuf found = STRBUF_INIT;
	struct stat st;
	if (spawn_find_program(cc, NULL, &found) != 0 || stat(found.buf, &st) != 0) {
		diag_error(NULL, 0, "no C compiler: '%s' is not in PATH (set CC)", cc);
		strbuf_release(&found);
		return -1;
	}
	const char *path = found.buf;
	/* Cached under the path by what the binary is now: an upgraded
	 * compiler has another inode, size or time. */
	struct strbuf key = STRBUF_INIT, stamp = STRBUF_INIT, val = STRBUF_INIT;
	strbuf_addf(&key, "compiler:%s", path);
	strbuf_addf(&stamp, "%ju %ju %jd %ld.%09ld\n", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
		    (intmax_t)st.st_size, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	int rc = 0;
	if (store_get(s, STORE_META, key.buf, key.len, &val) != 1 || val.len < stamp.len ||
	    memcmp(val.buf, stamp.buf, stamp.len)) {
		strbuf_reset(&val);
		strbuf_add(&val, stamp.buf, stamp.len);
		rc = compiler_version(path, &val);
		if (rc == 0)
			store_put(s, STORE_META, key.buf, key.len, val.buf, val.len);
	}
	if (rc == 0) {
		const char *version = val.buf + stamp.len;
		struct strbuf ident = STRBUF_INIT;
		strbuf_addf(&ident, "%s\n%s", path, version);
		*id = hash_bytes(ident.buf, ident.len);
		strbuf_release(&ident);
		size_t line = strcspn(version, "\n");
		*text = xmalloc(line + 1);
		memcpy(*text, version, line);
		(*text)[line] = '\0';
	}
	strbuf_release(&key);
	strbuf_release(&stamp);
	strbuf_release(&val);
	strbuf_release(&found);
	return rc;
}
