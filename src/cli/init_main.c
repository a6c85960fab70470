/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * berth-init: a minimal init for PID 1 of a container (docker run --init), as
 * tini or docker-init. It forks the command, forwards signals to it, reaps
 * every zombie and exits with the command's status. Linked statically: it
 * runs inside any rootfs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth-config.h"
#include "cli/init/signals.h"

#define PROG "berth-init"

struct init_opts {
	bool group; /* -g: signal the child's whole process group */
	char **argv;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: " PROG " [-g] [-s] [--] PROGRAM [ARGS...]\n\n"
		   "Run PROGRAM as the child of a minimal init: forward signals to it, reap\n"
		   "zombies, exit with its status.\n\n"
		   "  -g  forward signals to the child's process group\n"
		   "  -s  become a child subreaper (done anyway when not PID 1)\n"
		   "  -h  show this help\n"
		   "  -V  show the version\n");
}

/* Returns -1 on a usage error, 1 when done (help, version), 0 to run. */
static int parse_args(int argc, char **argv, struct init_opts *o)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			switch (*p) {
			case 'g':
				o->group = true;
				break;
			case 's':
				break;
			case 'h':
				usage(stdout);
				return 1;
			case 'V':
				printf(PROG " version %s\n", BERTH_VERSION);
				return 1;
			default:
				fprintf(stderr, PROG ": unknown option '-%c'\n", *p);
				return -1;
			}
		}
	}
	if (i >= argc) {
		fprintf(stderr, PROG ": no program given\n");
		return -1;
	}
	o->argv = argv + i;
	return 0;
}

/* In the child: own process group (and the terminal's foreground) with -g, the old mask, exec. */
static void __attribute__((noreturn)) run_child(const struct init_opts *o, const sigset_t *old)
{
	if (o->group) {
		setpgid(0, 0);
		/* SIGTTOU is still blocked here, so a background group may take the terminal */
		if (isatty(STDIN_FILENO))
			tcsetpgrp(STDIN_FILENO, getpgrp());
	}
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(o->argv[0], o->argv);
	fprintf(stderr, PROG ": exec '%s': %s\n", o->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* The exit code for a wait status: the code, or 128 + the signal. */
static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* Reap every exited process (zombies of orphans included); true once child is among them. */
static bool reap_all(pid_t child, int *ret_code)
{
	bool done = false;
	int status;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0)
		if (p == child) {
			*ret_code = status_code(status);
			done = true;
		}
	return done;
}

static void forward(pid_t child, bool group, int sig)
{
	/* the child may have left its group (setsid): then only itself */
	if (group && kill(-child, sig) == 0)
		return;
	kill(child, sig);
}

int main(int argc, char **argv)
{
	struct init_opts o = {0};
	sigset_t set, old;
	pid_t child;
	int rc = parse_args(argc, argv, &o);

	if (rc != 0)
		return rc < 0 ? 2 : 0;
	/* blocked before the fork: nothing arrives unhandled, the child unblocks */
	init_signal_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0) {
		fprintf(stderr, PROG ": block signals: %s\n", strerror(errno));
		return 1;
	}
	/* outside a pid namespace of our own, orphans must still come to us */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fprintf(stderr, PROG ": become child subreaper: %s, ignoring\n", strerror(errno));
	child = fork();
	if (child < 0) {
		fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0)
		run_child(&o, &old);
	if (o.group)
		setpgid(child, child); /* as the child does: no window where -child names nothing */
	for (;;) {
		int sig = sigwaitinfo(&set, NULL), code = 0;

		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD)
			forward(child, o.group, sig);
		else if (reap_all(child, &code))
			return code;
	}
}
