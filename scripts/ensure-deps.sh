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
# The release link takes libstdc++ from its static archive (Makefile, build).
command -v g++ >/dev/null || missing+=(g++)
# The Debian package (make deb) and its checks: debhelper builds it, lintian checks it.
command -v dh >/dev/null || missing+=(debhelper)
command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
command -v lintian >/dev/null || missing+=(lintian)
# The manifests' JSON Schemas are checked with a real validator (draft 2020-12): Debian's
# python3-jsonschema, under Debian's python (not one a user put first on PATH).
/usr/bin/python3 -c 'import jsonschema, yaml; jsonschema.Draft202012Validator' 2>/dev/null || missing+=(python3-jsonschema python3-yaml)
# The metrics file is read by the real reader and checked by promtool.
[[ -x /usr/bin/prometheus-node-exporter ]] || missing+=(prometheus-node-exporter)
command -v promtool >/dev/null || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)
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
  # prometheus is here for promtool and node_exporter for one test, which starts its
  # own on 127.0.0.1: the daemons their packages enable and start must not run here.
  for unit in prometheus prometheus-node-exporter; do
    [[ " ${missing[*]} " == *" $unit "* ]] || continue
    systemctl disable "$unit.service" >/dev/null 2>&1 || true
    if [[ -d /run/systemd/system ]]; then systemctl stop "$unit.service" >/dev/null 2>&1 || true; fi
  done
fi
command -v swift >/dev/null || { echo "reconcile: the Swift toolchain (swift) is not on PATH" >&2; exit 1; }
