/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docker top: the container's processes (the runtime's pid list) as ps -ef
 * rows built from /proc, or the host's ps run with the user's options and
 * cut down to the container's pids, as dockerd does.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "runtime/runtime.h"

void eng_proc_done(struct eng_proc *p)
{
	free(p->cmd);
	p->cmd = NULL;
}

/* Fields after "(comm)" of /proc/PID/stat; comm itself may hold spaces and parentheses. */
static int parse_stat(const char *text, struct eng_proc *p, char **ret_comm)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long f[20] = {0};
	const char *s;
	char state;

	if (!open || !close || close < open || sscanf(close + 1, " %c", &state) != 1)
		return -1;
	s = close + 3; /* ") S " */
	for (int i = 0; i < 20; i++) {
		char *end;

		f[i] = strtoull(s, &end, 10);
		if (end == s)
			return -1;
		s = end;
	}
	/* f[0] is field 4 (ppid): tty_nr 7, utime 14, stime 15, starttime 22 */
	p->ppid = (pid_t)f[0];
	p->tty_nr = (unsigned long)f[3];
	p->utime = f[10];
	p->stime = f[11];
	p->start = f[18];
	*ret_comm = strndup(open + 1, (size_t)(close - open - 1));
	return 0;
}

static uid_t status_euid(const char *status)
{
	const char *u = strstr(status, "\nUid:");
	unsigned long real, eff;

	if (!u || sscanf(u + 5, "%lu %lu", &real, &eff) != 2)
		return 0;
	return (uid_t)eff;
}

static char *cmdline_text(char *raw, size_t len, const char *comm)
{
	while (len > 0 && raw[len - 1] == '\0')
		len--;
	if (len == 0)
		return xasprintf("[%s]", comm);
	for (size_t i = 0; i < len; i++)
		if (raw[i] == '\0' || raw[i] == '\n')
			raw[i] = ' ';
	return strndup(raw, len);
}

int eng_proc_read(const char *proc_dir, pid_t pid, struct eng_proc *ret, struct berth_error **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%d", proc_dir, (int)pid), *stat = NULL, *status = NULL;
	_cleanup_free_ char *cmdline = NULL, *comm = NULL;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct eng_proc p = {.pid = pid};
	size_t len = 0;

	if (dfd < 0)
		return berth_error_set(err, errno, "open '%s'", dir);
	if (fs_read_file_at(dfd, "stat", &stat, &len, err) < 0 ||
	    fs_read_file_at(dfd, "status", &status, &len, err) < 0)
		return -1;
	if (parse_stat(stat, &p, &comm) < 0)
		return berth_error_set(err, 0, "%s/stat: cannot parse", dir);
	p.uid = status_euid(status);
	if (fs_read_file_at(dfd, "cmdline", &cmdline, &len, NULL) < 0)
		len = 0;
	p.cmd = cmdline_text(cmdline ? cmdline : (char *)"", cmdline ? len : 0, comm);
	*ret = p;
	return 0;
}

static char *tty_name(unsigned long nr)
{
	unsigned major = (unsigned)((nr >> 8) & 0xfff), minor = (unsigned)((nr & 0xff) | ((nr >> 12) & 0xfff00));

	if (nr == 0)
		return xstrdup("?");
	if (major >= 136 && major <= 143)
		return xasprintf("pts/%u", minor + (major - 136) * 256);
	if (major == 4)
		return minor < 64 ? xasprintf("tty%u", minor) : xasprintf("ttyS%u", minor - 64);
	return xstrdup("?");
}

/* procps: HH:MM when started today, MonDD this year, else the year. */
static char *start_text(time_t started, time_t now)
{
	struct tm a, b;
	char out[32];

	localtime_r(&started, &a);
	localtime_r(&now, &b);
	strftime(out, sizeof(out), a.tm_year != b.tm_year ? "%Y" : a.tm_yday != b.tm_yday ? "%b%d" : "%H:%M", &a);
	return xstrdup(out);
}

static char *cpu_time_text(unsigned long long secs)
{
	unsigned long long days = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;

	if (days)
		return xasprintf("%llu-%02llu:%02llu:%02llu", days, h, m, s);
	return xasprintf("%02llu:%02llu:%02llu", h, m, s);
}

static char *user_text(uid_t uid, const struct eng_top_clock *clk)
{
	const char *name = clk->user_name ? clk->user_name(uid, clk->data) : NULL;

	if (!name)
		return xasprintf("%u", (unsigned)uid);
	if (strlen(name) > 8)
		return xasprintf("%.7s+", name);
	return xstrdup(name);
}

json_t *eng_top_row(const struct eng_proc *p, const struct eng_top_clock *clk)
{
	long hz = clk->hz > 0 ? clk->hz : 100;
	unsigned long long total = p->utime + p->stime, pcpu = 0;
	time_t started = clk->boot + (time_t)(p->start / (unsigned long long)hz);
	long long alive = (long long)(clk->now - started);
	_cleanup_free_ char *user = user_text(p->uid, clk), *stime = start_text(started, clk->now);
	_cleanup_free_ char *tty = tty_name(p->tty_nr), *cpu = cpu_time_text(total / (unsigned long long)hz);

	if (alive > 0)
		pcpu = total * 100ULL / (unsigned long long)hz / (unsigned long long)alive;
	if (pcpu > 99)
		pcpu = 99;
	return json_pack("[s, o, o, o, s, s, s, s]", user, json_sprintf("%d", (int)p->pid),
			 json_sprintf("%d", (int)p->ppid), json_sprintf("%llu", pcpu), stime, tty, cpu,
			 p->cmd ? p->cmd : "");
}

static const char *passwd_name(uid_t uid, void *data)
{
	static char buf[4096];
	static struct passwd pw;
	struct passwd *found = NULL;

	(void)data;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || !found)
		return NULL;
	return found->pw_name;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* ps -ef from /proc: processes that exit meanwhile are left out. */
static json_t *top_from_proc(const pid_t *pids, size_t n)
{
	struct eng_top_clock clk = {.hz = sysconf(_SC_CLK_TCK), .now = time(NULL), .user_name = passwd_name};
	json_t *procs = json_array();
	struct sysinfo si;

	if (sysinfo(&si) == 0)
		clk.boot = clk.now - (time_t)si.uptime;
	for (size_t i = 0; i < n; i++) {
		struct eng_proc p;

		if (eng_proc_read("/proc", pids[i], &p, NULL) < 0)
			continue;
		json_array_append_new(procs, eng_top_row(&p, &clk));
		eng_proc_done(&p);
	}
	return json_pack("{s:[s,s,s,s,s,s,s,s], s:o}", "Titles", "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME",
			 "CMD", "Processes", procs);
}

/* All of a memfd, from its start. */
static char *read_memfd(int fd)
{
	struct buf b = {0};
	char chunk[4096];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) == 0)
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			buf_append(&b, chunk, (size_t)n);
	return b.data ? buf_steal(&b) : xstrdup("");
}

/* Run ps with args; *ret_out its stdout. A failure is "ps: <first line of its stderr>". */
static int run_ps(char *const *args, char **ret_out, struct berth_error **err)
{
	_cleanup_close_ int out = memfd_create("ps-out", MFD_CLOEXEC), errfd = memfd_create("ps-err", MFD_CLOEXEC);
	_cleanup_free_ char *why = NULL;
	int status = 0;
	pid_t pid;

	if (out < 0 || errfd < 0)
		return berth_error_set(err, errno, "memfd_create");
	pid = fork();
	if (pid < 0)
		return berth_error_set(err, errno, "fork");
	if (pid == 0) {
		if (dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
			_exit(127);
		execvp("ps", args);
		dprintf(2, "exec: \"ps\": %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berth_error_set(err, errno, "wait for ps");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*ret_out = read_memfd(out);
		return 0;
	}
	why = read_memfd(errfd);
	why[strcspn(why, "\n")] = '\0';
	if (*why)
		return berth_error_set(err, 0, "ps: %s", why);
	return berth_error_set(err, 0, "ps: exit status %d", proc_status_to_code(status));
}

static bool has_pid(const pid_t *pids, size_t n, const char *s)
{
	int v;

	if (parse_int(s, &v) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (pids[i] == v)
			return true;
	return false;
}

/* A row: the fields before the last title, then the rest joined by spaces (the command). */
static json_t *ps_fields(char **fields, size_t n_titles)
{
	json_t *row = json_array();
	struct buf last = {0};
	size_t i;

	for (i = 0; fields[i] && i + 1 < n_titles; i++)
		json_array_append_new(row, json_string(fields[i]));
	for (; fields[i]; i++)
		buf_printf(&last, "%s%s", last.len ? " " : "", fields[i]);
	json_array_append_new(row, json_string(last.data ? last.data : ""));
	buf_done(&last);
	return row;
}

static char **split_fields(const char *line)
{
	_cleanup_free_ char *copy = xstrdup(line);
	char **v = NULL, *save = NULL;

	for (char *f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save))
		strv_push(&v, f);
	return v;
}

/*
 * dockerd's parsePSOutput: titles from the first line, rows whose PID is the
 * container's; a "-" PID (a thread line of ps m) goes with the row before it.
 */
int eng_top_parse_ps(const char *output, const pid_t *pids, size_t n, json_t **ret, struct berth_error **err)
{
	_cleanup_free_ char *copy = xstrdup(output);
	_cleanup_strv_ char **titles = NULL;
	char *save = NULL, *line = strtok_r(copy, "\n", &save);
	json_t *procs;
	size_t pid_at, n_titles;
	bool prev = false;

	titles = line ? split_fields(line) : NULL;
	n_titles = strv_length(titles);
	for (pid_at = 0; pid_at < n_titles && strcmp(titles[pid_at], "PID") != 0; pid_at++)
		;
	if (pid_at == n_titles)
		return berth_error_set(err, 0, "Couldn't find PID field in ps output");
	procs = json_array();
	while ((line = strtok_r(NULL, "\n", &save))) {
		_cleanup_strv_ char **f = split_fields(line);

		if (strv_length(f) <= pid_at)
			continue;
		if (!strcmp(f[pid_at], "-")) {
			if (prev)
				json_array_append_new(procs, ps_fields(f, n_titles));
			continue;
		}
		prev = has_pid(pids, n, f[pid_at]);
		if (prev)
			json_array_append_new(procs, ps_fields(f, n_titles));
	}
	*ret = json_pack("{s:o, s:o}", "Titles", json_array(), "Processes", procs);
	for (size_t i = 0; i < n_titles; i++)
		json_array_append_new(json_object_get(*ret, "Titles"), json_string(titles[i]));
	return 0;
}

/* The host's ps with args; first with -q and the pids (less output), again without when ps refuses both. */
static int top_from_ps(char *const *ps_args, const pid_t *pids, size_t n, json_t **ret, struct berth_error **err)
{
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *out = NULL;
	struct buf q = {0};

	strv_push(&argv, "ps");
	for (size_t i = 0; ps_args[i]; i++)
		strv_push(&argv, ps_args[i]);
	for (size_t i = 0; i < n; i++)
		buf_printf(&q, "%s%d", i ? "," : "-q", (int)pids[i]);
	if (n)
		strv_push_take(&argv, buf_steal(&q));
	if (!n || run_ps(argv, &out, NULL) < 0) {
		if (n) {
			free(argv[strv_length(argv) - 1]);
			argv[strv_length(argv) - 1] = NULL;
		}
		if (run_ps(argv, &out, err) < 0)
			return -1;
	}
	return eng_top_parse_ps(out, pids, n, ret, err);
}

int eng_ctr_top(struct eng *e, const char *name, char *const *ps_args, json_t **ret, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *root = eng_runtime_root(e);
	_cleanup_free_ pid_t *pids = NULL;
	struct rt_global g = {.root = root};
	size_t n = 0;

	if (eng_ctr_find(e, name, &c, err) < 0)
		return -1;
	if (!strcmp(eng_ctr_status(c), ENG_STATUS_RESTARTING))
		return berth_error_set(err, 0, "Container %s is restarting, wait until the container is running",
				       c->id);
	if (!eng_ctr_is_running(c))
		return berth_error_set(err, 0, "Container %s is not running", c->id);
	if (rt_ps(&g, c->id, &pids, &n, err) < 0)
		return -1;
	qsort(pids, n, sizeof(*pids), cmp_pid);
	if (!ps_args || !ps_args[0]) {
		*ret = top_from_proc(pids, n);
		return 0;
	}
	return top_from_ps(ps_args, pids, n, ret, err);
}
