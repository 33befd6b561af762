"""The ownership migration against `chown -R --from=U:G U2:G2` (DESIGN.md 6).

Builds one 200,021-entry tree on a tmpfs and on an ext4 image (20 directories of
1,000 directories of 9 files), owned by the sandbox uid, and times chown, our walk
with its default threads and our walk on one thread on that same tree, taking turns
going first, with the tree given back to the sandbox (untimed) after each.
tmpfs keeps the cache warm. Wall time is what counts; CPU time (user + system, from
wait4) is shown too, being less disturbed by whatever else shares the cores.

Needs root inside a private mount namespace: `bench/run.sh BINARY --only chown`, or
    unshare -m --propagation private python3 bench/chown_bench.py .build/release/ownership-walk-tool
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import shutil

from bench import MNT_DETACH, drop, fresh_base, mount, ms, umount

SANDBOX, LEFT4ME = "981:981", "980:980"


def build_tree(top, outer=20, inner=1000, files=9):
    """The tree, and how many entries it has (itself included)."""
    os.mkdir(top)
    for o in range(outer):
        for i in range(inner):
            leaf = f"{top}/o{o}/i{i}"
            os.makedirs(leaf)
            for f in range(files):
                os.close(os.open(f"{leaf}/f{f}.vpk", os.O_CREAT | os.O_WRONLY, 0o644))
    return 1 + outer + outer * inner * (files + 1)


def give_back(tree):
    subprocess.run(["chown", "-R", SANDBOX, tree], check=True)


def timed(argv):
    """Wall and CPU seconds of one command; exit status, stdout and stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, proc.returncode, out.read(), err.read().decode()


def ext4_base(name, size=1 << 30, inodes=260000):
    """A loop-mounted ext4 image on this machine's disk (/var/tmp), mounted in this
    private namespace: a real on-disk filesystem. Returns the mount point and a cleanup."""
    image_dir = tempfile.mkdtemp(prefix=f"reconcile-bench-{name}.", dir="/var/tmp")
    image = image_dir + "/ext4.img"
    with open(image, "wb") as f:
        f.truncate(size)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-N", str(inodes), image], check=True)
    device = subprocess.run(["losetup", "--find", "--show", image], check=True, capture_output=True,
                            text=True).stdout.strip()
    base = image_dir + "/mnt"
    os.mkdir(base)
    mount(device, base, "ext4")

    def cleanup():
        umount(base, MNT_DETACH)
        subprocess.run(["losetup", "-d", device], check=False)
        shutil.rmtree(image_dir, ignore_errors=True)
    return base, cleanup


def ownership_migration(tool, rounds=11, filesystem="tmpfs"):
    """(wall, cpu) times of chown -R --from, of our walk (its default threads) and of
    our walk on one thread, over one tree, and our counts."""
    if filesystem == "ext4":
        base, cleanup = ext4_base("chown")
    else:
        base = fresh_base("chown")
        cleanup = lambda: drop(base)
    tree = base + "/overlays"
    total = build_tree(tree)
    give_back(tree)
    chown, ours, alone, counts = [], [], [], None

    def time_chown():
        wall, cpu, status, _, err = timed(["chown", "-R", f"--from={SANDBOX}", LEFT4ME, tree])
        if status != 0:
            sys.exit(f"chown -R failed ({status}): {err}")
        chown.append((wall, cpu))

    def time_tool(into, extra):
        nonlocal counts
        argv = [tool, "--from", SANDBOX, "--to", LEFT4ME, "--beneath", base] + extra + [tree]
        wall, cpu, status, out, err = timed(argv)
        if status != 0:
            sys.exit(f"ownership-walk-tool failed ({status}): {err}")
        counts = json.loads(out)
        if counts["changed"] != total:
            sys.exit(f"walk re-owned {counts['changed']} of {total} entries")
        into.append((wall, cpu))

    time_chown()  # untimed warm-up: the cache holds every inode afterwards
    chown.clear()
    give_back(tree)
    order = [time_chown, lambda: time_tool(ours, []), lambda: time_tool(alone, ["--threads", "1"])]
    for round in range(rounds):
        for run_one in order[round % 3:] + order[:round % 3]:
            run_one()
            give_back(tree)
    cleanup()
    return total, chown, ours, alone, counts


def reconcile_migrate(reconcile, chown_ms, rounds=5):
    """`reconcile migrate` end to end on the same kind of tree (load, lock, observe,
    walk, record), then the cost of later runs once the migration is recorded."""
    base = fresh_base("migrate")
    root = base + "/var/lib/left4me"
    os.makedirs(root)
    tree = root + "/overlays"
    total = build_tree(tree)
    give_back(tree)
    os.makedirs(base + "/etc/reconcile/instances.d")
    config = base + "/etc/reconcile/site.yaml"
    with open(config, "w") as f:
        f.write(f"""root: {root}
instances: instances.d
lowerdir-roots: [overlays]
migrations:
  - id: overlays-owned-by-left4me
    chown: {{path: overlays, from: "{SANDBOX}", to: "{LEFT4ME}"}}
""")
    record = root + "/.reconcile/migrations/overlays-owned-by-left4me.json"
    full, recorded = [], []
    for _ in range(rounds):
        if os.path.exists(record):
            os.unlink(record)
        give_back(tree)
        wall, _, status, _, err = timed([reconcile, "migrate", "--config", config])
        if status != 0:
            sys.exit(f"reconcile migrate failed ({status}): {err}")
        full.append(wall)
        for _ in range(4):
            wall, _, status, _, err = timed([reconcile, "migrate", "--config", config])
            if status != 0:
                sys.exit(f"recorded reconcile migrate failed ({status}): {err}")
            recorded.append(wall)
    drop(base)
    print(f"reconcile migrate on {total:,} entries (median of {len(full)})")
    print(f"  first run, walking the tree        {ms(full):7.1f} ms   {ms(full) / chown_ms:5.2f}x chown -R")
    print(f"  later run, migration recorded      {ms(recorded):7.1f} ms   {100 * ms(recorded) / chown_ms:5.1f}% of chown -R (target: under 10%)")


def report(tool, reconcile=None):
    wall = lambda times: ms([t[0] for t in times])
    cpu = lambda times: ms([t[1] for t in times])
    for filesystem, rounds in [("tmpfs", 11), ("ext4", 7)]:
        total, chown, ours, alone, counts = ownership_migration(tool, rounds=rounds, filesystem=filesystem)
        where = "tmpfs" if filesystem == "tmpfs" else "ext4 (loop image on disk, warm cache)"
        threads = min(4, len(os.sched_getaffinity(0)))
        print(f"Ownership migration of {total:,} entries on {where} (median of {len(chown)}; goal: 0.90x chown -R)")
        print(f"  chown -R --from={SANDBOX} {LEFT4ME}  {wall(chown):7.1f} ms wall  {cpu(chown):7.1f} ms cpu")
        print(f"  ownership-walk-tool, {threads} threads     {wall(ours):7.1f} ms wall  {cpu(ours):7.1f} ms cpu")
        print(f"  ownership-walk-tool --threads 1    {wall(alone):7.1f} ms wall  {cpu(alone):7.1f} ms cpu")
        print(f"  ratio                              {wall(ours) / wall(chown):7.2f}x wall   {cpu(ours) / cpu(chown):5.2f}x cpu"
              f"   (one thread: {wall(alone) / wall(chown):.2f}x wall, {cpu(alone) / cpu(chown):.2f}x cpu)")
        print(f"  walk counts {counts}")
        if filesystem == "tmpfs":
            tmpfs_chown = wall(chown)
    if reconcile:
        reconcile_migrate(reconcile, tmpfs_chown)


if __name__ == "__main__":
    report(os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/ownership-walk-tool"),
           os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None)
