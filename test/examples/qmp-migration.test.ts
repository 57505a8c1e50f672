import assert from 'node:assert/strict';
import { migrateBetweenProcesses } from '../../examples/qmp/migrate-between-processes.js';

const GiB = 2 ** 30;

describe('examples/qmp/migrate-between-processes', function () {
  this.timeout(60_000);

  it('anonymous RAM costs neither host anything; memfd costs both the whole 4 GiB', async () => {
    const anon = await migrateBetweenProcesses('memory-backend-ram');
    const memfd = await migrateBetweenProcesses('memory-backend-memfd');
    assert.deepEqual([anon.source.status, anon.destination.status], ['postmigrate', 'running']);
    assert.deepEqual([anon.source.rss, anon.destination.rss], [0, 0]);
    assert.deepEqual([memfd.source.rss, memfd.destination.rss], [4 * GiB, 4 * GiB]);
    assert.deepEqual(anon.destination.events, ['MIGRATION {"status":"active"}', 'RESUME', 'MIGRATION {"status":"completed"}']);
  });
});
