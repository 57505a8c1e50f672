import assert from 'node:assert/strict';
import { MatrixError } from '../../src/matrix/errors.js';
import { expandMatrix } from '../../src/matrix/expand.js';
import { compatData, matrix, SMALL } from './fixtures.js';

const expand = (text: string) => expandMatrix(matrix(text), compatData());

const SCENARIO = `scenario:
  host: { arch: x86_64, kernel: linux-6.1, qemu: "7.2" }
`;

describe('matrix/expand: cells of a matrix', () => {
  it('is the product of the dimensions in file order, the first varying slowest', () => {
    const cells = expand(`dimensions:\n  a: [1, 2]\n  b: [x, y, z]\n${SCENARIO}`);
    assert.deepEqual(
      cells.map((c) => `${c.index}:${String(c.coordinates['a'])}${String(c.coordinates['b'])}`),
      ['0:1x', '1:1y', '2:1z', '3:2x', '4:2y', '5:2z'],
    );
  });

  it("resolves machine types for each release before them (the q35 alias is each release's newest q35)", () => {
    const cells = expand(SMALL);
    assert.equal(cells.length, 3 * 1 * 2 * 2 * 2);
    assert.deepEqual(
      [...new Set(cells.map((c) => `${String(c.coordinates['release'])} ${String(c.coordinates['machine'])}`))],
      ['7.2 pc-q35-7.2', '8.0 pc-q35-8.0', '8.1 pc-q35-8.1'],
    );
  });

  it('takes only machine types every listed release has, for migrations between releases', () => {
    const cells = expand(`dimensions:
  src: { releases: ["7.1", "8.0"] }
  dst: { releases: "7.1" }
  machine: { machine-types: ["pc-q35->=7.0"], qemu: ["\${src}", "\${dst}"], arch: x86_64 }
${SCENARIO}`);
    assert.deepEqual(
      cells.map((c) => `${String(c.coordinates['src'])}→${String(c.coordinates['dst'])} ${String(c.coordinates['machine'])}`),
      ['7.1→7.1 pc-q35-7.1', '7.1→7.1 pc-q35-7.0', '8.0→7.1 pc-q35-7.1', '8.0→7.1 pc-q35-7.0'],
    );
  });

  it('labels map values by label, or by their values joined with /, and null as default', () => {
    const cells = expand(`dimensions:\n  v: [{ label: named, x: 1 }, { a: 1, b: two }, ~]\n${SCENARIO}`);
    assert.deepEqual(
      cells.map((c) => c.coordinates['v']),
      ['named', '1/two', 'default'],
    );
  });

  it('reports a pattern that selects no machine type anywhere, and an arch that is not modelled', () => {
    const check = (dimension: string, message: RegExp) => {
      try {
        expand(`dimensions:\n  release: { releases: "7.2" }\n  ${dimension}\n${SCENARIO}`);
        assert.fail('expected a MatrixError');
      } catch (e) {
        assert.ok(e instanceof MatrixError);
        assert.match(e.message, message);
      }
    };
    check(
      'machine: { machine-types: [pc-q35-*, pc-q53-*], qemu: "${release}", arch: x86_64 }',
      /test\.yaml:3:40: dimensions\.machine\.machine-types\[1\]: 'pc-q53-\*' selects no machine type/,
    );
    check(
      'machine: { machine-types: [pc-q35-*], qemu: "${release}", arch: arm }',
      /test\.yaml:3:67: dimensions\.machine\.arch: 'arm' is not an architecture hotmem models/,
    );
  });
});
