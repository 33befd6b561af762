"""reconcile benchmarks, as ratios against the tools an operator would use.

Runs inside a private mount namespace (bench/run.sh). Each scenario builds its
mounts with mount(2) through ctypes, then times both sides alternately in the same
run and reports medians and their ratio. Timings are measurements, not assertions.
"""
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

libc = ctypes.CDLL(None, use_errno=True)
MS_BIND = 4096
MS_SHARED = 1 << 20
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
    """Collapsing `layers` stacked binds: reconcile vs `while umount P; do :; done`, and
    what reading the stacked table once costs (reconcile reads it before its plan)."""
    base = fresh_base("stack")
    host = Host(base, instances=0)
    target = host.root + "/runtime/2/idmap/overlays_9"
    loop, ours, floor = [], [], []
    stack(host.root + "/overlays/9", target, layers)
    read_once = table_reads()["mountinfo_us"] / 1000
    while umount(target) == 0:
        pass
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
    return loop, ours, floor, read_once


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
    reads = table_reads()
    drop(base)
    return table, findmnt, ours, peak_kib, reads


def instance_hooks(binary, instances=100, other=2000, rounds=10):
    """One instance's stop and start through --instance, as a unit's hooks do, beside
    `other` unrelated mounts; findmnt -rn on the same table, alternately."""
    base = fresh_base("instance")
    host = Host(base, instances=instances)
    for n in range(other):
        os.makedirs(f"{base}/elsewhere/{n}")
        mount(host.root + "/installation", f"{base}/elsewhere/{n}", None, MS_BIND)
    _, status, err = run([binary, "--config", host.config])
    if status != 0:
        sys.exit(f"converging {instances} instances failed ({status}): {err}")
    manifest = f"{base}/etc/reconcile/instances.d/7.yaml"
    enabled = open(manifest).read()
    stops, starts, findmnt = [], [], []
    for _ in range(rounds):
        findmnt.append(run(["findmnt", "-rn"])[0])
        write(manifest, "enabled: false\n" + enabled)
        stop = run([binary, "--instance", "7", "--config", host.config])
        write(manifest, enabled)
        start = run([binary, "--instance", "7", "--config", host.config])
        if stop[1] != 0 or start[1] != 0:
            sys.exit(f"--instance stop/start failed: {stop[2]} {start[2]}")
        stops.append(stop[0])
        starts.append(start[0])
    reads = table_reads()
    drop(base)
    return stops, starts, findmnt, reads


def table_reads(rounds=20):
    """bench/listmount_bench.c on the table as it is now: one whole read of mountinfo
    against listmount(2) and statmount(2) of every mount, in one process."""
    tool = os.path.join(tempfile.gettempdir(), "reconcile-listmount-bench")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "listmount_bench.c")
    if not os.path.exists(tool) or os.path.getmtime(tool) < os.path.getmtime(source):
        subprocess.run(["cc", "-O2", "-o", tool, source], check=True)
    out = subprocess.run([tool, str(rounds)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"mountinfo_us": float("nan"), "error": out.stderr.strip() or "listmount/statmount failed"}
    import json
    return json.loads(out.stdout)


def slave_namespace_reads(peers=5000):
    """The same comparison inside a slave mount namespace whose mounts are `peers`
    binds of one shared mount: mountinfo's `master:` and `propagate_from:` fields."""
    base = fresh_base("slave")
    mount(None, base, None, MS_SHARED)
    source = base + "/source"
    os.makedirs(source)
    mount(source, source, None, MS_BIND)
    mount(None, source, None, MS_SHARED)
    for n in range(peers):
        os.makedirs(f"{base}/peers/{n}")
        mount(source, f"{base}/peers/{n}", None, MS_BIND)
    here = table_reads(rounds=5)
    tool = os.path.join(tempfile.gettempdir(), "reconcile-listmount-bench")
    import json
    out = subprocess.run(["unshare", "--mount", "--propagation", "slave", tool, "5"], capture_output=True, text=True)
    slave = json.loads(out.stdout) if out.returncode == 0 else None
    umount(base, MNT_DETACH)
    os.rmdir(base)
    return here, slave


def ms(values):
    return statistics.median(values) * 1000


def startup(binary, rounds=300):
    """`reconcile --version` against /bin/true and the two start-up floors beside the
    binary (bench/StartupFloor), alternately: medians, page faults per run, and the
    stripped size. Page faults are counted because on this kind of VM each costs
    several microseconds, so they, more than instructions, set the start-up time."""
    directory = os.path.dirname(binary)
    programs = {
        "/bin/true": ["/bin/true"],
        "runtime floor": [os.path.join(directory, "startup-floor-runtime")],
        "parser floor": [os.path.join(directory, "startup-floor-parser"), "--version"],
        "reconcile": [binary, "--version"],
    }
    for name, argv in programs.items():
        if not os.access(argv[0], os.X_OK):
            sys.exit(f"{argv[0]} is not built (make bench builds it)")
    times = {name: [] for name in programs}
    faults = {name: 0 for name in programs}
    for _ in range(rounds):
        for name, argv in programs.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
            times[name].append(run(argv)[0])
            faults[name] += resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before
    with tempfile.TemporaryDirectory() as scratch:
        stripped = os.path.join(scratch, "reconcile")
        shutil.copy(binary, stripped)
        subprocess.run(["strip", stripped], check=True)
        size = os.path.getsize(stripped)
    return times, {name: total / rounds for name, total in faults.items()}, size


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

    times, faults, size = startup(binary)
    true = ms(times["/bin/true"])
    print("Start-up and size (median of 300, alternately; targets: 2.5 ms above /bin/true, 16 MiB)")
    print(f"  /bin/true                    {true:9.2f} ms                          {faults['/bin/true']:4.0f} page faults")
    for name, label in (("runtime floor", "Swift runtime + Essentials"), ("parser floor", "  + ArgumentParser"),
                        ("reconcile", "reconcile --version")):
        median = ms(times[name])
        print(f"  {label:28} {median:9.2f} ms   ({median - true:.2f} ms above /bin/true) {faults[name]:4.0f} page faults")
    print(f"  stripped binary              {size / 1048576:9.1f} MiB\n")

    table, findmnt, dry, peak, reads = steady_state(binary)
    print(f"Dry run, 100 converged instances beside 5,000 other mounts ({table} entries; median of 30)")
    print(f"  findmnt -rn                  {ms(findmnt):9.1f} ms")
    print(f"  reconcile --dry-run          {ms(dry):9.1f} ms   {ms(dry) / ms(findmnt):5.2f}x findmnt -rn (goal: 1.0x)")
    print(f"  one read of mountinfo        {reads['mountinfo_us'] / 1000:9.1f} ms   the kernel's floor for any reader of it")
    print(f"  peak resident memory         {peak / 1024:9.1f} MiB (goal: 20 MiB)\n")

    stops, starts, findmnt2, reads2 = instance_hooks(binary)
    print("One instance's stop and start through --instance beside 2,000 other mounts (median of 10)")
    print(f"  findmnt -rn                  {ms(findmnt2):9.1f} ms")
    print(f"  reconcile --instance 7, stop {ms(stops):9.1f} ms   {ms(stops) / ms(findmnt2):5.2f}x findmnt -rn (goal: 15 ms)")
    print(f"  reconcile --instance 7, start{ms(starts):9.1f} ms   {ms(starts) / ms(findmnt2):5.2f}x findmnt -rn (goal: 15 ms)")
    print(f"  one read of mountinfo        {reads2['mountinfo_us'] / 1000:9.1f} ms   (an applying run reads it twice)\n")

    loop, ours, floor, read_once = stacked_collapse(binary)
    print("Collapsing 5,000 stacked binds (median of 3)")
    print(f"  while umount P; do :; done   {ms(loop):9.1f} ms")
    print(f"  bare umount2 loop (floor)    {ms(floor):9.1f} ms   no checks, no plan: what the kernel allows")
    print(f"  reconcile                    {ms(ours):9.1f} ms   {ms(ours) / ms(floor):5.2f}x the floor (goal: 1.10x)")
    print(f"  one read of that mountinfo   {read_once:9.1f} ms   (in reconcile's time: the observation before the plan)\n")

    print("Mount table reads: mountinfo against listmount(2) + statmount(2) of every mount (median, one process)")
    for label, r in [("steady-state table", reads), ("--instance table", reads2)]:
        print_reads(label, r)
    here, slave = slave_namespace_reads()
    print_reads("5,000 peers of one shared mount", here)
    if slave:
        print_reads("  the same, in a slave namespace", slave)
    print()
    ownership_migration(binary)


def print_reads(label, r):
    if "error" in r:
        print(f"  {label:34} mountinfo {r['mountinfo_us'] / 1000:7.2f} ms; statmount: {r['error']}")
        return
    print(f"  {label:34} {r['mountinfo_lines']:5} mounts: mountinfo {r['mountinfo_us'] / 1000:7.2f} ms, "
          f"statmount of each {r['statmount_entry_us'] / 1000:7.2f} ms "
          f"({r['statmount_entry_us'] / r['mountinfo_us']:5.2f}x; with propagate_from "
          f"{r['statmount_entry_propagate_from_us'] / r['mountinfo_us']:5.2f}x), listmount alone {r['listmount_us'] / 1000:6.2f} ms")


def ownership_migration(binary):
    """bench/chown_bench.py, with the walk tool built beside the reconcile binary."""
    import chown_bench
    chown_bench.report(os.path.join(os.path.dirname(binary), "ownership-walk-tool"), binary)


if __name__ == "__main__":
    main()
