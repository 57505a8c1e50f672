#!/usr/bin/env bash
# Builds (once) and mounts the roots whose real QEMU and Linux the conformance tests compare hotmem
# with: Debian's bullseye (QEMU 5.2, Linux 5.10), bookworm (7.2, 6.1), trixie (10.0, 6.12), sid
# (11.1, 7.x), and Ubuntu's tenacious (27.04, QEMU 11.0: Debian ships no 11.0; QEMU only, no guest
# kernel). Idempotent: a root that finished building (marked .hotmem-root-ready) is only
# re-mounted. Roots live outside the clone so that CI and later runs reuse them.
#
#   test/conformance/roots.sh [SUITE ...]     build/mount these (default: all five)
#   HOTMEM_ROOTS=DIR                          where the roots live (default /var/cache/hotmem/roots)
#
# A suite that cannot be built (no root, no network, no debootstrap) is reported and left out;
# the tests that need it skip, naming the missing root. Exit status is 0 unless asked for help
# wrongly: CI goes on and the skips say what was missing.
set -uo pipefail

ROOTS="${HOTMEM_ROOTS:-/var/cache/hotmem/roots}"
SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(bullseye bookworm trixie sid tenacious)
# The packages each Debian root needs: QEMU for x86_64 and s390x, the suite's cloud kernel as the
# guest, and a static busybox for the guest's initramfs. sid packages qemu-system-s390x on its own.
DEBIAN_PACKAGES="qemu-system-x86 linux-image-cloud-amd64 busybox-static xz-utils"
# Ubuntu's root serves QEMU only (no guest is booted with it).
UBUNTU_PACKAGES="qemu-system-x86"
UBUNTU_MIRROR="http://archive.ubuntu.com/ubuntu"
# Ubuntu's archive key: the host's if it has one, else the one a previous Ubuntu root installed
# (kept beside the roots). Without either, the first bootstrap cannot check the Release signature;
# apt inside the root then checks everything it installs against the ubuntu-keyring the bootstrap
# put there, and that keyring is kept so that later bootstraps are checked.
UBUNTU_KEYRINGS=(/usr/share/keyrings/ubuntu-archive-keyring.gpg "$ROOTS/.ubuntu-archive-keyring.gpg")

log() { echo "== roots: $*"; }

# dev/shm is a mount of its own (tmpfs): tests put shmem-backed files there.
mount_binds() {
  local dir=$1 m
  for m in proc dev dev/shm sys tmp; do
    mkdir -p "$dir/$m"
    mountpoint -q "$dir/$m" || mount --bind "/$m" "$dir/$m" || return 1
  done
}

distro_of() {
  case $1 in tenacious) echo ubuntu ;; *) echo debian ;; esac
}

# Ubuntu's archive carries SHA512 sums only, which debootstrap reads from 1.0.134 on (bookworm's
# 1.0.128 does not): an older host debootstrap is replaced by sid's, taken from the sid root.
newer_debootstrap() {
  local own=/usr/share/debootstrap/functions dest="$ROOTS/.debootstrap" tmp
  if grep -q '\^SHA512:' "$own" 2>/dev/null; then echo "debootstrap /usr/share/debootstrap"; return 0; fi
  if [ ! -x "$dest/usr/sbin/debootstrap" ]; then
    [ -f "$ROOTS/sid/.hotmem-root-ready" ] || { echo "the sid root (for a debootstrap that reads SHA512-only archives) is not built" >&2; return 1; }
    tmp=$(mktemp -d /tmp/hotmem-debootstrap.XXXXXX) && chmod 755 "$tmp"
    chroot "$ROOTS/sid" sh -c "cd $tmp && apt-get download -qq debootstrap" >&2 || { rm -rf "$tmp"; return 1; }
    rm -rf "$dest" && dpkg-deb -x "$tmp"/debootstrap_*.deb "$dest" || { rm -rf "$tmp"; return 1; }
    rm -rf "$tmp"
  fi
  echo "$dest/usr/sbin/debootstrap $dest/usr/share/debootstrap"
}

# Debian's suites bootstrap in one go. Ubuntu's need Ubuntu's mirror, a script (debootstrap knows
# none for releases newer than itself; gutsy's is the one all of Ubuntu's link to), and two stages:
# in a container debootstrap makes the target's /proc a symlink to /proc, which Ubuntu's Rust
# coreutils cannot resolve (/proc/self/exe), so the second stage runs with /proc bind-mounted.
bootstrap() {
  local suite=$1 dir=$2
  if [ "$(distro_of "$suite")" = debian ]; then
    debootstrap --variant=minbase "$suite" "$dir"
    return
  fi
  local tool bin share script check=(--no-check-gpg)
  tool=$(newer_debootstrap) || return 1
  read -r bin share <<<"$tool"
  script="$share/scripts/$suite"
  [ -e "$script" ] || script="$share/scripts/gutsy"
  local keyring
  for keyring in "${UBUNTU_KEYRINGS[@]}"; do
    [ -f "$keyring" ] && { check=(--keyring="$keyring"); break; }
  done
  DEBOOTSTRAP_DIR="$share" "$bin" --foreign --variant=minbase --components=main,universe "${check[@]}" \
    "$suite" "$dir" "$UBUNTU_MIRROR" "$script" || return 1
  [ -L "$dir/proc" ] && rm "$dir/proc"
  mount_binds "$dir" || return 1
  chroot "$dir" /debootstrap/debootstrap --second-stage
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
  if ! bootstrap "$suite" "$dir" >"$ROOTS/$suite.debootstrap.log" 2>&1; then
    log "$suite: debootstrap failed (see $ROOTS/$suite.debootstrap.log)"
    return 1
  fi
  # sid's Release file can be past its Valid-Until date on the archive.
  echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99hotmem-valid-until"
  mount_binds "$dir" || { log "$suite: cannot bind-mount into $dir"; return 1; }
  chroot "$dir" apt-get update -qq >>"$ROOTS/$suite.debootstrap.log" 2>&1
  local packages="$DEBIAN_PACKAGES"
  [ "$(distro_of "$suite")" = ubuntu ] && packages="$UBUNTU_PACKAGES"
  packages="$packages $(s390x_package "$dir")"
  if ! chroot "$dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages \
      >>"$ROOTS/$suite.debootstrap.log" 2>&1; then
    log "$suite: installing $packages failed (see $ROOTS/$suite.debootstrap.log)"
    return 1
  fi
  chroot "$dir" apt-get clean
  [ "$(distro_of "$suite")" = ubuntu ] && cp "$dir/usr/share/keyrings/ubuntu-archive-keyring.gpg" "${UBUNTU_KEYRINGS[1]}"
  write_wrappers "$suite"
  local version
  version=$(chroot "$dir" qemu-system-x86_64 --version | head -n 1)
  echo "$version" >"$dir/.hotmem-root-ready"
  log "$suite: built ($version)"
}

if [ "$(id -u)" != 0 ]; then
  log "not root: cannot build or mount the roots; the tests that need them will skip"
  exit 0
fi
mkdir -p "$ROOTS"
for suite in "${SUITES[@]}"; do
  case $suite in bullseye | bookworm | trixie | sid | tenacious) ;; *) echo "roots.sh: unknown suite '$suite' (bullseye, bookworm, trixie, sid, tenacious)" >&2; exit 2 ;; esac
done
# Debian's roots in parallel, then Ubuntu's, whose bootstrap may need sid's debootstrap.
for distro in debian ubuntu; do
  pids=()
  for suite in "${SUITES[@]}"; do
    [ "$(distro_of "$suite")" = "$distro" ] || continue
    build_root "$suite" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
done
exit 0
