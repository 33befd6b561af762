#!/bin/sh
set -eu
R=/var/lib/left4me
mkdir -p $R/runtime/2/idmap/overlays_9 $R/tmp/sandbox-idmap-9
for i in 1 2 3; do mount --bind $R/overlays/9 $R/runtime/2/idmap/overlays_9; done
mount --bind $R/overlays/9 $R/tmp/sandbox-idmap-9
grep -c "$R/" /proc/self/mountinfo > /e2e/mounts-at-boot
