/**
 * 11.1's monitor objects over QMP, as its binary answered (Debian sid 11.1.3): what qom-get reads
 * of the command line's monitors, the checks object-add makes before hotmem refuses a monitor made
 * at run time, and object-del of the monitor asking.
 */
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/app.js';

async function conversation(version: string, argv: readonly string[], commands: readonly object[]): Promise<unknown[]> {
  const out: string[] = [];
  const input = [{ execute: 'qmp_capabilities' }, ...commands, { execute: 'quit' }].map((c) => `${JSON.stringify(c)}\n`).join('');
  await runCli(['qemu', '--qemu-version', version, '-S', '-display', 'none', '-nodefaults', '-qmp', 'stdio', ...argv], {
    out: (t) => out.push(t),
    err: () => undefined,
    input,
  });
  const replies = out
    .join('')
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((m) => !('QMP' in m) && !('event' in m));
  // Drop qmp_capabilities' and quit's replies.
  return replies.slice(1, -1).map((r) => ('error' in r ? (r['error'] as { desc: string }).desc : r['return']));
}

const qomGet = (path: string, property: string) => ({ execute: 'qom-get', arguments: { path, property } });
const objectAdd = (args: Record<string, unknown>) => ({ execute: 'object-add', arguments: args });

describe('devices/monitor', function () {
  this.timeout(20_000);

  it("reads the command line's monitors as QOM objects", async () => {
    assert.deepEqual(
      await conversation(
        '11.1',
        ['-monitor', 'null', '-chardev', 'null,id=c1', '-mon', 'chardev=c1,mode=control,pretty=on'],
        [
          qomGet('/objects/compat_monitor0', 'chardev'),
          qomGet('/objects/compat_monitor0', 'close-action'),
          qomGet('/objects/compat_monitor1', 'readline'),
          qomGet('/objects/compat_monitor2', 'pretty'),
          qomGet('/objects/compat_monitor1', 'pretty'),
        ],
      ),
      ['compat_monitor0', 'none', true, true, "Property 'monitor-hmp.pretty' not found"],
    );
  });

  it('makes object-add check the chardev, then refuses a monitor made at run time', async () => {
    assert.deepEqual(
      await conversation(
        '11.1',
        ['-monitor', 'null', '-chardev', 'null,id=free'],
        [
          objectAdd({ 'qom-type': 'monitor-qmp', id: 'n1' }),
          objectAdd({ 'qom-type': 'monitor-qmp', id: 'n1', chardev: 'nope' }),
          objectAdd({ 'qom-type': 'monitor-hmp', id: 'n1', chardev: 'free', pretty: true }),
          objectAdd({ 'qom-type': 'monitor-hmp', id: 'n1', chardev: 'compat_monitor1' }),
          objectAdd({ 'qom-type': 'monitor-hmp', id: 'n1', chardev: 'free' }),
          { execute: 'qom-list', arguments: { path: '/objects' } },
        ],
      ),
      [
        "Parameter 'chardev' is missing",
        'chardev "nope" not found',
        "Parameter 'pretty' is unexpected",
        "chardev 'compat_monitor1' is already in use",
        'hotmem does not model adding a monitor at run time (object-add of monitor-hmp): it serves the monitors of its command line only',
        [
          { name: 'type', type: 'string' },
          { name: 'compat_monitor1', type: 'child<monitor-hmp>' },
          { name: 'pc.ram', type: 'child<memory-backend-ram>' },
          { name: 'compat_monitor0', type: 'child<monitor-qmp>' },
        ],
      ],
    );
  });

  it('refuses to delete the monitor asking, in QEMU words, and any other by name', async () => {
    assert.deepEqual(
      await conversation(
        '11.1',
        ['-monitor', 'null'],
        [
          { execute: 'object-del', arguments: { id: 'compat_monitor0' } },
          { execute: 'object-del', arguments: { id: 'compat_monitor1' } },
        ],
      ),
      ['Cannot delete the current QMP monitor', "hotmem does not model deleting a monitor (object-del of 'compat_monitor1')"],
    );
  });

  it('files no monitor under /objects before 11.1', async () => {
    assert.deepEqual(await conversation('10.0', ['-monitor', 'null'], [{ execute: 'qom-list', arguments: { path: '/objects' } }]), [
      [
        { name: 'type', type: 'string' },
        { name: 'pc.ram', type: 'child<memory-backend-ram>' },
      ],
    ]);
  });
});
