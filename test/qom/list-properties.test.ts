import assert from 'node:assert/strict';
import type { Arch } from '../../src/core/arch.js';
import { release } from '../../src/core/release.js';
import { deviceData } from '../../src/qom/device-data/load.js';
import { qomListProperties, type QomListPropertiesAnswer, type QomPropertyInfo } from '../../src/qom/list-properties.js';
import { ObjectModel } from '../../src/qom/object-model.js';
import { typeRegistry } from '../../src/cli/binary.js';

function answer(rel: string, typename: string, arch: Arch = 'x86_64'): QomListPropertiesAnswer {
  const r = release(rel);
  return qomListProperties(new ObjectModel(typeRegistry(), { release: r, target: arch }), deviceData(r, arch)!, typename);
}

function rows(a: QomListPropertiesAnswer): readonly QomPropertyInfo[] {
  if (a.kind !== 'properties') assert.fail(`refused: ${a.message}`);
  return a.properties;
}

const names = (a: QomListPropertiesAnswer): string[] =>
  rows(a)
    .map((p) => p.name)
    .sort();

describe('qom/list-properties', () => {
  // release, typename -> QEMU's refusal (class and message), as the binaries answer
  const REFUSED: ReadonlyArray<readonly [string, string, string, string]> = [
    ['10.0', 'no-such-type', 'DeviceNotFound', "Class 'no-such-type' not found"],
    ['5.2', 'user-creatable', 'GenericError', "Parameter 'typename' expects object"],
    ['7.2', 'user-creatable', 'GenericError', "Parameter 'typename' expects a QOM type"],
  ];
  for (const [rel, typename, errorClass, message] of REFUSED) {
    it(`${typename} on ${rel}: ${message}`, () => assert.deepEqual(answer(rel, typename), { kind: 'error', errorClass, message }));
  }

  it('refuses by name what hotmem has no table for: an unmodelled object type, an abstract device type', () => {
    assert.match((answer('10.0', 'throttle-group') as { message: string }).message, /no property table for object type 'throttle-group'/);
    assert.match((answer('10.0', 'virtio-pci') as { message: string }).message, /abstract device type 'virtio-pci'/);
  });

  // release -> the legacy-* rows virtio-mem-pci has besides device-list-properties' and the base device's
  const LEGACY: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['5.2', ['legacy-addr']],
    ['7.2', ['legacy-addr']],
    ['10.0', ['legacy-addr', 'legacy-memdev']],
    ['11.1', []],
  ];
  for (const [rel, legacy] of LEGACY) {
    it(`virtio-mem-pci on ${rel}: the base device rows, the binary's table and ${legacy.join(', ') || 'no legacy rows'}`, () => {
      const listed = names(answer(rel, 'virtio-mem-pci'));
      for (const base of ['type', 'parent_bus', 'realized', 'hotplugged', 'hotpluggable', 'memdev', 'requested-size', ...legacy])
        assert.ok(listed.includes(base), base);
      assert.deepEqual(
        listed.filter((n) => n.startsWith('legacy-')),
        [...legacy],
      );
    });
  }

  it('device defaults are reported from 10.0, not by 7.2', () => {
    const row = (rel: string) => rows(answer(rel, 'virtio-mem-pci')).find((p) => p.name === 'multifunction');
    assert.equal(row('7.2')?.defaultValue, undefined);
    assert.equal(row('10.0')?.defaultValue, false);
  });

  // release -> secret's properties (loaded read-only until 9.2, then gone)
  const SECRET: ReadonlyArray<readonly [string, readonly string[]]> = [
    ['5.2', ['data', 'file', 'format', 'iv', 'keyid', 'loaded', 'type']],
    ['7.2', ['data', 'file', 'format', 'iv', 'keyid', 'loaded', 'type']],
    ['10.0', ['data', 'file', 'format', 'iv', 'keyid', 'type']],
  ];
  for (const [rel, expected] of SECRET) {
    it(`secret on ${rel}: ${expected.join(' ')}`, () => assert.deepEqual(names(answer(rel, 'secret')), expected));
  }

  it("an object type's rows carry QEMU's type names and descriptions, without defaults", () => {
    const ram = rows(answer('10.0', 'memory-backend-ram'));
    assert.deepEqual(
      ram.find((p) => p.name === 'size'),
      { name: 'size', type: 'int', description: 'Size of the memory region (ex: 500M)' },
    );
  });
});
