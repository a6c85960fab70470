/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image/: libarchive, loaded on first use (it pulls in libxml2 and ICU, milliseconds to load). Include this header
 * instead of <archive.h> and <archive_entry.h>: the names of the functions berth calls become calls through a table
 * that img_archive_api() fills with dlopen("libarchive.so.13") the first time; a program that never calls them never
 * loads the library. A function berth starts to use must be added to IMG_ARCHIVE_SYMS and below.
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#define IMG_ARCHIVE_SYMS(X)                        \
	X(archive_entry_atime)                     \
	X(archive_entry_atime_is_set)              \
	X(archive_entry_atime_nsec)                \
	X(archive_entry_copy_hardlink)             \
	X(archive_entry_copy_pathname)             \
	X(archive_entry_copy_stat)                 \
	X(archive_entry_copy_symlink)              \
	X(archive_entry_filetype)                  \
	X(archive_entry_free)                      \
	X(archive_entry_gid)                       \
	X(archive_entry_hardlink)                  \
	X(archive_entry_mode)                      \
	X(archive_entry_mtime)                     \
	X(archive_entry_mtime_nsec)                \
	X(archive_entry_new)                       \
	X(archive_entry_pathname)                  \
	X(archive_entry_perm)                      \
	X(archive_entry_rdev)                      \
	X(archive_entry_rdevmajor)                 \
	X(archive_entry_rdevminor)                 \
	X(archive_entry_set_filetype)              \
	X(archive_entry_set_gid)                   \
	X(archive_entry_set_mode)                  \
	X(archive_entry_set_mtime)                 \
	X(archive_entry_set_pathname)              \
	X(archive_entry_set_perm)                  \
	X(archive_entry_set_rdevmajor)             \
	X(archive_entry_set_rdevminor)             \
	X(archive_entry_set_size)                  \
	X(archive_entry_set_uid)                   \
	X(archive_entry_size)                      \
	X(archive_entry_size_is_set)               \
	X(archive_entry_symlink)                   \
	X(archive_entry_uid)                       \
	X(archive_entry_xattr_add_entry)           \
	X(archive_entry_xattr_next)                \
	X(archive_entry_xattr_reset)               \
	X(archive_errno)                           \
	X(archive_error_string)                    \
	X(archive_filter_code)                     \
	X(archive_read_data)                       \
	X(archive_read_data_block)                 \
	X(archive_read_data_skip)                  \
	X(archive_read_free)                       \
	X(archive_read_new)                        \
	X(archive_read_next_header)                \
	X(archive_read_open)                       \
	X(archive_read_open_fd)                    \
	X(archive_read_support_filter_all)         \
	X(archive_read_support_filter_bzip2)       \
	X(archive_read_support_filter_gzip)        \
	X(archive_read_support_filter_xz)          \
	X(archive_read_support_filter_zstd)        \
	X(archive_read_support_format_empty)       \
	X(archive_read_support_format_gnutar)      \
	X(archive_read_support_format_raw)         \
	X(archive_read_support_format_tar)         \
	X(archive_set_error)                       \
	X(archive_write_add_filter_gzip)           \
	X(archive_write_close)                     \
	X(archive_write_data)                      \
	X(archive_write_free)                      \
	X(archive_write_header)                    \
	X(archive_write_new)                       \
	X(archive_write_open)                      \
	X(archive_write_open_fd)                   \
	X(archive_write_set_bytes_in_last_block)   \
	X(archive_write_set_filter_option)         \
	X(archive_write_set_format_option)         \
	X(archive_write_set_format_pax_restricted) \
	X(archive_write_set_format_raw)

/* One pointer per function, of the function's own type. */
struct img_archive_api {
#define IMG_ARCHIVE_SLOT(name) __typeof__(name) *name;
	IMG_ARCHIVE_SYMS(IMG_ARCHIVE_SLOT)
#undef IMG_ARCHIVE_SLOT
};

/* The table, loading the library on the first call; exits 125 with a message when it cannot. */
const struct img_archive_api *img_archive_api(void);

#ifndef IMG_ARCHIVE_IMPL
#undef archive_entry_atime
#define archive_entry_atime (img_archive_api()->archive_entry_atime)
#undef archive_entry_atime_is_set
#define archive_entry_atime_is_set (img_archive_api()->archive_entry_atime_is_set)
#undef archive_entry_atime_nsec
#define archive_entry_atime_nsec (img_archive_api()->archive_entry_atime_nsec)
#undef archive_entry_copy_hardlink
#define archive_entry_copy_hardlink (img_archive_api()->archive_entry_copy_hardlink)
#undef archive_entry_copy_pathname
#define archive_entry_copy_pathname (img_archive_api()->archive_entry_copy_pathname)
#undef archive_entry_copy_stat
#define archive_entry_copy_stat (img_archive_api()->archive_entry_copy_stat)
#undef archive_entry_copy_symlink
#define archive_entry_copy_symlink (img_archive_api()->archive_entry_copy_symlink)
#undef archive_entry_filetype
#define archive_entry_filetype (img_archive_api()->archive_entry_filetype)
#undef archive_entry_free
#define archive_entry_free (img_archive_api()->archive_entry_free)
#undef archive_entry_gid
#define archive_entry_gid (img_archive_api()->archive_entry_gid)
#undef archive_entry_hardlink
#define archive_entry_hardlink (img_archive_api()->archive_entry_hardlink)
#undef archive_entry_mode
#define archive_entry_mode (img_archive_api()->archive_entry_mode)
#undef archive_entry_mtime
#define archive_entry_mtime (img_archive_api()->archive_entry_mtime)
#undef archive_entry_mtime_nsec
#define archive_entry_mtime_nsec (img_archive_api()->archive_entry_mtime_nsec)
#undef archive_entry_new
#define archive_entry_new (img_archive_api()->archive_entry_new)
#undef archive_entry_pathname
#define archive_entry_pathname (img_archive_api()->archive_entry_pathname)
#undef archive_entry_perm
#define archive_entry_perm (img_archive_api()->archive_entry_perm)
#undef archive_entry_rdev
#define archive_entry_rdev (img_archive_api()->archive_entry_rdev)
#undef archive_entry_rdevmajor
#define archive_entry_rdevmajor (img_archive_api()->archive_entry_rdevmajor)
#undef archive_entry_rdevminor
#define archive_entry_rdevminor (img_archive_api()->archive_entry_rdevminor)
#undef archive_entry_set_filetype
#define archive_entry_set_filetype (img_archive_api()->archive_entry_set_filetype)
#undef archive_entry_set_gid
#define archive_entry_set_gid (img_archive_api()->archive_entry_set_gid)
#undef archive_entry_set_mode
#define archive_entry_set_mode (img_archive_api()->archive_entry_set_mode)
#undef archive_entry_set_mtime
#define archive_entry_set_mtime (img_archive_api()->archive_entry_set_mtime)
#undef archive_entry_set_pathname
#define archive_entry_set_pathname (img_archive_api()->archive_entry_set_pathname)
#undef archive_entry_set_perm
#define archive_entry_set_perm (img_archive_api()->archive_entry_set_perm)
#undef archive_entry_set_rdevmajor
#define archive_entry_set_rdevmajor (img_archive_api()->archive_entry_set_rdevmajor)
#undef archive_entry_set_rdevminor
#define archive_entry_set_rdevminor (img_archive_api()->archive_entry_set_rdevminor)
#undef archive_entry_set_size
#define archive_entry_set_size (img_archive_api()->archive_entry_set_size)
#undef archive_entry_set_uid
#define archive_entry_set_uid (img_archive_api()->archive_entry_set_uid)
#undef archive_entry_size
#define archive_entry_size (img_archive_api()->archive_entry_size)
#undef archive_entry_size_is_set
#define archive_entry_size_is_set (img_archive_api()->archive_entry_size_is_set)
#undef archive_entry_symlink
#define archive_entry_symlink (img_archive_api()->archive_entry_symlink)
#undef archive_entry_uid
#define archive_entry_uid (img_archive_api()->archive_entry_uid)
#undef archive_entry_xattr_add_entry
#define archive_entry_xattr_add_entry (img_archive_api()->archive_entry_xattr_add_entry)
#undef archive_entry_xattr_next
#define archive_entry_xattr_next (img_archive_api()->archive_entry_xattr_next)
#undef archive_entry_xattr_reset
#define archive_entry_xattr_reset (img_archive_api()->archive_entry_xattr_reset)
#undef archive_errno
#define archive_errno (img_archive_api()->archive_errno)
#undef archive_error_string
#define archive_error_string (img_archive_api()->archive_error_string)
#undef archive_filter_code
#define archive_filter_code (img_archive_api()->archive_filter_code)
#undef archive_read_data
#define archive_read_data (img_archive_api()->archive_read_data)
#undef archive_read_data_block
#define archive_read_data_block (img_archive_api()->archive_read_data_block)
#undef archive_read_data_skip
#define archive_read_data_skip (img_archive_api()->archive_read_data_skip)
#undef archive_read_free
#define archive_read_free (img_archive_api()->archive_read_free)
#undef archive_read_new
#define archive_read_new (img_archive_api()->archive_read_new)
#undef archive_read_next_header
#define archive_read_next_header (img_archive_api()->archive_read_next_header)
#undef archive_read_open
#define archive_read_open (img_archive_api()->archive_read_open)
#undef archive_read_open_fd
#define archive_read_open_fd (img_archive_api()->archive_read_open_fd)
#undef archive_read_support_filter_all
#define archive_read_support_filter_all (img_archive_api()->archive_read_support_filter_all)
#undef archive_read_support_filter_bzip2
#define archive_read_support_filter_bzip2 (img_archive_api()->archive_read_support_filter_bzip2)
#undef archive_read_support_filter_gzip
#define archive_read_support_filter_gzip (img_archive_api()->archive_read_support_filter_gzip)
#undef archive_read_support_filter_xz
#define archive_read_support_filter_xz (img_archive_api()->archive_read_support_filter_xz)
#undef archive_read_support_filter_zstd
#define archive_read_support_filter_zstd (img_archive_api()->archive_read_support_filter_zstd)
#undef archive_read_support_format_empty
#define archive_read_support_format_empty (img_archive_api()->archive_read_support_format_empty)
#undef archive_read_support_format_gnutar
#define archive_read_support_format_gnutar (img_archive_api()->archive_read_support_format_gnutar)
#undef archive_read_support_format_raw
#define archive_read_support_format_raw (img_archive_api()->archive_read_support_format_raw)
#undef archive_read_support_format_tar
#define archive_read_support_format_tar (img_archive_api()->archive_read_support_format_tar)
#undef archive_set_error
#define archive_set_error (img_archive_api()->archive_set_error)
#undef archive_write_add_filter_gzip
#define archive_write_add_filter_gzip (img_archive_api()->archive_write_add_filter_gzip)
#undef archive_write_close
#define archive_write_close (img_archive_api()->archive_write_close)
#undef archive_write_data
#define archive_write_data (img_archive_api()->archive_write_data)
#undef archive_write_free
#define archive_write_free (img_archive_api()->archive_write_free)
#undef archive_write_header
#define archive_write_header (img_archive_api()->archive_write_header)
#undef archive_write_new
#define archive_write_new (img_archive_api()->archive_write_new)
#undef archive_write_open
#define archive_write_open (img_archive_api()->archive_write_open)
#undef archive_write_open_fd
#define archive_write_open_fd (img_archive_api()->archive_write_open_fd)
#undef archive_write_set_bytes_in_last_block
#define archive_write_set_bytes_in_last_block (img_archive_api()->archive_write_set_bytes_in_last_block)
#undef archive_write_set_filter_option
#define archive_write_set_filter_option (img_archive_api()->archive_write_set_filter_option)
#undef archive_write_set_format_option
#define archive_write_set_format_option (img_archive_api()->archive_write_set_format_option)
#undef archive_write_set_format_pax_restricted
#define archive_write_set_format_pax_restricted (img_archive_api()->archive_write_set_format_pax_restricted)
#undef archive_write_set_format_raw
#define archive_write_set_format_raw (img_archive_api()->archive_write_set_format_raw)
#endif
