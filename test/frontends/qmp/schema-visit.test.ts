/**
 * The schema-driven QObject input visitor on a small introspected schema: member order, optional
 * members, flat-union variants, alternates, integer ranges, and the JSON and keyval messages.
 */
import assert from 'node:assert/strict';
import { release } from '../../../src/core/release.js';
import { SchemaVisitor, type VisitInput } from '../../../src/frontends/qmp/schema-visit.js';

const SCHEMA = [
  { name: 'cmd', 'meta-type': 'command', 'arg-type': '0' },
  {
    name: '0',
    'meta-type': 'object',
    members: [
      { name: 'kind', type: '1' },
      { name: 'n', type: 'uint8', default: null },
    ],
    tag: 'kind',
    variants: [{ case: 'a', type: '2' }],
  },
  { name: '1', 'meta-type': 'enum', values: ['a', 'b'] },
  { name: '2', 'meta-type': 'object', members: [{ name: 'ref', type: '3' }] },
  { name: '3', 'meta-type': 'alternate', members: [{ type: '0' }, { type: 'str' }] },
  { name: 'str', 'meta-type': 'builtin', 'json-type': 'string' },
  { name: 'uint8', 'meta-type': 'builtin', 'json-type': 'int' },
];

const visit = (input: VisitInput) => {
  const v = new SchemaVisitor(SCHEMA, release('10.0'));
  return v.visitObject(v.argType('cmd')!, input);
};
const json = (value: Record<string, unknown>): VisitInput => ({ kind: 'json', value });

describe('frontends/qmp/schema-visit', () => {
  it('visits base members, then the variant, an alternate by its JSON type', () =>
    assert.deepEqual(visit(json({ kind: 'a', n: 7, ref: { kind: 'b' } })), { kind: 'a', n: 7n, ref: { kind: 'b' } }));

  it('parses keyval scalars by type, a string taking the alternate’s string branch', () =>
    assert.deepEqual(visit({ kind: 'keyval', value: { kind: 'a', n: '0x10', ref: 'x' } }), { kind: 'a', n: 16n, ref: 'x' }));

  const REFUSED: ReadonlyArray<readonly [input: VisitInput, message: string]> = [
    [json({ n: 1 }), "Parameter 'kind' is missing"],
    [json({ kind: 'a' }), "Parameter 'ref' is missing"],
    [json({ kind: 'a', ref: { kind: 'c' } }), "Parameter 'ref.kind' does not accept value 'c'"],
    [json({ kind: 'b', extra: 1 }), "Parameter 'extra' is unexpected"],
    [json({ kind: 'b', n: 256 }), "Parameter 'n' expects uint8_t"],
    [json({ kind: 'b', n: '1' }), "Invalid parameter type for 'n', expected: integer"],
    [json({ kind: 1 }), "Invalid parameter type for 'kind', expected: string"],
    [{ kind: 'keyval', value: { kind: 'b', n: 'x' } }, "Parameter 'n' expects integer"],
    [json({ kind: 'a', ref: 5 }), "hotmem cannot check parameter 'ref': its value fits none of the alternate's types"],
  ];
  for (const [input, message] of REFUSED) it(`refuses: ${message}`, () => assert.throws(() => visit(input), { message }));
});
