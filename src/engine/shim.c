/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth-shim's body: a small static program that carries on a monitor's
 * loop (monitor_loop.c, attach_server.c, logs_write.c) for a process that
 * runs on, with a fraction of berth's memory, then execs berth to record the
 * exit. Needs nothing but libc and base/.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/engine.h"
#include "engine/monitor.h"

extern char **environ;

struct shim {
	struct mon_run r;
	int exe_fd;
	char **clients;
	char *const *resume; /* berth's command line, after "--" */
};

/* The value of "--name=value" when arg is that option, else NULL. */
static const char *opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, "--", 2) || strncmp(arg + 2, name, n) || arg[2 + n] != '=')
		return NULL;
	return arg + 3 + n;
}

static int parse(int argc, char **argv, struct shim *s)
{
	struct mon_run *r = &s->r;
	long long size = 0;
	int files = 1;
	const char *v, *log = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			s->resume = argv + i + 1;
			break;
		}
		if ((v = opt(a, "out")))
			r->out_fd = atoi(v);
		else if ((v = opt(a, "err")))
			r->err_fd = atoi(v);
		else if ((v = opt(a, "in")))
			r->in_fd = atoi(v);
		else if ((v = opt(a, "pidfd")))
			r->pidfd = atoi(v);
		else if ((v = opt(a, "listen")))
			r->listen_fd = atoi(v);
		else if ((v = opt(a, "exe")))
			s->exe_fd = atoi(v);
		else if ((v = opt(a, "pid")))
			r->pid = (pid_t)atoi(v);
		else if ((v = opt(a, "client")))
			strv_push(&s->clients, v);
		else if ((v = opt(a, "log")))
			log = v;
		else if ((v = opt(a, "log-max-size")))
			size = atoll(v);
		else if ((v = opt(a, "log-max-file")))
			files = atoi(v);
		else if (!strcmp(a, "--tty"))
			r->tty = true;
		else if (!strcmp(a, "--stdin-once"))
			r->stdin_once = true;
		else
			return -1;
	}
	if (!s->resume || !s->resume[0] || r->pid <= 0 || r->out_fd < 0)
		return -1;
	if (log)
		r->log = eng_log_writer_open(log, size, files, NULL);
	return 0;
}

/* Every fd the shim was handed back to close-on-exec: only the resume's are passed on. */
static void set_cloexec(const struct mon_run *r)
{
	const int fds[] = {r->out_fd, r->err_fd, r->in_fd, r->pidfd, r->listen_fd};

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, FD_CLOEXEC);
}

int eng_shim_main(int argc, char **argv)
{
	struct shim s = {.r = {.out_fd = -1, .err_fd = -1, .in_fd = -1, .pidfd = -1, .listen_fd = -1}, .exe_fd = -1};
	_cleanup_strv_ char **resume = NULL;
	int status = 0;

	if (parse(argc, argv, &s) < 0) {
		fprintf(stderr, "berth-shim: usage: berth-shim --out=FD --pid=PID [OPTIONS] -- BERTH-COMMAND...\n");
		return 2;
	}
	/* as the monitor: a client gone away must not kill us */
	signal(SIGPIPE, SIG_IGN);
	set_cloexec(&s.r);
	mon_clients_parse(&s.r, s.clients);
	s.r.in_buf = xmalloc(ENG_ATTACH_DATA_MAX);
	mon_wait(&s.r, 0, &status);
	if (s.r.log)
		eng_log_writer_close(s.r.log);
	for (size_t i = 0; s.resume[i]; i++)
		strv_push(&resume, s.resume[i]);
	strv_push_take(&resume, xasprintf("--resume-status=%d", status));
	mon_clients_to_args(&s.r, &resume);
	if (s.r.listen_fd >= 0)
		fcntl(s.r.listen_fd, F_SETFD, 0);
	if (s.exe_fd >= 0)
		execveat(s.exe_fd, "", resume, environ, AT_EMPTY_PATH);
	execve(resume[0], resume, environ);
	fprintf(stderr, "berth-shim: exec '%s': %s\n", resume[0], strerror(errno));
	return 127;
}
