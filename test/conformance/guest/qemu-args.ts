/**
 * The qemu-system-x86_64 command line for a scenario. Pure, so the exact arguments the real
 * runs use are visible in a test and a model can be fed the same ones.
 */
import type { GuestScenario } from './transcript.js';

export const VIRTIO_MEM_ID = 'vm0';
export const BALLOON_ID = 'balloon0';
export const MEMDEV_ID = 'mem0';
export const VIRTIO_MEM_PATH = `/machine/peripheral/${VIRTIO_MEM_ID}`;
export const BALLOON_PATH = `/machine/peripheral/${BALLOON_ID}`;

export interface QemuPaths {
  readonly kernel: string;
  readonly initrd: string;
  /** A unix socket the harness listens on; QEMU connects the guest's ttyS0 to it. */
  readonly consoleSocket: string;
  /** QEMU writes its process id here, for the host-side /proc figures. */
  readonly pidFile: string;
  /** Where a `file` backend keeps its memory. */
  readonly backendFile: string;
}

/**
 * The guest kernel command line. loglevel=1 keeps all but emergency messages off the serial
 * console, which carries the init script's protocol; the script reads the log with dmesg.
 * panic=-1 plus QEMU's -no-reboot make a guest panic end QEMU at once instead of a timeout.
 */
export function kernelCommandLine(scenario: GuestScenario): string {
  return `console=ttyS0 loglevel=1 panic=-1 memhp_default_state=${scenario.onlinePolicy}`;
}

/**
 * Everything after what QmpSession adds itself (its QMP chardev, -display none, -nodefaults, -S):
 * the serial console goes to a socket because the session does not pass stdin through.
 */
export function qemuArguments(scenario: GuestScenario, paths: QemuPaths): string[] {
  const mem = scenario.virtioMem;
  const backend = [
    `memory-backend-${mem.backend}`,
    `id=${MEMDEV_ID}`,
    `size=${sizeArgument(mem.backendSize)}`,
    ...(mem.backend === 'file' ? [`mem-path=${optionValue(paths.backendFile)}`] : []),
    ...(mem.share ? ['share=on'] : []),
  ];
  const device = [
    'virtio-mem-pci',
    `id=${VIRTIO_MEM_ID}`,
    `memdev=${MEMDEV_ID}`,
    `requested-size=${sizeArgument(mem.requestedSize)}`,
    ...(mem.unpluggedInaccessible === null ? [] : [`unplugged-inaccessible=${mem.unpluggedInaccessible}`]),
  ];
  return [
    '-machine',
    `${scenario.machine},accel=${scenario.accel}`,
    '-m',
    `${sizeArgument(scenario.bootMemory)},maxmem=${sizeArgument(scenario.maxMemory)}`,
    '-smp',
    '1',
    '-no-reboot',
    '-chardev',
    `socket,id=console,path=${optionValue(paths.consoleSocket)}`,
    '-serial',
    'chardev:console',
    '-pidfile',
    paths.pidFile,
    '-kernel',
    paths.kernel,
    '-initrd',
    paths.initrd,
    '-append',
    kernelCommandLine(scenario),
    '-object',
    backend.join(','),
    '-device',
    device.join(','),
    ...(scenario.balloon ? ['-device', `virtio-balloon-pci,id=${BALLOON_ID}${scenario.freePageReporting ? ',free-page-reporting=on' : ''}`] : []),
  ];
}

/**
 * A size with an explicit suffix: `-m` reads a bare number as MiB while `-object ... size=`
 * reads it as bytes, so a suffix keeps both unambiguous.
 */
export function sizeArgument(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`not a size: ${bytes}`);
  if (bytes === 0) return '0';
  for (const [suffix, unit] of [
    ['G', 2 ** 30],
    ['M', 2 ** 20],
    ['K', 2 ** 10],
  ] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return `${bytes}B`;
}

/** QEMU's option syntax doubles a literal comma. */
const optionValue = (value: string): string => value.replaceAll(',', ',,');
