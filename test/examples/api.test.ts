import assert from 'node:assert/strict';
import { startMachineExample } from '../../examples/api/start-machine.js';

describe('examples/api', () => {
  it('the README example starts a machine and reads what QEMU 7.2 would answer', () => {
    const result = startMachineExample();
    assert.deepEqual(result.warnings, []);
    assert.equal(result.unpluggedInaccessible, 'on');
    assert.equal(result.status.vmRss, 0);
  });
});
