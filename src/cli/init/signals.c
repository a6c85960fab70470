/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-init's signal policy: the table of signals passed on to the child. */
#include "cli/init/signals.h"

/* Signals that are never forwarded; everything else up to SIGRTMAX is. */
static const int not_forwarded[] = {
	SIGKILL, SIGSTOP,					    /* cannot be caught */
	SIGCHLD,						    /* ours: a child changed state */
	SIGSEGV, SIGBUS,  SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT, /* faults of berth-init itself */
};

bool init_signal_forwarded(int sig)
{
	if (sig < 1 || sig > SIGRTMAX)
		return false;
	/* 32 and 33 (between the 31 standard signals and SIGRTMIN) belong to glibc's threads */
	if (sig > 31 && sig < SIGRTMIN)
		return false;
	for (size_t i = 0; i < sizeof(not_forwarded) / sizeof(not_forwarded[0]); i++)
		if (not_forwarded[i] == sig)
			return false;
	return true;
}

void init_signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (init_signal_forwarded(sig))
			sigaddset(set, sig);
	sigaddset(set, SIGCHLD);
}
