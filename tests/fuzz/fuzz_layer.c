/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for img_layer_unpack: arbitrary bytes (tar, compressed or
 * not) unpacked into a fresh directory inside a sentinel directory; anything
 * that appears next to it, or at the filesystem root, is an escape and aborts.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "image/image.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char sentinel[64];
static int sentinel_fd = -1;
static size_t root_entries;

/* Entries of dirfd other than "." and "..". */
static size_t count_entries(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t n = 0;

	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static size_t count_entries_at(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n;

	if (fd < 0)
		abort();
	n = count_entries(fd);
	close(fd);
	return n;
}

static void remove_sentinel(void)
{
	fs_rm_rf_at(AT_FDCWD, sentinel, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	berth_log_set_level(BERTH_LOG_ERROR);
	strcpy(sentinel, "/tmp/berth-fuzz-layer.XXXXXX");
	if (!mkdtemp(sentinel))
		abort();
	sentinel_fd = open(sentinel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sentinel_fd < 0)
		abort();
	root_entries = count_entries_at("/");
	atexit(remove_sentinel);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_unpack_opts opts = {.ignore_chown_errors = true};
	struct berth_error *err = NULL;
	int in = memfd_create("layer", MFD_CLOEXEC), dest;

	if (in < 0 || (size && write(in, data, size) != (ssize_t)size) || lseek(in, 0, SEEK_SET) < 0)
		abort();
	if (mkdirat(sentinel_fd, "dest", 0755) < 0)
		abort();
	dest = openat(sentinel_fd, "dest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dest < 0)
		abort();
	img_layer_unpack(in, dest, &opts, NULL, &err);
	berth_error_free(&err);
	close(in);
	close(dest);
	/* the sentinel holds dest and nothing else; the root has what it had */
	if (count_entries(sentinel_fd) != 1)
		abort();
	if (count_entries_at("/") != root_entries)
		abort();
	if (fs_rm_rf_at(sentinel_fd, "dest", NULL) < 0)
		abort();
	return 0;
}
