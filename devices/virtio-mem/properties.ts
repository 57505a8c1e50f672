/**
 * virtio-mem's property table (virtio_mem_properties, virtio_mem_legacy_guests_properties and the
 * instance properties of virtio_mem_instance_init), with the release each property appeared in
 * and the class-default change of unplugged-inaccessible in 8.1.
 */
import { isPowerOfTwo } from '../../src/core/units.js';
import type { QomObject } from '../../src/qom/object.js';
import { ON_OFF_AUTO, type PropertyDef } from '../../src/qom/property.js';
import { BOOL_DESCRIPTION } from '../../src/virtio/qom-types.js';
import { minBlockSize, virtioMemErrors } from './realize.js';
import { VIRTIO_MEM_RUNTIME } from './runtime-key.js';

/** The hooks the device implementation gives its table (kept apart so the table stays a table). */
export interface VirtioMemPropertyHooks {
  blockSizeBeforeRealize(device: QomObject): number;
  setRequestedSize(device: QomObject, value: number | bigint): void;
}

export function virtioMemProperties(hooks: VirtioMemPropertyHooks): readonly PropertyDef[] {
  return [
    { name: 'memaddr', type: { kind: 'uint64' }, origin: 'field', default: 0 },
    { name: 'node', type: { kind: 'uint32' }, origin: 'field', default: 0 },
    { name: 'memdev', type: { kind: 'link', target: 'memory-backend' }, origin: 'field' },
    { name: 'prealloc', since: '7.0', type: { kind: 'bool' }, origin: 'field', description: BOOL_DESCRIPTION, default: false },
    {
      name: 'unplugged-inaccessible',
      since: '7.0',
      // virtio_mem_has_legacy_guests(): only x86 has guests that predate the feature.
      targets: ['x86_64'],
      type: ON_OFF_AUTO,
      origin: 'field',
      description: 'on/off/auto',
      default: [
        { since: '7.0', value: 'auto' },
        { since: '8.1', value: 'on' },
      ],
    },
    { name: 'x-early-migration', since: '8.0', type: { kind: 'bool' }, origin: 'field', description: BOOL_DESCRIPTION, default: true },
    { name: 'dynamic-memslots', since: '8.2', type: { kind: 'bool' }, origin: 'field', description: BOOL_DESCRIPTION, default: false },
    {
      name: 'size',
      type: { kind: 'size' },
      origin: 'custom',
      readOnly: true,
      get: (device) => device.slots.get(VIRTIO_MEM_RUNTIME)?.pluggedSize() ?? 0,
    },
    {
      name: 'requested-size',
      type: { kind: 'size' },
      origin: 'custom',
      default: 0,
      set: (device, value) => {
        if (!device.realized) return;
        hooks.setRequestedSize(device, value as number);
        return { stored: true };
      },
      // Past 2^53 is past any backend's size: the setter refuses it with its own message.
      refuseBeyondModel: (device, exact) => {
        if (device.realized) hooks.setRequestedSize(device, exact);
      },
      get: (device) => device.slots.get(VIRTIO_MEM_RUNTIME)?.requestedSize() ?? (device.stored('requested-size') as number | undefined) ?? 0,
    },
    {
      name: 'block-size',
      type: { kind: 'size' },
      origin: 'custom',
      get: (device) =>
        device.slots.get(VIRTIO_MEM_RUNTIME)?.blockSize() ?? ((device.stored('block-size') as number | undefined) || hooks.blockSizeBeforeRealize(device)),
      set: (device, value) => {
        const e = virtioMemErrors;
        if (device.realized) throw e.error('virtio-mem.block-size-frozen');
        const min = minBlockSize(device.model.env.release);
        if ((value as number) < min) throw e.error('virtio-mem.block-size-min', { min });
        if (!isPowerOfTwo(value as number)) throw e.error('virtio-mem.block-size-pow2');
      },
    },
  ];
}
