/**
 * dump-guest-memory with each backend: the reply, DUMP_COMPLETED's totals, and what the dump
 * cost the host — the real QEMU process's /proc/PID/status before and after, against hotmem's
 * x-query-host-memory before and after. Real QEMU allocates a little for itself while dumping,
 * so the deltas may differ by a few MiB; hotmem must never be off by the size of guest memory.
 * Against the real QEMU of every Debian suite.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qemuBinary } from '../../src/cli/binary.js';
import { runQemu as runHotmem } from '../../src/frontends/cmdline/qemu.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { QmpSession as HotmemSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import { parseProcessStatus } from './guest/host-memory.js';
import { QmpSession } from './qemu.js';
import { realQemus, requireReal } from './real-qemu.js';
import { requireModelled } from './modelled-release.js';

const MiB = 1024 * 1024;
const TOLERANCE = 16 * MiB;

type Figures = { readonly anon: number; readonly shmem: number; readonly file: number };

const BACKENDS: ReadonlyArray<readonly [string, (dir: string) => string]> = [
  ['ram', () => 'memory-backend-ram,id=mem0,size=512M'],
  ['memfd', () => 'memory-backend-memfd,id=mem0,size=512M'],
  ['file on tmpfs', (dir) => `memory-backend-file,id=mem0,size=512M,share=on,mem-path=${join(dir, 'guest-ram')}`],
];

const argsOf = (backend: string): string[] => ['-machine', 'q35,memory-backend=mem0', '-m', '512M', '-object', backend];

describe('conformance: dump-guest-memory costs the host what QEMU costs, by release', function () {
  this.timeout(60_000);

  for (const q of realQemus('x86_64')) {
    for (const [name, backend] of BACKENDS) {
      it(`QEMU ${q.release} (${q.suite}): ${name}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const { binary, release } = q;
        // /dev/shm is tmpfs: a file there is shmem, as in the model's mem-path rules.
        const dir = mkdtempSync(name === 'file on tmpfs' ? '/dev/shm/hotmem-' : join(tmpdir(), 'hotmem-'));
        try {
          const pidfile = join(dir, 'qemu.pid');
          const real = await QmpSession.start(binary, [...argsOf(backend(dir)), '-pidfile', pidfile], { paused: true });
          const pid = Number(readFileSync(pidfile, 'utf8').trim());
          const proc = (): Figures => {
            const s = parseProcessStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
            return { anon: s.rssAnonKiB * 1024, shmem: s.rssShmemKiB * 1024, file: s.rssFileKiB * 1024 };
          };
          const before = proc();
          const reply = await real.execute('dump-guest-memory', { paging: false, protocol: `file:${join(dir, 'dump')}` });
          const event = await real.nextEvent('DUMP_COMPLETED');
          const after = proc();
          await real.quit();

          const model = hotmemMeasure(release, backend(dir), join(dir, 'hotmem-dump'));
          assert.deepEqual(model.reply, reply);
          assert.deepEqual(model.event, event.data);
          for (const key of ['anon', 'shmem', 'file'] as const) {
            const realDelta = after[key] - before[key];
            const modelDelta = model.after[key] - model.before[key];
            assert.ok(Math.abs(realDelta - modelDelta) <= TOLERANCE, `${key}: real +${realDelta / MiB} MiB, hotmem +${modelDelta / MiB} MiB`);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
});

function hotmemMeasure(release: string, backend: string, dumpFile: string) {
  const outcome = runHotmem(qemuBinary(new Map([['qemu-version', release]])), ['-display', 'none', '-nodefaults', '-S', ...argsOf(backend)], {
    out: () => undefined,
    err: () => undefined,
  });
  if (outcome.kind !== 'running') throw new Error('hotmem did not start the machine');
  const sent: QmpMessage[] = [];
  const session = new HotmemSession(
    {
      machine: outcome.machine,
      version: { major: outcome.machine.release.major, minor: outcome.machine.release.minor, micro: 0 },
      settle: () => undefined,
      requestQuit: () => undefined,
      quitRequested: () => false,
    },
    QMP_COMMANDS,
    (m) => sent.push(m),
  );
  const exec = (execute: string, args?: Record<string, unknown>) => {
    sent.length = 0;
    session.handle(JSON.stringify({ execute, ...(args ? { arguments: args } : {}) }));
    return [...sent];
  };
  exec('qmp_capabilities');
  const figures = (): Figures => {
    const r = exec('x-query-host-memory')[0]!['return'] as Record<string, number>;
    return { anon: r['rss-anon']!, shmem: r['rss-shmem']!, file: r['rss-file']! };
  };
  const before = figures();
  const dumped = exec('dump-guest-memory', { paging: false, protocol: `file:${dumpFile}` });
  const event = dumped.find((m) => m['event'] === 'DUMP_COMPLETED')!['data'];
  const reply = dumped.find((m) => 'return' in m)!['return'];
  return { before, after: figures(), event, reply };
}
