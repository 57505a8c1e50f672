/**
 * The `-machine help` formatter: machine_class_cmp's order and machine_help_func's columns, on
 * made-up machines that exercise each rule, and on a listing derived by hand from 10.2's source.
 */
import { strict as assert } from 'node:assert';
import { formatMachineHelp, loadCompatData, type MachineType } from '../../../src/machine/compat-data/index.js';

const machine = (name: string, family: string | null, extra: Partial<MachineType> = {}): MachineType => ({
  name,
  desc: `desc of ${name}`,
  alias: null,
  isDefault: false,
  deprecated: false,
  deprecationReason: null,
  family,
  series: null,
  requires: [],
  compatArrays: [],
  ...extra,
});

const names = (machines: readonly MachineType[]): string[] =>
  formatMachineHelp(machines)
    .split('\n')
    .slice(1, -1)
    .map((line) => line.split(' ')[0] ?? '');

const orders: readonly (readonly [string, readonly MachineType[], readonly string[]])[] = [
  [
    'families first, in increasing order, then machines without one',
    [machine('aa', null), machine('zz-1', 'zeta'), machine('mm', 'alpha')],
    ['mm', 'zz-1', 'aa'],
  ],
  [
    'decreasing strcmp within a family: 2.2 > 2.12 > 2.10 > 2.1',
    [machine('pc-2.1', 'f'), machine('pc-2.10', 'f'), machine('pc-2.12', 'f'), machine('pc-2.2', 'f')],
    ['pc-2.2', 'pc-2.12', 'pc-2.10', 'pc-2.1'],
  ],
  [
    'the micro version after its major.minor sibling: 4.0.1 before 4.0',
    [machine('q-4.0', 'f'), machine('q-4.0.1', 'f'), machine('q-4.1', 'f')],
    ['q-4.1', 'q-4.0.1', 'q-4.0'],
  ],
  [
    'increasing strcmp without a family: 2.10 before 2.4',
    [machine('s-2.4', null), machine('s-2.10', null), machine('none', null)],
    ['none', 's-2.10', 's-2.4'],
  ],
];

describe('machine/compat-data: -machine help', () => {
  for (const [rule, machines, expected] of orders) {
    it(`orders ${rule}`, () => {
      assert.deepEqual(names(machines), expected);
    });
  }

  it('prints the alias line before its machine, pads to 20 columns, never truncates, and marks default then deprecated', () => {
    const text = formatMachineHelp([
      machine('s390-ccw-virtio-2.10', null),
      machine('m-1', 'f', { alias: 'm', isDefault: true, deprecated: true, deprecationReason: 'old' }),
      machine('a-name-longer-than-twenty', 'f'),
    ]);
    assert.equal(
      text,
      [
        'Supported machines are:',
        'm                    desc of m-1 (alias of m-1)',
        'm-1                  desc of m-1 (default) (deprecated)',
        'a-name-longer-than-twenty desc of a-name-longer-than-twenty',
        's390-ccw-virtio-2.10 desc of s390-ccw-virtio-2.10',
        '',
      ].join('\n'),
    );
  });

  it('lists 10.2 s390x as its source registers it: 5.0 and later, 7.2 and older deprecated, the default mid-list', () => {
    const data = loadCompatData();
    const line = (v: string, suffix = '') => `${`s390-ccw-virtio-${v}`.padEnd(20)} Virtual s390x machine (version ${v})${suffix}`;
    assert.equal(
      data.formatMachineHelp('10.2', 's390x', data.defaultBuildConfig('s390x')),
      [
        'Supported machines are:',
        'none                 empty machine',
        line('10.0'),
        line('10.1'),
        's390-ccw-virtio      Virtual s390x machine (version 10.2) (alias of s390-ccw-virtio-10.2)',
        line('10.2', ' (default)'),
        ...['5.0', '5.1', '5.2', '6.0', '6.1', '6.2', '7.0', '7.1', '7.2'].map((v) => line(v, ' (deprecated)')),
        ...['8.0', '8.1', '8.2', '9.0', '9.1', '9.2'].map((v) => line(v)),
        '',
      ].join('\n'),
    );
  });
});
