#!/bin/bash
# Runs inside the guest that scripts/kernel-test.sh boots (as root, the host's
# userspace shared read-only): the XCTest integration tests, then the Swift Testing
# suites (the probes that need root among them), each in a private mount namespace as
# scripts/run-tests.sh runs them, with CI=true (a skip is a failure).
#
#   kernel-test-guest.sh OUT REPO BIN    OUT is writable and shared with the host
set -uo pipefail
out=$1 repo=$2 bin=$3
# Run from a copy, outside the shares it remounts below (an open script or a working
# directory there would keep them busy).
if [[ $0 != /run/kernel-test-guest.sh ]]; then
  cp "$0" /run/kernel-test-guest.sh && cd / && exec bash /run/kernel-test-guest.sh "$@"
fi
started=$(date +%s)
kernel=$(uname -r)
echo "kernel $kernel" >"$out/guest.txt"
finish() {
  echo "$1" >"$out/result"
  dmesg >"$out/dmesg.txt" 2>&1
  exit 0
}

for module in overlay loop ext4; do
  modprobe "$module" 2>>"$out/guest.txt" || finish "failed: modprobe $module"
done

# The shares come up without a page cache (9p cache=none): every exec of a debug build
# would read the Swift runtime over 9p again, 1.9 s a run of reconcile instead of 0.5 s.
# Nothing changes them while the guest runs, so a loose cache is safe.
for path in /opt/swift "$repo"; do
  tag=$(awk -v p="$path" '$2 == p && $3 == "9p" { print $1; exit }' /proc/mounts)
  [[ -n $tag ]] || finish "failed: $path is not a 9p share in the guest"
  umount "$path" && mount -t 9p -o ro,trans=virtio,version=9p2000.L,access=any,msize=524288,cache=loose "$tag" "$path" \
    || finish "failed: remounting $path with a page cache"
done

# Scratch space. Before 6.3 tmpfs cannot be idmapped, before 6.6 it has no user.*
# xattrs: there /tmp is ext4 on a loop device and the scratch hosts are made on it
# (RECONCILE_TEST_SCRATCH_DIR) instead of a tmpfs each.
IFS=. read -r major minor _ <<<"${kernel%%-*}"
scratch_env=()
if ((major < 6 || (major == 6 && minor < 6))); then
  mkdir -p /run/scratch-image
  mount -t tmpfs -o size=3g scratch-image /run/scratch-image || finish "failed: tmpfs for the ext4 image"
  truncate -s 2g /run/scratch-image/ext4.img
  # Small files by the ten thousand (the ownership walk tests): one inode per 8 KiB.
  mkfs.ext4 -q -F -i 8192 -E lazy_itable_init=1,lazy_journal_init=1 /run/scratch-image/ext4.img \
    || finish "failed: mkfs.ext4"
  loop=$(losetup --find --show /run/scratch-image/ext4.img) || finish "failed: losetup"
  mount -t ext4 "$loop" /tmp || finish "failed: mounting ext4 from $loop on /tmp"
  chmod 1777 /tmp
  scratch_env=(RECONCILE_TEST_SCRATCH_DIR=/tmp)
  echo "scratch: ext4 on $loop at /tmp" >>"$out/guest.txt"
else
  mount -t tmpfs -o mode=1777 scratch-tmp /tmp || finish "failed: tmpfs on /tmp"
  echo "scratch: tmpfs at /tmp" >>"$out/guest.txt"
fi

cd "$repo" || finish "failed: cd $repo"
run() {
  local log=$1
  shift
  env CI=true "${scratch_env[@]}" unshare --mount --propagation private -- sh -c \
    'RECONCILE_TEST_MOUNT_NAMESPACE=$(readlink /proc/self/ns/mnt) exec "$@"' sh "$@" >"$out/$log" 2>&1
}

problems=()
run xctest.log "$bin/reconcilePackageTests.xctest" || problems+=("XCTest failed")
xctest_total=$(grep -a -Eo 'Executed [0-9]+ tests?' "$out/xctest.log" | tail -n 1 | awk '{ print $2 }')
xctest_skipped=$(grep -a -Eo 'with [0-9]+ tests? skipped' "$out/xctest.log" | tail -n 1 | awk '{ print $2 + 0 }')
[[ ${xctest_skipped:-0} -eq 0 ]] || problems+=("$xctest_skipped XCTest test(s) skipped")
[[ ${xctest_total:-0} -gt 0 ]] || problems+=("XCTest ran no test")

run swift-testing.log "$bin/reconcilePackageTests.xctest" --testing-library swift-testing || problems+=("Swift Testing failed")
testing_total=$(grep -a -Eo 'Test run with [0-9]+ tests?' "$out/swift-testing.log" | tail -n 1 | awk '{ print $4 }')
# The peer-corpus tests skip, by design, when ../shared is not beside the clone (the
# package builds and tests without it), as they do on the host; any other skip fails.
testing_skipped=$(grep -a -E '^[^ ]+ Test .* skipped' "$out/swift-testing.log" \
  | grep -a -vc '../shared/fixtures/mountinfo is absent')
[[ $testing_skipped -eq 0 ]] || problems+=("$testing_skipped Swift Testing test(s) skipped")
[[ ${testing_total:-0} -gt 0 ]] || problems+=("Swift Testing ran no test")

summary="XCTest ${xctest_total:-0} tests, Swift Testing ${testing_total:-0} tests, $(($(date +%s) - started))s in the guest"
if ((${#problems[@]})); then
  finish "failed: $(IFS=';'; echo "${problems[*]}") ($summary)"
fi
finish "passed: $summary"
