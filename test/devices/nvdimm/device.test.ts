import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { GiB, MiB } from '../../../src/core/units.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';
import { MEMORY_DEVICE_OPS } from '../../../src/machine/memory-device.js';

const ram = (id: string): StartupItem => ({ kind: 'object', type: 'memory-backend-ram', id, props: [{ name: 'size', value: '1G' }] });
const device = (driver: string, id: string, props: Record<string, string>): StartupItem => ({
  kind: 'device',
  driver,
  id,
  props: Object.entries(props).map(([name, value]) => ({ name, value })),
});

function start(machineProps: string, items: readonly StartupItem[]): Machine {
  const binary = qemuBinary(
    new Map([
      ['qemu-version', '10.0'],
      ['arch', 'x86_64'],
    ]),
  );
  const props = machineProps === '' ? [] : machineProps.split(',').map((kv) => ({ name: kv.split('=')[0]!, value: kv.split('=')[1]! }));
  return Machine.start({ release: '10.0', arch: 'x86_64', machine: 'pc', machineProps: props, memory: '1G,slots=2,maxmem=4G', items }, binary.environment)
    .machine;
}

const sizes = (machine: Machine) =>
  machine.memoryDevices().map((d) => {
    const info = machine.model.view.implementation(d.type, MEMORY_DEVICE_OPS)!.info(d);
    return [info.type, info.data['addr'], info.data['size']];
  });

describe('devices/nvdimm (real 5.2-11.1 agree)', () => {
  const REFUSED: ReadonlyArray<readonly [string, string, Record<string, string>, string]> = [
    ['without -machine nvdimm=on', '', { memdev: 'r0' }, "nvdimm is not enabled: missing 'nvdimm' in '-M'"],
    ['with ACPI off', 'acpi=off,nvdimm=on', { memdev: 'r0' }, 'memory hotplug is not enabled: missing acpi device or acpi disabled'],
    ['a label below 128 KiB', 'nvdimm=on', { memdev: 'r0', 'label-size': '100K' }, "Property 'nvdimm.label-size' (0x19000) is required at least 0x20000"],
    [
      'a label as big as the memdev',
      'nvdimm=on',
      { memdev: 'r0', 'label-size': '1G' },
      'the size of memdev r0 (0x40000000) is too small to contain nvdimm label (0x40000000) and aligned PMEM (0x200000)',
    ],
    ['a malformed uuid', 'nvdimm=on', { memdev: 'r0', uuid: 'xyz' }, "Property 'nvdimm.uuid' has invalid value"],
    ['an unknown nvdimm-persistence', 'nvdimm=on,nvdimm-persistence=foo', { memdev: 'r0' }, '-machine nvdimm-persistence=foo: unsupported option'],
  ];
  for (const [what, machineProps, props, message] of REFUSED) {
    it(`refuses ${what}`, () => assert.throws(() => start(machineProps, [ram('r0'), device('nvdimm', 'n0', props)]), { message }));
  }

  it('maps its memdev less the label, aligned down, and the next device follows it', () => {
    const machine = start('nvdimm=on', [
      ram('r0'),
      ram('r1'),
      device('nvdimm', 'n0', { memdev: 'r0', 'label-size': '128K' }),
      device('pc-dimm', 'd1', { memdev: 'r1' }),
    ]);
    assert.deepEqual(sizes(machine), [
      ['nvdimm', 4 * GiB, GiB - 2 * MiB],
      ['dimm', 5 * GiB - 2 * MiB, GiB],
    ]);
  });

  it('freezes label-size once its region is prepared, and the board refuses to unplug it', () => {
    const machine = start('nvdimm=on', [ram('r0'), device('nvdimm', 'n0', { memdev: 'r0', 'label-size': '128K' })]);
    const n0 = machine.model.resolvePath('/machine/peripheral/n0')!;
    assert.throws(() => machine.model.setProperty(n0, 'label-size', { source: 'json', json: 262144 }), { message: 'cannot change property value' });
    assert.throws(() => machine.deleteDevice('n0'), { message: 'nvdimm device hot unplug is not supported yet.' });
  });
});
