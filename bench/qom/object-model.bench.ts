import { parseSize, sizeDialect } from '../../src/core/parse/size.js';
import { release } from '../../src/core/release.js';
import { BASE_TYPES, ObjectModel, TypeRegistry, type TypeInfo } from '../../src/qom/index.js';
import { timeMs, type Benchmark } from '../harness.js';

const DEVICE: TypeInfo = {
  name: 'bench-device',
  parent: 'device',
  userCreatable: true,
  properties: [
    { name: 'size', type: { kind: 'size' }, origin: 'field', default: 0 },
    { name: 'node', type: { kind: 'uint32' }, origin: 'field', default: 0 },
  ],
};

export const benchmarks: readonly Benchmark[] = [
  {
    name: 'core: size parses per second',
    target: 500_000,
    unit: 'parses/s',
    better: 'higher',
    run() {
      const dialect = sizeDialect(release('7.2'));
      const inputs = ['1.5G', '0x200000', '4096', '16E', '2M'];
      const n = 200_000;
      const ms = timeMs(() => {
        for (const input of inputs) parseSize(input, dialect);
      }, n / inputs.length);
      return { figure: (n / ms) * 1000 };
    },
  },
  {
    name: 'qom: device_add with two properties per second',
    target: 20_000,
    unit: 'devices/s',
    better: 'higher',
    run() {
      const model = new ObjectModel(new TypeRegistry().register(...BASE_TYPES, DEVICE), { release: release('7.2'), target: 'x86_64' });
      const n = 20_000;
      let i = 0;
      const ms = timeMs(() => {
        model.addDevice('bench-device', `d${i++}`, [
          { name: 'size', input: { source: 'text', text: '1G', visitor: 'keyval' } },
          { name: 'node', input: { source: 'text', text: '0', visitor: 'keyval' } },
        ]);
      }, n);
      return { figure: (n / ms) * 1000, detail: `${n} devices in one model` };
    },
  },
];
