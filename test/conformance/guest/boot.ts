/**
 * Runs a scenario on real QEMU with a real Linux guest and records the transcript: boots the
 * guest under TCG, applies each step over QMP or the guest console, waits until the device,
 * QEMU's events and the guest have settled, and samples the host's memory figures. QEMU is
 * killed and the temporary directory removed whatever happens.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { QmpError, QmpSession } from '../qemu.js';
import { CRASHING_COMMANDS } from '../real-qemu.js';
import { GuestConsole } from './guest-console.js';
import { readHostMemory, type RamBlockRange } from './host-memory.js';
import { buildInitramfs } from './initramfs.js';
import type { GuestHost } from './prerequisites.js';
import { BALLOON_PATH, qemuArguments, VIRTIO_MEM_ID, VIRTIO_MEM_PATH } from './qemu-args.js';
import { decodeEvent, featureBits, findVirtioMem, statusNames, type VirtioFeatureList } from './qmp-decode.js';
import type {
  DeviceEvent,
  GuestScenario,
  GuestTranscript,
  GuestView,
  HostFacts,
  HostMemory,
  KernelLogLine,
  RecordedStep,
  StepRecord,
  VirtioDeviceFacts,
  VirtioMemFacts,
} from './transcript.js';

export interface RunOptions {
  /** From starting QEMU to the guest's init answering. */
  readonly bootTimeoutMs: number;
  /** Per step, for the device, the events and the guest to settle. */
  readonly stepTimeoutMs: number;
  /** A size that has not changed for this long has stopped changing (the driver gave up or waits for a retry timer). */
  readonly stableMs: number;
  readonly pollMs: number;
  /** For QEMU to start and for each QMP reply. */
  readonly qmpTimeoutMs: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  bootTimeoutMs: 120_000,
  stepTimeoutMs: 120_000,
  stableMs: 5_000,
  pollMs: 100,
  qmpTimeoutMs: 30_000,
};

/**
 * Free page reporting runs a pass 2 s after memory is freed and every 2 s while work is left: RSS
 * that has not moved by more than a MiB for three passes has settled.
 */
const REPORTING_SETTLE_MS = 6_000;
const REPORTING_SETTLE_KIB = 1024;

/** Once the sizes stand still, how often the guest's count of migrated pages is looked at. */
const MIGRATION_LOOK_MS = 2_000;

/** QEMU rate-limits both size events to one a second per device, so the last one trails by up to that. */
const EVENT_TRAIL_MS = 3_000;
/** The kernel's last line before it runs /init; the boot record's log starts after it. */
const RUN_INIT = 'Run /init as init process';

export async function runGuestScenario(host: GuestHost, scenario: GuestScenario, options: RunOptions = DEFAULT_RUN_OPTIONS): Promise<GuestTranscript> {
  const dir = mkdtempSync(join(tmpdir(), 'hotmem-guest-'));
  let server: Server | undefined;
  let session: QmpSession | undefined;
  let pid: number | undefined;
  let consoleClosed = false;
  // Mocha may exit the process with QEMU still running (a timeout abandons this promise).
  const killOnExit = (): void => {
    try {
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killOnExit);
  try {
    const kernel = join(dir, 'vmlinuz');
    copyFileSync(host.kernel.image, kernel);
    const paths = {
      kernel,
      initrd: buildInitramfs(host, dir),
      consoleSocket: join(dir, 'console.sock'),
      pidFile: join(dir, 'qemu.pid'),
      backendFile: join(dir, 'backend.mem'),
    };
    server = await listen(paths.consoleSocket);
    const connection = new Promise<Socket>((resolve) => server!.once('connection', resolve));
    const startedAt = Date.now();
    // Started paused (-S): nothing reaches the console before the harness is connected to it.
    const qmp = await QmpSession.start(host.qemu, qemuArguments(scenario, paths), { timeoutMs: options.qmpTimeoutMs });
    session = qmp;
    pid = Number(readFileSync(paths.pidFile, 'utf8'));
    const socket = await within(connection, options.qmpTimeoutMs, 'QEMU did not connect the serial console');
    const guestConsole = new GuestConsole(socket, socket);
    socket.once('close', () => {
      consoleClosed = true;
      guestConsole.fail(new Error(`QEMU closed the serial console; stderr: ${qmp.stderr().trim() || '(empty)'}`));
    });
    try {
      await qmp.execute('cont');
      const guestKernel = await guestConsole.ready(options.bootTimeoutMs);
      const bootMs = Date.now() - startedAt;
      const run = new StepRunner(scenario, options, qmp, guestConsole, pid);
      await run.locateRamBlocks();
      const steps: StepRecord[] = [await run.step({ kind: 'boot' }, startedAt)];
      // Sent only where the build answers rather than aborts (sid's 11.1.3 aborts).
      const askStatus = !CRASHING_COMMANDS.some((c) => c.suite === host.suite && c.command === 'x-query-virtio-status');
      const virtioMem = await virtioMemFacts(qmp, askStatus);
      for (const step of scenario.steps) steps.push(await run.step(step, Date.now()));
      // After the steps: the balloon as the guest left it once it drove it.
      const balloon = scenario.balloon ? await virtioFacts(qmp, BALLOON_PATH, askStatus) : null;
      const version = qmp.greeting.version;
      return {
        scenario,
        origin: {
          kind: 'real',
          qemuVersion: `${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro}`,
          qemuPackage: version.package.trim(),
          guestKernel,
          host: hostFacts(),
          bootMs,
          stepMs: run.stepMs,
        },
        qemuStderr: qmp
          .stderr()
          .split('\n')
          .filter((l) => l !== ''),
        virtioMem,
        balloon,
        steps,
      };
    } catch (e) {
      const tail = guestConsole.tail(30).join('\n  ');
      throw new Error(`${(e as Error).message}\nlast guest console lines:\n  ${tail}`, { cause: e });
    }
  } finally {
    // quit waits for QEMU to exit (and kills it after the QMP timeout); a QEMU that is already
    // gone would only make quit wait for a reply that never comes.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the console's close handler sets consoleClosed; TypeScript keeps it narrowed to false
    await (consoleClosed ? session?.kill() : session?.quit());
    process.off('exit', killOnExit);
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function listen(path: string): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

class StepRunner {
  readonly stepMs: number[] = [];
  private dmesgSeen = 0;
  private ramBlocks: RamBlockRange[] = [];

  constructor(
    private readonly scenario: GuestScenario,
    private readonly options: RunOptions,
    private readonly qmp: QmpSession,
    private readonly guest: GuestConsole,
    private readonly pid: number,
  ) {}

  /** Boot RAM starts at guest-physical 0; the virtio-mem backend at the device's address. */
  async locateRamBlocks(): Promise<void> {
    const device = findVirtioMem(await this.qmp.execute('query-memory-devices'), VIRTIO_MEM_ID);
    this.ramBlocks = [await this.ramBlock(0, this.scenario.bootMemory), await this.ramBlock(device.memaddr, this.scenario.virtioMem.backendSize)];
  }

  private async ramBlock(gpa: number, size: number): Promise<RamBlockRange> {
    const answer = String(await this.qmp.execute('human-monitor-command', { 'command-line': `gpa2hva 0x${gpa.toString(16)}` }));
    // "Host virtual address for 0x100000000 (mem0) is 0x7f3a93e00000"
    const m = /\((.+)\) is (0x[0-9a-f]+)/.exec(answer);
    if (!m) throw new Error(`gpa2hva 0x${gpa.toString(16)}: ${answer.trim()}`);
    return { name: m[1]!, hva: BigInt(m[2]!), size };
  }

  async step(step: RecordedStep, startedAt: number): Promise<StepRecord> {
    const eventsBefore = step.kind === 'boot' ? 0 : this.qmp.events().length;
    const deadline = Date.now() + this.options.stepTimeoutMs;
    let target: (s: Sample) => boolean;
    switch (step.kind) {
      case 'boot':
        target = (s) => s.size === this.scenario.virtioMem.requestedSize;
        break;
      case 'resize':
        await this.qmp.execute('qom-set', { path: VIRTIO_MEM_PATH, property: 'requested-size', value: step.requestedSize });
        target = (s) => s.size === step.requestedSize;
        break;
      case 'balloon':
        await this.qmp.execute('balloon', { value: step.target });
        target = (s) => s.actual === step.target;
        break;
      case 'guest-fill': {
        const held = await this.guest.fill(step.bytes, this.options.stepTimeoutMs);
        target = () => held === step.bytes;
        break;
      }
    }
    const { samples, converged } = await this.settleDevice(target, deadline);
    const final = samples.at(-1)!;
    await this.settleEvents(eventsBefore, final, deadline);
    const guest = await this.settleGuest(step.kind === 'boot', deadline);
    const host = this.scenario.freePageReporting ? await this.settleHost(deadline) : readHostMemory(this.pid, this.ramBlocks);
    const device = findVirtioMem(await this.qmp.execute('query-memory-devices'), VIRTIO_MEM_ID);
    const events: DeviceEvent[] = this.qmp
      .events()
      .slice(eventsBefore)
      .map((e) => decodeEvent(e, startedAt));
    this.stepMs.push(Date.now() - startedAt);
    return {
      step,
      converged,
      requestedSize: device['requested-size'],
      pluggedSize: device.size,
      progress: samples.map((s) => ({ atMs: s.at - startedAt, pluggedSize: s.size, balloonActual: s.actual })),
      balloonActual: final.actual,
      events,
      guest,
      host,
    };
  }

  /** Polls the host's RSS until it stays within a MiB for REPORTING_SETTLE_MS (or the step's deadline). */
  private async settleHost(deadline: number): Promise<HostMemory> {
    const total = (m: HostMemory): number => m.ramBlocks.reduce((sum, b) => sum + b.rssKiB, 0);
    let settled = readHostMemory(this.pid, this.ramBlocks);
    let since = Date.now();
    while (Date.now() - since < REPORTING_SETTLE_MS && Date.now() < deadline) {
      await delay(this.options.pollMs * 5);
      const next = readHostMemory(this.pid, this.ramBlocks);
      if (Math.abs(total(next) - total(settled)) > REPORTING_SETTLE_KIB) since = Date.now();
      settled = next;
    }
    return settled;
  }

  /**
   * Polls the plugged size (and the balloon) until the step's target is reached, or until
   * nothing has changed for `stableMs` and the guest has stopped migrating pages: a driver that
   * cannot go further stops asking, but one that migrates pages out of a block it unplugs changes
   * no size until the block is done. A balloon's pages move one per pair of virtqueue round
   * trips, about 3 s per 128 MiB of them under TCG on an idle host and minutes on a loaded one.
   */
  private async settleDevice(target: (s: Sample) => boolean, deadline: number): Promise<{ samples: Sample[]; converged: boolean }> {
    const samples = [await this.sample()];
    let lastChange = Date.now();
    // The guest's pgmigrate_success at the last look since the sizes stopped changing.
    let migrated: number | undefined;
    for (;;) {
      const last = samples.at(-1)!;
      if (target(last)) return { samples, converged: true };
      if (Date.now() >= deadline) return { samples, converged: false };
      if (Date.now() - lastChange >= this.options.stableMs) {
        const now = (await this.guest.report(this.dmesgSeen, Math.max(1, deadline - Date.now()))).migratedPages;
        if (migrated === now) return { samples, converged: false };
        migrated = now;
        lastChange = Date.now() - this.options.stableMs + MIGRATION_LOOK_MS;
      }
      await delay(this.options.pollMs);
      const next = await this.sample();
      if (next.size !== last.size || next.actual !== last.actual) {
        samples.push(next);
        lastChange = Date.now();
        migrated = undefined;
      }
    }
  }

  private async sample(): Promise<Sample> {
    const size = Number(await this.qmp.execute('qom-get', { path: VIRTIO_MEM_PATH, property: 'size' }));
    const actual = this.scenario.balloon ? (await this.qmp.execute<{ actual: number }>('query-balloon')).actual : null;
    return { at: Date.now(), size, actual };
  }

  /** Waits for the trailing rate-limited events that report the settled values. */
  private async settleEvents(eventsBefore: number, final: Sample, deadline: number): Promise<void> {
    const until = Math.min(deadline, Date.now() + EVENT_TRAIL_MS);
    const latest = (name: string): Record<string, unknown> | undefined =>
      this.qmp
        .events()
        .slice(eventsBefore)
        .filter((e) => e.event === name)
        .at(-1)?.data;
    const pending = (): boolean => {
      const size = latest('MEMORY_DEVICE_SIZE_CHANGE');
      const balloon = latest('BALLOON_CHANGE');
      return (size !== undefined && size['size'] !== final.size) || (balloon !== undefined && balloon['actual'] !== final.actual);
    };
    while (pending() && Date.now() < until) await delay(this.options.pollMs);
  }

  /**
   * Asks the guest for reports until two in a row agree and the second brings no new kernel
   * log lines: hotplugged memory is onlined after the device already counts it as plugged.
   */
  private async settleGuest(isBoot: boolean, deadline: number): Promise<GuestView> {
    const log: KernelLogLine[] = [];
    const report = async (): Promise<GuestView> => {
      const view = await this.guest.report(this.dmesgSeen, Math.max(1, deadline - Date.now()));
      this.dmesgSeen += view.kernelLog.length;
      log.push(...view.kernelLog);
      return view;
    };
    let previous = await report();
    for (;;) {
      const next = await report();
      if (next.kernelLog.length === 0 && shape(next) === shape(previous)) {
        return { ...next, kernelLog: isBoot ? afterRunInit(log) : log };
      }
      if (Date.now() >= deadline) throw new Error('the guest did not settle: its reports kept changing');
      previous = next;
    }
  }
}

interface Sample {
  readonly at: number;
  readonly size: number;
  readonly actual: number | null;
}

/** The parts of a report that must stop changing; free memory never quite does. */
function shape(view: GuestView): string {
  const { memTotalKiB, memoryBlockSize, memoryBlocks, virtioDevices, iomem } = view;
  return JSON.stringify({ memTotalKiB, memoryBlockSize, memoryBlocks, virtioDevices, iomem });
}

function afterRunInit(log: readonly KernelLogLine[]): KernelLogLine[] {
  const at = log.findIndex((l) => l.text === RUN_INIT);
  if (at < 0) throw new Error(`the guest kernel log has no '${RUN_INIT}' line`);
  return log.slice(at + 1);
}

async function virtioFacts(qmp: QmpSession, qomPath: string, askStatus: boolean): Promise<VirtioDeviceFacts> {
  if (!askStatus) return { qomPath, status: null };
  let status: {
    'host-features': VirtioFeatureList;
    'guest-features': VirtioFeatureList;
    status: { statuses: readonly string[] };
    'queue-sel': number;
    'start-on-kick': boolean;
    started: boolean;
  };
  try {
    status = await qmp.execute('x-query-virtio-status', { path: `${qomPath}/virtio-backend` });
  } catch (e) {
    if (e instanceof QmpError && e.errorClass === 'CommandNotFound') return { qomPath, status: null };
    throw e;
  }
  return {
    qomPath,
    status: {
      hostFeatures: featureBits(status['host-features']),
      guestFeatures: featureBits(status['guest-features']),
      statusBits: statusNames(status.status.statuses),
      queueSel: status['queue-sel'],
      startOnKick: status['start-on-kick'],
      started: status.started,
    },
  };
}

async function virtioMemFacts(qmp: QmpSession, askStatus: boolean): Promise<VirtioMemFacts> {
  const device = findVirtioMem(await qmp.execute('query-memory-devices'), VIRTIO_MEM_ID);
  // QEMU 5.2 predates the property (7.0): its device never offers the feature.
  const inaccessible = await qmp.execute('qom-get', { path: VIRTIO_MEM_PATH, property: 'unplugged-inaccessible' }).catch((e: unknown) => {
    if (e instanceof QmpError && /not found/.test(e.desc)) return null;
    throw e;
  });
  if (inaccessible !== 'on' && inaccessible !== 'off' && inaccessible !== null) {
    throw new Error(`unplugged-inaccessible reads '${JSON.stringify(inaccessible)}' after realize`);
  }
  return {
    ...(await virtioFacts(qmp, VIRTIO_MEM_PATH, askStatus)),
    address: device.memaddr,
    regionSize: device['max-size'],
    blockSize: device['block-size'],
    unpluggedInaccessible: inaccessible,
  };
}

function hostFacts(): HostFacts {
  let thp = 'unavailable';
  try {
    thp = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? thp;
  } catch {
    // No THP support in the host kernel: recorded as such.
  }
  return { kernelRelease: release(), transparentHugepage: thp };
}
