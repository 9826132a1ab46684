/* version: the one place minimerge's version is written. */
#ifndef MINIMERGE_VERSION_H
#define MINIMERGE_VERSION_H

#define MINIMERGE_VERSION "0.1.0"

#endif
