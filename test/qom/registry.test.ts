import assert from 'node:assert/strict';
import { release } from '../../src/core/release.js';
import { TypeRegistry } from '../../src/qom/registry.js';

describe('qom/registry: isA kept per type and ancestor', () => {
  const view = new TypeRegistry()
    .register(
      { name: 'object' },
      { name: 'device', parent: 'object' },
      { name: 'mem-device', parent: 'device', interfaces: ['memory-device'] },
      { name: 'backend', parent: 'object', interfaces: ['user-creatable'] },
    )
    .view({ release: release('8.1'), target: 'x86_64' });

  it('answers each (type, ancestor) pair by itself, whatever was asked before', () => {
    // Changing either input changes the answer kept: each row asked after the others.
    const CASES: ReadonlyArray<readonly [string, string, boolean]> = [
      ['mem-device', 'device', true],
      ['mem-device', 'memory-device', true],
      ['mem-device', 'user-creatable', false],
      ['backend', 'device', false],
      ['backend', 'user-creatable', true],
      ['device', 'memory-device', false],
      ['device', 'device', true],
      ['no-such-type', 'object', false],
    ];
    for (let pass = 0; pass < 2; pass++)
      for (const [type, ancestor, is] of pass === 0 ? CASES : [...CASES].reverse()) assert.equal(view.isA(type, ancestor), is, `${type} is a ${ancestor}`);
  });
});
