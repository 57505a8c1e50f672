/**
 * Machine types per release, checked against facts read in each release's source (and, for 7.2,
 * against Debian's binary): names, aliases, the default, explicit and automatic deprecation,
 * automatic deletion, build requirements and compat arrays.
 */
import { strict as assert } from 'node:assert';
import { ARCHES, type Arch } from '../../../src/core/arch.js';
import { isHotmemError } from '../../../src/core/errors.js';
import { newestFirst } from '../../../src/machine/compat-data/versions.js';
import { buildConfig, loadCompatData, type BuildConfig, type MachineType, type QemuEnvironment } from '../../../src/machine/compat-data/index.js';

const data = loadCompatData();
const OLD_UNATTENDED = 'old and unattended - use a newer version instead';
const AGE = 'machines more than 3 years old are subject to deletion after 6 years';

interface Case {
  readonly release: string;
  readonly arch?: Arch;
  readonly machine: string;
  readonly build?: BuildConfig;
  readonly env?: QemuEnvironment;
  /** undefined: the release does not register the machine in that build and environment. */
  readonly expect: Partial<MachineType> | undefined;
}

const cases: readonly Case[] = [
  { release: '7.2', machine: 'pc', expect: { name: 'pc-i440fx-7.2', isDefault: true, alias: 'pc', family: 'pc_piix' } },
  { release: '7.2', machine: 'q35', expect: { name: 'pc-q35-7.2', isDefault: false, alias: 'q35', family: 'pc_q35' } },
  {
    release: '7.2',
    machine: 'pc-q35-4.0.1',
    expect: {
      series: { id: 'pc-q35', version: '4.0.1' },
      compatArrays: data.resolveMachineType('7.2', 'x86_64', 'pc-q35-4.1')?.compatArrays.concat(['hw_compat_4_0', 'pc_compat_4_0']),
    },
  },
  // pc_i440fx_1_7_machine_options sets the reason; 1.6 to 1.4 run it first, so they inherit it.
  { release: '7.2', machine: 'pc-i440fx-1.7', expect: { deprecated: true, deprecationReason: OLD_UNATTENDED } },
  { release: '7.2', machine: 'pc-i440fx-1.4', expect: { deprecated: true, deprecationReason: OLD_UNATTENDED } },
  { release: '7.2', machine: 'pc-i440fx-2.0', expect: { deprecated: false, deprecationReason: null } },
  { release: '6.2', machine: 'pc-i440fx-1.4', expect: { deprecated: false } },
  { release: '5.1', machine: 'pc-1.0', expect: { deprecationReason: 'use a newer machine type instead', series: { id: 'pc-i440fx', version: '1.0' } } },
  { release: '6.0', machine: 'pc-1.0', expect: undefined },
  { release: '8.2', machine: 'pc-i440fx-1.7', expect: undefined },
  { release: '8.2', machine: 'pc-i440fx-2.0', expect: { deprecationReason: OLD_UNATTENDED } },
  { release: '9.1', machine: 'pc-i440fx-2.3', expect: undefined },
  // 9.1: deprecated when (9 - major) > 3, or == 3 and 1 >= minor; deleted only with QEMU_DELETE_MACHINES.
  { release: '9.1', machine: 'pc-i440fx-6.1', expect: { deprecationReason: AGE } },
  { release: '9.1', machine: 'pc-i440fx-6.2', expect: { deprecated: false } },
  { release: '9.1', machine: 'pc-i440fx-3.1', expect: { deprecationReason: AGE } },
  { release: '9.1', machine: 'pc-i440fx-3.1', env: { QEMU_DELETE_MACHINES: '' }, expect: undefined },
  { release: '9.1', machine: 'pc-i440fx-3.2', expect: undefined },
  { release: '10.0', machine: 'pc-q35-4.0.1', env: { QEMU_DELETE_MACHINES: '1' }, expect: undefined },
  { release: '10.0', machine: 'pc-q35-4.1', env: { QEMU_DELETE_MACHINES: '1' }, expect: { deprecationReason: AGE } },
  // 10.1 on: expired versions are never registered.
  { release: '10.2', machine: 'pc-i440fx-4.2', expect: undefined },
  { release: '10.2', machine: 'pc-i440fx-5.0', expect: { deprecationReason: AGE } },
  { release: '10.2', machine: 'pc-q35-7.2', expect: { deprecationReason: AGE } },
  { release: '10.2', machine: 'pc-q35-8.0', expect: { deprecated: false } },
  { release: '10.2', arch: 's390x', machine: 's390-ccw-virtio-4.2', expect: undefined },
  {
    release: '10.2',
    arch: 's390x',
    machine: 's390-ccw-virtio',
    expect: { name: 's390-ccw-virtio-10.2', isDefault: true, family: null, desc: 'Virtual s390x machine (version 10.2)' },
  },
  // s390x descriptions were reworded for 7.1.
  { release: '5.2', arch: 's390x', machine: 's390-ccw-virtio-2.4', expect: { desc: 'VirtIO-ccw based S390 machine v2.4' } },
  { release: '7.0', arch: 's390x', machine: 's390-ccw-virtio', expect: { name: 's390-ccw-virtio-7.0', desc: 'VirtIO-ccw based S390 machine v7.0' } },
  { release: '7.1', arch: 's390x', machine: 's390-ccw-virtio-7.0', expect: { desc: 'Virtual s390x machine (version 7.0)' } },
  // xenfv runs pc_i440fx_X_Y_machine_options, not the versioned class_init: no age deprecation.
  { release: '10.2', machine: 'xenfv', build: data.defaultBuildConfig('x86_64'), expect: undefined },
  {
    release: '10.2',
    machine: 'xenfv',
    build: buildConfig('I440FX', 'XEN'),
    expect: { name: 'xenfv-3.1', family: 'pc_piix', deprecated: false, series: null, requires: ['I440FX', 'XEN'] },
  },
  {
    release: '7.2',
    machine: 'xenfv-4.2',
    expect: { desc: 'Xen Fully-virtualized PC', alias: null, compatArrays: data.resolveMachineType('7.2', 'x86_64', 'pc-i440fx-4.2')?.compatArrays },
  },
  { release: '6.2', machine: 'isapc', expect: { requires: ['I440FX'], family: null } },
  { release: '7.2', machine: 'isapc', expect: { requires: ['ISAPC', 'I440FX'] } },
  { release: '10.2', machine: 'isapc', expect: { requires: ['ISAPC'] } },
  { release: '7.0', machine: 'microvm', expect: { family: 'microvm_i386', compatArrays: [] } },
  { release: '7.1', machine: 'microvm', expect: { compatArrays: ['microvm_properties'] } },
  { release: '9.1', machine: 'nitro-enclave', expect: undefined },
  { release: '9.2', machine: 'nitro-enclave', expect: { family: 'nitro_enclave_i386', requires: ['NITRO_ENCLAVE'] } },
  { release: '5.2', machine: 'x-remote', expect: undefined },
  { release: '6.0', machine: 'x-remote', expect: { requires: ['MULTIPROCESS'] } },
  // 11.0 is Ubuntu 27.04's 11.0.3 binary and source; 11.1 is Debian sid's 11.1.3 binary.
  { release: '11.0', machine: 'pc', expect: { name: 'pc-i440fx-11.0', isDefault: true, compatArrays: ['pc_piix_compat_defaults'] } },
  { release: '11.0', machine: 'pc-q35-10.2', expect: { compatArrays: ['pc_q35_compat_defaults', 'hw_compat_10_2', 'pc_compat_10_2'], deprecated: false } },
  { release: '11.0', machine: 'pc-q35-5.1', expect: { deprecationReason: AGE } },
  { release: '11.0', machine: 'pc-q35-5.0', expect: undefined },
  { release: '11.0', machine: 'pc-q35-8.0', expect: { deprecationReason: AGE } },
  { release: '11.0', machine: 'pc-q35-8.1', expect: { deprecated: false } },
  { release: '11.0', machine: 'nitro', expect: { desc: 'Nitro Enclave', family: null, requires: ['NITRO'] } },
  { release: '11.0', arch: 's390x', machine: 's390-ccw-virtio', expect: { name: 's390-ccw-virtio-11.0', desc: 'Virtual s390x machine (version 11.0)' } },
  { release: '11.1', machine: 'q35', expect: { name: 'pc-q35-11.1', isDefault: false, compatArrays: ['pc_q35_compat_defaults'] } },
  {
    release: '11.1',
    machine: 'pc-q35-10.2',
    expect: { compatArrays: ['pc_q35_compat_defaults', 'hw_compat_11_0', 'pc_compat_11_0', 'hw_compat_10_2', 'pc_compat_10_2'] },
  },
  { release: '11.1', machine: 'pc-i440fx-5.2', expect: { deprecationReason: AGE } },
  { release: '11.1', machine: 'pc-i440fx-5.1', expect: undefined },
  { release: '11.1', machine: 'pc-q35-8.1', expect: { deprecationReason: AGE } },
  { release: '11.1', machine: 'pc-q35-8.2', expect: { deprecated: false } },
  { release: '11.1', machine: 'nitro', expect: { desc: 'Nitro Enclave', family: null, requires: ['NITRO'] } },
  { release: '11.1', arch: 's390x', machine: 's390-ccw-virtio-10.2', expect: { compatArrays: ['hw_compat_11_0', 'hw_compat_10_2'] } },
  { release: '10.0', arch: 's390x', machine: 's390-ccw-virtio-2.9', build: buildConfig('S390_CCW_VIRTIO'), expect: undefined },
  {
    release: '10.0',
    arch: 's390x',
    machine: 's390-ccw-virtio-2.9',
    build: buildConfig('S390_CCW_VIRTIO', 'S390X_LEGACY_CPUS'),
    expect: { requires: ['S390_CCW_VIRTIO', 'S390X_LEGACY_CPUS'] },
  },
  { release: '8.2', arch: 's390x', machine: 's390-ccw-virtio-2.9', build: buildConfig('S390_CCW_VIRTIO'), expect: { requires: ['S390_CCW_VIRTIO'] } },
];

const pick = (m: MachineType, keys: readonly (keyof MachineType)[]): Partial<MachineType> => Object.fromEntries(keys.map((k) => [k, m[k]]));

describe('machine/compat-data: machine types', () => {
  it('models 5.1 to 11.1, oldest first', () => {
    assert.deepEqual(
      data.releases().map((r) => r.version),
      ['5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2', '8.0', '8.1', '8.2', '9.0', '9.1', '9.2', '10.0', '10.1', '10.2', '11.0', '11.1'],
    );
  });

  for (const c of cases) {
    const arch = c.arch ?? 'x86_64';
    const how = [c.build && `build ${[...c.build.features].join('+')}`, c.env && `env ${JSON.stringify(c.env)}`].filter(Boolean).join(', ');
    it(`${c.release} ${arch} ${c.machine}${how ? ` (${how})` : ''}: ${c.expect ? JSON.stringify(c.expect) : 'absent'}`, () => {
      const found = data.resolveMachineType(c.release, arch, c.machine, c.build, c.env);
      if (c.expect === undefined) {
        assert.equal(found, undefined);
      } else {
        assert.ok(found, `${c.machine} is missing`);
        assert.deepEqual(pick(found, Object.keys(c.expect) as (keyof MachineType)[]), c.expect);
      }
    });
  }

  it("a plain build is QEMU's default Kconfig on Linux", () => {
    assert.deepEqual([...data.defaultBuildConfig('x86_64').features], ['I440FX', 'Q35', 'ISAPC', 'MICROVM', 'NITRO', 'MULTIPROCESS']);
    assert.deepEqual([...data.defaultBuildConfig('s390x').features], ['S390_CCW_VIRTIO', 'S390X_LEGACY_CPUS']);
  });

  it('refuses a release it does not model, naming the modelled ones', () => {
    assert.throws(
      () => data.machineTypes('5.0', 'x86_64'),
      (e: unknown) =>
        isHotmemError(e, 'compat.unknown-release') &&
        e.message ===
          `QEMU 5.0 is not a modelled release (modelled: ${data
            .releases()
            .map((r) => r.version)
            .join(', ')})`,
    );
  });

  it('refuses a build feature of another target', () => {
    assert.throws(
      () => data.machineTypes('7.2', 's390x', buildConfig('XEN')),
      (e: unknown) => isHotmemError(e, 'compat.unknown-build-feature'),
    );
  });

  describe('in every release and target', () => {
    for (const { version } of data.releases()) {
      for (const arch of ARCHES) {
        it(`${version} ${arch}: one default, the newest of its series; each version applies the next newer's arrays first`, () => {
          const machines = data.machineTypes(version, arch, data.defaultBuildConfig(arch));
          const defaults = machines.filter((m) => m.isDefault);
          assert.equal(defaults.length, 1);
          const [theDefault] = defaults;
          assert.equal(theDefault?.compatArrays.filter((a) => /^(hw|pc)_compat_/.test(a)).length, 0);
          assert.equal(theDefault.deprecated, false);
          for (const id of new Set(machines.flatMap((m) => (m.series ? [m.series.id] : [])))) {
            const chain = machines.filter((m) => m.series?.id === id).sort((a, b) => newestFirst(a.series?.version ?? '', b.series?.version ?? ''));
            chain.slice(1).forEach((older, i) => {
              const newer = chain[i] as MachineType;
              assert.deepEqual(older.compatArrays.slice(0, newer.compatArrays.length), newer.compatArrays, `${older.name} after ${newer.name}`);
            });
          }
        });
      }
    }
  });
});
