/**
 * Machine-layer fixtures: a catalog that knows machine names by their shape (the real one reads
 * compat/), a RAM backend and a plain memory device implementing the machine's interfaces.
 */
import { key } from '../../src/core/keys.js';
import type { Arch } from '../../src/core/arch.js';
import { releaseName, type Release } from '../../src/core/release.js';
import {
  MEMORY_BACKEND_USE,
  MEMORY_DEVICE_OPS,
  type Machine,
  type MachineCatalog,
  type MachineEnvironment,
  type MachineTypeEntry,
} from '../../src/machine/index.js';
import { BASE_TYPES, implement, TypeRegistry, type TypeInfo } from '../../src/qom/index.js';
import { MACHINE_FAMILIES } from '../../machines/index.js';

const MAPPED = key<boolean>('test mapped');

const TYPES: readonly TypeInfo[] = [
  { name: 'memory-backend', parent: 'object', abstract: true, interfaces: ['user-creatable'], postInit: 'compat' },
  {
    name: 'memory-backend-ram',
    parent: 'memory-backend',
    properties: [
      { name: 'size', type: { kind: 'size' }, origin: 'field', default: 0 },
      { name: 'share', type: { kind: 'bool' }, origin: 'field', default: false },
    ],
    implementations: [
      implement(MEMORY_BACKEND_USE, {
        size: (b) => b.get('size') as number,
        isMapped: (b) => b.slots.get(MAPPED) === true,
        setMapped: (b, mapped) => b.slots.set(MAPPED, mapped),
      }),
    ],
    canBeDeleted: (b) => b.slots.get(MAPPED) !== true,
  },
  { name: 'pci-device', parent: 'device', abstract: true },
  {
    name: 'test-memdev-pci',
    parent: 'pci-device',
    interfaces: ['memory-device'],
    userCreatable: true,
    hotpluggable: true,
    bus: 'PCI',
    properties: [
      { name: 'memaddr', type: { kind: 'uint64' }, origin: 'field', default: 0 },
      { name: 'memdev', type: { kind: 'link', target: 'memory-backend' }, origin: 'field' },
      { name: 'align', type: { kind: 'size' }, origin: 'field', default: 0x200000 },
    ],
    implementations: [
      implement(MEMORY_DEVICE_OPS, {
        addr: (d) => d.get('memaddr') as number,
        setAddr: (d, addr) => d.store('memaddr', addr),
        regionSize: (d) => {
          const backend = d.model.linkTarget(d, 'memdev');
          if (!backend) throw new Error("'memdev' property must be set");
          return backend.get('size') as number;
        },
        regionAlignment: () => 4096,
        minAlignment: (d) => d.get('align') as number,
        pluggedSize: (d) => d.model.linkTarget(d, 'memdev')!.get('size') as number,
        ramBlock: () => undefined,
        populatedRanges: (d) => [{ offset: 0, length: d.model.linkTarget(d, 'memdev')!.get('size') as number }],
        info: (d) => ({ type: 'test', data: { id: d.id } }),
      }),
    ],
    realize: (d) => {
      const backend = d.model.linkTarget(d, 'memdev')!;
      backend.slots.set(MAPPED, true);
    },
  },
];

const FAMILY_OF: ReadonlyArray<readonly [RegExp, string, Arch]> = [
  [/^pc-i440fx-(\d+)\.(\d+)$/, 'pc-i440fx', 'x86_64'],
  [/^pc-q35-(\d+)\.(\d+)$/, 'pc-q35', 'x86_64'],
  [/^s390-ccw-virtio-(\d+)\.(\d+)$/, 's390-ccw-virtio', 's390x'],
];

/** Knows every versioned name of the modelled families, and `q35`/`pc` as the release's own. */
export const SHAPE_CATALOG: MachineCatalog = {
  resolve(r: Release, arch: Arch, name: string): MachineTypeEntry | undefined {
    const aliased = name === 'pc' ? `pc-i440fx-${releaseName(r)}` : name === 'q35' ? `pc-q35-${releaseName(r)}` : name;
    for (const [pattern, family, familyArch] of FAMILY_OF) {
      const m = pattern.exec(aliased);
      if (m && familyArch === arch) {
        return { name: aliased, family, version: { major: Number(m[1]), minor: Number(m[2]) }, description: family, deprecationReason: undefined };
      }
    }
    return undefined;
  },
  defaultMachine(r: Release, arch: Arch) {
    return this.resolve(r, arch, arch === 'x86_64' ? 'pc' : `s390-ccw-virtio-${releaseName(r)}`)!;
  },
  list: () => [],
  compatProperties: () => [],
};

export function testEnvironment(): MachineEnvironment {
  return { registry: new TypeRegistry().register(...BASE_TYPES, ...TYPES), catalog: SHAPE_CATALOG, families: MACHINE_FAMILIES };
}

/** device_del, then the eject a guest's ACPI hotplug handler would make, then the machine's pending work (DEVICE_DELETED). */
export function deleteAndEject(machine: Machine, id: string): void {
  machine.deleteDevice(id);
  machine.ejectDevice(machine.model.container('/machine/peripheral').child(id)!);
  machine.scheduler.runUntilIdle();
}
