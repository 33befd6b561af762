"""`reconcile watch` benchmark (DESIGN 6, issue 10): 10 converged instances beside
1,000 other mounts, the watcher running.

- idle: CPU over a minute (goal: at most 0.1% of a core);
- repair latency of each drift kind, median and max (goal: 100 ms median, none over 1 s):
  a stray bind below managed, an overlay unmounted by hand, a new manifest renamed into
  place, a build's lease released;
- a storm of 50 mount/unmount pairs every 10 ms for 5 s elsewhere (goal: at most 25% of
  a core), then a drift repaired (goal: within 1 s).

Latency is from making the drift to the mount table showing it repaired, seen by
POLLPRI on /proc/self/mountinfo (no sleeping). Runs inside bench/run.sh's private
mount namespace. `WATCH_BENCH_POLL_ONLY=1` measures the poll path alone (`--poll-only`).
"""
import fcntl
import os
import select
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import MS_BIND, MNT_DETACH, Host, drop, fresh_base, mount, umount, write  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def mount_points():
    return [line.split()[4] for line in open("/proc/self/mountinfo")]


class TableWaiter:
    """Waits on POLLPRI of /proc/self/mountinfo until a condition on the table holds."""

    def __init__(self):
        self.file = open("/proc/self/mountinfo")
        self.poller = select.poll()
        self.poller.register(self.file, select.POLLPRI)

    def until(self, condition, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not condition(mount_points()):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the watcher did not repair the drift in time")
            self.poller.poll(left * 1000)
        return time.monotonic()


class Watch:
    """The watcher, its log lines collected as they come (each run logs one)."""

    def __init__(self, binary, host):
        poll_only = ["--poll-only"] if os.environ.get("WATCH_BENCH_POLL_ONLY") else []
        self.proc = subprocess.Popen([binary, "watch", "--config", host.config] + poll_only,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append("(exited)")
            self.changed.notify_all()

    def runs(self):
        return [line for line in self.lines if line.startswith("run ")]

    def quiet_after(self, count, timeout=30):
        """Waits for a run after the first `count` runs that applied nothing and exited 0:
        with nothing else happening, the watcher is idle then."""
        def quiet():
            return "(exited)" in self.lines or any(" exit 0, 0 step(s)" in line for line in self.runs()[count:])
        with self.changed:
            if not self.changed.wait_for(quiet, timeout) or "(exited)" in self.lines:
                sys.exit("the watcher did not settle:\n" + "\n".join(self.lines[-20:]))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def build_host(base, instances=10, other=1000):
    host = Host(base, instances=instances)
    with open(host.config, "a") as f:
        f.write("leases:\n  - mounts: tmp/sandbox-idmap-*\n    lock: \"{mount}.lock\"\n")
    elsewhere = base + "/elsewhere"
    for n in range(other):
        os.makedirs(f"{elsewhere}/{n}")
        mount(host.root + "/installation", f"{elsewhere}/{n}", None, MS_BIND)
    os.makedirs(f"{base}/storm", exist_ok=True)
    return host


def drift_kinds(host, base, watch):
    """(name, make the drift, condition that it is repaired), each repeatable."""
    root = host.root
    instances = f"{base}/etc/reconcile/instances.d"

    def stray():
        count, started = len(watch.runs()), time.monotonic()
        os.makedirs(f"{root}/runtime/stray", exist_ok=True)
        mount(root + "/installation", f"{root}/runtime/stray", None, MS_BIND)
        return lambda points: f"{root}/runtime/stray" not in points, started, count

    def overlay():
        count, started = len(watch.runs()), time.monotonic()
        umount(f"{root}/runtime/3/merged")
        return lambda points: f"{root}/runtime/3/merged" in points, started, count

    counter = [0]

    def manifest():
        counter[0] += 1
        name = f"new{counter[0]}"
        write(f"{base}/.{name}.tmp", f"mounts:\n  - type: bind\n    source: overlays/4\n    target: runtime/{name}\n")
        count, started = len(watch.runs()), time.monotonic()
        os.replace(f"{base}/.{name}.tmp", f"{instances}/{name}.yaml")
        return lambda points: f"{root}/runtime/{name}" in points, started, count

    def lease():
        target = f"{root}/tmp/sandbox-idmap-9"
        os.makedirs(target, exist_ok=True)
        lock = os.open(target + ".lock", os.O_RDONLY | os.O_CREAT, 0o644)
        fcntl.flock(lock, fcntl.LOCK_EX)
        # The watcher runs for the new mount (and keeps it); the release comes after.
        count = len(watch.runs())
        mount(root + "/overlays/9", target, None, MS_BIND)
        watch.quiet_after(count)
        count, started = len(watch.runs()), time.monotonic()
        os.close(lock)
        return lambda points: target not in points, started, count

    return [("stray bind below managed", stray), ("overlay unmounted by hand", overlay),
            ("new manifest renamed into place", manifest), ("build's lease released", lease)]


def main():
    binary = os.path.abspath(sys.argv[1])
    rounds = int(os.environ.get("WATCH_BENCH_ROUNDS", "20"))
    base = fresh_base("watch")
    host = build_host(base)
    watch = Watch(binary, host)
    try:
        watch.quiet_after(0)
        path = "fanotify" if "fanotify mount events" in watch.lines[0] else "POLLPRI only"
        print(f"reconcile watch benchmark: {binary}, kernel {os.uname().release}, {path}")
        print(f"  {sum(1 for _ in open('/proc/self/mountinfo'))} mounts in the table\n")

        idle_seconds = float(os.environ.get("WATCH_BENCH_IDLE", "60"))
        before, start = cpu_seconds(watch.proc.pid), time.monotonic()
        time.sleep(idle_seconds)
        idle = (cpu_seconds(watch.proc.pid) - before) / (time.monotonic() - start)
        print(f"Idle over {idle_seconds:.0f} s: {idle * 100:.3f}% of a core (goal: at most 0.1%)\n")

        waiter = TableWaiter()
        print(f"Repair latency, {rounds} rounds each (goal: median 100 ms, max 1 s)")
        for name, make in drift_kinds(host, base, watch):
            times = []
            for _ in range(rounds):
                repaired, started, count = make()
                times.append(waiter.until(repaired) - started)
                watch.quiet_after(count)
            print(f"  {name:34s} median {statistics.median(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")
        print()

        storm = f"{base}/storm"
        for n in range(50):
            os.makedirs(f"{storm}/{n}", exist_ok=True)
        before, start = cpu_seconds(watch.proc.pid), time.monotonic()
        runs_before = len(watch.runs())
        while time.monotonic() - start < 5:
            tick = time.monotonic()
            for n in range(50):
                mount(host.root + "/installation", f"{storm}/{n}", None, MS_BIND)
            for n in range(50):
                umount(f"{storm}/{n}")
            left = 0.01 - (time.monotonic() - tick)
            if left > 0:
                time.sleep(left)
        elapsed = time.monotonic() - start
        storm_cpu = (cpu_seconds(watch.proc.pid) - before) / elapsed
        runs = len(watch.runs()) - runs_before
        repaired, started, _ = drift_kinds(host, base, watch)[0][1]()
        after_storm = waiter.until(repaired) - started
        print(f"Storm: 50 mount/unmount pairs every 10 ms for {elapsed:.1f} s outside the managed tree")
        print(f"  watcher CPU                  {storm_cpu * 100:6.1f}% of a core (goal: at most 25%)")
        print(f"  full runs during the storm   {runs}")
        print(f"  a stray bind right after     {after_storm * 1000:6.1f} ms to repair (goal: within 1 s)")
        if os.environ.get("WATCH_BENCH_LOG"):
            print("\n".join(watch.lines))
        storm_runs = watch.runs()[runs_before:runs_before + runs]
        if storm_runs:
            print("  the runs during the storm: " + "; ".join(storm_runs))
    finally:
        watch.stop()
        drop(base)


if __name__ == "__main__":
    main()
