/**
 * Binding the driver to a virtio-mem device: the virtio core's part (register_virtio_device:
 * reset, ACKNOWLEDGE; virtio_dev_probe: DRIVER, features, FEATURES_OK and its re-read, FAILED on
 * any error) done through the driver port, then virtio_mem_probe()/virtio_mem_init() with the
 * dmesg lines of each version, and the mode and geometry the driver settles on.
 */
import { decodeConfig } from '../../../../devices/virtio-mem/config.js';
import { VIRTIO_MEM_F_ACPI_PXM } from '../../../../devices/virtio-mem/features.js';
import { hex } from '../../../core/units.js';
import type { VirtioDriverPort } from '../../../virtio/driver-port.js';
import type { FeatureSet } from '../../../virtio/feature-set.js';
import { toSafeNumber } from '../../../virtio/le.js';
import {
  STATUS_ACKNOWLEDGE,
  STATUS_DRIVER,
  STATUS_DRIVER_OK,
  STATUS_FAILED,
  STATUS_FEATURES_OK,
  STATUS_RESET,
  hasStatus,
  withStatus,
  type DeviceStatus,
} from '../../../virtio/status.js';
import { VIRTIO_F_VERSION_1 } from '../../../virtio/transport-features.js';
import { rcValue, type Errno } from './errno.js';
import { chooseGeometry, type HotplugGeometry, type VirtioMemModuleParams } from './geometry.js';
import type { DeviceLog } from './log.js';
import type { DriverRules } from './rules.js';

/** The guest's NUMA layout as the driver's node lookup sees it. */
export interface GuestNuma {
  /** pxm_to_node(): the node of each ACPI proximity domain the SRAT describes. */
  readonly pxmToNode: ReadonlyMap<number, number>;
  /** memory_add_physaddr_to_nid() of the device's start address (the 5.11+ fallback). */
  readonly nodeOfDeviceAddress: number;
}

/** A guest without NUMA information: everything is node 0, no proximity domains. */
export const NO_NUMA: GuestNuma = Object.freeze({ pxmToNode: new Map<number, number>(), nodeOfDeviceAddress: 0 });

export interface ProbeSettings {
  readonly memoryBlockSize: number;
  readonly numa: GuestNuma;
  /** is_kdump_kernel(): this kernel was booted by kexec to capture a crash dump. */
  readonly kdumpKernel: boolean;
  readonly moduleParams: VirtioMemModuleParams;
}

/** The config fields the driver reads once at probe. */
export interface ProbedDevice {
  readonly addr: number;
  readonly regionSize: number;
  readonly deviceBlockSize: number;
  readonly pluggedSize: number;
  /** Read at init only from 6.14 ("virtio-mem: remember usable region size"), for kdump. */
  readonly usableRegionSize: number;
  /** The node the memory is added to; undefined is NUMA_NO_NODE. */
  readonly nid: number | undefined;
}

/** Why the driver did not bind. */
export type ProbeFailure =
  /** The kernel has no virtio-mem driver for this architecture: the device stays at ACKNOWLEDGE. */
  | { readonly kind: 'no-driver' }
  /** FEATURES_OK did not stick: "virtio: device refuses features: %x", -ENODEV. */
  | { readonly kind: 'features-refused'; readonly proposed: FeatureSet; readonly status: DeviceStatus }
  /** virtio_mem_init() refused: device block bigger than a memory block (5.8-5.10), or kdump before 5.16. */
  | { readonly kind: 'init-failed'; readonly errno: Errno; readonly reason: 'block-size-too-big' | 'kdump-kernel' };

export type ProbeResult =
  | ProbeFailure
  | {
      readonly kind: 'hotplug';
      readonly features: FeatureSet;
      readonly device: ProbedDevice;
      readonly geometry: HotplugGeometry;
    }
  | { readonly kind: 'kdump'; readonly features: FeatureSet; readonly device: ProbedDevice };

/** virtio_add_status(): the core ORs bits into what it reads back. */
function addStatus(port: VirtioDriverPort, bits: DeviceStatus): void {
  port.writeStatus(withStatus(port.readStatus(), bits));
}

/** register_virtio_device() followed by virtio_dev_probe() and virtio_mem_probe(). */
export function probeVirtioMem(port: VirtioDriverPort, rules: DriverRules, driverExists: boolean, settings: ProbeSettings, log: DeviceLog): ProbeResult {
  // register_virtio_device(): reset and acknowledge whether or not a driver will match.
  port.writeStatus(STATUS_RESET);
  addStatus(port, STATUS_ACKNOWLEDGE);
  if (!driverExists) return { kind: 'no-driver' };

  addStatus(port, STATUS_DRIVER);
  const offered = port.readDeviceFeatures();
  // dev->features = driver_features & device_features, transport bits kept for the transport to filter.
  const proposed = offered.intersection(rules.featureTable.union(rules.transportFeatures));
  port.writeDriverFeatures(proposed);
  if (proposed.has(VIRTIO_F_VERSION_1)) {
    addStatus(port, STATUS_FEATURES_OK);
    const status = port.readStatus();
    if (!hasStatus(status, STATUS_FEATURES_OK)) {
      log.dev('err', `virtio: device refuses features: ${status.toString(16)}`);
      addStatus(port, STATUS_FAILED);
      // -ENODEV is a "rejects match" the driver core reports only at debug level.
      return { kind: 'features-refused', proposed, status };
    }
  }

  // virtio_mem_init_vq: the request queue is set up before the config is read.
  port.setUpQueue(0);
  const init = initDevice(port, rules, proposed, settings, log);
  if (init.kind === 'init-failed') {
    addStatus(port, STATUS_FAILED);
    // really_probe()/call_driver_probe() before 6.10 (pr_warn, no device prefix).
    log.plain('warn', `virtio_mem: probe of ${log.deviceName} failed with error ${rcValue(init.errno)}`);
    return init;
  }
  // virtio_device_ready(), before the first request is queued.
  addStatus(port, STATUS_DRIVER_OK);
  return init;
}

function initDevice(port: VirtioDriverPort, rules: DriverRules, features: FeatureSet, settings: ProbeSettings, log: DeviceLog): ProbeResult {
  if (settings.kdumpKernel && !rules.kdumpMode) {
    // Before 5.16 virtio_mem_init() refuses to run in a kdump kernel, before reading the config.
    log.dev('warn', 'disabled in kdump kernel');
    return { kind: 'init-failed', errno: 'EBUSY', reason: 'kdump-kernel' };
  }
  const config = decodeConfig(port.readConfig());
  const num = (v: bigint, what: string) => toSafeNumber(v, `virtio-mem ${what}`);
  const pxmNode = features.has(VIRTIO_MEM_F_ACPI_PXM) ? settings.numa.pxmToNode.get(config.nodeId) : undefined;
  const device: ProbedDevice = Object.freeze({
    addr: num(config.addr, 'addr'),
    regionSize: num(config.regionSize, 'region_size'),
    deviceBlockSize: num(config.blockSize, 'block_size'),
    pluggedSize: num(config.pluggedSize, 'plugged_size'),
    usableRegionSize: num(config.usableRegionSize, 'usable_region_size'),
    nid: pxmNode ?? (rules.nidFallback ? settings.numa.nodeOfDeviceAddress : undefined),
  });
  const mbs = settings.memoryBlockSize;
  const basics = [`start address: ${hex(device.addr)}`, `region size: ${hex(device.regionSize)}`, `device block size: ${hex(device.deviceBlockSize)}`];
  const nidLine = device.nid !== undefined && (!rules.nidFallback || rules.arch.numa) ? [`nid: ${device.nid}`] : [];

  if (rules.splitInitLogging) {
    for (const line of [...basics, ...nidLine]) log.dev('info', line);
    if (settings.kdumpKernel) {
      log.dev('info', 'memory hot(un)plug disabled in kdump kernel');
      return { kind: 'kdump', features, device };
    }
  }

  const choice = chooseGeometry(rules, device.deviceBlockSize, device.addr, mbs, settings.moduleParams);
  if (choice.kind === 'block-too-big') {
    log.dev('err', 'The block size is not supported (too big).');
    return { kind: 'init-failed', errno: 'EINVAL', reason: 'block-size-too-big' };
  }
  // "bad device setup - warn only"
  if (device.addr % mbs !== 0) log.dev('warn', 'The alignment of the physical start address can make some memory unusable.');
  if ((device.addr + device.regionSize) % mbs !== 0) {
    log.dev('warn', 'The alignment of the physical end address can make some memory unusable.');
  }
  for (const w of choice.paramWarnings) log.dev('warn', w);
  const geometry = choice.geometry;
  const sizeLines = [
    `memory block size: ${hex(mbs)}`,
    geometry.mode === 'sbm' ? `subblock size: ${hex(geometry.sbSize)}` : `big block size: ${hex(geometry.bbSize)}`,
  ];
  const lines = rules.splitInitLogging ? sizeLines : [...basics, ...sizeLines, ...nidLine];
  for (const line of lines) log.dev('info', line);
  if (device.pluggedSize !== 0) log.dev('info', 'unplugging all memory is required');
  return { kind: 'hotplug', features, device, geometry };
}
