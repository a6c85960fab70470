/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CVE-2019-5736: a process inside the container could open /proc/PID/exe of
 * the runtime while it sets the container up and later overwrite the binary
 * on the host. The runtime therefore runs from a sealed memfd copy of itself.
 */
#include <errno.h>
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

static bool is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

int rt_ensure_sealed_binary(char **argv, char **envp, struct berth_error **err)
{
	_cleanup_close_ int exe = -1, mfd = -1;
	struct stat st;
	off_t off = 0;

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
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, exe, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			return berth_error_set(err, n < 0 ? errno : EIO, "copy the runtime binary");
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return berth_error_set(err, errno, "seal the runtime binary copy");
	fexecve(mfd, argv, envp);
	return berth_error_set(err, errno, "re-execute from the sealed copy");
}
