/**
 * virtio-balloon as QOM types: the device (`virtio-balloon-device`, a virtio-device) and its
 * transports `virtio-balloon-pci` and (s390x) `virtio-balloon-ccw`, which own it as
 * `virtio-backend` and alias its properties, the two stats properties included
 * (virtio_balloon_pci_instance_init, virtio_ccw_balloon_instance_init). Plus the `iothread`
 * object free-page-hint needs.
 */
import { VMSTATE } from '../../src/migration/vmstate.js';
import { FREE_PAGE_HINTING } from '../../src/migration/free-page-hints.js';
import { VIRTIO_BALLOON_HINTING, VIRTIO_BALLOON_SECTIONS } from './migration.js';
import { Scheduler } from '../../src/core/scheduler.js';
import { balloonInhibited, ramDiscardCoordination } from '../../src/machine/discard-coordination.js';
import { HOST_PROCESS } from '../../src/machine/host-process.js';
import { privateFileDiscardWarning } from '../../src/machine/ram-discard.js';
import { MACHINE_SERVICE } from '../../src/machine/machine.js';
import type { QomObject } from '../../src/qom/object.js';
import { implement, type ChildDef, type TypeInfo } from '../../src/qom/type-info.js';
import { FeatureSet } from '../../src/virtio/feature-set.js';
import { defaultVectors, proxyIoProperties, resolveVirtioPciProxy } from '../../src/virtio/pci-proxy.js';
import { transportHostFeatures, virtioTransportOf } from '../../src/virtio/qom-types.js';
import { VIRTIO_STATUS } from '../../src/virtio/qmp-status.js';
import { BALLOON_HANDLER } from './balloon-handler.js';
import { VIRTIO_BALLOON_FEATURE_PROPERTIES } from './features.js';
import { virtioBalloonProperties } from './properties.js';
import { machineRamLookup, NO_RAM } from '../../src/machine/ram-map.js';
import { realizeBalloon } from './realize.js';
import { VirtioBalloonRuntime, type BalloonEnvironment } from './runtime.js';
import { VIRTIO_BALLOON_RUNTIME } from './runtime-key.js';
import { newBalloonState } from './state.js';
import { STAT_UNSET, statNames } from './stats.js';
import { IOTHREAD_TYPES } from './iothread.js';

const has = (device: QomObject, property: string): boolean => device.model.view.properties(device.type).has(property);

function environment(device: QomObject): BalloonEnvironment {
  const model = device.model;
  const machine = model.services.get(MACHINE_SERVICE);
  const r = model.env.release;
  return {
    // Outside a machine (a bare object model) time never advances, so timers never fire.
    scheduler: machine?.scheduler ?? new Scheduler(),
    transport: virtioTransportOf(device),
    hostPageSize: model.services.get(HOST_PROCESS)?.host.arch.basePageSize ?? 4096,
    vmRamSize: () => (machine ? machine.memory.ramSize + machine.dimmSize() : 0),
    lookup: () => (machine ? machineRamLookup(machine) : NO_RAM),
    inhibited: (migration) => balloonInhibited(ramDiscardCoordination(model), migration, r),
    balloonChange: (actual) => machine?.events.emit('BALLOON_CHANGE', { actual }),
    privateFileDiscard: (block) => privateFileDiscardWarning(model, block),
  };
}

function realize(device: QomObject): void {
  const model = device.model;
  let propertyFeatures = FeatureSet.EMPTY;
  for (const p of VIRTIO_BALLOON_FEATURE_PROPERTIES)
    if (has(device, p.property) && device.get(p.property) === true) propertyFeatures = propertyFeatures.with(p.bit);
  const setup = realizeBalloon({
    release: model.env.release,
    target: model.env.target,
    handlerTaken: model.services.get(BALLOON_HANDLER) !== undefined,
    propertyFeatures,
    iothreadSet: model.linkTarget(device, 'iothread') !== undefined,
    qemu40ConfigSize: has(device, 'qemu-4-0-config-size') && device.get('qemu-4-0-config-size') === true,
  });
  const runtime = new VirtioBalloonRuntime(newBalloonState(setup), transportHostFeatures(device, setup.deviceFeatures), environment(device));
  model.services.set(BALLOON_HANDLER, { owner: device, toTarget: (target) => runtime.toTarget(target), actual: () => runtime.actualBytes() });
  device.slots.set(VIRTIO_BALLOON_RUNTIME, runtime);
  runtime.setPollInterval((device.stored('guest-stats-polling-interval') as number | undefined) ?? 0);
}

function unrealize(device: QomObject): void {
  const model = device.model;
  // qemu_remove_balloon_handler only removes the handler this device registered.
  if (model.services.get(BALLOON_HANDLER)?.owner === device) model.services.delete(BALLOON_HANDLER);
  device.slots.get(VIRTIO_BALLOON_RUNTIME)?.stop();
  device.slots.delete(VIRTIO_BALLOON_RUNTIME);
}

const PROPERTIES = virtioBalloonProperties({
  guestStats: (device) => {
    const runtime = device.slots.get(VIRTIO_BALLOON_RUNTIME);
    const names = statNames(device.model.env.release);
    const values = runtime?.state.stats ?? names.map(() => STAT_UNSET);
    // u64 values: past 2^53 (an unset stat is (u64)-1) exact as bigint, which QMP prints digit for
    // digit as QEMU does (libvirt reads 18446744073709551615 as "no value").
    const exact = (v: bigint) => (v > BigInt(Number.MAX_SAFE_INTEGER) ? v : Number(v));
    return { 'last-update': runtime?.state.statsLastUpdate ?? 0, stats: Object.fromEntries(names.map((n, i) => [n, exact(values[i]!)])) };
  },
  pollInterval: (device) => device.slots.get(VIRTIO_BALLOON_RUNTIME)?.state.statsPollInterval,
  setPollInterval: (device, seconds) => device.slots.get(VIRTIO_BALLOON_RUNTIME)?.setPollInterval(seconds),
});

const child = (proxy: QomObject): QomObject => proxy.child('virtio-backend')!;

const PROXY_CHILD: readonly ChildDef[] = [
  { name: 'virtio-backend', type: 'virtio-balloon-device', aliasClassProperties: true, extraAliases: ['guest-stats', 'guest-stats-polling-interval'] },
];

const proxyHooks = {
  realize: (proxy: QomObject) => proxy.model.realize(child(proxy)),
  unrealize: (proxy: QomObject) => proxy.model.unrealize(child(proxy)),
};

const PCI_CLASS_OTHERS = 0xff;
const PCI_CLASS_MEMORY_RAM = 0x0500;

/**
 * virtio_balloon_pci_realize: the generic proxy resolution (the balloon has a legacy interface),
 * and from 10.0, when it has the property, 2 vectors unless set (qom-get reads 2 after realize).
 * Devices sit on the machine's root buses, never behind a PCIe port.
 */
function realizePciProxy(proxy: QomObject) {
  resolveVirtioPciProxy(proxy, { behindPciePort: false, modernOnly: false });
  defaultVectors(proxy, 2);
  // Until `class` went, a class code other than PCI_CLASS_OTHERS or PCI_CLASS_MEMORY_RAM (the
  // pre-1.1 one) became PCI_CLASS_OTHERS, so qom-get reads 255 after realize.
  if (proxy.model.view.properties(proxy.type).has('class') && ![PCI_CLASS_OTHERS, PCI_CLASS_MEMORY_RAM].includes(proxy.get('class') as number)) {
    proxy.store('class', PCI_CLASS_OTHERS);
  }
  return proxy.model.realize(child(proxy));
}

export const VIRTIO_BALLOON_TYPES: readonly TypeInfo[] = [
  {
    name: 'virtio-balloon-device',
    parent: 'virtio-device',
    properties: PROPERTIES,
    implementations: [
      implement(VMSTATE, VIRTIO_BALLOON_SECTIONS),
      implement(FREE_PAGE_HINTING, VIRTIO_BALLOON_HINTING),
      implement(VIRTIO_STATUS, (device: QomObject) => {
        const runtime = device.slots.get(VIRTIO_BALLOON_RUNTIME);
        if (!runtime) return undefined;
        return {
          name: 'virtio-balloon',
          deviceId: runtime.deviceId,
          hostFeatures: runtime.hostFeatures,
          guestFeatures: runtime.guestFeatures,
          status: runtime.readStatus(),
          numVqs: runtime.state.setup.queues.length,
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
    name: 'virtio-balloon-pci-base',
    parent: 'virtio-pci',
    abstract: true,
    children: PROXY_CHILD,
    // 10.0 (7c949c53e9) gave the balloon's PCI proxy its own ioeventfd and vectors (2 unless set;
    // hw_compat_9_2 sets 0 for older machines).
    properties: [
      // The PCI class code override that 5.2's binary still lists (gone by 7.2's; dated 6.0).
      { name: 'class', until: '6.0', type: { kind: 'uint32' }, origin: 'field', default: 0 },
      ...proxyIoProperties('10.0'),
    ],
  },
  {
    name: 'virtio-balloon-pci',
    parent: 'virtio-balloon-pci-base',
    userCreatable: true,
    hotpluggable: true,
    category: 'Misc',
    realize: realizePciProxy,
    unrealize: proxyHooks.unrealize,
  },
  { name: 'virtio-balloon-ccw', parent: 'virtio-ccw-device', children: PROXY_CHILD, userCreatable: true, hotpluggable: true, category: 'Misc', ...proxyHooks },
];

export { IOTHREAD_TYPES };
export { BALLOON_HANDLER, type BalloonHandler } from './balloon-handler.js';
export { VirtioBalloonRuntime, VIRTIO_ID_BALLOON, type BalloonEnvironment, type FreePageHint } from './runtime.js';
export { VIRTIO_BALLOON_RUNTIME } from './runtime-key.js';
export { VIRTIO_BALLOON_VMSTATE, type VmstateSection } from './vmstate.js';
export type { BalloonDriverPort, BalloonCompletion, GuestPagesElement, GuestPagesRange } from './port.js';
