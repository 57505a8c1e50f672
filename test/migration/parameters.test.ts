/**
 * migrate-set-parameters and query-migrate-parameters as each release answers them, through a
 * live `hotmem qemu` monitor: the release's members, its checks and their exact messages.
 */
import { strict as assert } from 'node:assert';
import { spec, startLive, SMALL_Q35 } from '../cli/qemu-process-helpers.js';

const RDMA = 'Option x_rdma_chunk_size expects a power of 2 in the range 1MiB to 1024MiB';

/** [release, arguments, QEMU's error or undefined when accepted]; checked against Debian sid's 11.1.3. */
const CASES: readonly (readonly [string, Record<string, unknown>, string | undefined])[] = [
  ['11.1', { 'x-rdma-chunk-size': 0 }, RDMA],
  ['11.1', { 'x-rdma-chunk-size': 3000 }, RDMA],
  ['11.1', { 'x-rdma-chunk-size': 4096 }, RDMA],
  ['11.1', { 'x-rdma-chunk-size': 2147483648 }, RDMA],
  ['11.1', { 'x-rdma-chunk-size': 1048576 }, undefined],
  ['11.1', { 'x-rdma-chunk-size': 8388608 }, undefined],
  ['11.1', { 'x-rdma-chunk-size': 1073741824 }, undefined],
  ['11.0', { 'x-rdma-chunk-size': 8388608 }, "Parameter 'x-rdma-chunk-size' is unexpected"],
];

describe('migration/parameters: per release', () => {
  for (const [release, args, error] of CASES) {
    it(`${release} migrate-set-parameters ${JSON.stringify(args)}: ${error ?? 'accepted'}`, () => {
      const p = startLive(spec(q35(release), { qemuVersion: release }));
      const reply = p.qmp('migrate-set-parameters', args);
      if (error === undefined) {
        assert.deepEqual(reply, { return: {} });
        const params = p.qmp('query-migrate-parameters') as { return: Record<string, unknown> };
        for (const [k, v] of Object.entries(args)) assert.equal(params.return[k], v);
      } else {
        assert.equal((reply as { error: { desc: string } }).error.desc, error);
      }
    });
  }

  it('11.1 reports x-rdma-chunk-size at 1 MiB; 11.0 does not report it', () => {
    const params = (release: string) =>
      (startLive(spec(q35(release), { qemuVersion: release })).qmp('query-migrate-parameters') as { return: Record<string, unknown> }).return;
    assert.equal(params('11.1')['x-rdma-chunk-size'], 1048576);
    assert.ok(!('x-rdma-chunk-size' in params('11.0')));
  });
});

function q35(release: string): string[] {
  return SMALL_Q35.map((a) => (a === 'pc-q35-7.2' ? `pc-q35-${release}` : a));
}
