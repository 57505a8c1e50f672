/**
 * QMP migration between two `hotmem qemu` processes, as a management layer drives two QEMUs:
 * start the destination with -incoming, turn on the events capability on both sides, `migrate`,
 * wait for MIGRATION completed, and ask each host what it now spends (x-query-host-memory).
 * Run with `node dist/examples/qmp/migrate-between-processes.js`; the tests run it too.
 *
 * The guest RAM is a 4 GiB memory backend the guest never wrote. With an anonymous backend both
 * hosts keep it unpopulated (reads map the shared zeropage); with memfd both end up holding all
 * 4 GiB: shmem has no shared zeropage, and the source reads every page to send it while the
 * destination reads every page it is told is zero to check that it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QmpClient } from '../../src/frontends/qmp/client.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const GiB = 2 ** 30;

export interface SideReport {
  readonly status: string;
  readonly rss: number;
  readonly events: readonly string[];
}

export interface MigrationReport {
  readonly backend: string;
  readonly source: SideReport;
  readonly destination: SideReport;
}

async function startProcess(args: readonly string[], qmp: string): Promise<{ child: ChildProcess; client: QmpClient }> {
  const child = spawn(process.execPath, [CLI, 'qemu', '--qemu-version', '7.2', ...args, '-qmp', `unix:${qmp},server=on,wait=off`], { stdio: 'ignore' });
  // The socket file appears at bind(), a moment before listen(): a connection refused then is retried.
  for (let i = 0; i < 400; i++) {
    const client = existsSync(qmp) ? await QmpClient.connect(qmp).catch(() => undefined) : undefined;
    if (client) return { child, client };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`hotmem qemu: no QMP monitor at ${qmp} after 10 s`);
}

async function report(client: QmpClient): Promise<SideReport> {
  const status = (await client.execute('query-status')) as { return: { status: string } };
  const memory = (await client.execute('x-query-host-memory')) as { return: { rss: number } };
  return { status: status.return.status, rss: memory.return.rss, events: client.events.map((e) => e.event + (e.data ? ` ${JSON.stringify(e.data)}` : '')) };
}

export async function migrateBetweenProcesses(backend: 'memory-backend-ram' | 'memory-backend-memfd'): Promise<MigrationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-example-'));
  const machine = ['-machine', 'pc-q35-7.2,memory-backend=pc.ram', '-m', '4G', '-object', `${backend},id=pc.ram,size=4G`, '-nodefaults', '-display', 'none'];
  const migrationSocket = join(dir, 'migration.sock');
  const destination = await startProcess([...machine, '-incoming', `unix:${migrationSocket}`], join(dir, 'destination.qmp'));
  const source = await startProcess(machine, join(dir, 'source.qmp')).catch((e: unknown) => {
    destination.client.close();
    destination.child.kill('SIGTERM');
    throw e;
  });
  try {
    for (const side of [source, destination]) await side.client.execute('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
    await source.client.execute('migrate', { uri: `unix:${migrationSocket}` });
    const completed = (e: { event: string; data?: unknown }) => e.event === 'MIGRATION' && (e.data as { status: string }).status === 'completed';
    await source.client.waitForEvent(completed);
    await destination.client.waitForEvent(completed);
    return { backend, source: await report(source.client), destination: await report(destination.client) };
  } finally {
    for (const side of [source, destination]) {
      side.client.close();
      side.child.kill('SIGTERM');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const backend of ['memory-backend-ram', 'memory-backend-memfd'] as const) {
    const r = await migrateBetweenProcesses(backend);
    console.log(
      `${backend}: source ${r.source.status}, RSS ${(r.source.rss / GiB).toFixed(2)} GiB; destination ${r.destination.status}, RSS ${(r.destination.rss / GiB).toFixed(2)} GiB`,
    );
    console.log(`  source events: ${r.source.events.join(', ')}`);
    console.log(`  destination events: ${r.destination.events.join(', ')}`);
  }
}
