import assert from 'node:assert/strict';
import { qemuBinary } from '../../src/cli/binary.js';
import { Machine, type StartupItem } from '../../src/machine/machine.js';

/** A machine with one virtio-pci proxy; returns its proxy object after realize. */
function proxyAfterRealize(release: string, machine: string, driver: string, props: Record<string, string>) {
  const binary = qemuBinary(new Map([['qemu-version', release]]));
  const items: StartupItem[] = [
    ...(driver === 'virtio-mem-pci' ? [{ kind: 'object' as const, type: 'memory-backend-ram', id: 'mem0', props: [{ name: 'size', value: '1G' }] }] : []),
    {
      kind: 'device',
      driver,
      id: 'd0',
      props: [...(driver === 'virtio-mem-pci' ? [{ name: 'memdev', value: 'mem0' }] : []), ...Object.entries(props).map(([name, value]) => ({ name, value }))],
    },
  ];
  const { machine: m } = Machine.start({ release, arch: 'x86_64', machine, memory: '1G,maxmem=4G', items }, binary.environment);
  return m.model.resolvePath('d0')!;
}

describe('virtio/pci-proxy: what virtio_pci_realize writes back (qom-get after realize)', () => {
  // release, machine, driver, options → disable-legacy, disable-modern, hotpluggable
  const CASES: ReadonlyArray<readonly [string, string, string, Record<string, string>, string, boolean, boolean]> = [
    ['7.2', 'q35', 'virtio-balloon-pci', {}, 'off', false, false],
    ['7.2', 'pc', 'virtio-balloon-pci', {}, 'off', false, true],
    ['10.0', 'pc', 'virtio-balloon-pci', { 'disable-legacy': 'on' }, 'on', false, true],
    ['5.2', 'pc', 'virtio-balloon-pci', { 'disable-modern': 'on' }, 'off', true, true],
    ['7.2', 'q35', 'virtio-mem-pci', {}, 'on', false, false],
    ['10.0', 'pc', 'virtio-mem-pci', {}, 'on', false, true],
    // virtio_pci_force_virtio_1 overrides what was set.
    ['5.2', 'pc', 'virtio-mem-pci', { 'disable-legacy': 'off', 'disable-modern': 'on' }, 'on', false, true],
  ];
  for (const [release, machine, driver, props, legacy, modern, hotpluggable] of CASES) {
    it(`${release} ${machine} ${driver} ${JSON.stringify(props)} → disable-legacy=${legacy}, disable-modern=${String(modern)}, hotpluggable=${String(hotpluggable)}`, () => {
      const proxy = proxyAfterRealize(release, machine, driver, props);
      assert.equal(proxy.get('disable-legacy'), legacy);
      assert.equal(proxy.get('disable-modern'), modern);
      // device_get_hotpluggable: q35's pcie.0 takes no hotplug.
      assert.equal(proxy.get('hotpluggable'), hotpluggable);
    });
  }

  it('the balloon proxy picks 2 vectors at realize from 10.0, where it has the property', () => {
    assert.equal(proxyAfterRealize('10.0', 'pc', 'virtio-balloon-pci', {}).get('vectors'), 2);
    assert.equal(proxyAfterRealize('10.0', 'pc', 'virtio-balloon-pci', { vectors: '5' }).get('vectors'), 5);
  });
});
