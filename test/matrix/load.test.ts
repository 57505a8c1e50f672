import assert from 'node:assert/strict';
import { MatrixError } from '../../src/matrix/errors.js';
import { matrix, SMALL } from './fixtures.js';

/** The problems a matrix text has, as `line:column: message`. */
function problems(text: string): string[] {
  try {
    matrix(text);
  } catch (e) {
    if (!(e instanceof MatrixError)) throw e;
    return e.problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
  }
  return [];
}

const BASE = `dimensions:
  release: { releases: "7.2" }
  guest: ["5.15", "6.1"]
scenario:
  host: { arch: x86_64, kernel: linux-6.1, qemu: "\${release}" }
  guest: { kernel: "\${guest}" }
  steps:
    - set: { path: vm0, property: requested-size, value: 0 }
`;

describe('matrix/load: matrix files and their problems, at line and column', () => {
  it('loads the small test matrix: dimensions, steps, what is recorded, rules', () => {
    const m = matrix(SMALL);
    assert.deepEqual(
      m.dimensions.map((d) => d.name),
      ['release', 'machine', 'backend', 'ui', 'guest'],
    );
    const release = m.dimensions[0]!;
    assert.ok(release.kind === 'values');
    assert.deepEqual(
      release.values.map((v) => v.label),
      ['7.2', '8.0', '8.1'],
    );
    assert.deepEqual(m.steps, ['steps[0].set', 'steps[1].guest']);
    assert.deepEqual(m.record.properties, [{ name: 'vm0.unplugged-inaccessible', path: 'vm0', property: 'unplugged-inaccessible' }]);
    assert.deepEqual(m.record.memory?.at, [{ kind: 'start' }, { kind: 'step', index: 0 }, { kind: 'end' }]);
    assert.equal(m.rules.length, 1);
    assert.match(m.digest, /^sha256:[0-9a-f]{64}$/);
  });

  const CASES: ReadonlyArray<readonly [string, string, string[]]> = [
    ['an unknown top-level key, with a suggestion', `${BASE}recrod: {}\n`, ["9:1: unknown key 'recrod' at the top level; did you mean 'record'?"]],
    ['a missing scenario', 'dimensions:\n  a: [1]\n', ["1:1: missing key 'scenario' at the top level"]],
    [
      'a placeholder naming no dimension',
      BASE.replace('"${guest}"', '"${gust}"'),
      ["6:20: scenario.guest.kernel: there is no dimension 'gust'; did you mean 'guest'?"],
    ],
    ['an unterminated placeholder', BASE.replace('"${guest}"', '"${guest"'), ["6:20: scenario.guest.kernel: '${guest' has a ${ without its closing }"]],
    [
      'a release range matching nothing',
      BASE.replace('"7.2"', '"3.0..4.2"'),
      [`2:24: dimensions.release.releases: '3.0..4.2' matches no modelled QEMU release`],
    ],
    [
      'text that is no range',
      BASE.replace('"7.2"', '"latest"'),
      ["2:24: dimensions.release.releases: 'latest' is not a release range (*, 7.2, >=7.0, <8.0, 6.2..8.1)"],
    ],
    [
      'both releases and machine-types',
      BASE.replace('{ releases: "7.2" }', '{ releases: "7.2", machine-types: [q35] }'),
      ['2:12: dimensions.release must have exactly one of releases and machine-types'],
    ],
    [
      'machine-types without qemu and arch',
      BASE.replace('guest: ["5.15", "6.1"]', 'guest: { machine-types: [q35] }'),
      ['3:10: dimensions.guest: qemu and arch go with machine-types, which needs both'],
    ],
    [
      'a machine-types dimension using a later one',
      BASE.replace('release: { releases: "7.2" }', 'm: { machine-types: [q35], qemu: "${release}", arch: x86_64 }\n  release: { releases: "7.2" }'),
      ['2:36: dimensions.m.qemu: dimension m uses release, which comes after it; a dimension can use only the dimensions before it'],
    ],
    [
      'two values with one label',
      BASE.replace('["5.15", "6.1"]', '["6.1", "6.1"]'),
      ["3:18: dimensions.guest[1]: another value of this dimension is labelled '6.1' too; labels name cells, so they must differ"],
    ],
    [
      'a field of a dimension whose values are not maps',
      BASE.replace('"${guest}"', '"${guest.major}"'),
      ["6:20: scenario.guest.kernel: guest has values that are not maps, which have no field 'major'"],
    ],
    [
      'a field no map value has',
      BASE.replace('["5.15", "6.1"]', '[{ label: old, kernel: "5.15" }]').replace('"${guest}"', '"${guest.kernal}"'),
      ["6:20: scenario.guest.kernel: no value of guest has a field 'kernal'; did you mean 'kernel'?"],
    ],
    [
      'a property without a path',
      `${BASE}record: { properties: [requested-size] }\n`,
      ["9:24: record.properties[0]: 'requested-size' must be PATH.PROPERTY, such as vm0.unplugged-inaccessible"],
    ],
    [
      'a memory point past the steps',
      `${BASE}record: { memory: { at: [start, "steps[1]"] } }\n`,
      ["9:33: record.memory.at[1]: 'steps[1]' is not a point of the scenario: start, end, or steps[N] with N below 1 (its number of steps)"],
    ],
    [
      'a step point with nothing recordable there',
      `${BASE}record: { memory: { measures: [page-tables], at: ["steps[0]"] } }\n`,
      ['9:51: record.memory.at[0]: after a step hotmem records rss and host only, and record.memory.measures has neither, so steps[0] would record nothing'],
    ],
    [
      'a rule on an observation that is not recorded',
      `${BASE}expect:\n  - then: { vm0.plugged: 0 }\n`,
      ['10:13: expect[0].then["vm0.plugged"]: \'vm0.plugged\' is not recorded (start, warnings, steps[N].KIND, and what record names)'],
    ],
    [
      'a rule on memory that is not recorded',
      `${BASE}record: { memory: { measures: [rss] } }\nexpect:\n  - memory: { end: { host: { below: 1G } } }\n`,
      ['11:22: expect[0].memory.end.host: host at end is not recorded; add it to record.memory'],
    ],
    [
      'a rule selecting by a dimension that does not exist',
      `${BASE}expect:\n  - when: relase=7.2\n    then: { start: ok }\n`,
      ["10:11: expect[0].when: there is no dimension 'relase'; did you mean 'release'?"],
    ],
    ['a rule with nothing to expect', `${BASE}expect:\n  - when: release=7.2\n`, ['10:5: expect[0] says nothing to expect: give it then, memory or both']],
    [
      'a bad size in a bound',
      `${BASE}record: { memory: {} }\nexpect:\n  - memory: { end: { rss: { below: 1Q } } }\n`,
      ["11:36: expect[0].memory.end.rss.below: '1Q' is not a size QEMU 11.1 accepts"],
    ],
  ];
  for (const [what, text, expected] of CASES) {
    it(`reports ${what}`, () => {
      const found = problems(text);
      assert.equal(found.length, expected.length, found.join('\n'));
      expected.forEach((e, i) => assert.ok(found[i]!.startsWith(e), `${String(found[i])}\n  does not start with\n${e}`));
    });
  }

  it('reports every problem of a file at once, in file order', () => {
    const text = BASE.replace('"${guest}"', '"${gust}"').replace('"7.2"', '"latest"');
    assert.deepEqual(
      problems(text).map((p) => p.split(':').slice(0, 2).join(':')),
      ['2:24', '6:20'],
    );
  });

  it('reports YAML syntax errors as the definition loader does', () => {
    assert.match(problems('dimensions: [\n')[0]!, /^\d+:\d+: invalid YAML/);
  });
});
