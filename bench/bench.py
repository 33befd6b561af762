"""reconcile benchmarks, as ratios against the tools an operator would use.

Runs inside a private mount namespace (bench/run.sh). Each scenario builds its
mounts with mount(2) through ctypes, then times both sides alternately in the same
run and reports medians and their ratio. Timings are measurements, not assertions.
"""
import ctypes
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

libc = ctypes.CDLL(None, use_errno=True)
MS_BIND = 4096
MNT_DETACH = 2


def mount(source, target, fstype=None, flags=0, data=None):
    rc = libc.mount(source.encode() if source else None, target.encode(),
                    fstype.encode() if fstype else None, flags, data.encode() if data else None)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} {target}: {os.strerror(err)}")


def umount(target, flags=0):
    return libc.umount2(target.encode(), flags)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def run(argv):
    """Wall time of one command, in seconds; its exit status."""
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start, proc.returncode, proc.stderr.decode()


class Host:
    """A left4me-shaped tree on a tmpfs, with a config and `instances` manifests."""

    def __init__(self, base, instances):
        self.base = base
        self.root = base + "/var/lib/left4me"
        self.config = base + "/etc/reconcile/site.yaml"
        for layer in ["installation", "overlays/4", "overlays/9"]:
            write(f"{self.root}/{layer}/left4dead2/{layer.replace('/', '_')}.txt", "x\n")
        os.makedirs(self.root + "/runtime", exist_ok=True)
        os.makedirs(self.root + "/tmp", exist_ok=True)
        write(self.config, f"""root: {self.root}
instances: instances.d
lowerdir-roots: [installation, overlays]
managed: [runtime, tmp]
""")
        os.makedirs(base + "/etc/reconcile/instances.d", exist_ok=True)
        for n in range(instances):
            write(f"{base}/etc/reconcile/instances.d/{n}.yaml", f"""mounts:
  - type: overlay
    target: runtime/{n}/merged
    lowerdirs: [overlays/9, overlays/4, installation]
    upperdir: runtime/{n}/upper
    workdir: runtime/{n}/work
""")


def fresh_base(name):
    base = tempfile.mkdtemp(prefix=f"reconcile-bench-{name}.")
    mount("bench", base, "tmpfs", 0, "mode=0755")
    return base


def drop(base):
    umount(base, MNT_DETACH)
    os.rmdir(base)


def stack(source, target, count):
    os.makedirs(target, exist_ok=True)
    for _ in range(count):
        mount(source, target, None, MS_BIND)


def stacked_collapse(binary, layers=5000, rounds=3):
    """Collapsing `layers` stacked binds: reconcile vs `while umount P; do :; done`."""
    base = fresh_base("stack")
    host = Host(base, instances=0)
    target = host.root + "/runtime/2/idmap/overlays_9"
    loop, ours, floor = [], [], []
    for _ in range(rounds):
        # The kernel floor: one process, bare umount2 until EINVAL, no checks at all.
        stack(host.root + "/overlays/9", target, layers)
        start = time.perf_counter()
        while umount(target) == 0:
            pass
        floor.append(time.perf_counter() - start)
        stack(host.root + "/overlays/9", target, layers)
        seconds, _, _ = run(["sh", "-c", f"while umount '{target}' 2>/dev/null; do :; done"])
        loop.append(seconds)
        stack(host.root + "/overlays/9", target, layers)
        seconds, status, err = run([binary, "--config", host.config])
        if status != 0:
            sys.exit(f"reconcile failed ({status}): {err}")
        ours.append(seconds)
        os.makedirs(target, exist_ok=True)
    drop(base)
    return loop, ours, floor


def steady_state(binary, instances=100, other=5000, rounds=30):
    """Dry run over converged instances beside `other` unrelated mounts, vs findmnt -rn."""
    base = fresh_base("steady")
    host = Host(base, instances=instances)
    elsewhere = base + "/elsewhere"
    for n in range(other):
        os.makedirs(f"{elsewhere}/{n}")
        mount(host.root + "/installation", f"{elsewhere}/{n}", None, MS_BIND)
    _, status, err = run([binary, "--config", host.config])
    if status != 0:
        sys.exit(f"converging {instances} instances failed ({status}): {err}")
    table = sum(1 for _ in open("/proc/self/mountinfo"))
    findmnt, ours = [], []
    for _ in range(rounds):
        findmnt.append(run(["findmnt", "-rn"])[0])
        seconds, status, err = run([binary, "--dry-run", "--config", host.config])
        if status != 0:
            sys.exit(f"dry run not converged ({status}): {err}")
        ours.append(seconds)
    # This one process's peak resident set, from wait4's rusage.
    child = subprocess.Popen([binary, "--dry-run", "--config", host.config], stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    peak_kib = usage.ru_maxrss
    # One instance's stop and start through --instance, as a unit's hooks do.
    instance = []
    for _ in range(10):
        os.replace(f"{base}/etc/reconcile/instances.d/7.yaml", f"{base}/7.yaml")
        write(f"{base}/etc/reconcile/instances.d/7.yaml", "enabled: false\n" + open(f"{base}/7.yaml").read())
        stop = run([binary, "--instance", "7", "--config", host.config])
        os.replace(f"{base}/7.yaml", f"{base}/etc/reconcile/instances.d/7.yaml")
        start = run([binary, "--instance", "7", "--config", host.config])
        if stop[1] != 0 or start[1] != 0:
            sys.exit(f"--instance stop/start failed: {stop[2]} {start[2]}")
        instance += [stop[0], start[0]]
    drop(base)
    return table, findmnt, ours, peak_kib, instance


def ms(values):
    return statistics.median(values) * 1000


def startup(binary, rounds=300):
    """`reconcile --version` against /bin/true, alternately; the stripped size."""
    true, ours = [], []
    for _ in range(rounds):
        true.append(run(["/bin/true"])[0])
        ours.append(run([binary, "--version"])[0])
    with tempfile.TemporaryDirectory() as scratch:
        stripped = os.path.join(scratch, "reconcile")
        shutil.copy(binary, stripped)
        subprocess.run(["strip", stripped], check=True)
        size = os.path.getsize(stripped)
    return true, ours, size


def main():
    # bench.py BINARY [--only chown]: the ownership migration alone.
    only_chown = sys.argv[2:] == ["--only", "chown"]
    if sys.argv[2:] and not only_chown:
        sys.exit("usage: bench.py BINARY [--only chown]")
    binary = os.path.abspath(sys.argv[1])
    print(f"reconcile benchmarks: {binary}")
    print(f"kernel {os.uname().release}, {os.cpu_count()} cores\n")
    if only_chown:
        return ownership_migration(binary)

    true, version, size = startup(binary)
    print("Start-up and size (median of 300, alternately; targets: 2.5 ms above /bin/true, 16 MiB)")
    print(f"  /bin/true                    {ms(true):9.2f} ms")
    print(f"  reconcile --version          {ms(version):9.2f} ms   ({ms(version) - ms(true):.2f} ms above /bin/true)")
    print(f"  stripped binary              {size / 1048576:9.1f} MiB\n")

    loop, ours, floor = stacked_collapse(binary)
    print("Collapsing 5,000 stacked binds (median of 3; target: at least 40x faster)")
    print(f"  while umount P; do :; done   {ms(loop):9.1f} ms")
    print(f"  reconcile                    {ms(ours):9.1f} ms")
    print(f"  bare umount2 loop (floor)    {ms(floor):9.1f} ms   no checks, no plan: what the kernel allows")
    print(f"  speed-up                     {ms(loop) / ms(ours):9.1f}x   (the floor itself: {ms(loop) / ms(floor):.1f}x)\n")

    table, findmnt, dry, peak, instance = steady_state(binary)
    print(f"Dry run, 100 converged instances beside 5,000 other mounts ({table} entries; median of 30)")
    print(f"  findmnt -rn                  {ms(findmnt):9.1f} ms")
    print(f"  reconcile --dry-run          {ms(dry):9.1f} ms")
    print(f"  ratio (target: within 2x; observe+plan target 1.5x)  {ms(dry) / ms(findmnt):5.2f}x")
    print(f"  peak resident memory         {peak / 1024:9.1f} MiB (target: 64 MiB)\n")
    print("One instance's stop or start through --instance (median of 20; target: 50 ms)")
    print(f"  reconcile --instance 7       {ms(instance):9.1f} ms")

    print()
    ownership_migration(binary)


def ownership_migration(binary):
    """bench/chown_bench.py, with the walk tool built beside the reconcile binary."""
    import chown_bench
    chown_bench.report(os.path.join(os.path.dirname(binary), "ownership-walk-tool"), binary)


if __name__ == "__main__":
    main()
