#!/usr/bin/env bash
# Installs what the build needs from Debian when it is missing: the libmount and
# libyaml headers (through pkg-config) and the util-linux tools the tests drive.
set -euo pipefail
missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists mount 2>/dev/null || missing+=(libmount-dev)
pkg-config --exists yaml-0.1 2>/dev/null || missing+=(libyaml-dev)
command -v unshare >/dev/null || missing+=(util-linux)
command -v setpriv >/dev/null || missing+=(util-linux)
command -v flock >/dev/null || missing+=(util-linux)
command -v findmnt >/dev/null || missing+=(mount)
# make bench: its listmount/statmount probe is C, its ownership walk runs on ext4 too.
command -v cc >/dev/null || missing+=(gcc)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "reconcile: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "reconcile: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "reconcile: the Swift toolchain (swift) is not on PATH" >&2; exit 1; }
