import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { compatCatalog, Machine } from '../../src/machine/index.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { testEnvironment } from './fixtures.js';

describe('machine/compat-catalog: machines from compat/', () => {
  const catalog = compatCatalog(loadCompatData());
  const env = { ...testEnvironment(), catalog };

  const RESOLVED: ReadonlyArray<readonly [string, 'x86_64' | 's390x', string | undefined, string | undefined]> = [
    ['7.2', 'x86_64', 'q35', 'pc-q35-7.2'],
    ['7.2', 'x86_64', 'pc', 'pc-i440fx-7.2'],
    ['7.2', 'x86_64', undefined, 'pc-i440fx-7.2'],
    ['10.2', 'x86_64', 'q35', 'pc-q35-10.2'],
    ['7.2', 's390x', undefined, 's390-ccw-virtio-7.2'],
    ['7.2', 'x86_64', 'pc-q35-8.0', undefined],
  ];
  for (const [rel, arch, name, expected] of RESOLVED) {
    it(`${rel} ${arch} ${name ?? '(default)'} is ${expected ?? 'not a machine type'}`, () => {
      const r = release(rel);
      const found = name === undefined ? catalog.defaultMachine(r, arch) : catalog.resolve(r, arch, name);
      assert.equal(found?.name, expected);
    });
  }

  it('gives pc-q35-6.2 both unplugged-inaccessible entries, the older one last so it wins', () => {
    const entries = catalog
      .compatProperties(release('8.1'), 'x86_64', 'pc-q35-6.2')
      .filter((e) => e.driver === 'virtio-mem' && e.property === 'unplugged-inaccessible');
    assert.deepEqual(
      entries.map((e) => e.value),
      ['auto', 'off'],
    );
  });

  it('starts a real machine type with its compat properties applied to the model', () => {
    const { machine } = Machine.start({ release: '7.2', arch: 'x86_64', machine: 'pc-q35-6.2', memory: '1G' }, env);
    assert.equal(machine.type.name, 'pc-q35-6.2');
    assert.ok(machine.compatProperties().some((e) => e.driver === 'virtio-mem' && e.value === 'off'));
  });
});
