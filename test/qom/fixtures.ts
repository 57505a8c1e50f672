/**
 * A small device family declared the way real devices are: a backend object, a device with a
 * table of field and custom properties, and a PCI proxy that owns it as `virtio-backend`.
 */
import { HotmemError } from '../../src/core/errors.js';
import { release } from '../../src/core/release.js';
import { BASE_TYPES, ObjectModel, ON_OFF_AUTO, TypeRegistry, type TypeInfo } from '../../src/qom/index.js';

export const TEST_TYPES: readonly TypeInfo[] = [
  {
    name: 'test-backend',
    parent: 'object',
    interfaces: ['user-creatable'],
    postInit: 'compat',
    properties: [
      { name: 'size', type: { kind: 'size' }, origin: 'field', default: 0 },
      { name: 'share', type: { kind: 'bool' }, origin: 'field', default: false },
    ],
    canBeDeleted: (obj) => !obj.model.objectsOfType('test-mem').some((dev) => dev.realized && obj.model.linkTarget(dev, 'memdev') === obj),
  },
  {
    name: 'test-mem',
    parent: 'device',
    properties: [
      { name: 'memaddr', type: { kind: 'uint64' }, origin: 'field', default: 0 },
      { name: 'node', type: { kind: 'uint32' }, origin: 'field', default: 0 },
      { name: 'memdev', type: { kind: 'link', target: 'test-backend' }, origin: 'field' },
      {
        name: 'mode',
        type: ON_OFF_AUTO,
        origin: 'field',
        since: '7.0',
        description: 'on/off/auto',
        default: [
          { since: '7.0', value: 'auto' },
          { since: '8.1', value: 'on' },
        ],
      },
      { name: 'size', type: { kind: 'size' }, origin: 'custom', readOnly: true, get: () => 0 },
      {
        name: 'requested-size',
        type: { kind: 'size' },
        origin: 'custom',
        set: (obj, value) => {
          if (obj.realized && (value as number) % 0x200000 !== 0) {
            throw new HotmemError('test.align', "'requested-size' has to be multiples of 'block-size' (0x200000)");
          }
        },
      },
    ],
    realize: (obj) => {
      if (obj.model.linkTarget(obj, 'memdev') === undefined) throw new HotmemError('test.memdev', "'memdev' property is not set");
      return obj.get('mode') === 'off' ? [{ code: 'test.off', message: 'mode is off' }] : [];
    },
  },
  {
    name: 'test-mem-pci',
    parent: 'device',
    userCreatable: true,
    hotpluggable: true,
    category: 'Misc',
    bus: 'PCI',
    properties: [{ name: 'vectors', type: { kind: 'uint32' }, origin: 'field', default: 2 }],
    children: [{ name: 'virtio-backend', type: 'test-mem', aliasClassProperties: true, extraAliases: ['size', 'requested-size'] }],
    realize: (obj) => obj.model.realize(obj.child('virtio-backend')!),
  },
];

export function testModel(releaseName = '7.2'): ObjectModel {
  const registry = new TypeRegistry().register(...BASE_TYPES, ...TEST_TYPES);
  return new ObjectModel(registry, { release: release(releaseName), target: 'x86_64' });
}
