import assert from 'node:assert/strict';
import type { MachineType } from '../../src/machine/compat-data/types.js';
import { parseMachinePattern, selectMachineTypes } from '../../src/matrix/machine-patterns.js';
import { compareVersions, inRange, parseRange, parseVersion } from '../../src/matrix/versions.js';
import { compatData } from './fixtures.js';

const type = (name: string, series: string | null, version: string | null, alias: string | null = null): MachineType => ({
  name,
  desc: '',
  alias,
  isDefault: false,
  deprecated: false,
  deprecationReason: null,
  family: null,
  series: series === null ? null : { id: series, version: version! },
  requires: [],
  compatArrays: [],
});

/** A made-up release's machine types, in -machine help order. */
const TYPES = [
  type('pc-i440fx-7.2', 'pc-i440fx', '7.2', 'pc'),
  type('pc-i440fx-6.10', 'pc-i440fx', '6.10'),
  type('pc-i440fx-6.2', 'pc-i440fx', '6.2'),
  type('pc-i440fx-5.1', 'pc-i440fx', '5.1'),
  type('pc-q35-7.2', 'pc-q35', '7.2', 'q35'),
  type('pc-q35-6.2', 'pc-q35', '6.2'),
  type('pc-q35-4.0.1', 'pc-q35', '4.0.1'),
  type('microvm', null, null),
];

describe('matrix/machine-patterns: machine types a pattern selects', () => {
  const CASES: ReadonlyArray<readonly [string[], string[]]> = [
    [['pc-q35-*'], ['pc-q35-7.2', 'pc-q35-6.2', 'pc-q35-4.0.1']],
    [['*'], TYPES.map((t) => t.name)],
    [['>=6.2'], ['pc-i440fx-7.2', 'pc-i440fx-6.10', 'pc-i440fx-6.2', 'pc-q35-7.2', 'pc-q35-6.2']],
    [['<6.2'], ['pc-i440fx-5.1', 'pc-q35-4.0.1']],
    [['pc-i440fx-5.1..6.10'], ['pc-i440fx-6.10', 'pc-i440fx-6.2', 'pc-i440fx-5.1']],
    [['pc-q35->6.2'], ['pc-q35-7.2']],
    [['pc-q35-<=4.0.1'], ['pc-q35-4.0.1']],
    [['q35'], ['pc-q35-7.2']],
    [
      ['pc', 'microvm'],
      ['pc-i440fx-7.2', 'microvm'],
    ],
    [
      ['pc-q35-6.2', 'pc-q35-*'],
      ['pc-q35-7.2', 'pc-q35-6.2', 'pc-q35-4.0.1'],
    ],
    [['pc-q35-9.9'], []],
  ];
  for (const [patterns, expected] of CASES) {
    it(`${patterns.join(' + ')} → ${expected.join(', ') || 'nothing'} (in -machine help order, each once)`, () => {
      assert.deepEqual(selectMachineTypes(patterns.map(parseMachinePattern), TYPES), expected);
    });
  }

  it('resolves against the compat data per release: pc-i440fx-5.1..7.2 on QEMU 7.2 and 5.2', () => {
    const data = compatData();
    const select = (release: string) =>
      selectMachineTypes([parseMachinePattern('pc-i440fx-5.1..7.2')], data.machineTypes(release, 'x86_64', data.defaultBuildConfig('x86_64')));
    // Each QEMU release adds its own machine version (QEMU's hw/i386/pc_piix.c).
    assert.deepEqual(select('7.2'), [
      'pc-i440fx-7.2',
      'pc-i440fx-7.1',
      'pc-i440fx-7.0',
      'pc-i440fx-6.2',
      'pc-i440fx-6.1',
      'pc-i440fx-6.0',
      'pc-i440fx-5.2',
      'pc-i440fx-5.1',
    ]);
    assert.deepEqual(select('5.2'), ['pc-i440fx-5.2', 'pc-i440fx-5.1']);
  });
});

describe('matrix/versions', () => {
  it('compares component by component, so 6.10 follows 6.9', () => {
    assert.ok(compareVersions(parseVersion('6.10')!, parseVersion('6.9')!) > 0);
    assert.equal(compareVersions(parseVersion('7.0')!, parseVersion('7')!), 0);
  });

  const RANGES: ReadonlyArray<readonly [string, string, boolean]> = [
    ['*', '1.0', true],
    ['7.2', '7.2', true],
    ['7.2', '7.20', false],
    ['>=7.0', '7.0', true],
    ['>7.0', '7.0', false],
    ['<8.0', '7.2', true],
    ['<=8.0', '8.0', true],
    ['6.2..8.1', '6.2', true],
    ['6.2..8.1', '8.1', true],
    ['6.2..8.1', '8.2', false],
  ];
  for (const [range, version, holds] of RANGES) {
    it(`${version} is ${holds ? '' : 'not '}in ${range}`, () => assert.equal(inRange(parseVersion(version)!, parseRange(range)!), holds));
  }

  it('refuses text that is no range', () => {
    for (const text of ['', 'latest', '7.x', '>=', '7.0..']) assert.equal(parseRange(text), undefined, text);
  });
});
