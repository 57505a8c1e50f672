#!/bin/sh
# PID 1 of the conformance guest (busybox initramfs built by initramfs.ts).
#
# It loads the virtio modules listed in /etc/hotmem/modules (dependency order), then serves
# requests read from the serial console, one per line, and answers with lines of the form
#   HOTMEM <seq> <kind> <fields...>
# so that the host can pick them out of whatever else reaches the console. The host, not the
# guest, decides when the guest is quiescent (it asks again until two reports agree), which keeps
# this script free of sleeps. Requests:
#   report <seq> <dmesg-lines-already-seen>   meminfo, pages migrated, memory blocks, virtio devices, iomem, new dmesg
#   fill <seq> <bytes>                         keep exactly <bytes> (whole MiB) of file data in RAM
# Kernel messages stay off the console (loglevel on the command line) and travel in reports,
# read with `dmesg -r` so their log level survives.

/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# tmpfs, unlike the ramfs the initramfs may be unpacked into, allocates movable pages, so data
# kept here behaves like ordinary page cache when virtio-mem unplugs memory. The size is a limit only.
mkdir -p /fill
mount -t tmpfs -o size=64g tmpfs /fill

while read -r module; do
  insmod "/lib/modules/$module" || echo "HOTMEM 0 insmod-failed $module"
done < /etc/hotmem/modules

# The console echoes input by default; an echoed request would be read back as noise.
stty -echo

report() {
  seq=$1
  seen=$2
  echo "HOTMEM $seq begin"
  while read -r key value unit; do
    case $key in
      MemTotal:|MemFree:|MemAvailable:) echo "HOTMEM $seq meminfo ${key%:} $value";;
    esac
  done < /proc/meminfo
  # Counts every page migrated (balloon pages included): a driver still migrating shows here.
  while read -r key value; do
    [ "$key" = pgmigrate_success ] && echo "HOTMEM $seq vmstat $key $value"
  done < /proc/vmstat
  echo "HOTMEM $seq block-size $(cat /sys/devices/system/memory/block_size_bytes)"
  for block in /sys/devices/system/memory/memory*; do
    # The driver may remove a block (unplug) between the glob and the read: it is gone, not listed.
    state=$(cat "$block/state" 2>/dev/null) || continue
    # valid_zones of an online block is the one zone it is in; spaces would split the field.
    zones=$(cat "$block/valid_zones" 2>/dev/null | tr ' ' ',')
    echo "HOTMEM $seq block ${block##*/memory} $state ${zones:-none}"
  done
  for dev in /sys/bus/virtio/devices/*; do
    [ -e "$dev" ] || continue
    driver=none
    [ -e "$dev/driver" ] && driver=$(basename "$(readlink "$dev/driver")")
    echo "HOTMEM $seq virtio ${dev##*/} $(cat "$dev/device") $(cat "$dev/status") $(cat "$dev/features") $driver"
  done
  grep -i virtio /proc/iomem | while IFS= read -r line; do
    echo "HOTMEM $seq iomem $line"
  done
  dmesg -r | tail -n +$((seen + 1)) | while IFS= read -r line; do
    echo "HOTMEM $seq dmesg $line"
  done
  echo "HOTMEM $seq end"
}

fill() {
  rm -f /fill/data
  [ "$2" -gt 0 ] && dd if=/dev/zero of=/fill/data bs=1048576 count=$(($2 / 1048576)) 2>/dev/null
  echo "HOTMEM $1 filled $(stat -c %s /fill/data 2>/dev/null || echo 0)"
}

echo "HOTMEM 0 ready $(uname -r)"
while read -r request seq arg; do
  case $request in
    report) report "$seq" "${arg:-0}";;
    fill) fill "$seq" "${arg:-0}";;
    *) echo "HOTMEM ${seq:-0} unknown-request $request";;
  esac
done

# The console never reaches end-of-file, but PID 1 must not exit (the kernel would panic).
while :; do sleep 3600; done
