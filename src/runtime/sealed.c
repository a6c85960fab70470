/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CVE-2019-5736: a process inside the container could open /proc/PID/exe of
 * the runtime while it sets the container up and later overwrite the binary
 * on the host. The runtime therefore runs from a sealed memfd copy of itself.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/runtime.h"
#include "sys/sys.h"

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/*
 * How much of the binary execve needs: up to the end of the last loadable
 * segment. Debug sections after it are not copied (a third of the cost).
 */
static off_t loadable_size(int fd, off_t file_size)
{
	Elf64_Ehdr eh;
	off_t end = 0;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
		return file_size;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
			return file_size;
		if ((off_t)(ph.p_offset + ph.p_filesz) > end)
			end = (off_t)(ph.p_offset + ph.p_filesz);
	}
	return end > 0 && end <= file_size ? end : file_size;
}

static bool is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

int rt_ensure_sealed_binary(char **argv, char **envp, struct berth_error **err)
{
	_cleanup_close_ int exe = -1, mfd = -1;
	struct stat st;
	off_t off = 0, size;

	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return berth_error_set(err, errno, "open '/proc/self/exe'");
	if (is_sealed(exe))
		return 0;
	if (fstat(exe, &st) < 0)
		return berth_error_set(err, errno, "stat '/proc/self/exe'");
	mfd = sys_memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return berth_error_set(err, errno, "memfd_create");
	size = loadable_size(exe, st.st_size);
	while (off < size) {
		ssize_t n = sendfile(mfd, exe, &off, (size_t)(size - off));
		if (n <= 0)
			return berth_error_set(err, n < 0 ? errno : EIO, "copy the runtime binary");
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return berth_error_set(err, errno, "seal the runtime binary copy");
	fexecve(mfd, argv, envp);
	return berth_error_set(err, errno, "re-execute from the sealed copy");
}
