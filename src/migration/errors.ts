/**
 * Migration errors. Where QEMU reports the same situation, the text is QEMU's (7.2 unless noted):
 * migration/savevm.c, migration/vmstate.c, migration/ram.c, migration/postcopy-ram.c,
 * softmmu/physmem.c and hw/virtio/virtio.c. Codes marked hotmem-only name what the model
 * detects where QEMU has no message of its own.
 */
import { defineErrors } from '../core/errors.js';
import { hex } from '../core/units.js';

export const migrationErrors = defineErrors({
  // savevm.c qemu_loadvm_section_start_full; 10.2's Error (4493752653) says "section", not "savevm section"
  'migration.unknown-section': (a: { idstr: string; instance: number; handedUp: boolean }) =>
    `Unknown ${a.handedUp ? '' : 'savevm '}section or instance '${a.idstr}' ${a.instance}. Make sure that your current VM setup matches your saved VM setup, including any hotplugged devices`,
  'migration.unsupported-version': (a: { idstr: string; version: number; local: number }) =>
    `savevm: unsupported version ${a.version} for '${a.idstr}' v${a.local}`,
  // vmstate.c vmstate_load_state (the double space is QEMU's)
  'migration.version-too-old': (a: { name: string; version: number; min: number }) =>
    `${a.name}: incoming version_id ${a.version} is too old for local minimum version_id  ${a.min}`,
  // ram.c ram_load_precopy, RAM_SAVE_FLAG_MEM_SIZE
  'migration.unknown-ramblock': (a: { idstr: string }) => `Unknown ramblock "${a.idstr}", cannot accept migration`,
  // physmem.c qemu_ram_resize, reported with error_setg_errno(EINVAL)
  'migration.ramblock-size': (a: { idstr: string; incoming: number; local: number }) =>
    `Size mismatch: ${a.idstr}: ${hex(a.incoming)} != ${hex(a.local)}: Invalid argument`,
  'migration.ramblock-page-size': (a: { idstr: string; local: number; incoming: number }) =>
    `Mismatched RAM page size ${a.idstr} (local) ${a.local} != ${a.incoming}`,
  // postcopy-ram.c postcopy_ram_supported_by_host / ufd_check_and_apply / ram_block_enable_notify
  'migration.postcopy-no-userfaultfd': (a: { error: string }) => `postcopy_ram_supported_by_host: userfaultfd not available: ${a.error}`,
  'migration.postcopy-hugepages': () => 'Userfault on this host does not support huge pages',
  'migration.postcopy-register': (a: { error: string }) => `ram_block_enable_notify userfault register: ${a.error}`,
  'migration.postcopy-place': (a: { how: 'copy' | 'zero'; error: string; address: number; size: number }) =>
    a.how === 'copy'
      ? `postcopy_place_page: ${a.error} copy host: ${hex(a.address)} from: <page buffer> (size: ${a.size})`
      : `postcopy_place_page_zero: ${a.error} zero host: ${hex(a.address)}`,
  // hw/virtio/virtio.c virtio_load (64-bit feature subsection variant)
  'migration.virtio-features': (a: { features: bigint; allowed: bigint }) => `Features ${hex(a.features)} unsupported. Allowed features: ${hex(a.allowed)}`,
  // migration/savevm.c qemu_savevm_state_iterate (source-report.ts)
  'migration.save-failed': (a: { sectionId: number; idstr: string; ret: number | undefined }) =>
    `failed to save SaveStateEntry with id(name): ${a.sectionId}(${a.idstr})${a.ret === undefined ? '' : `: ${a.ret}`}`,
  // hw/virtio/virtio.c virtio_load, 11.1 (src/virtio/queue-sizes.ts).
  'migration.vring-num': (a: { index: number; num: number; max: number }) => `VQ ${a.index} vring.num ${a.num} exceeds allocated max ${a.max}`,
  // hotmem-only
  'migration.field-missing': (a: { section: string; field: string; expected: string }) =>
    `hotmem: section '${a.section}' has no ${a.expected} field '${a.field}'`,
  'migration.fields-unread': (a: { section: string; fields: readonly string[] }) =>
    `hotmem: section '${a.section}' carries field(s) ${a.fields.join(', ')} that this destination does not load (QEMU would misread the stream from here on)`,
  'migration.virtio-core-replay': (a: { device: string; what: string }) =>
    `hotmem: the virtio core state of ${a.device} cannot be restored through its transport (${a.what}); QEMU would load it directly`,
  'migration.did-not-converge': (a: { syncs: number; seconds: number; dirtyBytes: number; thresholdBytes: number }) =>
    `hotmem: migration did not converge within ${a.syncs} dirty-bitmap syncs (${a.seconds.toFixed(1)} s): ` +
    `${a.dirtyBytes} bytes still dirty against a ${a.thresholdBytes}-byte downtime budget; QEMU itself keeps iterating until cancelled`,
  'migration.source-read': (a: { idstr: string; offset: number; kind: string }) =>
    `hotmem: reading RAMBlock '${a.idstr}' at ${hex(a.offset)} for migration ended in ${a.kind}; QEMU's migration thread would not survive it`,
  'migration.destination-write': (a: { idstr: string; offset: number; kind: string }) =>
    `hotmem: placing a page of RAMBlock '${a.idstr}' at ${hex(a.offset)} ended in ${a.kind}; the destination QEMU would not survive it`,
  'migration.bad-options': (a: { what: string }) => `hotmem: invalid migration options: ${a.what}`,
});

export type MigrationErrorCode = keyof typeof migrationErrors.table;
