# SPDX-License-Identifier: GPL-2.0-or-later
# What bench/engine-run and bench/density share: the private mount namespace,
# berth and Podman on private stores (the built-in busybox image loaded into
# both), a crun bundle of the same rootfs, and cleanup of what they leave.
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INNER = "BERTH_BENCH_INNER"
BUSYBOX_TAR = os.path.join(TOP, "build", "data", "busybox.tar")
PODMAN_IMAGE = "docker.io/library/busybox:latest"


def reexec_in_private_mount_ns():
    """Run this script again in a private mount namespace without the cgroup2
    mount of the hybrid layout (crun refuses hybrid cgroups, so every engine
    sees the same cgroup v1 layout) and with an empty tmpfs on /var/lib (where
    Podman and CNI keep caches whatever --root says). Nothing mounted inside
    outlives the script."""
    env = dict(os.environ, **{INNER: "1"})
    script = ('umount /sys/fs/cgroup/unified 2>/dev/null; '
              'mount -t tmpfs -o mode=0755 berth-bench /var/lib && exec "$@"')
    cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", sys.executable] + sys.argv
    os.execvpe("unshare", cmd, env)


def enter(name):
    """The common start of a bench: root, the private namespace, SIGTERM and
    SIGHUP turned into SystemExit so that finally blocks clean up."""
    if os.geteuid() != 0:
        sys.exit("%s: must run as root" % name)
    if os.environ.get(INNER) != "1":
        reexec_in_private_mount_ns()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(143))


def quiet(argv, env=None, timeout=120):
    """Run argv with no stdin and no output; its return code (or -1)."""
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env, timeout=timeout).returncode
    except (OSError, subprocess.TimeoutExpired):
        return -1


def must(argv, env=None, what=None):
    """Run argv; its stdout, or RuntimeError with the last line of its stderr."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RuntimeError("%s: %s" % (what or " ".join(argv[:3]), e))
    if p.returncode != 0:
        msg = p.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError("%s: exit %d: %s" % (what or " ".join(argv[:3]), p.returncode, msg[-1] if msg else ""))
    return p.stdout.decode(errors="replace")


class Berth:
    """berth on a private root and run root."""

    name = "berth"

    # the default bridge of a benchmark's berth: its own, never the host's berth0
    BRIDGE = "btbench9"
    BIP = "10.253.9.1/24"

    def __init__(self, tmp, path, cgroup_parent):
        self.path = path
        self.dir = os.path.join(tmp, "b")
        self.cgroup_parent = cgroup_parent
        self.env = dict(os.environ, TMPDIR=os.path.join(self.dir, "tmp"))
        os.makedirs(self.env["TMPDIR"])
        self.env["BERTH_CONFIG_FILE"] = os.path.join(self.dir, "berth.json")
        with open(self.env["BERTH_CONFIG_FILE"], "w") as f:
            f.write('{"bridge": "%s", "bip": "%s"}\n' % (self.BRIDGE, self.BIP))

    def argv(self, *args):
        return [self.path, "--root", self.dir + "/root", "--runroot", self.dir + "/run"] + list(args)

    def setup(self):
        must(self.argv("load", "-q", "-i", BUSYBOX_TAR), self.env, "berth load")

    def run_args(self):
        return ["run", "--cgroup-parent", self.cgroup_parent]

    def remove_all(self):
        try:
            ids = subprocess.run(self.argv("ps", "-aq"), stdin=subprocess.DEVNULL, capture_output=True,
                                 env=self.env, timeout=120).stdout.split()
        except (OSError, subprocess.TimeoutExpired):
            ids = []
        if ids:
            quiet(self.argv("rm", "-f", *[i.decode() for i in ids]), self.env, timeout=300)
        # monitors left when berth could not run (their containers go with the cgroups)
        kill_all(self.dir + "/")
        # the bridge and berth's nftables table of this root (berth_ + FNV-1a of the root)
        h = 2166136261
        for c in (self.dir + "/root").encode():
            h = ((h ^ c) * 16777619) & 0xffffffff
        quiet(["nft", "delete", "table", "inet", "berth_%08x" % h], self.env)
        quiet(["ip", "link", "del", self.BRIDGE], self.env)


class Podman:
    """Podman 4.3 on a private store (overlay driver) with a private
    containers.conf (cgroupfs, file events, ulimits this host can set, its
    own CNI config directory): see ../shared/PEERS.md."""

    name = "podman"

    def __init__(self, tmp, cgroup_parent, bridge=None):
        self.dir = os.path.join(tmp, "p")
        self.cgroup_parent = cgroup_parent
        self.bridge = bridge
        net = os.path.join(self.dir, "net")
        os.makedirs(net)
        os.makedirs(os.path.join(self.dir, "tmp"))
        conf = os.path.join(self.dir, "containers.conf")
        with open(conf, "w") as f:
            f.write('[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n'
                    '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
                    '[network]\nnetwork_config_dir = "%s"\n' % net)
        storage = os.path.join(self.dir, "storage.conf")
        with open(storage, "w") as f:
            f.write('[storage]\ndriver = "overlay"\nrunroot = "%s/run"\ngraphroot = "%s/root"\n'
                    % (self.dir, self.dir))
        if bridge:
            self.write_default_network(net, bridge)
        self.env = dict(os.environ, CONTAINERS_CONF=conf, CONTAINERS_STORAGE_CONF=storage,
                        TMPDIR=os.path.join(self.dir, "tmp"))

    @staticmethod
    def write_default_network(net, bridge):
        """Podman's default network "podman", on a bridge of our own and
        without the firewall, portmap and masquerade plugins: the shared host's
        firewall and sysctls stay as they are (a veth pair and an address,
        what a minimal bridge network costs)."""
        conf = {
            "cniVersion": "0.4.0",
            "name": "podman",
            "plugins": [{
                "type": "bridge", "bridge": bridge, "isGateway": False, "ipMasq": False, "hairpinMode": True,
                "ipam": {"type": "host-local", "routes": [{"dst": "0.0.0.0/0"}],
                         "ranges": [[{"subnet": "10.213.77.0/24", "gateway": "10.213.77.1"}]]},
            }],
        }
        with open(os.path.join(net, "podman.conflist"), "w") as f:
            json.dump(conf, f)

    def argv(self, *args):
        return ["podman", "--root", self.dir + "/root", "--runroot", self.dir + "/run", "--tmpdir",
                self.dir + "/tmp", "--storage-driver", "overlay"] + list(args)

    def setup(self):
        must(self.argv("load", "-q", "-i", BUSYBOX_TAR), self.env, "podman load")

    def run_args(self):
        return ["run", "--pull", "never", "--cgroup-parent", self.cgroup_parent]

    def remove_all(self):
        quiet(self.argv("rm", "-a", "-f", "-t", "0"), self.env, timeout=300)
        # conmons left by a failure midway (they name the store in their argv)
        kill_all(self.dir + "/")

    def done(self):
        if self.bridge and os.path.exists("/sys/class/net/" + self.bridge):
            quiet(["ip", "link", "del", self.bridge])


def kill_all(needle, tries=20):
    """SIGKILL every process with an argument containing needle, again
    until none is left (one may be starting meanwhile)."""
    for _ in range(tries):
        pids = pids_with_arg(None, needle)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)
    print("# cleanup: processes naming %s are left: %s" % (needle, pids_with_arg(None, needle)), file=sys.stderr)


def pids_with_arg(comm, needle):
    """Pids of processes named comm (any, if None) with an argument
    containing needle, this one excepted."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/comm" % d) as f:
                if comm is not None and f.read().strip() != comm:
                    continue
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if needle.encode() in f.read():
                    out.append(int(d))
        except OSError:
            pass
    return out


def extract_rootfs(archive, rootfs):
    """Unpack the layers of a one-image docker-archive into rootfs (no
    whiteouts in the built-in busybox image)."""
    os.makedirs(rootfs)
    with tarfile.open(archive) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        for layer in manifest[0]["Layers"]:
            with tarfile.open(fileobj=t.extractfile(layer)) as lt:
                lt.extractall(rootfs, numeric_owner=True)


def make_crun_bundle(path, rootfs, argv, cgroups_path):
    """A bundle on rootfs from `crun spec`: argv, no terminal, a cgroup path
    of our own (berth and Podman create one per container too)."""
    os.makedirs(path)
    os.symlink(rootfs, os.path.join(path, "rootfs"))
    subprocess.run(["crun", "spec"], cwd=path, check=True)
    cfg_path = os.path.join(path, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    cfg["process"]["terminal"] = False
    cfg["process"]["args"] = argv
    cfg["linux"]["cgroupsPath"] = cgroups_path
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=1)


def cgroup_prefix(tag):
    """A cgroup name prefix of this run alone (other benches may be running)."""
    return "berth-bench-%s-%d" % (tag, os.getpid())


def remove_cgroups(prefix):
    """Remove every top-level cgroup named prefix or prefix-* (children
    first), killing what is still in them: only this run's (cgroup_prefix).
    A controller directory that is no cgroup mount here (the unified one,
    unmounted in this namespace: a plain directory of the /sys/fs/cgroup
    tmpfs, shared with the host, where Podman and crun write plain files) is
    removed as files, and nothing is killed from it."""
    cg_mounts = set()
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            fstype = fields[fields.index("-") + 1]
            if fstype in ("cgroup", "cgroup2"):
                cg_mounts.add(fields[4])
    ctls = set(cg_mounts)
    if os.path.isdir("/sys/fs/cgroup"):
        ctls |= {os.path.join("/sys/fs/cgroup", c) for c in os.listdir("/sys/fs/cgroup")
                 if os.path.isdir(os.path.join("/sys/fs/cgroup", c))
                 and not os.path.islink(os.path.join("/sys/fs/cgroup", c))}
    for ctl in sorted(ctls):
        try:
            tops = os.listdir(ctl)
        except OSError:
            continue
        for top in tops:
            path = os.path.join(ctl, top)
            if not (top == prefix or top.startswith(prefix + "-")) or not os.path.isdir(path):
                continue
            if ctl in cg_mounts:
                rmdir_tree(path)
            else:
                shutil.rmtree(path, ignore_errors=True)


def rmdir_tree(path):
    """rmdir a cgroup and its children, deepest first; what still runs in
    one is killed (a second at most per cgroup)."""
    for dirpath, _, _ in sorted(os.walk(path), key=lambda w: -len(w[0])):
        for _ in range(20):
            try:
                os.rmdir(dirpath)
                break
            except FileNotFoundError:
                break
            except OSError:
                try:
                    with open(os.path.join(dirpath, "cgroup.procs")) as f:
                        for pid in f.read().split():
                            os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
                time.sleep(0.05)
    if os.path.isdir(path):
        print("# cleanup: cgroup %s is left" % path, file=sys.stderr)


def mounts_under(path):
    """Mount points at or below path, deepest first."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path or mp.startswith(path.rstrip("/") + "/"):
                out.append(mp)
    return sorted(out, key=len, reverse=True)


def remove_tree(path):
    """Unmount what is below path (lazily), then remove it."""
    if not os.path.exists(path):
        return
    for mp in mounts_under(path):
        quiet(["umount", "-l", mp])
    shutil.rmtree(path, ignore_errors=True)
    if os.path.exists(path):
        print("# cleanup: %s is left" % path, file=sys.stderr)
