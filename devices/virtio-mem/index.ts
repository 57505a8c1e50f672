/**
 * virtio-mem as QOM types: the device (`virtio-mem`, a virtio-device) and its transports
 * `virtio-mem-pci` (x86 from 5.1; s390x zPCI from 10.0) and `virtio-mem-ccw` (s390x from 10.0),
 * which own it as `virtio-backend`, alias its properties and present it to the machine as a
 * memory device.
 */
import { key } from '../../src/core/keys.js';
import { compareReleases } from '../../src/core/release.js';
import { ramDiscardCoordination, ramListeners, takeDiscardUse } from '../../src/machine/discard-coordination.js';
import { linkedMemdev, MEMORY_BACKEND_USE } from '../../src/machine/backend-use.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import { MACHINE_SERVICE } from '../../src/machine/machine.js';
import { MEMORY_DEVICE_OPS, type MemoryDeviceOps } from '../../src/machine/memory-device.js';
import { ramRegionAlignment, registerRam, unregisterRam } from '../../src/machine/ram-block.js';
import { privateFileDiscardWarning } from '../../src/machine/ram-discard.js';
import { qdevDevPath } from '../../src/machine/bus-address.js';
import type { QomObject } from '../../src/qom/object.js';
import { implement, type TypeInfo } from '../../src/qom/type-info.js';
import { VIRTIO_STATUS } from '../../src/virtio/qmp-status.js';
import { migrationBusy } from '../../src/migration/info.js';
import { RAM_DISCARD_MANAGER } from '../../src/migration/ram-discard-manager.js';
import { VMSTATE } from '../../src/migration/vmstate.js';
import { VIRTIO_MEM_RAM_DISCARD, VIRTIO_MEM_VMSTATE } from './vmstate.js';
import { defaultVectors, proxyIoProperties, resolveVirtioPciProxy } from '../../src/virtio/pci-proxy.js';
import { transportHostFeatures, virtioTransportOf } from '../../src/virtio/qom-types.js';
import { virtioMdUnplugRequest } from '../../src/virtio/md-pci.js';
import { virtioMemProperties } from './properties.js';
import { defaultBlockSize, realizeVirtioMem, virtioMemErrors, type HostFacts } from './realize.js';
import { VirtioMemRuntime } from './runtime.js';
import { VIRTIO_MEM_RUNTIME } from './runtime-key.js';
import { newState } from './state.js';
import { resizeUsableRegion } from './usable-region.js';

/** Gives back the device's claim on coordinated discards when it goes away. */
const DISCARD_RELEASE = key<() => void>('virtio-mem discard use');

const X86_DEFAULT_HOST: HostFacts = { arch: 'x86_64', pageSize: 4096, thpSize: 2 * 1024 * 1024 };

function hostFacts(device: QomObject): HostFacts {
  const arch = device.model.services.get(HOST_PROCESS)?.host.arch;
  return arch ? { arch: arch.name, pageSize: arch.basePageSize, thpSize: arch.pmdSize } : X86_DEFAULT_HOST;
}

/** The proxy owning a virtio-mem device (its parent object). */
const proxyOf = (device: QomObject): QomObject => device.parent ?? device;

function realize(device: QomObject) {
  const memdev = linkedMemdev(device);
  if (!memdev) throw virtioMemErrors.error('virtio-mem.memdev-not-set');
  const model = device.model;
  const use = model.view.implementation(memdev.backend.type, MEMORY_BACKEND_USE)!;
  const machine = model.services.get(MACHINE_SERVICE);
  const r = model.env.release;
  const has = (name: string) => model.view.properties(device.type).has(name);
  // ram_block_coordinated_discard_require (6.1+; plain ram_block_discard_require before).
  const discard = takeDiscardUse(ramDiscardCoordination(model), 'virtio-mem', r);
  const releaseDiscard = () => {
    if (discard.kind === 'taken') discard.release();
  };
  let realized: ReturnType<typeof realizeVirtioMem>;
  try {
    realized = realizeVirtioMem({
      release: r,
      memdevId: memdev.backend.id ?? '',
      memdevMapped: use.isMapped(memdev.backend),
      memdevPrealloc: memdev.backend.get('prealloc') === true,
      block: memdev.block,
      addr: device.get('memaddr') as number,
      node: device.get('node') as number,
      requestedSize: device.get('requested-size') as number,
      blockSize: (device.stored('block-size') as number | undefined) ?? 0,
      prealloc: has('prealloc') && device.get('prealloc') === true,
      unpluggedInaccessible: has('unplugged-inaccessible') ? (device.get('unplugged-inaccessible') as 'on' | 'off' | 'auto') : undefined,
      earlyMigration: has('x-early-migration') ? device.get('x-early-migration') === true : false,
      dynamicMemslots: has('dynamic-memslots') && device.get('dynamic-memslots') === true,
      numaNodes: machine?.numaNodes.length ?? 0,
      // pc machines always allocate numa_state and register ACPI wakeup; s390x does neither.
      machineHasNumaState: model.env.target === 'x86_64',
      wakeupSuspend: model.env.target === 'x86_64',
      discardDisabled: discard.kind === 'refused',
      memLocked: machine !== undefined && machine.memLock !== 'off',
      host: hostFacts(device),
    });
  } catch (e) {
    releaseDiscard();
    throw e;
  }
  const { setup, warnings, autoResolvedBecause } = realized;
  device.slots.set(DISCARD_RELEASE, releaseDiscard);
  // Realize resolves `auto` in place: afterwards the property reads `on` or `off`.
  if (autoResolvedBecause !== undefined) model.resolveProperty(device, 'unplugged-inaccessible', setup.unpluggedInaccessible, autoResolvedBecause);
  const state = newState(setup, device.get('requested-size') as number);
  resizeUsableRegion(state, state.requestedSize, true);
  const runtime = new VirtioMemRuntime(state, transportHostFeatures(device, setup.deviceFeatures), memdev.block, {
    hostPageSize: hostFacts(device).pageSize,
    transport: virtioTransportOf(device),
    // virtio_mem_is_busy: any outgoing migration, or an incoming postcopy.
    context: () => ({ busy: machine ? migrationBusy(machine) : false }),
    sizeChanged: (size) => {
      const proxy = proxyOf(device);
      machine?.events.emit('MEMORY_DEVICE_SIZE_CHANGE', { ...(proxy.id === undefined ? {} : { id: proxy.id }), size, 'qom-path': proxy.path() });
    },
    report: () => undefined,
    notifyPlugged: (offset, length) => {
      for (const listener of [...ramListeners(model)]) listener.populated(memdev.block, offset, length);
    },
    notifyDiscarding: (offset, length) => {
      for (const listener of [...ramListeners(model)]) listener.discarding(memdev.block, offset, length);
    },
  });
  // Everything starts unplugged: give the whole RAMBlock back (skipped on an incoming migration).
  runtime.discardAll();
  const discardWarning = privateFileDiscardWarning(model, memdev.block);
  use.setMapped(memdev.backend, true);
  // vmstate_register_ram(&memdev->mr, DEVICE(vmem)): the block is named after the device's
  // place, "<proxy's dev path>/<backend name>", e.g. "0000:00:02.0/mem0".
  registerRam(memdev.block, qdevDevPath(device));
  device.slots.set(VIRTIO_MEM_RUNTIME, runtime);
  return discardWarning ? [...warnings, discardWarning] : warnings;
}

function unrealize(device: QomObject): void {
  device.slots.get(DISCARD_RELEASE)?.();
  device.slots.delete(DISCARD_RELEASE);
  const memdev = linkedMemdev(device);
  if (memdev) {
    // vmstate_unregister_ram: qemu_ram_unset_idstr leaves the block nameless for its next user.
    unregisterRam(memdev.block);
    device.model.view.implementation(memdev.backend.type, MEMORY_BACKEND_USE)!.setMapped(memdev.backend, false);
  }
  device.slots.delete(VIRTIO_MEM_RUNTIME);
}

const child = (proxy: QomObject): QomObject => proxy.child('virtio-backend')!;

/** The memory-device interface of the proxies (virtio_mem_pci / virtio_mem_ccw MemoryDeviceClass). */
const MEMORY_DEVICE: MemoryDeviceOps = {
  addr: (proxy) => child(proxy).get('memaddr') as number,
  setAddr: (proxy, addr) => void proxy.model.setProperty(child(proxy), 'memaddr', { source: 'text', text: String(addr), visitor: 'string' }),
  regionSize: (proxy) => {
    const memdev = linkedMemdev(child(proxy));
    if (!memdev) throw virtioMemErrors.error('virtio-mem.memdev-must-be-set');
    return memdev.block.size;
  },
  regionAlignment: (proxy) => ramRegionAlignment(linkedMemdev(child(proxy))!.block, hostFacts(proxy).arch),
  minAlignment: (proxy) => child(proxy).get('block-size') as number,
  pluggedSize: (proxy) => child(proxy).get('size') as number,
  ramBlock: (proxy) => linkedMemdev(child(proxy))?.block,
  populatedRanges: (proxy) => {
    const runtime = child(proxy).slots.get(VIRTIO_MEM_RUNTIME);
    if (!runtime) return [];
    const { blockSize } = runtime.state.setup;
    return [...runtime.state.bitmap.runs(true)].map((r) => ({ offset: r.first * blockSize, length: r.count * blockSize }));
  },
  unplugRequest: (proxy) => {
    const r = proxy.model.env.release;
    virtioMdUnplugRequest(r, () => {
      const runtime = child(proxy).slots.get(VIRTIO_MEM_RUNTIME)!;
      if (runtime.state.setup.unpluggedInaccessible !== 'on') throw virtioMemErrors.error('virtio-mem.unplug-inaccessible-off');
      if (runtime.pluggedSize() !== 0) throw virtioMemErrors.error('virtio-mem.unplug-plugged', { modern: compareReleases(r, { major: 9, minor: 1 }) >= 0 });
      if (runtime.requestedSize() !== 0) throw virtioMemErrors.error('virtio-mem.unplug-requested');
    });
  },
  info: (proxy) => {
    const device = child(proxy);
    return {
      type: 'virtio-mem',
      data: {
        ...(proxy.id === undefined ? {} : { id: proxy.id }),
        memaddr: device.get('memaddr'),
        'requested-size': device.get('requested-size'),
        size: device.get('size'),
        'max-size': linkedMemdev(device)?.block.size ?? 0,
        'block-size': device.get('block-size'),
        node: device.get('node'),
        memdev: device.get('memdev'),
      },
    };
  },
};

const PROPERTIES = virtioMemProperties({
  blockSizeBeforeRealize: (device) => {
    const memdev = linkedMemdev(device);
    const host = hostFacts(device);
    return memdev ? defaultBlockSize(device.model.env.release, memdev.block, host) : Math.max(host.thpSize, 1024 * 1024);
  },
  setRequestedSize: (device, value) => device.slots.get(VIRTIO_MEM_RUNTIME)!.setRequestedSize(value),
});

const PROXY_CHILD = [
  {
    name: 'virtio-backend',
    type: 'virtio-mem',
    aliasClassProperties: true,
    extraAliases: ['size', 'block-size', 'requested-size'],
    // The proxy's requested-size setter (virtio_mem_pci_set_requested_size): once device_del
    // passed its check that requested-size is 0, a new size could plug memory before the guest
    // handles the eject.
    beforeAliasWrite: (proxy: QomObject, property: string) => {
      if (property === 'requested-size' && proxy.model.services.get(MACHINE_SERVICE)?.unplugPending(proxy))
        throw virtioMemErrors.error('virtio-mem.unplug-pending');
    },
  },
];

export const VIRTIO_MEM_TYPES: readonly TypeInfo[] = [
  {
    name: 'virtio-mem',
    parent: 'virtio-device',
    since: '5.1',
    interfaces: ['ram-discard-manager'],
    properties: PROPERTIES,
    implementations: [
      implement(VMSTATE, VIRTIO_MEM_VMSTATE),
      implement(RAM_DISCARD_MANAGER, VIRTIO_MEM_RAM_DISCARD),
      implement(VIRTIO_STATUS, (device: QomObject) => {
        const runtime = device.slots.get(VIRTIO_MEM_RUNTIME);
        if (!runtime) return undefined;
        return {
          name: 'virtio-mem',
          deviceId: runtime.deviceId,
          hostFeatures: runtime.hostFeatures,
          guestFeatures: runtime.guestFeatures,
          status: runtime.readStatus(),
          numVqs: 1,
          queueSel: runtime.queueSel,
          broken: runtime.broken,
          useStarted: device.get('use-started') === true,
          startOnKick: runtime.startOnKick,
          disableLegacyCheck: device.get('x-disable-legacy-check') === true,
        };
      }),
    ],
    realize,
    unrealize,
  },
  {
    name: 'virtio-mem-pci-base',
    parent: 'virtio-pci',
    abstract: true,
    since: '5.1',
    interfaces: ['memory-device'],
    children: PROXY_CHILD,
    // 10.0 gave the proxy its own ioeventfd and vectors, so it can use MSI-X (2 vectors unless
    // set; hw_compat_9_2 sets 0 for older machines).
    properties: proxyIoProperties('10.0'),
  },
  {
    name: 'virtio-mem-pci',
    parent: 'virtio-mem-pci-base',
    // s390x builds gained virtio-mem (and with it zPCI virtio-mem-pci) in 10.0.
    targets: ['x86_64'],
    userCreatable: true,
    hotpluggable: true,
    category: 'Misc',
    implementations: [implement(MEMORY_DEVICE_OPS, MEMORY_DEVICE)],
    // virtio_mem_pci_realize forces virtio 1 (virtio_pci_force_virtio_1); devices sit on the
    // machine's root buses, never behind a PCIe port.
    realize: (proxy) => {
      resolveVirtioPciProxy(proxy, { behindPciePort: false, modernOnly: true });
      defaultVectors(proxy, 2);
      return proxy.model.realize(child(proxy));
    },
    unrealize: (proxy) => proxy.model.unrealize(child(proxy)),
  },
  {
    name: 'virtio-mem-ccw',
    parent: 'virtio-ccw-device',
    since: '10.0',
    targets: ['s390x'],
    interfaces: ['memory-device'],
    children: PROXY_CHILD,
    userCreatable: true,
    hotpluggable: true,
    category: 'Misc',
    implementations: [implement(MEMORY_DEVICE_OPS, MEMORY_DEVICE)],
    realize: (proxy) => proxy.model.realize(child(proxy)),
    unrealize: (proxy) => proxy.model.unrealize(child(proxy)),
  },
];

export { VirtioMemRuntime } from './runtime.js';
export { VIRTIO_MEM_RUNTIME } from './runtime-key.js';
