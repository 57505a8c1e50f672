import assert from 'node:assert/strict';
import { qemuBinary } from '../../../src/cli/binary.js';
import { GiB } from '../../../src/core/units.js';
import { Machine, type StartupItem } from '../../../src/machine/machine.js';
import { MEMORY_DEVICE_OPS } from '../../../src/machine/memory-device.js';

const ram = (id: string): StartupItem => ({ kind: 'object', type: 'memory-backend-ram', id, props: [{ name: 'size', value: '1G' }] });
const pmem = (id: string, props: Record<string, string>): StartupItem => ({
  kind: 'device',
  driver: 'virtio-pmem-pci',
  id,
  props: Object.entries(props).map(([name, value]) => ({ name, value })),
});

function start(release: string, items: readonly StartupItem[], memory = '1G,maxmem=4G'): Machine {
  const binary = qemuBinary(
    new Map([
      ['qemu-version', release],
      ['arch', 'x86_64'],
    ]),
  );
  return Machine.start({ release, arch: 'x86_64', machine: 'pc', memory, items }, binary.environment).machine;
}

describe('devices/virtio-pmem (real 5.2-11.1 agree)', () => {
  it('maps its whole memdev in device memory and reports it as QEMU does', () => {
    const machine = start('7.2', [ram('m0'), ram('m1'), pmem('p0', { memdev: 'm0' }), pmem('p1', { memdev: 'm1' })]);
    const infos = machine.memoryDevices().map((d) => machine.model.view.implementation(d.type, MEMORY_DEVICE_OPS)!.info(d));
    assert.deepEqual(infos, [
      { type: 'virtio-pmem', data: { id: 'p0', memaddr: 4 * GiB, size: GiB, memdev: '/objects/m0' } },
      { type: 'virtio-pmem', data: { id: 'p1', memaddr: 5 * GiB, size: GiB, memdev: '/objects/m1' } },
    ]);
    assert.equal(machine.pluggedMemorySize(), 2 * GiB);
  });

  const REFUSED: ReadonlyArray<readonly [string, readonly StartupItem[], string]> = [
    ['no memdev', [ram('m0'), pmem('p0', {})], "'memdev' property must be set"],
    ['a busy memdev', [ram('m0'), pmem('p0', { memdev: 'm0' }), pmem('p1', { memdev: 'm0' })], "can't use already busy memdev: m0"],
  ];
  for (const [what, items, message] of REFUSED) {
    it(`refuses ${what}`, () => assert.throws(() => start('10.0', items), { message }));
  }

  const UNPLUG: ReadonlyArray<readonly [string, string]> = [
    ['7.2', 'virtio based memory devices cannot be unplugged.'],
    ['10.0', 'this virtio based memory devices cannot be unplugged'],
  ];
  for (const [release, message] of UNPLUG) {
    it(`refuses device_del in ${release}`, () => {
      const machine = start(release, [ram('m0'), pmem('p0', { memdev: 'm0' })]);
      assert.throws(() => machine.deleteDevice('p0'), { message });
    });
  }
});
