/**
 * QMP migration between two live hotmem processes (in this test process, over real unix
 * sockets): what both monitors report, what each host spends, the process exits, and the
 * refusals that leave the machine as it was.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { migrate } from '../../../src/migration/engine.js';
import { SMALL_Q35, settled, spec, startLive, tempSocket, until } from '../../cli/qemu-process-helpers.js';

const MiB = 2 ** 20;
const EVENTS_ON = { capabilities: [{ capability: 'events', state: true }] };
const VIRTIO_MEM = ['-object', 'memory-backend-ram,id=mem0,size=512M', '-device', 'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0'];
const names = (events: readonly Record<string, unknown>[]) =>
  events.map((e) => (e['data'] ? `${String(e['event'])} ${JSON.stringify(e['data'])}` : String(e['event'])));

describe('frontends/migration: migrate between two hotmem processes', function () {
  this.timeout(30_000);

  it('completes: both monitors report it, each host is charged what the API migration charges', async () => {
    const sock = tempSocket();
    const argv = [...SMALL_Q35, ...VIRTIO_MEM];
    const destination = startLive(spec([...argv, '-incoming', `unix:${sock}`]));
    await destination.process.migration!.listenAtStartup(destination.process.incoming!);
    const source = startLive(spec(argv));
    source.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 0 });
    for (const side of [source, destination]) assert.deepEqual(side.qmp('migrate-set-capabilities', EVENTS_ON), { return: {} });
    assert.deepEqual(destination.qmp('query-migrate'), { return: { 'socket-address': [{ path: sock, type: 'unix' }] } });
    assert.deepEqual(source.qmp('migrate', { uri: `unix:${sock}` }), { return: {} });
    assert.equal(await settled(source), 'completed');
    await until(() => destination.events.some((e) => e['event'] === 'RESUME'));
    assert.deepEqual(names(source.events), [
      'MIGRATION {"status":"setup"}',
      'MIGRATION_PASS {"pass":1}',
      'MIGRATION {"status":"active"}',
      'STOP',
      'MIGRATION_PASS {"pass":2}',
      'MIGRATION {"status":"completed"}',
    ]);
    assert.deepEqual(names(destination.events), ['MIGRATION {"status":"active"}', 'RESUME', 'MIGRATION {"status":"completed"}']);
    assert.deepEqual(source.qmp('query-status'), { return: { status: 'postmigrate', singlestep: false, running: false } });
    assert.deepEqual(destination.qmp('query-status'), { return: { status: 'running', singlestep: false, running: true } });
    assert.deepEqual(destination.qmp('query-migrate'), { return: { status: 'completed' } });

    // The same migration through the typed API, on machines built from the same arguments.
    const apiSource = QemuProcess.replay({ spec: spec(argv), history: [] }).machine;
    const apiDestination = QemuProcess.replay({ spec: spec([...argv, '-incoming', 'defer']), history: [] }).machine;
    const outcome = migrate(apiSource, apiDestination, { bandwidth: 1.25e9 });
    assert.equal(outcome.kind, 'completed');
    assert.deepEqual(destination.qmp('x-query-host-memory'), { return: hostMemory(apiDestination) });
    assert.deepEqual(source.qmp('x-query-host-memory'), { return: hostMemory(apiSource) });
    // 7.2's ram.transferred counts the RAM pages only (transferredCountsWholeStream).
    assert.equal((source.qmp('query-migrate')['return'] as { ram: { transferred: number } }).ram.transferred, outcome.stats.ramPageBytes);
    assert.deepEqual([source.stderr, destination.stderr, destination.exits], [[], [], []]);
  });

  it("a destination that refuses the device state prints QEMU's lines and exits 1; the source runs on", async () => {
    const sock = tempSocket();
    const destination = startLive(spec([...SMALL_Q35, '-incoming', `unix:${sock}`]));
    await destination.process.migration!.listenAtStartup(destination.process.incoming!);
    const source = startLive(spec([...SMALL_Q35, ...VIRTIO_MEM]));
    source.qmp('migrate', { uri: `unix:${sock}` });
    assert.equal(await settled(source), 'failed');
    await until(() => destination.exits.length > 0);
    assert.deepEqual(destination.exits, [1]);
    assert.match(
      destination.stderr.join(''),
      /^qemu-system-x86_64: Unknown ramblock ".*mem0", cannot accept migration\n.*error while loading state for instance 0x0 of device 'ram'\n.*load of migration failed: Invalid argument\n$/,
    );
    assert.deepEqual(source.qmp('query-migrate'), { return: { status: 'failed', 'error-desc': 'Unable to write to socket: Broken pipe' } });
    assert.deepEqual(source.qmp('query-status'), { return: { status: 'running', singlestep: false, running: true } });
    // RAM's next save found the socket closed (7.2: section id 2, return code -EIO).
    assert.deepEqual(source.stderr, [
      'qemu-system-x86_64: failed to save SaveStateEntry with id(name): 2(ram): -5\n',
      'qemu-system-x86_64: Unable to write to socket: Broken pipe\n',
    ]);
  });

  it('a chain: the destination of one migration migrates on, rebuilt by its next peer from its recipe', async () => {
    const [first, second] = [tempSocket(), tempSocket()];
    const argv = [...SMALL_Q35, ...VIRTIO_MEM];
    const a = startLive(spec(argv));
    const b = startLive(spec([...argv, '-incoming', `unix:${first}`]));
    const c = startLive(spec([...argv, '-incoming', `unix:${second}`]));
    await b.process.migration!.listenAtStartup(b.process.incoming!);
    await c.process.migration!.listenAtStartup(c.process.incoming!);
    a.qmp('migrate', { uri: `unix:${first}` });
    assert.equal(await settled(a), 'completed');
    await until(() => b.process.machine.running);
    b.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 128 * 2 ** 20 });
    b.qmp('migrate', { uri: `unix:${second}` });
    assert.equal(await settled(b), 'completed');
    await until(() => c.process.machine.running);
    assert.deepEqual(c.qmp('qom-get', { path: '/machine/peripheral/vm0', property: 'requested-size' }), { return: 128 * 2 ** 20 });
    assert.deepEqual([a.stderr, b.stderr, c.stderr], [[], [], []], 'the peers agreed on every outcome');
    const recipe = c.process.recipe();
    assert.equal(recipe.history.filter((h) => h.kind === 'migration').length, 1);
  });

  it('the guest goes with the VM: the destination plugs and balloons, the source no longer does, along a chain', async () => {
    const [first, second] = [tempSocket(), tempSocket()];
    const argv = [...SMALL_Q35, ...VIRTIO_MEM, '-device', 'virtio-balloon-pci,id=b0'];
    const a = startLive(spec(argv, { guest: 'linux-6.1' }));
    const b = startLive(spec([...argv, '-incoming', `unix:${first}`]));
    const c = startLive(spec([...argv, '-incoming', `unix:${second}`]));
    await b.process.migration!.listenAtStartup(b.process.incoming!);
    await c.process.migration!.listenAtStartup(c.process.incoming!);
    const size = (p: typeof a) => p.qmp('qom-get', { path: '/machine/peripheral/vm0', property: 'size' })['return'];
    const actual = (p: typeof a) => (p.qmp('query-balloon')['return'] as { actual: number }).actual;
    a.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 256 * MiB });
    a.qmp('balloon', { value: 96 * MiB });
    assert.deepEqual([size(a), actual(a)], [256 * MiB, 96 * MiB]);
    a.qmp('migrate', { uri: `unix:${first}` });
    assert.equal(await settled(a), 'completed');
    await until(() => b.process.machine.running);
    assert.equal(a.process.guest, undefined, 'the guest left the source');
    assert.ok(b.process.guest, 'the guest runs on the destination');
    assert.deepEqual([size(b), actual(b)], [256 * MiB, 96 * MiB], 'what the guest had plugged and ballooned arrived with it');

    b.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 384 * MiB });
    b.qmp('balloon', { value: 112 * MiB });
    assert.deepEqual([size(b), actual(b)], [384 * MiB, 112 * MiB], 'the migrated guest answers the destination');
    assert.ok(b.events.some((e) => e['event'] === 'MEMORY_DEVICE_SIZE_CHANGE'));
    a.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 0 });
    assert.equal(size(a), 256 * MiB, 'no guest answers the paused source');

    b.qmp('migrate', { uri: `unix:${second}` });
    assert.equal(await settled(b), 'completed');
    await until(() => c.process.machine.running);
    c.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 128 * MiB });
    assert.equal(size(c), 128 * MiB, 'a destination rebuilt from a recipe whose guest came with a migration has it too');
    assert.deepEqual([a.stderr, b.stderr, c.stderr], [[], [], []], 'the peers agreed on every outcome');
  });

  it('a failed migration leaves the guest on the source, which answers there', async () => {
    const sock = tempSocket();
    const destination = startLive(spec([...SMALL_Q35, '-incoming', `unix:${sock}`]));
    await destination.process.migration!.listenAtStartup(destination.process.incoming!);
    const source = startLive(spec([...SMALL_Q35, ...VIRTIO_MEM], { guest: 'linux-6.1' }));
    source.qmp('migrate', { uri: `unix:${sock}` });
    assert.equal(await settled(source), 'failed');
    await until(() => destination.exits.length > 0);
    assert.ok(source.process.guest, 'the guest stays');
    source.qmp('qom-set', { path: '/machine/peripheral/vm0', property: 'requested-size', value: 128 * MiB });
    assert.deepEqual(source.qmp('qom-get', { path: '/machine/peripheral/vm0', property: 'size' }), { return: 128 * MiB });
  });

  it('postcopy when migrate-start-postcopy follows migrate before the peers meet', async () => {
    const sock = tempSocket();
    const destination = startLive(spec([...SMALL_Q35, '-incoming', `unix:${sock}`]));
    await destination.process.migration!.listenAtStartup(destination.process.incoming!);
    const source = startLive(spec(SMALL_Q35));
    source.qmp('migrate-set-capabilities', {
      capabilities: [
        { capability: 'events', state: true },
        { capability: 'postcopy-ram', state: true },
      ],
    });
    source.qmp('migrate', { uri: `unix:${sock}` });
    assert.deepEqual(source.qmp('migrate-start-postcopy'), { return: {} });
    assert.equal(await settled(source), 'completed');
    assert.ok(names(source.events).includes('MIGRATION {"status":"postcopy-active"}'), names(source.events).join(', '));
    assert.deepEqual(source.qmp('migrate-start-postcopy'), { return: {} }, 'QEMU accepts it after the end too');
  });

  it('connection failures and peers that are not hotmem fail the migration with a reason, the machine unchanged', async () => {
    const source = startLive(spec(SMALL_Q35));
    const before = JSON.stringify(source.qmp('x-query-host-memory'));
    source.qmp('migrate', { uri: `unix:${tempSocket()}` });
    assert.equal(await settled(source), 'failed');
    assert.match((source.qmp('query-migrate')['return'] as { 'error-desc': string })['error-desc'], /^Failed to connect to '.*': No such file or directory$/);

    const sock = tempSocket();
    const liar = createServer((socket) => socket.end('{"type": "welcome", "hotmem": "0.0.0-elsewhere", "recipe": {"spec": {}, "history": []}}\n'));
    await new Promise<void>((resolve) => liar.listen(sock, resolve));
    source.qmp('migrate', { uri: `unix:${sock}` });
    assert.equal(await settled(source), 'failed');
    assert.match(
      (source.qmp('query-migrate')['return'] as { 'error-desc': string })['error-desc'],
      /not a hotmem process .*welcome\.recipe\.spec\.qemuVersion is not a string/,
    );

    const versioned = tempSocket();
    const valid = { spec: spec(SMALL_Q35), history: [] };
    const other = createServer((socket) => socket.write(`${JSON.stringify({ type: 'welcome', hotmem: '0.0.0-elsewhere', recipe: valid })}\n`));
    await new Promise<void>((resolve) => other.listen(versioned, resolve));
    source.qmp('migrate', { uri: `unix:${versioned}` });
    assert.equal(await settled(source), 'failed');
    assert.match((source.qmp('query-migrate')['return'] as { 'error-desc': string })['error-desc'], /the peer runs hotmem 0\.0\.0-elsewhere/);
    liar.close();
    other.close();
    assert.equal(JSON.stringify(source.qmp('x-query-host-memory')), before);
    assert.deepEqual(source.qmp('query-status'), { return: { status: 'running', singlestep: false, running: true } });
  });

  it('refuses a second migrate while one waits for its peer, and migrate_cancel cancels the waiting one', async () => {
    const sock = tempSocket();
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(sock, resolve));
    const source = startLive(spec(SMALL_Q35));
    source.qmp('migrate-set-capabilities', EVENTS_ON);
    source.qmp('migrate', { uri: `unix:${sock}` });
    assert.deepEqual(source.qmp('migrate', { uri: `unix:${sock}` }), { error: { class: 'GenericError', desc: "There's a migration process in progress" } });
    assert.deepEqual(source.qmp('migrate-set-capabilities', EVENTS_ON), { error: { class: 'GenericError', desc: "There's a migration process in progress" } });
    assert.deepEqual(source.qmp('migrate_cancel'), { return: {} });
    assert.deepEqual(source.qmp('query-migrate'), { return: { status: 'cancelled' } });
    assert.deepEqual(names(source.events), ['MIGRATION {"status":"setup"}', 'MIGRATION {"status":"cancelling"}', 'MIGRATION {"status":"cancelled"}']);
    silent.close();
  });
});

function hostMemory(machine: QemuProcess['machine']) {
  const s = machine.process.status();
  return { rss: s.vmRss, 'rss-anon': s.rssAnon, 'rss-file': s.rssFile, 'rss-shmem': s.rssShmem, 'page-tables': s.vmPte, locked: s.vmLck };
}
