/**
 * The `s390-skeys` section (hw/s390x/s390-skeys.c, 7.2): registered by the s390 machine with
 * register_savevm_live, version 1, non-iterative, so it travels with the device state. The
 * source sends a key byte for every page of guest-physical memory — unplugged virtio-mem blocks
 * excluded (guest_phys_blocks_append) — if the guest enabled storage keys, only EOS otherwise.
 * Loading keys calls KVM_S390_SET_SKEYS, which enables storage keys in the destination process
 * (s390_enable_skey): in the 3.18-4.13 era that zaps its shared-zeropage PTEs, on 6.10+ it
 * unshares them.
 *
 * hotmem does not model key values, only how many there are; one 8-byte count stands in for
 * QEMU's per-block headers and EOS marker. The machine layer has no s390-skeys object, so the
 * engine registers this section for s390x machines itself.
 */
import type { Machine } from '../machine/machine.js';
import type { Section } from './device-state.js';
import { discardedPages, type MigratableBlock } from './ram-blocks.js';
import { TARGET_PAGE_SIZE } from './ram-transfer.js';
import { MIG_PRI, vmOpaque, vmSection, vmU64 } from './vmstate.js';

function keyCount(blocks: readonly MigratableBlock[]): number {
  return blocks.reduce((n, b) => n + ((b.pageCount - discardedPages(b).pages) * b.pageSize) / TARGET_PAGE_SIZE, 0);
}

export function s390SkeysSection(machine: Machine, blocks: () => readonly MigratableBlock[]): Section | undefined {
  if (machine.arch !== 's390x') return undefined;
  const process = machine.process;
  return {
    idstr: 's390-skeys',
    name: 's390-skeys',
    version: 1,
    minVersion: 1,
    priority: MIG_PRI.DEFAULT,
    earlySetup: false,
    save() {
      // TCG emulates keys without the host; only a KVM process has them enabled on the host.
      const count = process.pgste && process.storageKeysEnabled ? keyCount(blocks()) : 0;
      return vmSection('s390-skeys', 1, { count: vmU64(count), keys: vmOpaque(count) });
    },
    check(incoming) {
      incoming.size('count');
      incoming.opaque('keys');
    },
    apply(incoming) {
      if (incoming.size('count') > 0 && process.pgste) process.enableStorageKeys();
      return [];
    },
  };
}
