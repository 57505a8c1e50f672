/**
 * A booted-guest scenario run through `hotmem qemu --guest linux-X.Y` instead of real QEMU: the
 * same command line (qemuArguments), the same QMP commands the real harness sends (boot.ts), and
 * after each step what the real harness records: plugged size, balloon actual and the guest-RAM
 * RSS on the host (hotmem's x-query-host-memory, where the real run reads /proc). The guest's
 * kernel log, which a real guest prints on its console, comes from the modelled guest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QemuProcess } from '../../../src/cli/qemu-process.js';
import { QMP_COMMANDS } from '../../../src/frontends/qmp/commands/index.js';
import { QmpSession } from '../../../src/frontends/qmp/session.js';
import { VIRTIO_STATUS, virtioStatusReply } from '../../../src/virtio/qmp-status.js';
import { BALLOON_PATH, qemuArguments, VIRTIO_MEM_PATH } from './qemu-args.js';
import { featureBits, statusNames, type VirtioFeatureList } from './qmp-decode.js';
import type { GuestScenario, VirtioStatusFacts } from './transcript.js';

export interface ModelStep {
  readonly pluggedSize: number;
  readonly balloonActual: number | null;
  /** The guest's memory on the host, KiB (x-query-host-memory `rss`). */
  readonly rssKiB: number;
}

export interface ModelTranscript {
  /** The boot record first, then one per scenario step, as the real transcript has them. */
  readonly steps: readonly ModelStep[];
  readonly virtioMem: VirtioStatusFacts;
  /** After the last step, as the real harness reads it. */
  readonly balloon: VirtioStatusFacts | null;
  /** dmesg text, in order. */
  readonly kernelLog: readonly string[];
}

interface StatusReply {
  'host-features': VirtioFeatureList;
  'guest-features': VirtioFeatureList;
  status: { statuses: readonly string[] };
  'queue-sel': number;
  'start-on-kick': boolean;
  started: boolean;
}

/** Paths nothing reads: hotmem boots no image. */
const PATHS = { kernel: 'vmlinuz', initrd: 'initrd', pidFile: 'qemu.pid', backendFile: 'backend.mem' } as const;

/**
 * `consoleSocket`: a unix socket the caller listens on (serveConsole), as the real run's harness
 * does: the console chardev connects to it at start-up, in hotmem as in QEMU.
 */
export function runModelScenario(scenario: GuestScenario, qemuRelease: string, kernelSeries: string, consoleSocket: string): ModelTranscript {
  const stderr: string[] = [];
  const argv = qemuArguments(scenario, { ...PATHS, consoleSocket });
  const started = QemuProcess.start(
    { qemuVersion: qemuRelease, arch: 'x86_64', hostArch: 'x86_64', hostKernel: 'linux-6.1', guest: kernelSeries, argv },
    { io: { out: () => undefined, err: (text) => stderr.push(text) }, linkBandwidth: 0, exit: () => undefined },
  );
  if (started.kind !== 'running') throw new Error(`hotmem qemu exited with status ${started.status}: ${stderr.join('')}`);
  const { process } = started;
  const qmp = new QmpMonitor(process);
  const record = (): ModelStep => ({
    pluggedSize: qmp.execute('qom-get', { path: VIRTIO_MEM_PATH, property: 'size' }) as number,
    balloonActual: scenario.balloon ? (qmp.execute('query-balloon') as { actual: number }).actual : null,
    rssKiB: (qmp.execute('x-query-host-memory') as { rss: number }).rss / 1024,
  });
  const steps = [record()];
  for (const step of scenario.steps) {
    switch (step.kind) {
      case 'resize':
        qmp.execute('qom-set', { path: VIRTIO_MEM_PATH, property: 'requested-size', value: step.requestedSize });
        break;
      case 'balloon':
        qmp.execute('balloon', { value: step.target });
        break;
      case 'guest-fill': {
        // The init script's fill has no QMP counterpart: the modelled guest is told directly.
        const guest = process.guest;
        if (!guest) throw new Error('guest-fill needs a modelled guest (--guest)');
        const outcome = guest.files.fill(step.bytes);
        if (outcome.kind !== 'done') throw new Error(`guest-fill ${step.bytes}: the modelled guest ran out of memory`);
        guest.settle();
        break;
      }
    }
    steps.push(record());
  }
  return {
    steps,
    virtioMem: virtioStatus(process, qmp, VIRTIO_MEM_PATH)!,
    balloon: scenario.balloon ? virtioStatus(process, qmp, BALLOON_PATH) : null,
    kernelLog: (process.guest?.dmesg() ?? []).flatMap((e) => (e.kind === 'dmesg' ? [e.text] : [])),
  };
}

/** A console socket for runModelScenario, in a fresh directory; `close` removes both. */
export async function serveConsole(): Promise<{ readonly path: string; readonly close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-model-console-'));
  const path = join(dir, 'console.sock');
  const server = createServer((socket) => socket.resume());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return {
    path,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * x-query-virtio-status over QMP from 7.2; QEMU 5.2 has no such command, so there the model's
 * device is read directly (what the guest acked is still compared with the guest's own sysfs).
 */
function virtioStatus(process: QemuProcess, qmp: QmpMonitor, qomPath: string): VirtioStatusFacts | null {
  const path = `${qomPath}/virtio-backend`;
  let reply = qmp.tryExecute('x-query-virtio-status', { path }) as StatusReply | undefined;
  if (reply === undefined) {
    const backend = process.machine.model.resolvePath(path);
    const view = backend && process.machine.model.view.implementation(backend.type, VIRTIO_STATUS)?.(backend);
    if (!view) return null;
    reply = virtioStatusReply(process.machine.release, process.machine.arch, view, true) as unknown as StatusReply;
  }
  return {
    hostFeatures: featureBits(reply['host-features']),
    guestFeatures: featureBits(reply['guest-features']),
    statusBits: statusNames(reply.status.statuses),
    queueSel: reply['queue-sel'],
    startOnKick: reply['start-on-kick'],
    started: reply.started,
  };
}

/** A QMP monitor on the process, as a client on its socket would see it (the guest runs to idle after each command). */
class QmpMonitor {
  readonly #replies: Record<string, unknown>[] = [];
  readonly #session: QmpSession;

  constructor(process: QemuProcess) {
    this.#session = new QmpSession(process.ctx, QMP_COMMANDS, (message) => {
      const m = message as Record<string, unknown>;
      if (!('event' in m)) this.#replies.push(m);
    });
    this.execute('qmp_capabilities');
  }

  /** The reply's `return`, or undefined for CommandNotFound. */
  tryExecute(command: string, args?: Record<string, unknown>): unknown {
    this.#session.handle(JSON.stringify(args === undefined ? { execute: command } : { execute: command, arguments: args }));
    const reply = this.#replies.pop();
    const error = reply?.['error'] as { class: string; desc: string } | undefined;
    if (error?.class === 'CommandNotFound') return undefined;
    if (!reply || error) throw new Error(`${command}: ${error ? `${error.class}: ${error.desc}` : 'no reply'}`);
    return reply['return'];
  }

  execute(command: string, args?: Record<string, unknown>): unknown {
    const out = this.tryExecute(command, args);
    if (out === undefined) throw new Error(`${command}: CommandNotFound`);
    return out;
  }
}
