/*
 * archive_lib: libarchive, loaded on first use (see dynlib.h for why).
 * Callers include <archive.h> and <archive_entry.h> for the types and
 * constants and call through the table: archive_lib(err, n)->write_new().
 * A function is added by adding a line to ARCHIVE_LIB_FUNCTIONS; its
 * prototype is checked against libarchive's headers at compile time.
 */
#ifndef MINIMERGE_ARCHIVE_LIB_H
#define MINIMERGE_ARCHIVE_LIB_H

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>

/* X(return type, name without the archive_ prefix, parameter list) */
#define ARCHIVE_LIB_FUNCTIONS(X)                                                            \
	X(const char *, error_string, (struct archive *a))                                  \
	X(void, set_error, (struct archive *a, int err, const char *fmt, ...))              \
	X(struct archive *, write_new, (void))                                              \
	X(int, write_set_format_pax_restricted, (struct archive *a))                        \
	X(int, write_set_format_pax, (struct archive *a))                                   \
	X(int, write_set_format_option,                                                     \
	  (struct archive *a, const char *module, const char *option, const char *value))   \
	X(int, write_add_filter_zstd, (struct archive *a))                                  \
	X(int, write_add_filter_gzip, (struct archive *a))                                  \
	X(int, write_set_filter_option,                                                     \
	  (struct archive *a, const char *module, const char *option, const char *value))   \
	X(int, write_set_bytes_in_last_block, (struct archive *a, int bytes))               \
	X(int, write_open,                                                                  \
	  (struct archive *a, void *ctx, archive_open_callback *open,                       \
	   archive_write_callback *write, archive_close_callback *close))                   \
	X(int, write_header, (struct archive *a, struct archive_entry *e))                  \
	X(la_ssize_t, write_data, (struct archive *a, const void *buf, size_t len))         \
	X(int, write_close, (struct archive *a))                                            \
	X(int, write_free, (struct archive *a))                                             \
	X(struct archive *, read_new, (void))                                               \
	X(int, read_support_format_tar, (struct archive *a))                                \
	X(int, read_support_filter_zstd, (struct archive *a))                               \
	X(int, read_support_filter_gzip, (struct archive *a))                               \
	X(int, read_support_filter_all, (struct archive *a))                                \
	X(int, read_support_format_zip, (struct archive *a))                                \
	X(int, read_open_memory, (struct archive *a, const void *buf, size_t len))          \
	X(int, read_open_filename,                                                          \
	  (struct archive *a, const char *name, size_t block_size))                         \
	X(int, read_next_header, (struct archive *a, struct archive_entry **e))             \
	X(int, read_data_block,                                                             \
	  (struct archive *a, const void **buf, size_t *len, la_int64_t *offset))           \
	X(int, read_free, (struct archive *a))                                              \
	X(struct archive_entry *, entry_new, (void))                                        \
	X(struct archive_entry *, entry_clear, (struct archive_entry *e))                  \
	X(void, entry_free, (struct archive_entry *e))                                     \
	X(const char *, entry_pathname, (struct archive_entry *e))                         \
	X(const char *, entry_hardlink, (struct archive_entry *e))                         \
	X(mode_t, entry_filetype, (struct archive_entry *e))                               \
	X(mode_t, entry_perm, (struct archive_entry *e))                                   \
	X(time_t, entry_mtime, (struct archive_entry *e))                                  \
	X(long, entry_mtime_nsec, (struct archive_entry *e))                               \
	X(la_int64_t, entry_size, (struct archive_entry *e))                               \
	X(int, entry_size_is_set, (struct archive_entry *e))                               \
	X(const char *, entry_symlink, (struct archive_entry *e))                          \
	X(void, entry_set_pathname, (struct archive_entry *e, const char *path))           \
	X(void, entry_set_filetype, (struct archive_entry *e, unsigned int type))          \
	X(void, entry_set_perm, (struct archive_entry *e, mode_t perm))                    \
	X(void, entry_set_size, (struct archive_entry *e, la_int64_t size))                \
	X(void, entry_set_mtime, (struct archive_entry *e, time_t sec, long nsec))         \
	X(void, entry_set_symlink, (struct archive_entry *e, const char *target))          \
	X(void, entry_set_hardlink, (struct archive_entry *e, const char *target))         \
	X(void, entry_sparse_add_entry,                                                    \
	  (struct archive_entry *e, la_int64_t offset, la_int64_t length))

struct archive_lib {
#define ARCHIVE_LIB_MEMBER(ret, name, params) ret (*name) params;
	ARCHIVE_LIB_FUNCTIONS(ARCHIVE_LIB_MEMBER)
#undef ARCHIVE_LIB_MEMBER
};

/* The loaded library, or NULL with the reason in err.  Any thread may call
 * it, the first call included. */
const struct archive_lib *archive_lib(char *err, size_t errlen);

#endif
