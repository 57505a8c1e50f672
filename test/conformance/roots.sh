#!/usr/bin/env bash
# Builds (once) and mounts the four Debian roots whose real QEMU and Linux the conformance tests
# compare hotmem with: bullseye (QEMU 5.2, Linux 5.10), bookworm (7.2, 6.1), trixie (10.0, 6.12),
# sid (11.1, 7.x). Idempotent: a root that finished building (marked .hotmem-root-ready) is only
# re-mounted. Roots live outside the clone so that CI and later runs reuse them.
#
#   test/conformance/roots.sh [SUITE ...]     build/mount these (default: all four)
#   HOTMEM_ROOTS=DIR                          where the roots live (default /var/cache/hotmem/roots)
#
# A suite that cannot be built (no root, no network, no debootstrap) is reported and left out;
# the tests that need it skip, naming the missing root. Exit status is 0 unless asked for help
# wrongly: CI goes on and the skips say what was missing.
set -uo pipefail

ROOTS="${HOTMEM_ROOTS:-/var/cache/hotmem/roots}"
SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(bullseye bookworm trixie sid)
# The packages each root needs: QEMU for x86_64 and s390x, the suite's cloud kernel as the guest,
# and a static busybox for the guest's initramfs. sid packages qemu-system-s390x on its own.
BASE_PACKAGES="qemu-system-x86 linux-image-cloud-amd64 busybox-static xz-utils"

log() { echo "== roots: $*"; }

# dev/shm is a mount of its own (tmpfs): tests put shmem-backed files there.
mount_binds() {
  local dir=$1 m
  for m in proc dev dev/shm sys tmp; do
    mkdir -p "$dir/$m"
    mountpoint -q "$dir/$m" || mount --bind "/$m" "$dir/$m" || return 1
  done
}

# The tests spawn a plain executable: $ROOTS/bin/SUITE/qemu-system-ARCH runs the root's binary
# chrooted (exec, so the test's pid is QEMU's own, as /proc/PID readers need). /tmp is bound, so
# unix socket and file paths the test makes under /tmp mean the same inside and outside.
write_wrappers() {
  local suite=$1 arch bin
  mkdir -p "$ROOTS/bin/$suite"
  for arch in x86_64 s390x; do
    bin="$ROOTS/bin/$suite/qemu-system-$arch"
    [ -x "$ROOTS/$suite/usr/bin/qemu-system-$arch" ] || continue
    printf '#!/bin/sh\nexec chroot %s /usr/bin/qemu-system-%s "$@"\n' "$ROOTS/$suite" "$arch" >"$bin"
    chmod +x "$bin"
  done
}

s390x_package() {
  # qemu-system-s390x where the suite has it as a package of its own, else qemu-system-misc.
  if chroot "$1" apt-cache show qemu-system-s390x >/dev/null 2>&1; then echo qemu-system-s390x; else echo qemu-system-misc; fi
}

build_root() {
  local suite=$1 dir="$ROOTS/$1"
  if [ -f "$dir/.hotmem-root-ready" ]; then
    mount_binds "$dir" || { log "$suite: cannot bind-mount /proc /dev /dev/shm /sys /tmp into $dir"; return 1; }
    write_wrappers "$suite"
    log "$suite: ready at $dir ($(cat "$dir/.hotmem-root-ready"))"
    return 0
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1
    fi
    command -v debootstrap >/dev/null 2>&1 || { log "$suite: debootstrap is not installed and cannot be"; return 1; }
  }
  log "$suite: building in $dir"
  rm -rf "$dir" && mkdir -p "$dir"
  if ! debootstrap --variant=minbase "$suite" "$dir" >"$ROOTS/$suite.debootstrap.log" 2>&1; then
    log "$suite: debootstrap failed (see $ROOTS/$suite.debootstrap.log)"
    return 1
  fi
  # sid's Release file can be past its Valid-Until date on the archive.
  echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99hotmem-valid-until"
  mount_binds "$dir" || { log "$suite: cannot bind-mount into $dir"; return 1; }
  chroot "$dir" apt-get update -qq >>"$ROOTS/$suite.debootstrap.log" 2>&1
  local packages="$BASE_PACKAGES $(s390x_package "$dir")"
  if ! chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages \
      >>"$ROOTS/$suite.debootstrap.log" 2>&1; then
    log "$suite: installing $packages failed (see $ROOTS/$suite.debootstrap.log)"
    return 1
  fi
  chroot "$dir" apt-get clean
  write_wrappers "$suite"
  local version
  version=$(chroot "$dir" qemu-system-x86_64 --version | head -n 1)
  echo "$version" >"$dir/.hotmem-root-ready"
  log "$suite: built ($version)"
}

if [ "$(id -u)" != 0 ]; then
  log "not root: cannot build or mount the Debian roots; the tests that need them will skip"
  exit 0
fi
mkdir -p "$ROOTS"
pids=()
for suite in "${SUITES[@]}"; do
  case $suite in bullseye | bookworm | trixie | sid) ;; *) echo "roots.sh: unknown suite '$suite' (bullseye, bookworm, trixie, sid)" >&2; exit 2 ;; esac
  build_root "$suite" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
exit 0
