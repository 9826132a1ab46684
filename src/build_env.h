/*
 * build_env: the environment a package's build runs in, and what of the
 * user's environment reaches it.  Each dependency's prefix is exported as
 * minitage does: PATH gets its bin/, CPPFLAGS an -I (CFLAGS too when the
 * user set CFLAGS: an unset one is configure's to choose), LDFLAGS an -L and
 * an rpath (so programs find their libraries without
 * LD_LIBRARY_PATH), PKG_CONFIG_PATH its pkgconfig directories; MAKEFLAGS
 * gets -jN.  The user's values follow ours.
 */
#ifndef MINIMERGE_BUILD_ENV_H
#define MINIMERGE_BUILD_ENV_H

#include "../cache/store.h"
#include "../lib/hash.h"

#include <stddef.h>

/* The variables whose values are inputs of every build's key, NULL-ended. */
extern const char *const build_env_inputs[];

/* A new environment: environ with the variables above set for the prefixes
 * given (in order: nearer dependencies first).  Free with build_env_free. */
char **build_env_make(const char *const *prefixes, size_t n, int jobs);
/* environ with dir appended to PATH (pkgme's helpers for its backends'
 * scripts).  Free with build_env_free. */
char **build_env_append_path(const char *dir);
/* A new environment: base (NULL: environ) with the n settings over it:
 * "NAME=VALUE" replaces every NAME of base (and is added after what is
 * kept, in order), a bare "NAME" leaves NAME out.  Free with
 * build_env_free. */
char **build_env_override(char *const *base, const char *const *settings, size_t n);
void build_env_free(char **envp);

/* The C compiler's identity ($CC, else cc, found in PATH): its path and its
 * --version output, hashed; *text is the first line of that output (the
 * caller frees it).  Cached in the store by the binary's stat, so the
 * compiler runs once per change of it.  0 or -1 (reported). */
int build_env_compiler(struct store *s, struct hash128 *id, char **text);

#endif
