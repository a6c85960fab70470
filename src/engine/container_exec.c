/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker exec without a daemon: a process.json derived from the running
 * container's config.json, run by the runtime library in this process; with
 * a tty, the pty master comes to our console socket and we proxy it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/attach.h"
#include "engine/attach_internal.h"
#include "engine/engine.h"
#include "engine/spec_internal.h"
#include "oci/oci.h"
#include "runtime/runtime.h"
#include "sys/sys.h"

#ifndef CAP_LAST_CAP
#define CAP_LAST_CAP 40
#endif

/* Set KEY=VALUE in the JSON env array, replacing an entry of the same key. */
static void env_set(json_t *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	size_t i;
	json_t *v;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);

		if (s && !strncmp(s, kv, klen) && (s[klen] == '=' || s[klen] == '\0')) {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

static int apply_user(json_t *proc, json_t *env, pid_t pid, const char *user, struct berth_error **err)
{
	_cleanup_free_ char *root = xasprintf("/proc/%d/root", pid);
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *home = NULL;
	struct spec_user u;
	json_t *gids = json_array(), *obj = json_object();

	if (rootfd < 0 || spec_user_resolve(rootfd, user, NULL, &u, err) < 0) {
		json_decref(gids);
		json_decref(obj);
		return rootfd < 0 ? berth_error_set(err, errno, "open '%s'", root) : -1;
	}
	for (size_t i = 0; i < u.n_sgids; i++)
		json_array_append_new(gids, json_integer(u.sgids[i]));
	json_object_set_new(obj, "uid", json_integer(u.uid));
	json_object_set_new(obj, "gid", json_integer(u.gid));
	json_object_set_new(obj, "additionalGids", gids);
	json_object_set_new(proc, "user", obj);
	home = xasprintf("HOME=%s", u.home);
	env_set(env, home);
	spec_user_done(&u);
	return 0;
}

/* Every capability this process may hand on (its bounding set: a host may lack some). */
static void all_caps(json_t *proc)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable"};
	json_t *caps = json_object();

	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		json_t *list = json_array();

		for (int c = 0; c <= CAP_LAST_CAP; c++)
			if (oci_cap_name(c) && prctl(PR_CAPBSET_READ, c) > 0)
				json_array_append_new(list, json_string(oci_cap_name(c)));
		json_object_set_new(caps, sets[s], list);
	}
	json_object_set_new(proc, "capabilities", caps);
}

/* The container's process with the options applied. */
static int build_process(struct eng *e, const struct eng_ctr *c, pid_t pid, const struct eng_exec_opts *o, json_t **ret,
			 struct berth_error **err)
{
	_cleanup_free_ char *dir = eng_ctr_dir(e, c->id), *text = NULL;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	json_t *spec, *proc, *env, *args = json_array();
	json_error_t jerr;
	unsigned short rows, cols;
	bool tty = o->tty && !o->detach;
	size_t len;

	if (dfd < 0 || fs_read_file_at(dfd, "config.json", &text, &len, err) < 0)
		return dfd < 0 ? berth_error_set(err, errno, "open '%s'", dir) : -1;
	spec = json_loadb(text, len, 0, &jerr);
	proc = json_deep_copy(json_object_get(spec, "process"));
	json_decref(spec);
	if (!json_is_object(proc)) {
		json_decref(proc);
		return berth_error_set(err, 0, "%s/config.json: no process", dir);
	}
	env = json_object_get(proc, "env");
	if (!json_is_array(env))
		json_object_set_new(proc, "env", env = json_array());
	for (char **a = o->args; *a; a++)
		json_array_append_new(args, json_string(*a));
	json_object_set_new(proc, "args", args);
	/* -dt: nobody would hold the pty master, so the process gets none */
	json_object_set_new(proc, "terminal", json_boolean(tty));
	json_object_del(proc, "consoleSize");
	if (tty && attach_term_size(&rows, &cols) && rows && cols)
		json_object_set_new(proc, "consoleSize", json_pack("{s:i,s:i}", "height", rows, "width", cols));
	if (tty)
		env_set(env, "TERM=xterm");
	for (char **kv = o->env; kv && *kv; kv++)
		env_set(env, *kv);
	if (o->workdir)
		json_object_set_new(proc, "cwd", json_string(o->workdir));
	if (o->privileged)
		all_caps(proc);
	if (o->user && apply_user(proc, env, pid, o->user, err) < 0) {
		json_decref(proc);
		return -1;
	}
	*ret = proc;
	return 0;
}

/* The files of one exec in the container's run directory: process.json, pid file, console socket. */
struct exec_files {
	char *process, *pid, *console;
};

static void exec_files_done(struct exec_files *f)
{
	char *v[] = {f->process, f->pid, f->console};

	for (size_t i = 0; i < 3; i++)
		if (v[i]) {
			unlink(v[i]);
			free(v[i]);
		}
}

/* rt_exec with fds 0-2 replaced where the process must not share ours (restored after). */
static int exec_plain(const struct rt_global *g, const char *id, struct rt_exec_opts *ro, const struct eng_exec_opts *o,
		      int *ret_code, struct berth_error **err)
{
	int saved[3] = {-1, -1, -1};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int n = o->detach ? 3 : (o->interactive ? 0 : 1);
	int rc;

	if (null < 0)
		return berth_error_set(err, errno, "open '/dev/null'");
	for (int fd = 0; fd < n; fd++) {
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		dup2(null, fd);
	}
	rc = rt_exec(g, id, ro, ret_code, err);
	for (int fd = 0; fd < n; fd++)
		if (saved[fd] >= 0) {
			dup2(saved[fd], fd);
			close(saved[fd]);
		}
	close(null);
	return rc;
}

struct proxy {
	int master, pidfd;
	pid_t pid;
	bool in, exited;
	struct attach_term term;
};

static void proxy_signals(struct proxy *p)
{
	struct signalfd_siginfo si;
	struct winsize ws;

	while (read(p->term.sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH && attach_term_size(&ws.ws_row, &ws.ws_col))
			(void)ioctl(p->master, TIOCSWINSZ, &ws);
		else if (si.ssi_signo != SIGWINCH && si.ssi_signo != SIGPIPE)
			kill(p->pid, (int)si.ssi_signo);
	}
}

/* Copy fd 0 to the master and the master to fd 1 until the process exits and its output is read. */
static void proxy_loop(struct proxy *p)
{
	char buf[ENG_ATTACH_DATA_MAX];

	for (;;) {
		struct pollfd f[4] = {{p->master, POLLIN, 0},
				      {p->in ? 0 : -1, POLLIN, 0},
				      {p->term.sigfd, POLLIN, 0},
				      {p->exited ? -1 : p->pidfd, POLLIN, 0}};
		int n = poll(f, 4, p->exited ? 100 : -1);
		ssize_t r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* exited, and the output is quiet */
		if (f[2].revents)
			proxy_signals(p);
		if (f[3].revents)
			p->exited = true;
		if (f[1].revents) {
			r = read(0, buf, sizeof(buf));
			if (r <= 0 || attach_write_all(p->master, buf, (size_t)r) < 0)
				p->in = false;
		}
		if (f[0].revents) {
			r = read(p->master, buf, sizeof(buf));
			if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN)))
				return; /* EIO: every slave is closed */
			if (r > 0)
				attach_write_all(1, buf, (size_t)r);
		}
	}
}

/* With a tty: the runtime detaches and sends the master to our console socket; we proxy, then reap. */
static int exec_tty(const struct rt_global *g, const char *id, struct rt_exec_opts *ro, const struct exec_files *f,
		    const struct eng_exec_opts *o, int *ret_code, struct berth_error **err)
{
	_cleanup_close_ int lfd = eng_unix_listen(f->console, SOCK_STREAM, err);
	_cleanup_free_ char *pidtext = NULL;
	struct proxy p = {.master = -1, .pidfd = -1, .in = o->interactive, .term = {.sigfd = -1}};
	int status, ignored;

	if (lfd < 0)
		return -1;
	ro->console_socket = f->console;
	ro->detach = true;
	ro->pid_file = f->pid;
	if (rt_exec(g, id, ro, &ignored, err) < 0)
		return -1;
	p.master = attach_recv_master(lfd, err);
	if (p.master < 0 || fs_read_file_at(AT_FDCWD, f->pid, &pidtext, NULL, err) < 0 ||
	    parse_int(pidtext, &p.pid) < 0) {
		if (p.master >= 0)
			close(p.master);
		return berth_error_set(err, 0, "exec in container '%s': no terminal or pid", id);
	}
	p.pidfd = sys_pidfd_open(p.pid, 0);
	if (attach_term_init(&p.term, o->interactive, err) == 0) {
		proxy_loop(&p);
		attach_term_done(&p.term);
	}
	while (waitpid(p.pid, &status, 0) < 0 && errno == EINTR)
		;
	close(p.master);
	if (p.pidfd >= 0)
		close(p.pidfd);
	*ret_code = proc_status_to_code(status);
	return 0;
}

static int find_running(struct eng *e, const char *name, struct eng_ctr **ret, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	const char *status;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	status = eng_ctr_status(c);
	if (!strcmp(status, ENG_STATUS_PAUSED))
		return berth_error_set(err, 0, "container %s is paused, unpause the container before exec", c->id);
	if (!strcmp(status, ENG_STATUS_RESTARTING))
		return berth_error_set(err, 0, "container %s is restarting, wait until the container is running",
				       c->id);
	if (!eng_ctr_is_running(c) || json_integer_value(json_object_get(c->state, "Pid")) <= 0)
		return berth_error_set(err, 0, "container %s is not running", c->id);
	*ret = TAKE_PTR(c);
	return 0;
}

int eng_ctr_exec(struct eng *e, const char *name, const struct eng_exec_opts *o, int *ret_code,
		 struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *rt_root = eng_runtime_root(e), *rundir = NULL, *text = NULL;
	struct rt_global g = {.root = rt_root};
	struct exec_files f = {0};
	struct rt_exec_opts ro = {0};
	json_t *proc = NULL;
	pid_t pid;
	int rc = -1;

	if (!o->args || !o->args[0])
		return berth_error_set(err, 0, "no command specified");
	if (find_running(e, name, &c, err) < 0)
		return -1;
	pid = (pid_t)json_integer_value(json_object_get(c->state, "Pid"));
	if (build_process(e, c, pid, o, &proc, err) < 0)
		return berth_error_wrap(err, "OCI runtime exec failed");
	rundir = eng_ctr_rundir(e, c->id);
	f.process = xasprintf("%s/exec-%d.json", rundir, getpid());
	f.pid = xasprintf("%s/exec-%d.pid", rundir, getpid());
	f.console = xasprintf("%s/exec-%d.sock", rundir, getpid());
	text = json_dumps(proc, JSON_COMPACT);
	json_decref(proc);
	if (fs_write_file_atomic_at(AT_FDCWD, f.process, text, strlen(text), 0600, err) < 0)
		goto out;
	ro.process_file = f.process;
	ro.detach = o->detach;
	if (o->tty && !o->detach)
		rc = exec_tty(&g, c->id, &ro, &f, o, ret_code, err);
	else
		rc = exec_plain(&g, c->id, &ro, o, ret_code, err);
	if (rc < 0)
		berth_error_wrap(err, "OCI runtime exec failed");
	else if (o->detach)
		*ret_code = 0;
out:
	exec_files_done(&f);
	return rc;
}

int eng_exec_error_code(const char *msg)
{
	int code;

	if (strncmp(msg, "OCI runtime exec failed", 23) != 0)
		return 1;
	/* as dockerd: 127 only when the command itself is missing, not a working directory */
	if (strstr(msg, "chdir to cwd"))
		return 126;
	code = eng_start_error_code(msg);
	return code == 125 ? 126 : code;
}
