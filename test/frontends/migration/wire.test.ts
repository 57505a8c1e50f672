import assert from 'node:assert/strict';
import { recipeProblem } from '../../../src/frontends/migration/recipe.js';
import { messageProblem } from '../../../src/frontends/migration/wire.js';

const SPEC = { qemuVersion: '7.2', arch: 'x86_64', hostArch: 'x86_64', hostKernel: 'linux-6.1', argv: ['-m', '1G'] };
const OPTIONS = { bandwidth: 1e9, maxBandwidth: 0, downtimeLimitMs: 300, postcopy: false, returnPath: false };

describe('frontends/migration/wire: what a peer sends is checked before it is believed', () => {
  const RECIPES: ReadonlyArray<readonly [unknown, string | undefined]> = [
    [{ spec: SPEC, history: [] }, undefined],
    [
      {
        spec: SPEC,
        history: [
          { kind: 'qmp', text: '{}' },
          { kind: 'migration', role: 'source', peer: { spec: SPEC, history: [] }, options: OPTIONS },
        ],
      },
      undefined,
    ],
    [[], 'recipe is not an object'],
    [{ spec: { ...SPEC, arch: 'arm' }, history: [] }, 'recipe.spec.arch is not x86_64 or s390x'],
    [{ spec: { ...SPEC, hostArch: undefined }, history: [] }, 'recipe.spec.hostArch is not x86_64 or s390x'],
    [{ spec: { ...SPEC, argv: [1] }, history: [] }, 'recipe.spec.argv is not a list of strings'],
    [{ spec: { ...SPEC, guest: 6 }, history: [] }, 'recipe.spec.guest is not a string'],
    [{ spec: SPEC, history: {} }, 'recipe.history is not a list'],
    [{ spec: SPEC, history: [{ kind: 'qmp' }] }, 'recipe.history[0].text is not a string'],
    [{ spec: SPEC, history: [{ kind: 'shell', text: 'rm' }] }, 'recipe.history[0].kind is not qmp or migration'],
    [{ spec: SPEC, history: [{ kind: 'migration', role: 'both', peer: {}, options: OPTIONS }] }, 'recipe.history[0].role is not source or destination'],
    [
      { spec: SPEC, history: [{ kind: 'migration', role: 'source', peer: { spec: SPEC, history: [] }, options: { ...OPTIONS, postcopy: 'yes' } }] },
      'recipe.history[0].options.postcopy is not a boolean',
    ],
    [
      { spec: SPEC, history: [{ kind: 'migration', role: 'source', peer: { spec: {}, history: [] }, options: OPTIONS }] },
      'recipe.history[0].peer.spec.qemuVersion is not a string',
    ],
  ];
  for (const [recipe, problem] of RECIPES) {
    it(`recipe: ${problem ?? 'valid'}`, () => assert.equal(recipeProblem(recipe), problem));
  }

  const MESSAGES: ReadonlyArray<readonly [unknown, string | undefined]> = [
    [{ type: 'welcome', hotmem: '0.1.0', recipe: { spec: SPEC, history: [] } }, undefined],
    [{ type: 'go', hotmem: '0.1.0', recipe: { spec: SPEC, history: [] }, options: OPTIONS, digest: '{}' }, undefined],
    [
      { type: 'go', hotmem: '0.1.0', recipe: { spec: SPEC, history: [] }, options: { ...OPTIONS, bandwidth: -1 }, digest: '{}' },
      'go.options.bandwidth is not a non-negative number',
    ],
    [{ type: 'abort', reason: 'no' }, undefined],
    [{ type: 'done' }, 'done.digest is not a string'],
    [{ type: 'hello' }, 'unknown message type "hello"'],
    ['welcome', 'a message is not a JSON object'],
  ];
  for (const [message, problem] of MESSAGES) {
    it(`message: ${problem ?? 'valid'}`, () => assert.equal(messageProblem(message), problem));
  }
});
