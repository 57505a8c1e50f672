/**
 * The published JSON schema: it compiles in ajv's strict mode, documents every key for editors,
 * closes every map whose keys are known, and agrees with the loader's types and size rule.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sizeDialect } from '../../../src/core/parse/size.js';
import { release } from '../../../src/core/release.js';
import { MEMORY_MEASURES, type StepKind } from '../../../src/frontends/yaml/definition.js';
import { EXPECTED_BY_DEFINITION, readDefinitionSchema } from '../../../src/frontends/yaml/schema.js';
import { definitionSize } from '../../../src/frontends/yaml/sizes.js';

interface Node {
  readonly description?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Node>>;
  readonly additionalProperties?: boolean | Node;
  readonly definitions?: Readonly<Record<string, Node>>;
  readonly items?: Node;
  readonly $ref?: string;
}

const schema = readDefinitionSchema();
const root = schema.json as Node;
const definitions = root.definitions ?? {};

/** Every schema node with its path, depth first. */
function* walk(node: Node, path: string): Generator<readonly [string, Node]> {
  yield [path, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) yield* walk(child, `${path}.${key}`);
  for (const [key, child] of Object.entries(node.definitions ?? {})) yield* walk(child, `#${key}`);
  if (node.items) yield* walk(node.items, `${path}[]`);
  if (typeof node.additionalProperties === 'object') yield* walk(node.additionalProperties, `${path}.*`);
}

const STEP_KINDS: Readonly<Record<StepKind, true>> = {
  set: true,
  balloon: true,
  guest: true,
  dump: true,
  'storage-keys': true,
  migrate: true,
  'object-add': true,
  'device-add': true,
  'device-del': true,
  expect: true,
};

describe('frontends/yaml: the published schema', () => {
  it('documents every key and every definition, for editor completion', () => {
    const undocumented = [...walk(root, '')].filter(([path, node]) => !path.endsWith('[]') && !path.endsWith('.*') && !node.description).map(([path]) => path);
    assert.deepEqual(undocumented, []);
  });

  it('closes every map except the open QOM property maps', () => {
    const open = [...walk(root, '')]
      .filter(([, node]) => node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')))
      .filter(([, node]) => node.additionalProperties !== false)
      .map(([path, node]) => [path, (node.additionalProperties as Node).$ref]);
    assert.deepEqual(open, [
      ['#property-map', '#/definitions/property-value'],
      ['#object', '#/definitions/property-value'],
      ['#device', '#/definitions/property-value'],
    ]);
  });

  it('words the values of named definitions that exist', () => {
    for (const name of Object.keys(EXPECTED_BY_DEFINITION)) assert.ok(definitions[name], name);
  });

  it('has one step key per kind of step in the union', () => {
    assert.deepEqual(Object.keys(definitions['step']?.properties ?? {}).sort(), Object.keys(STEP_KINDS).sort());
  });

  it('has one expectation key per memory measure and kind of check', () => {
    assert.deepEqual(Object.keys(definitions['expectation']?.properties ?? {}), [...MEMORY_MEASURES, 'property', 'event', 'error', 'warning', 'dmesg']);
  });

  it('accepts every size text the loader accepts in some release', () => {
    const dialects = ['5.2', '7.2', '8.1'].map((r) => ({ dialect: sizeDialect(release(r)), name: r }));
    const chars = Array.from('0123456789.xXaAbBfF kKmMgGtTpPeEiIyYsS');
    const accepts = (text: string) => schema.validate({ host: { arch: 'x86_64', kernel: 'linux-6.1', qemu: '7.2' }, machine: { memory: text } });
    let sizes = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        if (!dialects.some((d) => definitionSize(text, d.dialect, d.name).ok)) return;
        sizes++;
        assert.ok(accepts(text), text);
      }),
      { numRuns: 3000, seed: 3 },
    );
    assert.ok(sizes > 100, `only ${sizes} of the generated texts were sizes`);
  });
});
