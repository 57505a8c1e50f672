/**
 * The RAMBlock facts QEMU derives from a backend and that devices decide by: shared or not,
 * fd-backed or not, its page size (system/physmem.c qemu_ram_is_shared, qemu_ram_get_fd,
 * qemu_ram_pagesize), and the host mapping that holds the memory.
 */
import { key } from '../core/keys.js';
import type { Mapping } from '../host/mapping.js';

export interface RamBlock {
  /**
   * The memory region's name (host_memory_backend_get_name): the backend id, or its canonical
   * path /objects/<id> with x-use-canonical-path-for-ramblock-id.
   */
  readonly name: string;
  /**
   * The RAMBlock idstr, which migration matches blocks by. Empty until the block's user
   * registers it (vmstate_register_ram, see registerRam); an unused backend's block has none.
   */
  idstr: string;
  readonly size: number;
  /** RAM_SHARED. */
  readonly shared: boolean;
  /** fd >= 0: file, memfd, and (10.0+) ram with share=on. */
  readonly hasFd: boolean;
  readonly pageSize: number;
  /** The host mapping; absent when the object model runs without a host process. */
  readonly mapping: Mapping | undefined;
}

export const RAM_BLOCK = key<RamBlock>('ram block');

/**
 * vmstate_register_ram / qemu_ram_set_idstr: the idstr becomes "<dev path>/<region name>" when
 * the owning device's bus gives it a dev path (a virtio-mem device: "0000:00:02.0/mem0",
 * "/fe.0.0001/mem0"), else just the region name (vmstate_register_ram_global for the machine's
 * RAM; pc-dimm sits on no bus). With a canonical-path name the two slashes meet:
 * "0000:00:02.0//objects/mem0", as real QEMU 7.2 names it.
 */
export function registerRam(block: RamBlock, devPath: string | undefined): void {
  block.idstr = devPath === undefined ? block.name : `${devPath}/${block.name}`;
}

/** vmstate_unregister_ram / qemu_ram_unset_idstr: the block is nameless again (device unplug). */
export function unregisterRam(block: RamBlock): void {
  block.idstr = '';
}

/**
 * virtio_mem_has_shared_zeropage: only ordinary MAP_PRIVATE anonymous memory with base pages is
 * guaranteed to read unpopulated memory as the shared zeropage; any other backend "can"
 * populate a fresh page on a read, consuming real memory.
 */
export function hasSharedZeropage(block: RamBlock, hostPageSize: number): boolean {
  return sharedZeropage(block, hostPageSize).has;
}

/** hasSharedZeropage with the fact that decides it, as a predicate about the block ("is shared memory"). */
export function sharedZeropage(block: RamBlock, hostPageSize: number): { readonly has: boolean; readonly because: string } {
  if (block.shared) return { has: false, because: 'is shared memory' };
  if (block.hasFd) return { has: false, because: 'is backed by a file descriptor' };
  if (block.pageSize !== hostPageSize) return { has: false, because: `has ${block.pageSize / 1024} KiB pages, not the host's base pages` };
  return { has: true, because: 'is private anonymous memory with base pages' };
}

/**
 * QEMU_VMALLOC_ALIGN (include/qemu/osdep.h): the alignment QEMU gives anonymous guest RAM, and
 * so memory_region_get_alignment of such a region: 2 MiB on x86_64 Linux hosts, 1 MiB on s390x hosts.
 */
export const qemuVmallocAlign = (arch: 'x86_64' | 's390x'): number => (arch === 's390x' ? 1024 * 1024 : 2 * 1024 * 1024);

/**
 * memory_region_get_alignment of a RAM region: the page size for fd-backed memory,
 * QEMU_VMALLOC_ALIGN for anonymous memory. QEMU_VMALLOC_ALIGN is the host's (osdep.h tests the
 * host architecture), not the target's.
 */
export const ramRegionAlignment = (block: Pick<RamBlock, 'hasFd' | 'pageSize'>, hostArch: 'x86_64' | 's390x'): number =>
  block.hasFd ? block.pageSize : qemuVmallocAlign(hostArch);
