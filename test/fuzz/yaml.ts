/**
 * The YAML target: machine definitions and matrix files, from the examples, mutated in their
 * structure (a value swapped for another type or an odd scalar, a key dropped or misspelt, a
 * list emptied) or in their text. Invariants: no crash, no hang, and a rejected file fails with
 * hotmem's own error listing at least one problem, never with a stray exception.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { HotmemError } from '../../src/core/errors.js';
import { parseDefinition } from '../../src/frontends/yaml/load.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { loadCompatData } from '../../src/machine/compat-data/index.js';
import { mutated } from './mutate.js';
import { bounded, InvariantBroken, show, type FuzzTarget } from './target.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

function corpus(dirs: readonly string[]): string[] {
  return dirs.flatMap((d) =>
    readdirSync(join(EXAMPLES, d))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => readFileSync(join(EXAMPLES, d, f), 'utf8')),
  );
}

const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  // eslint-disable-next-line no-loss-of-precision -- Infinity, as YAML reads 1e400
  1e400,
  '',
  '1x',
  '16EiB',
  '-2MiB',
  'x86_64',
  'frob',
  [],
  {},
  [1, 2],
  { frob: 1 },
  '${nope}',
  '9.9',
  '\u0000',
  'a'.repeat(300),
];

type Yaml = unknown;

/** Every path to a node in a parsed document. */
function paths(node: Yaml, at: readonly (string | number)[] = [], out: (readonly (string | number)[])[] = []): (readonly (string | number)[])[] {
  out.push(at);
  if (Array.isArray(node)) node.forEach((v, i) => paths(v, [...at, i], out));
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) paths(v, [...at, k], out);
  return out;
}

const shallow = (node: unknown): Record<string | number, unknown> =>
  (Array.isArray(node) ? [...(node as unknown[])] : { ...(node as object) }) as Record<string | number, unknown>;

/** The document with one edit, copying only the nodes on the path (the rest is shared). */
function edit(doc: Yaml, path: readonly (string | number)[], how: 'replace' | 'delete' | 'rename' | 'empty', value: unknown): Yaml {
  if (path.length === 0) return how === 'replace' ? value : doc;
  const copy = shallow(doc);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] = shallow(parent[key]);
  const last = path[path.length - 1]!;
  if (how === 'replace') parent[last] = value;
  else if (how === 'empty') parent[last] = Array.isArray(parent[last]) ? [] : {};
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else {
    const old = parent[last];
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the mutation removes the key the fuzzer picked
    delete parent[last];
    if (how === 'rename') parent[`${String(last)}x`] = old;
  }
  return copy;
}

/** Built once per document: arbitraries are dear to build. */
function mutatedDocument(texts: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(...texts.map(mutatedText));
}

function mutatedText(text: string): fc.Arbitrary<string> {
  {
    const doc = parse(text) as Yaml;
    const all = paths(doc);
    const structural = fc
      .array(fc.tuple(fc.constantFrom(...all), fc.constantFrom('replace', 'replace', 'delete', 'rename', 'empty'), fc.constantFrom(...ODD_VALUES)), {
        minLength: 1,
        maxLength: 3,
      })
      .map((edits) => {
        let d = doc;
        for (const [path, how, value] of edits) {
          try {
            d = edit(d, path, how, value);
          } catch {
            // an earlier edit removed this path's parent: skip it
          }
        }
        // JSON is YAML too (flow style); the text mutations below keep the block style covered.
        return JSON.stringify(d);
      });
    return fc.oneof({ weight: 3, arbitrary: structural }, { weight: 1, arbitrary: mutated(text) });
  }
}

export interface YamlInput {
  readonly kind: 'definition' | 'matrix';
  readonly text: string;
}

export function yamlTarget(): FuzzTarget<YamlInput> {
  const data = loadCompatData();
  const definitions = corpus(['definitions', 'demo', 'migration']);
  const matrices = corpus(['matrices']);
  const noFiles = {
    readFile: (path: string): string => {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
  };
  return {
    name: 'yaml',
    // A matrix costs three definitions to load (its dimensions expand over every release).
    input: fc.oneof(
      { weight: 9, arbitrary: mutatedDocument(definitions).map((text): YamlInput => ({ kind: 'definition', text })) },
      { weight: 1, arbitrary: mutatedDocument(matrices).map((text): YamlInput => ({ kind: 'matrix', text })) },
    ),
    check(input) {
      bounded(`loading the ${input.kind} ${show(input.text)}`, () => {
        try {
          if (input.kind === 'definition') parseDefinition(input.text, '/tmp/hotmem-fuzz/definition.yaml', noFiles);
          else parseMatrix(input.text, '/tmp/hotmem-fuzz/matrix.yaml', data);
        } catch (e) {
          if (!(e instanceof HotmemError)) throw e;
          if (e.message.trim() === '') throw new InvariantBroken(`an empty error for the ${input.kind} ${show(input.text)}`);
        }
      });
    },
    checkpoint: () => undefined,
  };
}
