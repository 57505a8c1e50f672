/**
 * How the driver cuts the device region into the units it adds to Linux and plugs: Sub Block
 * Mode (a Linux memory block holds 2..N subblocks, each plugged on its own) or Big Block Mode (a
 * big block spans 1..N memory blocks and is plugged whole). virtio_mem_init_hotplug() since 5.16,
 * virtio_mem_init() before; linux.md §2.3.
 */
import { isPowerOfTwo } from '../../../core/units.js';
import type { DriverRules } from './rules.js';

/** The virtio_mem module parameters that shape the geometry (module_param in virtio_mem.c). */
export interface VirtioMemModuleParams {
  /** unplug_online (default true, all versions): unplug from online memory blocks too. */
  readonly unplugOnline: boolean;
  /** force_bbm (5.11+): Big Block Mode even where SBM would do. */
  readonly forceBbm: boolean;
  /** bbm_block_size (5.11+): 0 picks the smallest possible big block. */
  readonly bbmBlockSize: number;
}

export const DEFAULT_MODULE_PARAMS: VirtioMemModuleParams = Object.freeze({ unplugOnline: true, forceBbm: false, bbmBlockSize: 0 });

export type HotplugGeometry =
  | {
      readonly mode: 'sbm';
      readonly memoryBlockSize: number;
      readonly sbSize: number;
      readonly sbsPerMb: number;
      /** The first memory block fully inside the device region (rounded up). */
      readonly firstMbId: number;
    }
  | {
      readonly mode: 'bbm';
      readonly memoryBlockSize: number;
      readonly bbSize: number;
      readonly firstBbId: number;
    };

export type GeometryChoice =
  | { readonly kind: 'ok'; readonly geometry: HotplugGeometry; readonly paramWarnings: readonly string[] }
  /** 5.8-5.10: "The block size is not supported (too big)." and probe fails with -EINVAL. */
  | { readonly kind: 'block-too-big' };

export function chooseGeometry(
  rules: DriverRules,
  deviceBlockSize: number,
  addr: number,
  memoryBlockSize: number,
  params: VirtioMemModuleParams,
): GeometryChoice {
  const sbSize = Math.max(deviceBlockSize, rules.subblockBase);
  if (!rules.bigBlockMode) {
    if (deviceBlockSize > memoryBlockSize) return { kind: 'block-too-big' };
    // 5.8-5.10 "In the worst case, a single subblock per memory block."
    return { kind: 'ok', geometry: sbm(sbSize, addr, memoryBlockSize), paramWarnings: [] };
  }
  if (sbSize < memoryBlockSize && !params.forceBbm) {
    return { kind: 'ok', geometry: sbm(sbSize, addr, memoryBlockSize), paramWarnings: [] };
  }
  let bbSize = Math.max(deviceBlockSize, memoryBlockSize);
  const paramWarnings: string[] = [];
  if (params.bbmBlockSize !== 0) {
    if (!isPowerOfTwo(params.bbmBlockSize)) paramWarnings.push('bbm_block_size is not a power of 2');
    else if (params.bbmBlockSize < bbSize) paramWarnings.push('bbm_block_size is too small');
    else bbSize = params.bbmBlockSize;
  }
  const geometry: HotplugGeometry = {
    mode: 'bbm',
    memoryBlockSize,
    bbSize,
    firstBbId: Math.floor((addr + bbSize - 1) / bbSize),
  };
  return { kind: 'ok', geometry: Object.freeze(geometry), paramWarnings };
}

function sbm(sbSize: number, addr: number, memoryBlockSize: number): HotplugGeometry {
  return Object.freeze({
    mode: 'sbm',
    memoryBlockSize,
    sbSize,
    sbsPerMb: memoryBlockSize / sbSize,
    firstMbId: Math.floor((addr + memoryBlockSize - 1) / memoryBlockSize),
  });
}

/** The unit the mode adds to Linux: a memory block (SBM) or a big block (BBM). */
const unitSize = (g: HotplugGeometry): number => (g.mode === 'sbm' ? g.memoryBlockSize : g.bbSize);

/**
 * The last unit id that lies entirely inside [addr, addr + usable) (virtio_mem_refresh_config);
 * below the first id when nothing fits, which makes preparing a new unit fail with -ENOSPC.
 */
export function lastUsableId(g: HotplugGeometry, addr: number, usableRegionSize: number): number {
  const unit = unitSize(g);
  const endAddr = addr + usableRegionSize - 1;
  const id = Math.floor(endAddr / unit);
  return (endAddr + 1) % unit === 0 ? id : id - 1;
}
