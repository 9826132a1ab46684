/*
 * cache: the one header graph/ includes from cache/ (DESIGN §3): the store,
 * records and the action cache, tree hashes and the CAS.  src/ may include
 * the modules' own headers.
 */
#ifndef MINIMERGE_CACHE_H
#define MINIMERGE_CACHE_H

#include "cas.h"
#include "record.h"
#include "store.h"
#include "tree.h"

#endif
