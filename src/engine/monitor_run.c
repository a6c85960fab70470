/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of a container's process inside the monitor: the overlay rootfs,
 * config.json from the container's document, stdio pipes, create and start
 * through the runtime library, the output pump, and the cleanup.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/monitor.h"
#include "image/image.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "sys/sys.h"

/* The image's layer links, top first. */
static int layer_links(struct eng *e, const char *image_id, char ***ret, struct berth_error **err)
{
	struct db_image img = {0};
	_cleanup_strv_ char **links = xcalloc(1, sizeof(char *));
	size_t n;

	if (db_image_get(e->db, image_id, &img, err) < 0)
		return -1;
	if (!img.id)
		return berth_error_set(err, 0, "image %s of the container is gone", image_id);
	n = strv_length(img.diff_ids);
	for (size_t i = n; i-- > 0;) {
		struct img_layer_info info;

		if (img_layers_info(e->store, img.diff_ids[i], &info, err) < 0 || !info.existed) {
			if (!info.existed)
				berth_error_set(err, 0, "layer %s of image %s is missing", img.diff_ids[i], image_id);
			db_image_done(&img);
			return -1;
		}
		strv_push(&links, info.link);
	}
	db_image_done(&img);
	*ret = TAKE_PTR(links);
	return 0;
}

static int mount_rootfs(struct mon_run *r, const struct eng_ctr *c, const char *dir, struct berth_error **err)
{
	_cleanup_strv_ char **links = NULL;
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir), *work = xasprintf("%s/work", dir);

	if (layer_links(r->e, c->image_id, &links, err) < 0)
		return -1;
	/* a mount left by a monitor that died */
	umount2(r->merged, MNT_DETACH);
	if (img_snapshot_mount(r->e->store, (const char *const *)links, upper, work, r->merged, err) < 0)
		return -1;
	r->mounted = true;
	return 0;
}

static bool host_is_cgroup_v1(void)
{
	return access("/sys/fs/cgroup/cgroup.controllers", F_OK) < 0;
}

static int write_spec(struct mon_run *r, const struct eng_ctr *c, const char *dir, struct berth_error **err)
{
	json_t *hc = json_object_get(c->doc, "HostConfig");
	_cleanup_close_ int rootfs_fd = open(r->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dev_fd = -1;
	_cleanup_strv_ char **warnings = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct eng_spec_input in = {
		.id = c->id,
		.config = json_object_get(c->doc, "Config"),
		.host_config = hc,
		.rootfs = r->merged,
		.rootfs_fd = rootfs_fd,
		.hostname_path = json_string_value(json_object_get(c->doc, "HostnamePath")),
		.hosts_path = json_string_value(json_object_get(c->doc, "HostsPath")),
		.resolv_conf_path = json_string_value(json_object_get(c->doc, "ResolvConfPath")),
		.host_dev_fd = -1,
		.cgroup_v1 = host_is_cgroup_v1(),
	};
	json_t *spec = NULL;

	if (rootfs_fd < 0 || dfd < 0)
		return berth_error_set(err, errno, "open '%s'", rootfs_fd < 0 ? r->merged : dir);
	if (json_is_true(json_object_get(hc, "Privileged"))) {
		dev_fd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		in.host_dev_fd = dev_fd;
	}
	if (eng_spec_build(&in, &spec, &warnings, err) < 0)
		return -1;
	text = json_dumps(spec, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(spec);
	return fs_write_file_atomic_at(dfd, "config.json", text, strlen(text), 0600, err);
}

static int open_log(struct mon_run *r, const struct eng_ctr *c, struct berth_error **err)
{
	json_t *log = json_object_get(json_object_get(c->doc, "HostConfig"), "LogConfig");
	json_t *cfg = json_object_get(log, "Config");
	const char *type = json_string_value(json_object_get(log, "Type"));
	const char *max_size = json_string_value(json_object_get(cfg, "max-size"));
	const char *max_file = json_string_value(json_object_get(cfg, "max-file"));
	uint64_t size = 0;
	int files = 1;

	if (type && !strcmp(type, "none"))
		return 0;
	if (max_size && parse_size(max_size, &size) < 0)
		return berth_error_set(err, EINVAL, "log-opt max-size: invalid size '%s'", max_size);
	if (max_file && (parse_int(max_file, &files) < 0 || files < 1))
		return berth_error_set(err, EINVAL, "log-opt max-file: invalid value '%s'", max_file);
	r->log = eng_log_writer_open(json_string_value(json_object_get(c->doc, "LogPath")), (int64_t)size, files, err);
	return r->log ? 0 : -1;
}

/*
 * rt_create's init inherits the monitor's fds 0-2: put the container's
 * stdio there for the call, then restore /dev/null.
 */
static int create_with_stdio(struct mon_run *r, const struct eng_ctr *c, const char *dir, struct berth_error **err)
{
	_cleanup_free_ char *rt_root = eng_runtime_root(r->e);
	struct rt_global g = {.root = rt_root};
	struct rt_create_opts o = {.bundle = dir};
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, in[2] = {-1, -1};
	bool open_stdin = json_is_true(json_object_get(json_object_get(c->doc, "Config"), "OpenStdin"));
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), rc = -1;

	if (null < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (open_stdin && pipe2(in, O_CLOEXEC) < 0)) {
		berth_error_set(err, errno, "stdio pipes");
		goto out;
	}
	if (dup2(open_stdin ? in[0] : null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(errp[1], 2) < 0) {
		berth_error_set(err, errno, "stdio");
		goto out;
	}
	rc = rt_create(&g, c->id, &o, err);
	if (rc == 0)
		r->created = true;
out:
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	r->out_fd = out[0];
	r->err_fd = errp[0];
	r->in_fd = in[1];
	int closing[] = {out[1], errp[1], in[0], null};

	for (size_t i = 0; i < sizeof(closing) / sizeof(closing[0]); i++)
		if (closing[i] >= 0)
			close(closing[i]);
	return rc;
}

int mon_start(struct mon_run *r, struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *c = NULL;
	_cleanup_free_ char *dir = NULL, *rt_root = eng_runtime_root(r->e);
	struct rt_global g = {.root = rt_root};
	struct rt_state *st = NULL;

	r->pidfd = r->out_fd = r->err_fd = r->in_fd = -1;
	if (eng_ctr_find(r->e, r->id, &c, err) < 0)
		return -1;
	if (json_is_true(json_object_get(json_object_get(c->doc, "Config"), "Tty")))
		return berth_error_set(err, ENOTSUP, "a terminal (-t) is not supported yet");
	dir = eng_ctr_dir(r->e, c->id);
	free(r->merged);
	r->merged = xasprintf("%s/merged", dir);
	if (mount_rootfs(r, c, dir, err) < 0 || write_spec(r, c, dir, err) < 0 || open_log(r, c, err) < 0 ||
	    create_with_stdio(r, c, dir, err) < 0)
		goto fail;
	if (rt_state_get(&g, c->id, &st, err) < 0)
		goto fail;
	r->pid = st->pid;
	rt_state_free(st);
	r->pidfd = sys_pidfd_open(r->pid, 0);
	if (rt_start(&g, c->id, err) < 0)
		goto fail;
	return 0;
fail:
	mon_cleanup(r);
	return -1;
}

/* Copy what is readable from fd into the log as stream; false at EOF or error. */
static bool pump(struct mon_run *r, int fd, const char *stream)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (r->log)
		eng_log_write(r->log, stream, buf, (size_t)n, NULL);
	return true;
}

/* Reap every exited child (orphans come to the subreaper); true once the init is among them. */
static bool reap(struct mon_run *r, int *status)
{
	bool done = false;
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == r->pid) {
			*status = st;
			done = true;
		}
	return done;
}

int mon_wait(struct mon_run *r)
{
	int status = 0;
	bool exited = false;

	if (r->in_fd >= 0) {
		/* nobody attached: the process reads EOF */
		close(r->in_fd);
		r->in_fd = -1;
	}
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	while (!exited || r->out_fd >= 0 || r->err_fd >= 0) {
		struct pollfd p[3] = {
			{r->out_fd, POLLIN, 0}, {r->err_fd, POLLIN, 0}, {exited ? -1 : r->pidfd, POLLIN, 0}};
		int n = poll(p, 3, exited ? 100 : 1000);

		if (n < 0 && errno != EINTR)
			break;
		if (p[0].revents && !pump(r, r->out_fd, "stdout")) {
			close(r->out_fd);
			r->out_fd = -1;
		}
		if (p[1].revents && !pump(r, r->err_fd, "stderr")) {
			close(r->err_fd);
			r->err_fd = -1;
		}
		if (!exited)
			exited = reap(r, &status);
		else if (n == 0)
			break; /* the process is gone and its pipes are quiet: something else holds them */
	}
	if (r->log)
		eng_log_flush(r->log, NULL);
	return status;
}

void mon_io_send_exit(struct mon_run *r, int code)
{
	(void)r;
	(void)code;
}

void mon_cleanup(struct mon_run *r)
{
	_cleanup_free_ char *rt_root = eng_runtime_root(r->e);
	struct rt_global g = {.root = rt_root};
	int *fds[] = {&r->pidfd, &r->out_fd, &r->err_fd, &r->in_fd};

	if (r->created)
		rt_delete(&g, r->id, true, NULL);
	r->created = false;
	if (r->mounted)
		umount2(r->merged, MNT_DETACH);
	r->mounted = false;
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	if (r->log) {
		eng_log_flush(r->log, NULL);
		eng_log_writer_close(r->log);
		r->log = NULL;
	}
}
