/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LD_PRELOAD shim for tests: syscall(SYS_openat2) and syscall(SYS_clone3) fail
 * with ENOSYS, as on kernels before 5.6/5.3, so the fallbacks get exercised.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

typedef long (*syscall_fn)(long, ...);

/*
 * The caller's argument count is unknown, so six are read; past the real ones
 * that reads the caller's stack, which is harmless but which ASan reports.
 */
__attribute__((no_sanitize_address)) long syscall(long number, ...)
{
	static syscall_fn real;
	long a[6];
	va_list ap;

	if (number == SYS_openat2 || number == SYS_clone3) {
		errno = ENOSYS;
		return -1;
	}
	if (!real)
		real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
