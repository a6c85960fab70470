/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of a container's process inside the monitor: the overlay rootfs,
 * config.json from the container's document, create (stdio: monitor_io.c)
 * and start through the runtime library, and the cleanup.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "engine/engine.h"
#include "engine/monitor.h"
#include "image/image.h"
#include "runtime/runtime.h"
#include "store/store.h"
#include "sys/sys.h"

/* How long a foreground run's monitor waits for its client before starting the process anyway. */
#define ATTACH_WAIT_MS 30000
/* json-file logs without --log-opt max-size/max-file: 10 MiB x 3 files. */
#define LOG_MAX_SIZE_DEFAULT (10u << 20)
#define LOG_MAX_FILE_DEFAULT 3

static int mount_rootfs(struct mon_run *r, const struct eng_ctr *c, const char *dir, struct berth_error **err)
{
	_cleanup_strv_ char **links = NULL;
	_cleanup_free_ char *upper = xasprintf("%s/upper", dir), *work = xasprintf("%s/work", dir);

	_cleanup_free_ char *scratch = NULL;
	_cleanup_close_ int userns = -1;
	int rc;

	if (eng_image_layer_links(r->e, c->image_id, &links, err) < 0)
		return -1;
	/* a mount left by a monitor that died */
	umount2(r->merged, MNT_DETACH);
	if (eng_ctr_userns_fd(json_object_get(c->doc, "HostConfig"), &userns, err) < 0)
		return -1;
	if (userns < 0) {
		/* run --rm: the upper layer goes with the container, nothing of it needs to reach the disk */
		bool ephemeral = json_is_true(json_object_get(json_object_get(c->doc, "HostConfig"), "AutoRemove"));

		rc = img_snapshot_mount_flags(r->e->store, (const char *const *)links, upper, work, r->merged,
					      ephemeral ? IMG_SNAPSHOT_VOLATILE : 0, err);
	} else {
		/* --uidmap: the layers seen through idmapped mounts, so their root is the container's root */
		_cleanup_free_ char *rundir = eng_ctr_rundir(r->e, c->id);

		scratch = xasprintf("%s/lower", rundir);
		if (fs_mkdir_p_at(AT_FDCWD, scratch, 0700, err) < 0)
			return -1;
		rc = img_snapshot_mount_idmapped(r->e->store, (const char *const *)links, upper, work, r->merged,
						 userns, scratch, err);
	}
	if (rc < 0)
		return -1;
	r->mounted = true;
	return 0;
}

/*
 * "container:NAME" in a mode: the namespace path of that running
 * container's init ("No such container", or not running, are errors).
 */
static int other_ns(struct eng *e, const char *field, const char *mode, const char *ns, char **ret, char **ret_dir,
		    struct berth_error **err)
{
	_cleanup_ctr_ struct eng_ctr *o = NULL;
	pid_t pid;

	if (!mode || strncmp(mode, "container:", 10) != 0)
		return 0;
	if (eng_ctr_find(e, mode + 10, &o, err) < 0)
		return berth_error_wrap(err, "%s", field);
	pid = (pid_t)json_integer_value(json_object_get(o->state, "Pid"));
	if (!eng_ctr_is_running(o) || pid <= 0)
		return berth_error_set(err, 0, "cannot join namespaces of a stopped container: %s is not running",
				       mode + 10);
	*ret = xasprintf("/proc/%d/ns/%s", (int)pid, ns);
	if (ret_dir)
		*ret_dir = eng_ctr_dir(e, o->id);
	return 0;
}

/* --ipc shareable: a tmpfs /dev/shm on the host that containers joining with container:X bind too. */
static int mount_shm(struct mon_run *r, json_t *hc, const char *dir, struct berth_error **err)
{
	json_t *size = json_object_get(hc, "ShmSize");
	_cleanup_free_ char *opts = xasprintf(
		"mode=1777,size=%lld", json_integer_value(size) > 0 ? (long long)json_integer_value(size) : 64LL << 20);

	free(r->shm);
	r->shm = xasprintf("%s/shm", dir);
	umount2(r->shm, MNT_DETACH);
	if (mkdir(r->shm, 0700) < 0 && errno != EEXIST)
		return berth_error_set(err, errno, "create '%s'", r->shm);
	if (mount("shm", r->shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return berth_error_set(err, errno, "mount the shareable /dev/shm on '%s'", r->shm);
	return 0;
}

struct ns_paths {
	char *net, *pid, *ipc, *uts, *shm, *ipc_dir;
};

static void ns_paths_done(struct ns_paths *n)
{
	free(n->net);
	free(n->pid);
	free(n->ipc);
	free(n->uts);
	free(n->shm);
	free(n->ipc_dir);
}

static int resolve_ns(struct mon_run *r, json_t *hc, const char *dir, struct ns_paths *n, struct eng_spec_input *in,
		      struct berth_error **err)
{
	const char *net = json_string_value(json_object_get(hc, "NetworkMode"));
	const char *ipc = json_string_value(json_object_get(hc, "IpcMode"));

	if (other_ns(r->e, "HostConfig.NetworkMode", net, "net", &n->net, NULL, err) < 0 ||
	    other_ns(r->e, "HostConfig.NetworkMode", net, "uts", &n->uts, NULL, err) < 0 ||
	    other_ns(r->e, "HostConfig.PidMode", json_string_value(json_object_get(hc, "PidMode")), "pid", &n->pid,
		     NULL, err) < 0 ||
	    other_ns(r->e, "HostConfig.IpcMode", ipc, "ipc", &n->ipc, &n->ipc_dir, err) < 0)
		return -1;
	if (ipc && !strcmp(ipc, "shareable")) {
		if (mount_shm(r, hc, dir, err) < 0)
			return -1;
		in->shm_path = r->shm;
	} else if (n->ipc_dir) {
		n->shm = xasprintf("%s/shm", n->ipc_dir);
		if (access(n->shm, F_OK) < 0)
			return berth_error_set(err, 0,
					       "HostConfig.IpcMode: container %s is not shareable (--ipc shareable)",
					       ipc + 10);
		in->shm_path = n->shm;
	}
	in->netns_path = n->net;
	in->utsns_path = n->uts;
	in->pidns_path = n->pid;
	in->ipcns_path = n->ipc;
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
	_cleanup_free_ char *init_path = eng_init_path();
	struct eng_volume_ctx vctx = {.e = r->e, .doc = c->doc, .rootfs_fd = rootfs_fd};
	struct ns_paths ns = {0};
	json_t *spec = NULL;
	int rc;

	if (rootfs_fd < 0 || dfd < 0)
		return berth_error_set(err, errno, "open '%s'", rootfs_fd < 0 ? r->merged : dir);
	if (eng_binds_create(hc, err) < 0)
		return -1;
	in.init_path = init_path;
	in.volume_path = eng_volume_path_cb;
	in.volume_userdata = &vctx;
	if (resolve_ns(r, hc, dir, &ns, &in, err) < 0) {
		ns_paths_done(&ns);
		return -1;
	}
	/* bridge networks: a namespace of ours, wired before the container joins it */
	if (!ns.net) {
		if (eng_netwire_up(r->e, c, &ns.net, err) < 0) {
			ns_paths_done(&ns);
			return -1;
		}
		r->net_up = ns.net != NULL;
		in.netns_path = ns.net;
	}
	if (json_is_true(json_object_get(hc, "Privileged"))) {
		dev_fd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		in.host_dev_fd = dev_fd;
	}
	rc = eng_spec_build(&in, &spec, &warnings, err);
	ns_paths_done(&ns);
	if (rc < 0)
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
	/* rotated by default rather than growing without bound; --log-opt max-size=-1: never */
	uint64_t size = LOG_MAX_SIZE_DEFAULT;
	int files = LOG_MAX_FILE_DEFAULT;

	if (type && !strcmp(type, "none"))
		return 0;
	if (max_size && !strcmp(max_size, "-1"))
		size = 0;
	else if (max_size && parse_size(max_size, &size) < 0)
		return berth_error_set(err, EINVAL, "log-opt max-size: invalid size '%s'", max_size);
	if (max_file && (parse_int(max_file, &files) < 0 || files < 1))
		return berth_error_set(err, EINVAL, "log-opt max-file: invalid value '%s'", max_file);
	free(r->log_path);
	r->log_path = xstrdup(json_string_value(json_object_get(c->doc, "LogPath")));
	r->log_max_size = (int64_t)size;
	r->log_max_file = files;
	r->log = eng_log_writer_open(r->log_path, r->log_max_size, r->log_max_file, err);
	return r->log ? 0 : -1;
}

int mon_attach_listen(struct mon_run *r, struct berth_error **err)
{
	_cleanup_free_ char *dir = NULL;

	if (r->listen_fd >= 0)
		return 0;
	dir = eng_ctr_rundir(r->e, r->id);
	if (fs_mkdir_p_at(AT_FDCWD, dir, 0700, err) < 0)
		return -1;
	free(r->sock_path);
	r->sock_path = xasprintf("%s/attach.sock", dir);
	r->listen_fd = eng_unix_listen(r->sock_path, SOCK_SEQPACKET, err);
	if (r->listen_fd < 0)
		return -1;
	fcntl(r->listen_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Config's stdio settings, and the attach socket the run's clients come through. */
static int prepare_io(struct mon_run *r, const struct eng_ctr *c, struct berth_error **err)
{
	json_t *config = json_object_get(c->doc, "Config");

	r->tty = json_is_true(json_object_get(config, "Tty"));
	r->open_stdin = json_is_true(json_object_get(config, "OpenStdin"));
	r->stdin_once = json_is_true(json_object_get(config, "StdinOnce"));
	return mon_attach_listen(r, err);
}

/* attach_wait: the process is created; say so, then give the first client up to 30 s before it starts. */
static void await_client(struct mon_run *r)
{
	if (!r->attach_wait)
		return;
	r->attach_wait = false;
	mon_report(r->ready_fd, NULL);
	mon_attach_await(r, ATTACH_WAIT_MS);
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
	dir = eng_ctr_dir(r->e, c->id);
	free(r->merged);
	r->merged = xasprintf("%s/merged", dir);
	if (prepare_io(r, c, err) < 0 || mount_rootfs(r, c, dir, err) < 0 || write_spec(r, c, dir, err) < 0 ||
	    open_log(r, c, err) < 0 || mon_io_create(r, dir, err) < 0)
		goto fail;
	if (rt_state_get(&g, c->id, &st, err) < 0)
		goto fail;
	r->pid = st->pid;
	rt_state_free(st);
	r->pidfd = sys_pidfd_open(r->pid, 0);
	await_client(r);
	if (rt_start(&g, c->id, err) < 0)
		goto fail;
	return 0;
fail:
	mon_cleanup(r);
	return -1;
}

void mon_cleanup(struct mon_run *r)
{
	_cleanup_free_ char *rt_root = eng_runtime_root(r->e);
	struct rt_global g = {.root = rt_root};
	int *fds[] = {&r->pidfd, &r->out_fd, &r->err_fd, &r->in_fd};

	if (r->created)
		rt_delete(&g, r->id, true, NULL);
	r->created = false;
	if (r->net_up)
		eng_netwire_down(r->e, r->id);
	r->net_up = false;
	if (r->mounted) {
		_cleanup_ctr_ struct eng_ctr *vc = NULL;

		umount2(r->merged, MNT_DETACH);
		/* device volumes (--opt type=…) that no other running container uses */
		if (eng_ctr_lookup(r->e, r->id, &vc, NULL) == 0 && vc)
			eng_volumes_release(r->e, r->id, vc->doc);
	}
	r->mounted = false;
	if (r->shm) {
		umount2(r->shm, MNT_DETACH);
		rmdir(r->shm);
		free(r->shm);
		r->shm = NULL;
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	free(r->in_buf);
	r->in_buf = NULL;
	r->in_off = r->in_len = 0;
	if (r->log) {
		eng_log_flush(r->log, NULL);
		eng_log_writer_close(r->log);
		r->log = NULL;
	}
}
