/*
 * fsutil: the file-system chores shared by the cache and the kinds:
 * creating a directory with its parents, removing a tree, writing a file
 * whole (temporary name, fsync, rename).  Errors are returned as errno
 * values; the caller reports them with the path.
 */
#ifndef MINIMERGE_FSUTIL_H
#define MINIMERGE_FSUTIL_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* mkdir -p: 0 or an errno value. */
int fs_mkdirs(const char *path, mode_t mode);
/* rm -rf: 0 (also when path does not exist) or an errno value; *failed, if
 * not NULL, gets the path that could not be removed (the caller frees it). */
int fs_remove_tree(const char *path, char **failed);
/* write(2) until all of data is written.  0 or an errno value. */
int fs_write_all(int fd, const void *data, size_t len);
/* Writes len bytes to path through path.tmp.<pid>, fsynced and renamed:
 * readers see the old file or the new one, which has mode's bits exactly
 * from its first moment (0: 0666 less the umask).  0 or an errno value. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Makes path an empty file (emptied if there; 0666 less the umask): a
 * stamp, which says what it says by being there.  Not synced.  0 or an
 * errno value. */
int fs_touch(const char *path);
/* Copies src to dst as fs_write_atomic writes, mode as there.  0 or an
 * errno value. */
int fs_copy_atomic(const char *src, const char *dst, mode_t mode);
/* Appends data to path (created if absent).  0 or an errno value. */
int fs_append(const char *path, const void *data, size_t len);
/* cp -a without owners: copies the tree at src into dst (created), files,
 * directories and symlinks with their permission bits and times, leaving
 * out the top-level names in exclude.  0 or an errno value; *failed as for
 * fs_remove_tree. */
int fs_copy_tree(const char *src, const char *dst, const char *const *exclude, size_t nexclude,
		 char **failed);
/* A file with no name, for a child's input or output: created O_CLOEXEC
 * under $TMPDIR (else /tmp) and unlinked at once, so nothing is left
 * whatever happens.  A descriptor, or -1 with errno set. */
int fs_open_scratch(void);
/* The names in dir that keep accepts ("." and ".." never), sorted by
 * strcmp: readdir's order is the file system's, and what is made of a
 * listing must not depend on it.  is_dir says whether the name is a
 * directory, a symbolic link counting as what it points to (the entry's
 * type when readdir gives it, else a stat).  The names live in the arena;
 * the array is malloc'd (the caller frees it).  NULL with errno set if dir
 * cannot be read. */
const char **fs_list_dir(struct arena *a, const char *dir,
			 bool (*keep)(const char *name, bool is_dir, void *ctx), void *ctx,
			 size_t *n);
/* Whether path is a directory; a symlink to one counts only with follow.
 * An error (the path is not there) is a no. */
bool fs_is_dir(const char *path, bool follow);
/* fsync of a directory, so a rename in it survives a crash.  0 or errno. */
int fs_sync_dir(const char *path);

/* What a file that is not a regular file, a directory or a symlink is,
 * for a message: "FIFO", "socket", "character device", "block device". */
const char *fs_type_name(mode_t mode);

/* Paths are kept absolute, but the kernel walks each component of a path
 * it is given: one below the working directory is handed to it relative to
 * that directory, a fifth cheaper to stat in a deep root.  fs_cwd_note
 * reads the working directory; main calls it at the start and after each
 * chdir, before any thread starts, and nothing changes the directory
 * later.  fs_cwd_relative returns path's part below it, or path. */
void fs_cwd_note(void);
const char *fs_cwd_relative(const char *path);

#endif
