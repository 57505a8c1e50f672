/**
 * The driver in a kdump kernel (5.16+, virtio_mem_init_kdump(); linux.md §2.7): no plugging, no
 * UNPLUG_ALL, only the /proc/vmcore callbacks. pfn_is_ram() asks the device with one STATE request
 * per device block (caching the last answer) and treats any error as "not RAM", so /proc/vmcore
 * reads zeros there instead of touching the memory. On s390x from 6.14 get_device_ram() describes
 * the plugged parts of the device to the ELF header the kdump kernel builds itself.
 */
import { gpaRange, type GpaRange } from '../ranges.js';
import { ResponseNeverCame, type DeviceRequests } from './device-requests.js';
import { rcValue } from './errno.js';
import type { DeviceLog } from './log.js';
import type { ProbedDevice } from './probe.js';

/** pfn_is_ram()'s answer; `hung` when the STATE request never completes. */
export type PfnIsRam = 'ram' | 'not-ram' | 'hung';

export type DeviceRamAnswer =
  | { readonly kind: 'ranges'; readonly ranges: readonly GpaRange[] }
  /** "Error querying block states: %d": the device RAM is left out of the dump. */
  | { readonly kind: 'failed' }
  | { readonly kind: 'hung' };

/** What /proc/vmcore asks a registered vmcore_cb. */
export interface VmcoreCallbacks {
  /** The device region the callbacks answer for. */
  readonly region: GpaRange;
  /** device_block_size: pfn_is_ram() answers are uniform within a block. */
  readonly blockSize: number;
  pfnIsRam(gpa: number): PfnIsRam;
  /** get_device_ram(), registered only with CONFIG_PROC_VMCORE_DEVICE_RAM. */
  readonly getDeviceRam: (() => DeviceRamAnswer) | undefined;
}

export class KdumpVmcore implements VmcoreCallbacks {
  readonly region: GpaRange;
  readonly blockSize: number;
  readonly getDeviceRam: (() => DeviceRamAnswer) | undefined;
  // kzalloc()ed: the first block queried at address 0 would be answered "not plugged" unasked.
  #lastBlockAddr = 0;
  #lastBlockPlugged = false;

  constructor(
    private readonly requests: DeviceRequests,
    private readonly device: ProbedDevice,
    private readonly log: DeviceLog,
    deviceRam: { readonly sectionSize: number } | undefined,
  ) {
    this.region = gpaRange(device.addr, device.regionSize);
    this.blockSize = device.deviceBlockSize;
    this.getDeviceRam = deviceRam === undefined ? undefined : () => this.#deviceRam(deviceRam.sectionSize);
  }

  pfnIsRam(gpa: number): PfnIsRam {
    const { addr, regionSize, deviceBlockSize, pluggedSize } = this.device;
    if (gpa < addr || gpa >= addr + regionSize) return 'ram';
    if (pluggedSize === 0) return 'not-ram';
    const block = gpa - (gpa % deviceBlockSize);
    if (block !== this.#lastBlockAddr) {
      try {
        const answer = this.requests.state(block, deviceBlockSize);
        // On any kind of error, we're going to signal !ram.
        this.#lastBlockPlugged = answer.kind === 'state' && answer.state === 'plugged';
      } catch (e) {
        if (e instanceof ResponseNeverCame) return 'hung';
        throw e;
      }
      this.#lastBlockAddr = block;
    }
    return this.#lastBlockPlugged ? 'ram' : 'not-ram';
  }

  /** virtio_mem_vmcore_get_device_ram(): chunks not fully unplugged, merged into ranges. */
  #deviceRam(sectionSize: number): DeviceRamAnswer {
    const { addr, usableRegionSize, deviceBlockSize, pluggedSize } = this.device;
    if (pluggedSize === 0) return { kind: 'ranges', ranges: [] };
    const chunk = Math.max(sectionSize, deviceBlockSize);
    const end = addr + usableRegionSize;
    const ranges: GpaRange[] = [];
    let pluggedStart = 0;
    let cur = addr;
    try {
      while (cur < end) {
        const curEnd = Math.min(Math.floor((cur + chunk) / chunk) * chunk, end);
        const answer = this.requests.state(cur, curEnd - cur);
        if (answer.kind === 'failed') {
          this.log.dev('err', `Error querying block states: ${rcValue(answer.rc)}`);
          return { kind: 'failed' };
        }
        if (answer.state !== 'unplugged') {
          if (pluggedStart === 0) pluggedStart = cur;
        } else if (pluggedStart !== 0) {
          ranges.push(gpaRange(pluggedStart, cur - pluggedStart));
          pluggedStart = 0;
        }
        cur = curEnd;
      }
    } catch (e) {
      if (e instanceof ResponseNeverCame) return { kind: 'hung' };
      throw e;
    }
    if (pluggedStart !== 0) ranges.push(gpaRange(pluggedStart, cur - pluggedStart));
    return { kind: 'ranges', ranges };
  }
}
