/**
 * The options visitor's uint16List (src/core/parse/uint16-list.ts), as host-nodes and
 * thread-context's affinities are parsed; test/conformance/cmdline.test.ts holds the binaries' words.
 */
import assert from 'node:assert/strict';
import { checkUint16List } from '../../../src/core/parse/uint16-list.js';

describe('core/parse/uint16-list', () => {
  const CASES: ReadonlyArray<readonly [text: string, error: string | undefined]> = [
    ['0', undefined],
    ['0-3:5', undefined],
    ['65535', undefined],
    ['x', "Parameter 'host-nodes' expects a uint64 value or range"],
    ['-1', "Parameter 'host-nodes' expects a uint64 value or range"],
    ['1-x', "Parameter 'host-nodes' expects a uint64 value or range"],
    ['3-1', "Parameter 'host-nodes' expects a uint64 value or range"],
    ['', "Parameter 'host-nodes' expects a uint64 value or range"],
    ['1:', "Parameter 'host-nodes' expects a uint64 value or range"],
    ['65536', "Parameter 'null' expects uint16_t"],
    ['1-70000', "Parameter 'null' expects uint16_t"],
  ];
  for (const [text, error] of CASES) {
    it(`'${text}': ${error ?? 'accepted'}`, () => {
      if (error === undefined) checkUint16List('host-nodes', text);
      else assert.throws(() => checkUint16List('host-nodes', text), { message: error });
    });
  }
});
