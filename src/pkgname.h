/*
 * pkgname: minibuild names and the versions in them.  A minibuild is named
 * by its file; minitage's grammar (research/minitage.md §1) says which names
 * are valid, checked here in linear time where minitage's regex backtracks
 * for seconds.  A name such as openssl-0.9.7m is a base name (openssl) and a
 * version (0.9.7m); versions are ordered as Gentoo orders them.
 */
#ifndef MINIMERGE_PKGNAME_H
#define MINIMERGE_PKGNAME_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name is a valid minibuild name (the whole string must match). */
bool pkgname_valid(const char *name);

/* Splits name at the first '-' that is followed by a digit and whose
 * remainder is a version (pkgname_version_valid).  Sets *base_len to the
 * length of the base name and returns the version (a pointer into name), or
 * returns NULL with *base_len = strlen(name) when the name has no version. */
const char *pkgname_split(const char *name, size_t *base_len);

/* Whether v is a version: N(.N)*[a-z]? then any of _alpha, _beta, _pre,
 * _rc, _p (each with optional digits), then optional labels _pyX.Y,
 * _tagX, _branchX, and last an optional revision _rN, _rHEAD, _rTIP or
 * -rN. */
bool pkgname_version_valid(const char *v);

/* Orders two versions: <0 if a is older than b, 0 if equal, >0 if newer.
 * Numbers compare as numbers, a letter after the numbers comes after none
 * (0.9.7 < 0.9.7a < 0.9.7m < 0.9.8), suffixes _alpha < _beta < _pre < _rc <
 * (none) < _p, then labels as strings, and the revision last (none < _r1 <
 * _r2 < _rHEAD = _rTIP).  Total on every string: a string that is not a
 * version sorts before every version, and such strings by strcmp. */
int pkgname_version_cmp(const char *a, const char *b);

#endif
