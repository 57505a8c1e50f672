/**
 * The loader on malformed input: random text, YAML-shaped token soup and random mutations of the
 * examples either load or fail with a DefinitionError whose every problem has a position;
 * nothing else escapes. Seeds are fixed and run counts bounded, so the test is deterministic and
 * quick.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { packageRoot } from '../../../src/core/package-root.js';
import { DefinitionError, parseDefinition, toMachineOptions, type LoadOptions } from '../../../src/frontends/yaml/index.js';

const EXAMPLES = join(packageRoot(), 'examples', 'definitions');
const examples = new Map(
  readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => [f, readFileSync(join(EXAMPLES, f), 'utf8')] as const),
);
const exampleTexts = [...examples.values()];

/** Migration destinations resolve among the examples, as if the fuzzed file sat beside them. */
const options: LoadOptions = {
  readFile: (path) => {
    const text = examples.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  },
};

interface Tally {
  loaded: number;
  refused: number;
}

function loadOrRefuse(text: string, tally: Tally): void {
  try {
    toMachineOptions(parseDefinition(text, 'fuzz.yaml', options));
    tally.loaded++;
  } catch (e) {
    if (!(e instanceof DefinitionError)) throw e;
    tally.refused++;
    assert.ok(e.problems.length > 0);
    for (const p of e.problems) {
      assert.ok(p.line >= 1 && p.column >= 1, `${p.line}:${p.column}`);
      assert.ok(p.file === 'fuzz.yaml' || examples.has(p.file), p.file);
      assert.ok(p.message.length > 0);
    }
  }
}

const TOKENS = [
  ...[
    '\n',
    '\n  ',
    '\n    ',
    ' ',
    '- ',
    ': ',
    ', ',
    '{',
    '}',
    '[',
    ']',
    '"',
    "'",
    '#',
    '&a ',
    '*a',
    '!!str ',
    '!!binary ',
    '!foo ',
    '? ',
    '---\n',
    '%YAML 1.1\n',
    '~',
    '|\n  ',
    '>\n  ',
    '\t',
  ],
  ...['host', 'arch', 'kernel', 'qemu', 'machine', 'memory', 'maxmem', 'objects', 'devices', 'globals', 'guest', 'steps', 'type', 'id', 'driver'],
  ...['set', 'balloon', 'migrate', 'to', 'expect', 'rss', 'below', 'storage-keys', 'enable', 'write', 'start', 'size', 'read-all', 'write-file', 'remove-file'],
  ...[
    'x86_64',
    's390x',
    'linux-6.1',
    '"7.2"',
    '7.10',
    '4GiB',
    '1.5 GiB',
    '0x1M',
    '1e400',
    '-1',
    'true',
    'null',
    '9007199254740993',
    'other.yaml',
    'postcopy-destination.yaml',
  ],
];

const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));

/** One edit of a definition's text. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  switch (m.kind) {
    case 'delete': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'swap-lines': {
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    case 'duplicate-line': {
      const at = m.at % lines.length;
      lines.splice(at, 0, lines[at]!);
      return lines.join('\n');
    }
    default: {
      const exhaustive: never = m;
      return exhaustive;
    }
  }
}

describe('frontends/yaml: fuzzing the loader', () => {
  it('random text loads or is refused with positions', () => {
    const tally = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => loadOrRefuse(text, tally)),
      { numRuns: 300, seed: 20240601 },
    );
    assert.equal(tally.loaded + tally.refused, 300);
  });

  it('YAML-shaped token soup loads or is refused with positions', () => {
    const tally = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(tokenSoup, (text) => loadOrRefuse(text, tally)),
      { numRuns: 600, seed: 20240602 },
    );
    assert.ok(tally.refused > 0);
  });

  it('mutated examples load or are refused with positions, and some still load', () => {
    const tally = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...exampleTexts), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, edits) =>
        loadOrRefuse(edits.reduce(mutate, text), tally),
      ),
      { numRuns: 800, seed: 20240603 },
    );
    assert.ok(tally.loaded > 0 && tally.refused > 0, JSON.stringify(tally));
  });
});
