/**
 * The QMP stream target: one long-lived `hotmem qemu` monitor (a q35 machine with virtio-mem and
 * a balloon) fed every modelled command with plausible, wrong-typed, huge, non-finite and odd
 * arguments, cut short or sprinkled with stray bytes. After each input the client forces the
 * parser back to a known state as QMP's spec says (a 0xFF byte) and asks query-status: the monitor
 * must answer, and when every reply to the input was an error the machine must be unchanged.
 */
import fc from 'fast-check';
import { QemuProcess } from '../../src/cli/qemu-process.js';
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { jsonErrorStyle } from '../../src/frontends/qmp/json-parser.js';
import { JsonMessageParser } from '../../src/frontends/qmp/json-streamer.js';
import { QmpSession, type QmpMessage } from '../../src/frontends/qmp/session.js';
import type { ArgSpec } from '../../src/frontends/qmp/args.js';
import { canonicalDump } from './dump.js';
import { bounded, InvariantBroken, show, type FuzzTarget } from './target.js';

const ARGV = [
  '-nodefaults',
  '-display',
  'none',
  '-M',
  'q35',
  '-m',
  '512M,maxmem=4G,slots=2',
  '-object',
  'memory-backend-ram,id=mem0,size=1G',
  '-device',
  'virtio-mem-pci,id=vm0,memdev=mem0',
  '-device',
  'virtio-balloon-pci,id=balloon0',
];

const RELEASES = ['7.2', '11.1', '5.2', '10.0'] as const;

/** Commands that reach outside the process (files, sockets) are not sent. */
const COMMANDS = QMP_COMMANDS.filter((c) => !['dump-guest-memory', 'migrate', 'migrate-incoming'].includes(c.name));

const PATHS = [
  '/machine',
  '/machine/peripheral/vm0',
  '/machine/peripheral/balloon0',
  '/objects/mem0',
  'vm0',
  'mem0',
  '/',
  '',
  '/machine/peripheral',
  '//',
  '/machine/../objects',
  'vm}}}',
];
const PROPS = [
  'size',
  'requested-size',
  'block-size',
  'memaddr',
  'type',
  'guest-stats',
  'guest-stats-polling-interval',
  'node',
  'prealloc',
  'share',
  'frob',
  '',
];
const DRIVERS = ['virtio-mem-pci', 'virtio-balloon-pci', 'pc-dimm', 'nvdimm', 'virtio-pmem-pci', 'virtio-mem', 'frob'];
const QOM_TYPES = ['memory-backend-ram', 'memory-backend-memfd', 'memory-backend-file', 'frob'];

const hugeNumber = fc.constantFrom(
  '1e400',
  '-1e400',
  '18446744073709551616',
  '-9223372036854775809',
  '1.5',
  '-0',
  '0.1e-400',
  '9007199254740993',
  '1' + '0'.repeat(400),
);
const jsonText = (v: unknown) => JSON.stringify(v);

/** A member value as JSON text: often the right type, sometimes anything (built once per type). */
const VALUE_TEXT = new Map<string, fc.Arbitrary<string>>();
function valueText(spec: ArgSpec | undefined): fc.Arbitrary<string> {
  const key = spec?.type ?? 'unknown';
  let arbitrary = VALUE_TEXT.get(key);
  if (!arbitrary) VALUE_TEXT.set(key, (arbitrary = buildValueText(spec)));
  return arbitrary;
}

function buildValueText(spec: ArgSpec | undefined): fc.Arbitrary<string> {
  const anything = fc.oneof(
    hugeNumber,
    fc.constantFrom('null', 'true', 'false', '[]', '{}', '""'),
    fc.double().map((d) => (Number.isFinite(d) ? jsonText(d) : '1e400')),
    fc.array(fc.integer(), { maxLength: 3 }).map(jsonText),
    fc.tuple(fc.string({ maxLength: 4 }), fc.integer()).map(([k, v]) => `{${jsonText(k)}: ${v}}`),
    fc.string({ unit: 'binary', maxLength: 12 }).map(jsonText),
  );
  const typed = (() => {
    switch (spec?.type) {
      case 'str':
        return fc
          .oneof(fc.constantFrom(...PATHS, ...PROPS, ...DRIVERS, ...QOM_TYPES, 'vm1', 'mem1', 'running', 'paused'), fc.string({ maxLength: 10 }))
          .map(jsonText);
      case 'int':
        return fc.oneof(
          fc.constantFrom(0, 1, -1, 4096, 2 ** 21, 2 ** 30, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 62).map(jsonText),
          fc.integer().map(jsonText),
          hugeNumber,
        );
      case 'bool':
        return fc.boolean().map(jsonText);
      default:
        return anything;
    }
  })();
  return fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

const memberName = (specs: readonly ArgSpec[]) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...(specs.length > 0 ? specs.map((s) => s.name) : ['value'])) },
    { weight: 1, arbitrary: fc.constantFrom(...PROPS, 'id', 'driver', 'memdev', 'qom-type') },
  );

/** One request's text: a command with arguments, some members wrong or extra. */
const ID = fc.option(fc.oneof(fc.integer().map(jsonText), fc.string({ maxLength: 6 }).map(jsonText), hugeNumber), { nil: undefined });
const EXEC_KEY = fc.constantFrom('execute', 'execute', 'execute', 'exec-oob', 'exec');
const EXTRA = fc.option(fc.constantFrom('"arguments": []', '"frob": 1', '"execute": "query-status"', '"id": 1'), { nil: undefined });
const request: fc.Arbitrary<string> = fc
  .oneof(
    ...COMMANDS.map((command) => {
      const member = memberName(command.args).chain((n) => valueText(command.args.find((a) => a.name === n)).map((v) => [n, v] as const));
      return fc.record({
        name: fc.oneof(
          { weight: 9, arbitrary: fc.constant(command.name) },
          { weight: 1, arbitrary: fc.constantFrom('frob', 'qmp_capabilities', `${command.name}x`, '') },
        ),
        members: fc.array(member, { maxLength: 5 }),
        id: ID,
        execKey: EXEC_KEY,
        extra: EXTRA,
      });
    }),
  )
  .map(({ name, members, id, execKey, extra }) => {
    const args = members.map(([n, v]) => `${jsonText(n)}: ${v}`).join(', ');
    const parts = [
      `"${execKey}": ${jsonText(name)}`,
      `"arguments": {${args}}`,
      ...(id === undefined ? [] : [`"id": ${id}`]),
      ...(extra === undefined ? [] : [extra]),
    ];
    return `{${parts.join(', ')}}`;
  });

/** Damage to the bytes: a line cut short, stray bytes, a string left open. */
const damaged = fc
  .tuple(request, fc.nat(), fc.constantFrom('none', 'cut', 'insert', 'open-string', 'nest', 'control'), fc.uint8Array({ minLength: 1, maxLength: 4 }))
  .map(([text, at, how, bytes]) => {
    const b = Buffer.from(text, 'utf8');
    const i = at % (b.length + 1);
    switch (how) {
      case 'cut':
        return Buffer.concat([b.subarray(0, i), Buffer.from('\n')]);
      case 'insert':
        return Buffer.concat([b.subarray(0, i), bytes, b.subarray(i), Buffer.from('\n')]);
      case 'open-string':
        return Buffer.concat([b.subarray(0, i), Buffer.from('"'), b.subarray(i), Buffer.from('\n')]);
      case 'nest':
        return Buffer.concat([Buffer.from('['.repeat(1 + (at % 1100))), b, Buffer.from('\n')]);
      case 'control':
        return Buffer.concat([b.subarray(0, i), Buffer.from([at % 32]), b.subarray(i), Buffer.from('\n')]);
      default:
        return Buffer.concat([b, Buffer.from('\n')]);
    }
  });

/** Forces the parser back to a known state (QMP spec: 0xFF is never valid), then asks for the status. */
const RESYNC_AND_PROBE = Buffer.from('\xff\n{"execute":"query-status","id":"probe"}\n', 'latin1');

interface Monitor {
  readonly process: QemuProcess;
  readonly session: QmpSession;
  readonly parser: JsonMessageParser;
  /** Replies (not events) since the last take(). */
  take(): QmpMessage[];
}

function startMonitor(qemuVersion: string): Monitor {
  const process = QemuProcess.replay({
    spec: { qemuVersion, arch: 'x86_64', hostArch: 'x86_64', hostKernel: 'linux-6.1', guest: undefined, argv: ARGV },
    history: [],
  });
  let replies: QmpMessage[] = [];
  const session = new QmpSession(process.ctx, QMP_COMMANDS, (m) => {
    if (!('event' in m)) replies.push(m);
  });
  const parser = new JsonMessageParser(jsonErrorStyle(process.ctx.machine.release), (m) => session.handleMessage(m));
  parser.feed(Buffer.from('{"execute":"qmp_capabilities"}\n'));
  return {
    process,
    session,
    parser,
    take() {
      const taken = replies;
      replies = [];
      return taken;
    },
  };
}

/**
 * Feeds one input and the resync-and-probe that follows it; returns the replies to the input.
 * Throws when the monitor crashed, hung, or stopped answering query-status.
 */
function feed(monitor: Monitor, bytes: Buffer): QmpMessage[] {
  monitor.take();
  bounded(`QMP input ${show(bytes)}`, () => monitor.parser.feed(bytes));
  const toInput = monitor.take();
  if (monitor.session.closed) return toInput;
  bounded('the resync and query-status probe', () => monitor.parser.feed(RESYNC_AND_PROBE));
  const probe = monitor.take().find((r) => r['id'] === 'probe');
  if (!probe || !('return' in probe)) throw new InvariantBroken(`no query-status answer after ${show(bytes)}`);
  return toInput;
}

/**
 * The monitor lives for a chunk of inputs. At each checkpoint its state must equal that of a
 * replica rebuilt from the commands it accepted (the recipe a migration peer replays): a rejected
 * command that changed anything makes them differ. The chunk is then replayed with a dump around
 * each input to name the one that did.
 */
export function qmpStreamTarget(): FuzzTarget<Buffer> {
  // Each chunk's monitor models the next of these releases: both wordings of JSON errors, both
  // double formats, query-status with and without singlestep.
  let chunks = 0;
  const releaseOfChunk = () => RELEASES[chunks % RELEASES.length]!;
  let qemuVersion = releaseOfChunk();
  let monitor = startMonitor(qemuVersion);
  let chunk: Buffer[] = [];
  const localise = (inputs: readonly Buffer[]): string => {
    const m = startMonitor(qemuVersion);
    let before = canonicalDump(m.process.ctx);
    for (const bytes of inputs) {
      const replies = feed(m, bytes);
      const after = canonicalDump(m.process.ctx);
      if (!replies.some((r) => 'return' in r) && after !== before) return `the rejected input ${show(bytes)} (replies ${JSON.stringify(replies)})`;
      before = after;
    }
    return 'no single input (the replica itself differs)';
  };
  return {
    name: 'qmp-stream',
    input: damaged,
    check(bytes) {
      chunk.push(bytes);
      feed(monitor, bytes);
      // quit ends the process; the client starts another, as a management layer would.
      if (monitor.session.closed) this.checkpoint();
    },
    checkpoint() {
      const replica = QemuProcess.replay(monitor.process.recipe());
      const live = canonicalDump(monitor.process.ctx);
      const rebuilt = canonicalDump(replica.ctx);
      const inputs = chunk;
      const release = qemuVersion;
      chunk = [];
      chunks++;
      if (live !== rebuilt) throw new InvariantBroken(`QEMU ${release}: state changed by ${localise(inputs)}`);
      qemuVersion = releaseOfChunk();
      monitor = startMonitor(qemuVersion);
    },
  };
}
