/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's handoff to berth-shim: a process that has run for a while is
 * served by that small static program (its memory is a fraction of berth's),
 * which execs `berth container-monitor --resume` when the process exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/monitor.h"

extern char **environ;

/* "--name=fd" with fd made inheritable; nothing for -1. */
static void push_fd(char ***argv, const char *name, int fd)
{
	if (fd < 0)
		return;
	fcntl(fd, F_SETFD, 0);
	strv_push_take(argv, xasprintf("--%s=%d", name, fd));
}

/* berth's command line that resumes this monitor (the shim adds the status and the clients). */
static void push_resume(char ***argv, const struct mon_run *r, const struct mon_cycle *cy)
{
	const struct eng *e = r->e;

	strv_push(argv, program_invocation_name);
	strv_push(argv, "--root");
	strv_push(argv, e->root);
	strv_push(argv, "--runroot");
	strv_push(argv, e->runroot);
	if (e->config_dir) {
		strv_push(argv, "--config");
		strv_push(argv, e->config_dir);
	}
	strv_push(argv, "container-monitor");
	strv_push(argv, "--resume");
	strv_push_take(argv, xasprintf("--listen-fd=%d", r->listen_fd));
	strv_push_take(argv, xasprintf("--restarts=%d", cy->restarts));
	strv_push_take(argv, xasprintf("--backoff-ms=%ld", cy->backoff_ms));
	strv_push_take(argv, xasprintf("--started=%lld", cy->started));
	strv_push(argv, r->id);
}

void mon_shim_exec(struct mon_run *r, const struct mon_cycle *cy)
{
	_cleanup_strv_ char **argv = NULL;
	/* the binary the resumed monitor runs: this one, through its protected overlay (rt_exec_from_overlay) */
	int exe = open("/proc/self/exe", O_PATH);

	if (exe < 0)
		return;
	if (r->log && eng_log_flush(r->log, NULL) < 0) {
		close(exe);
		return;
	}
	strv_push(&argv, r->shim);
	push_fd(&argv, "out", r->out_fd);
	push_fd(&argv, "err", r->err_fd);
	push_fd(&argv, "in", r->in_fd);
	push_fd(&argv, "pidfd", r->pidfd);
	push_fd(&argv, "listen", r->listen_fd);
	push_fd(&argv, "exe", exe);
	strv_push_take(&argv, xasprintf("--pid=%d", (int)r->pid));
	if (r->tty)
		strv_push(&argv, "--tty");
	if (r->stdin_once)
		strv_push(&argv, "--stdin-once");
	if (r->log) {
		strv_push_take(&argv, xasprintf("--log=%s", r->log_path));
		strv_push_take(&argv, xasprintf("--log-max-size=%lld", (long long)r->log_max_size));
		strv_push_take(&argv, xasprintf("--log-max-file=%d", r->log_max_file));
	}
	mon_clients_to_args(r, &argv);
	strv_push(&argv, "--");
	push_resume(&argv, r, cy);
	execve(r->shim, argv, environ);
	log_warn("exec '%s': %s, the monitor serves on", r->shim, strerror(errno));
	close(exe);
}
