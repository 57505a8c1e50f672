import assert from 'node:assert/strict';
import { readSourceTree } from '../../src/frontends/yaml/source-tree.js';
import { ABSENT, compileTemplate, instantiate, parsePlaceholders, type Ref } from '../../src/matrix/template.js';

const TEXT = `scenario:
  host: { qemu: "\${release}" }
  devices:
    - { driver: virtio-mem-pci, size: "\${size}", note: "on \${release} with \${backend.type}", unplugged-inaccessible: "\${ui}" }
    - "\${extra}"
    - { driver: x }
`;

function fill(values: Readonly<Record<string, string | number | boolean | typeof ABSENT>>) {
  const tree = readSourceTree(TEXT, 'm.yaml');
  const { template, problems } = compileTemplate((tree.value as { scenario: unknown }).scenario, '/scenario');
  assert.deepEqual(problems, []);
  const resolve = (ref: Ref) => values[ref.field === undefined ? ref.dimension : `${ref.dimension}.${ref.field}`] ?? ABSENT;
  return instantiate(template, resolve, tree);
}

describe('matrix/template: filling a definition template in for a cell', () => {
  it('gives a whole placeholder the value with its type, and interpolates the others as text', () => {
    const filled = fill({ release: '7.2', size: 1073741824, 'backend.type': 'memfd', ui: false, extra: 'x' });
    assert.deepEqual(filled.value, {
      host: { qemu: '7.2' },
      devices: [{ driver: 'virtio-mem-pci', size: 1073741824, note: 'on 7.2 with memfd', 'unplugged-inaccessible': false }, 'x', { driver: 'x' }],
    });
  });

  it('leaves out keys and list items whose value is absent, renumbering the list', () => {
    const filled = fill({ release: '7.2', size: 1 });
    assert.deepEqual(filled.value, { host: { qemu: '7.2' }, devices: [{ driver: 'virtio-mem-pci', size: 1, note: 'on 7.2 with ' }, { driver: 'x' }] });
    // The third item, now devices[1], still points at where it is written.
    assert.equal(filled.position(filled.spans.get('/devices/1')!.valueOffset).line, 6);
  });

  it('points the filled-in values at the placeholders that brought them, without quoting them as written', () => {
    const filled = fill({ release: '7.2', size: 1 });
    const span = filled.spans.get('/devices/0/size')!;
    assert.deepEqual([filled.position(span.valueOffset).line, filled.position(span.valueOffset).column], [4, 39]);
    assert.equal(span.label, 'scenario.devices[0].size');
    assert.equal(span.source, undefined);
  });

  it('keeps a key named __proto__ a plain key of the filled-in map', () => {
    const tree = readSourceTree('scenario: { __proto__: "${release}", host: { qemu: "${release}" } }\n', 'm.yaml');
    const { template } = compileTemplate((tree.value as { scenario: unknown }).scenario, '/scenario');
    const value = instantiate(template, () => '7.2', tree).value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__', 'host']);
    assert.equal(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, '7.2');
  });

  it('parses placeholders and says what is wrong with a broken one', () => {
    assert.deepEqual(parsePlaceholders('a${x}b${y.f}'), {
      ok: true,
      pieces: [
        { kind: 'text', text: 'a' },
        { kind: 'ref', ref: { dimension: 'x', field: undefined } },
        { kind: 'text', text: 'b' },
        { kind: 'ref', ref: { dimension: 'y', field: 'f' } },
      ],
    });
    assert.deepEqual(parsePlaceholders('${x'), { ok: false, reason: "'${x' has a ${ without its closing }" });
    assert.deepEqual(parsePlaceholders('${1x}'), { ok: false, reason: "'${1x}' must name a dimension, as ${name} or ${name.field}" });
  });
});
