/**
 * virtio-pmem as QOM types: the device (`virtio-pmem`, a virtio-device with `memdev` and
 * `memaddr`) and its transport `virtio-pmem-pci` (x86), which owns it as `virtio-backend` and
 * presents it to the machine as a memory device mapping its whole memdev (hw/virtio/virtio-pmem.c,
 * virtio-pmem-pci.c). The guest's flush requests are not modelled: the device has no behaviour
 * beyond its place in device memory, where the guest's accesses land on the memdev.
 */
import { defineErrors } from '../../src/core/errors.js';
import { linkedMemdev, MEMORY_BACKEND_USE } from '../../src/machine/backend-use.js';
import { hostArchOf } from '../../src/machine/host-process.js';
import { MEMORY_DEVICE_OPS, type MemoryDeviceOps } from '../../src/machine/memory-device.js';
import { ramRegionAlignment, type RamBlock } from '../../src/machine/ram-block.js';
import type { QomObject } from '../../src/qom/object.js';
import { implement, type TypeInfo } from '../../src/qom/type-info.js';
import { virtioMdUnplugRequest } from '../../src/virtio/md-pci.js';
import { resolveVirtioPciProxy } from '../../src/virtio/pci-proxy.js';

export const virtioPmemErrors = defineErrors({
  'virtio-pmem.memdev-must-be-set': () => "'memdev' property must be set",
  'virtio-pmem.memdev-busy': (a: { id: string }) => `can't use already busy memdev: ${a.id}`,
});

const child = (proxy: QomObject): QomObject => proxy.child('virtio-backend')!;

/** virtio_pmem_get_memory_region: the whole memdev, or QEMU's refusal without one. */
function regionOf(proxy: QomObject): RamBlock {
  const memdev = linkedMemdev(child(proxy));
  if (!memdev) throw virtioPmemErrors.error('virtio-pmem.memdev-must-be-set');
  return memdev.block;
}

/** virtio_pmem_realize: the memdev must be free; the device then takes it. */
function realize(pmem: QomObject): void {
  const { backend } = linkedMemdev(pmem)!;
  const use = pmem.model.view.implementation(backend.type, MEMORY_BACKEND_USE)!;
  if (use.isMapped(backend)) throw virtioPmemErrors.error('virtio-pmem.memdev-busy', { id: backend.id ?? '' });
  use.setMapped(backend, true);
}

function unrealize(pmem: QomObject): void {
  const memdev = linkedMemdev(pmem);
  if (memdev) pmem.model.view.implementation(memdev.backend.type, MEMORY_BACKEND_USE)!.setMapped(memdev.backend, false);
}

const MEMORY_DEVICE: MemoryDeviceOps = {
  addr: (proxy) => child(proxy).get('memaddr') as number,
  setAddr: (proxy, addr) => void proxy.model.setProperty(child(proxy), 'memaddr', { source: 'text', text: String(addr), visitor: 'string' }),
  regionSize: (proxy) => regionOf(proxy).size,
  regionAlignment: (proxy) => ramRegionAlignment(regionOf(proxy), hostArchOf(proxy)),
  pluggedSize: (proxy) => regionOf(proxy).size,
  ramBlock: (proxy) => linkedMemdev(child(proxy))?.block,
  populatedRanges: (proxy) => [{ offset: 0, length: regionOf(proxy).size }],
  // virtio-pmem-pci has no unplug_request_check.
  unplugRequest: (proxy) => virtioMdUnplugRequest(proxy.model.env.release, undefined),
  info: (proxy) => ({
    type: 'virtio-pmem',
    data: {
      ...(proxy.id === undefined ? {} : { id: proxy.id }),
      memaddr: child(proxy).get('memaddr'),
      size: regionOf(proxy).size,
      memdev: child(proxy).get('memdev'),
    },
  }),
};

export const VIRTIO_PMEM_TYPES: readonly TypeInfo[] = [
  {
    name: 'virtio-pmem',
    parent: 'virtio-device',
    targets: ['x86_64'],
    properties: [
      { name: 'memaddr', type: { kind: 'uint64' }, origin: 'field', default: 0 },
      { name: 'memdev', type: { kind: 'link', target: 'memory-backend' }, origin: 'field' },
    ],
    realize,
    unrealize,
  },
  {
    name: 'virtio-pmem-pci-base',
    parent: 'virtio-pci',
    abstract: true,
    targets: ['x86_64'],
    interfaces: ['memory-device'],
    children: [{ name: 'virtio-backend', type: 'virtio-pmem', aliasClassProperties: true }],
  },
  {
    name: 'virtio-pmem-pci',
    parent: 'virtio-pmem-pci-base',
    targets: ['x86_64'],
    userCreatable: true,
    hotpluggable: true,
    category: 'Misc',
    implementations: [implement(MEMORY_DEVICE_OPS, MEMORY_DEVICE)],
    // virtio_pmem_pci_realize forces virtio 1, as virtio-mem-pci's does.
    realize: (proxy) => {
      resolveVirtioPciProxy(proxy, { behindPciePort: false, modernOnly: true });
      return proxy.model.realize(child(proxy));
    },
    unrealize: (proxy) => proxy.model.unrealize(child(proxy)),
  },
];
