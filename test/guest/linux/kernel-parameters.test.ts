import assert from 'node:assert/strict';
import { kernelParameters } from '../../../src/guest/linux/kernel-parameters.js';

describe('guest/linux/kernel-parameters: what the guest model reads from -append', () => {
  const cases: readonly [string, ReturnType<typeof kernelParameters>][] = [
    ['', {}],
    ['console=ttyS0 loglevel=1', {}],
    ['console=ttyS0 memhp_default_state=online_movable', { onlinePolicy: 'online_movable' }],
    ['memhp_default_state=online memhp_default_state=offline', { onlinePolicy: 'offline' }],
    ['memhp_default_state=online_kernel memhp_default_state=bogus', { onlinePolicy: 'online_kernel' }],
  ];
  for (const [line, expected] of cases) {
    it(`'${line}'`, () => assert.deepEqual(kernelParameters(line), expected));
  }
});
