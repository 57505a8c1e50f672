/**
 * Compat entries a machine type applies, in QEMU's order (base defaults, then newest array to
 * oldest, the later winning), with the release each array belongs to: checked against
 * hand-read arrays of the release sources (qemu.md §2.1 to §2.6).
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../../src/core/arch.js';
import { isHotmemError } from '../../../src/core/errors.js';
import { loadCompatData, type CompatEntry } from '../../../src/machine/compat-data/index.js';

const data = loadCompatData();

/** What a device ends up with: the last entry for the driver and property, as object_apply_compat_props leaves it. */
function effective(release: string, arch: Arch, machine: string, driver: string, property: string): string | undefined {
  return data
    .compatEntries(release, arch, machine)
    .filter((e) => e.driver === driver && e.property === property)
    .at(-1)?.value;
}

// virtio-mem unplugged-inaccessible (qemu.md §2.4): pc_compat_6_2 "off" (7.0+) and pc_compat_8_0 "auto" (8.1+).
const unpluggedInaccessible: readonly (readonly [string, Arch, string, string | undefined])[] = [
  ['6.2', 'x86_64', 'pc-q35-6.2', undefined],
  ['7.0', 'x86_64', 'pc-q35-6.2', 'off'],
  ['7.0', 'x86_64', 'pc-q35-7.0', undefined],
  ['8.0', 'x86_64', 'pc-i440fx-7.0', undefined],
  ['8.1', 'x86_64', 'pc-q35-8.0', 'auto'],
  ['8.1', 'x86_64', 'pc-q35-7.0', 'auto'],
  ['8.1', 'x86_64', 'pc-q35-6.2', 'off'],
  ['8.1', 'x86_64', 'pc-q35-8.1', undefined],
  ['10.2', 'x86_64', 'pc-i440fx-6.2', 'off'],
  ['10.2', 's390x', 's390-ccw-virtio-6.2', undefined],
];

// virtio-mem x-early-migration: hw_compat_7_2, from 8.0 (the array's first release), every target.
const earlyMigration: readonly (readonly [string, Arch, string, string | undefined])[] = [
  ['7.2', 's390x', 's390-ccw-virtio-7.2', undefined],
  ['8.0', 's390x', 's390-ccw-virtio-7.2', 'false'],
  ['8.0', 's390x', 's390-ccw-virtio-8.0', undefined],
  ['8.0', 'x86_64', 'pc-q35-7.2', 'false'],
  ['10.2', 'x86_64', 'pc-i440fx-5.1', 'false'],
];

describe('machine/compat-data: compat entries', () => {
  for (const [release, arch, machine, value] of unpluggedInaccessible) {
    it(`${release} ${machine}: virtio-mem unplugged-inaccessible ${value ?? 'untouched'}`, () => {
      assert.equal(effective(release, arch, machine, 'virtio-mem', 'unplugged-inaccessible'), value);
    });
  }

  for (const [release, arch, machine, value] of earlyMigration) {
    it(`${release} ${machine}: virtio-mem x-early-migration ${value ?? 'untouched'}`, () => {
      assert.equal(effective(release, arch, machine, 'virtio-mem', 'x-early-migration'), value);
    });
  }

  it("applies the newest array first and the machine's own last (pc-q35-6.2 on 8.1)", () => {
    const machine = data.resolveMachineType('8.1', 'x86_64', 'pc-q35-6.2');
    assert.deepEqual(machine?.compatArrays, [
      'hw_compat_8_0',
      'pc_compat_8_0',
      'hw_compat_7_2',
      'pc_compat_7_2',
      'hw_compat_7_1',
      'pc_compat_7_1',
      'hw_compat_7_0',
      'pc_compat_7_0',
      'hw_compat_6_2',
      'pc_compat_6_2',
    ]);
    const entries = data.compatEntries('8.1', 'x86_64', 'pc-q35-6.2').filter((e) => e.property === 'unplugged-inaccessible');
    assert.deepEqual(entries, [
      {
        driver: 'virtio-mem',
        property: 'unplugged-inaccessible',
        value: 'auto',
        optional: false,
        array: 'pc_compat_8_0',
        source: 'hw/i386/pc.c',
        release: '8.0',
        addedIn: '8.1',
      },
      {
        driver: 'virtio-mem',
        property: 'unplugged-inaccessible',
        value: 'off',
        optional: false,
        array: 'pc_compat_6_2',
        source: 'hw/i386/pc.c',
        release: '6.2',
        addedIn: '7.0',
      },
    ] satisfies CompatEntry[]);
  });

  it('puts the base defaults first, for every version (pc-q35-9.2 on 10.0)', () => {
    const [first, second] = data.compatEntries('10.0', 'x86_64', 'pc-q35-9.2');
    assert.deepEqual(first, {
      driver: 'virtio-iommu-pci',
      property: 'aw-bits',
      value: '39',
      optional: false,
      array: 'pc_q35_compat_defaults',
      source: 'hw/i386/pc_q35.c',
      release: null,
      addedIn: '9.0',
    });
    assert.equal(second?.array, 'hw_compat_9_2');
    assert.equal(effective('10.0', 'x86_64', 'pc-q35-9.2', 'virtio-mem-pci', 'vectors'), '0');
    assert.deepEqual(
      data.compatEntries('10.0', 'x86_64', 'q35').map((e) => e.array),
      ['pc_q35_compat_defaults'],
    );
  });

  it('has no entries for the newest machine of a release, by name or alias', () => {
    for (const name of ['pc', 'pc-i440fx-7.2', 'q35']) assert.deepEqual(data.compatEntries('7.2', 'x86_64', name), []);
    assert.deepEqual(data.compatEntries('7.2', 's390x', 's390-ccw-virtio'), []);
  });

  it('takes each array as the release has it: hw_compat_7_2 gains x-pcie-err-unc-mask in 8.1', () => {
    const names = (release: string) =>
      data
        .compatArrays(release)
        .find((a) => a.name === 'hw_compat_7_2')
        ?.entries.map((e) => `${e.driver}.${e.property}=${e.value}`);
    assert.equal(names('7.2'), undefined);
    assert.deepEqual(names('8.0'), ['e1000e.migrate-timadj=off', 'virtio-mem.x-early-migration=false', 'migration.x-preempt-pre-7-2=true']);
    assert.deepEqual(names('8.1')?.slice(3), ['pci-device.x-pcie-err-unc-mask=off']);
    assert.equal(data.compatEntries('8.1', 'x86_64', 'pc-q35-7.2').find((e) => e.property === 'x-pcie-err-unc-mask')?.addedIn, '8.1');
  });

  it('resolves C macros: TYPE_X86_CPU is x86_64-cpu and PC_CPU_MODEL_IDS expands (pc_compat_1_4, 7.2)', () => {
    const entries = data.compatEntries('7.2', 'x86_64', 'pc-i440fx-1.4').filter((e) => e.array === 'pc_compat_1_4');
    assert.deepEqual(
      entries.slice(0, 3).map((e) => [e.driver, e.property, e.value]),
      [
        ['qemu32-x86_64-cpu', 'model-id', 'QEMU Virtual CPU version 1.4.0'],
        ['qemu64-x86_64-cpu', 'model-id', 'QEMU Virtual CPU version 1.4.0'],
        ['athlon-x86_64-cpu', 'model-id', 'QEMU Virtual CPU version 1.4.0'],
      ],
    );
  });

  it('keeps the optional flag (hw_compat_2_6 virtio-pci legacy/modern switches)', () => {
    const optional = data.compatEntries('7.2', 'x86_64', 'pc-q35-2.6').filter((e) => e.optional);
    assert.deepEqual(
      optional.map((e) => [e.array, e.driver, e.property, e.value]),
      [
        ['hw_compat_2_6', 'virtio-pci', 'disable-modern', 'on'],
        ['hw_compat_2_6', 'virtio-pci', 'disable-legacy', 'off'],
      ],
    );
  });

  it('adds the s390 inline arrays after hw_compat (ccw_machine_7_1_class_options, 7.2)', () => {
    const entries = data.compatEntries('7.2', 's390x', 's390-ccw-virtio-7.1');
    assert.deepEqual(
      entries.map((e) => e.array),
      ['hw_compat_7_1', 'ccw_machine_7_1_class_options.compat', 'ccw_machine_7_1_class_options.compat'],
    );
    assert.deepEqual(
      entries.slice(1).map((e) => [e.driver, e.property, e.value, e.source, e.release]),
      [
        ['zpci', 'interpret', 'off', 'hw/s390x/s390-virtio-ccw.c', '7.1'],
        ['zpci', 'forwarding-assist', 'off', 'hw/s390x/s390-virtio-ccw.c', '7.1'],
      ],
    );
  });

  it('gives xenfv-3.1 the compat of pc-i440fx-3.1, which 10.2 no longer registers itself', () => {
    assert.equal(data.resolveMachineType('10.2', 'x86_64', 'pc-i440fx-3.1'), undefined);
    const arrays = data.resolveMachineType('10.2', 'x86_64', 'xenfv-3.1')?.compatArrays;
    assert.deepEqual(arrays?.slice(0, 2), ['pc_piix_compat_defaults', 'hw_compat_10_1']);
    assert.deepEqual(arrays.slice(-2), ['hw_compat_3_1', 'pc_compat_3_1']);
  });

  it('refuses a machine type the release does not register', () => {
    for (const [release, machine] of [
      ['10.2', 'pc-i440fx-4.2'],
      ['7.2', 'pc-q35-8.0'],
      ['7.2', 'virt'],
    ] as const) {
      assert.throws(
        () => data.compatEntries(release, 'x86_64', machine),
        (e: unknown) => isHotmemError(e, 'compat.unknown-machine-type') && e.message === `QEMU ${release} qemu-system-x86_64 has no machine type '${machine}'`,
      );
    }
  });
});
