/* SPDX-License-Identifier: GPL-2.0-or-later */
/* berth-init's signal policy: which signals it passes on to the container's command. */
#pragma once

#include <signal.h>
#include <stdbool.h>

/*
 * Whether berth-init forwards sig to its child: every catchable signal
 * except SIGCHLD (it reaps instead), the synchronous fault signals
 * (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT: they concern
 * berth-init itself) and glibc's two internal real-time signals.
 */
bool init_signal_forwarded(int sig);

/* Fill set with every forwarded signal plus SIGCHLD: what berth-init blocks and waits for. */
void init_signal_set(sigset_t *set);
