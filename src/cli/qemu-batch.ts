/**
 * `hotmem qemu --batch`: many invocations of `hotmem qemu` in one process, for scripts that would
 * otherwise start one process per configuration. Each input line is one invocation,
 * `{"args": [...], "qmp": [command, ...]}`; each runs exactly as `hotmem qemu <args>` with its QMP
 * commands on stdin would (the same code, with the streams captured), and its transcript is one
 * output record, in input order. A line that is not a valid invocation gets an error record
 * naming it, and the batch goes on.
 */
import { CLASSIC } from '../frontends/qmp/json-parser.js';
import { JsonMessageParser } from '../frontends/qmp/json-streamer.js';
import { toPlain } from '../frontends/qmp/qobject.js';
import { inputLeavesMachineAlone } from '../frontends/qmp/server.js';
import { PreparedMachines } from '../machine/prepared.js';
import { runCli } from './app.js';
import type { PreparedStart } from './qemu-process.js';

/** What one `hotmem qemu` process printed and answered. */
export interface BatchRecord {
  readonly exit: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The QMP replies (`return` or `error`) on stdout, in order. */
  readonly replies: readonly unknown[];
  /** The QMP events on stdout, in order. */
  readonly events: readonly unknown[];
}

export type BatchOutcome =
  { readonly kind: 'ran'; readonly line: number; readonly record: BatchRecord } | { readonly kind: 'bad-line'; readonly line: number; readonly error: string };

export interface Invocation {
  readonly args: readonly string[];
  /** Each command is sent as one line: a string verbatim, anything else as its JSON. */
  readonly qmp: readonly unknown[];
}

type Parsed = { readonly ok: true; readonly invocation: Invocation } | { readonly ok: false; readonly problem: string };

const KEYS = ['args', 'qmp'];

export function parseInvocation(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not JSON (${(e as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'expected an object {"args": [...], "qmp": [...]}' };
  const unknown = Object.keys(value).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) return { ok: false, problem: `unknown key "${unknown}" (an invocation has "args" and "qmp")` };
  const { args, qmp = [] } = value as { args?: unknown; qmp?: unknown };
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    return { ok: false, problem: '"args" must be an array of strings (the arguments of `hotmem qemu`)' };
  if (!Array.isArray(qmp)) return { ok: false, problem: '"qmp" must be an array of QMP commands' };
  if (args.includes('--batch') || args.some((a) => a.startsWith('--batch='))) return { ok: false, problem: '"args" cannot hold --batch' };
  return { ok: true, invocation: { args, qmp } };
}

/** The machines a batch prepares, one per configuration its read-only invocations start. */
export const batchMachines = (): PreparedMachines<PreparedStart> => new PreparedMachines();

/**
 * Runs one invocation as `hotmem qemu` in this process, its standard streams captured. With
 * `machines`, an invocation whose commands all leave the machine alone borrows the machine
 * prepared for its arguments (built by the first such invocation); any other starts its own.
 */
export async function runInvocation(invocation: Invocation, machines?: PreparedMachines<PreparedStart>): Promise<BatchRecord> {
  let stdout = '';
  let stderr = '';
  const input = invocation.qmp.map((c) => `${typeof c === 'string' ? c : JSON.stringify(c)}\n`).join('');
  const exit = await runCli(['qemu', ...invocation.args], {
    out: (text) => (stdout += text),
    err: (text) => (stderr += text),
    input,
    // Signals stay the batch process's: they end the batch, not the invocation running.
    processSignals: false,
    ...(machines && inputLeavesMachineAlone(input) ? { machines } : {}),
  });
  return { exit, stdout, stderr, ...transcriptMessages(stdout) };
}

/**
 * Transcripts read back already, by text. Invocations of one script mostly print the same
 * transcript (the greeting, empty returns, SHUTDOWN), and the messages are frozen, so records
 * share them safely. Bounded: a batch of distinct transcripts starts the cache over.
 */
const readBack = new Map<string, Pick<BatchRecord, 'replies' | 'events'>>();
const READ_BACK_LIMIT = 1024;

/** The QMP replies and events of a transcript: the monitor's output read back as messages. */
function transcriptMessages(stdout: string): Pick<BatchRecord, 'replies' | 'events'> {
  let found = readBack.get(stdout);
  if (!found) {
    const replies: unknown[] = [];
    const events: unknown[] = [];
    // Any wording of parse errors will do: only the values count.
    const parser = new JsonMessageParser(CLASSIC, (m) => {
      if (m.kind !== 'value') return;
      const message = toPlain(m.value, true);
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
      if ('event' in message) events.push(deepFreeze(message));
      else if ('return' in message || 'error' in message) replies.push(deepFreeze(message));
    });
    parser.feed(Buffer.from(stdout, 'utf8'));
    found = { replies: Object.freeze(replies), events: Object.freeze(events) };
    if (readBack.size >= READ_BACK_LIMIT) readBack.clear();
    readBack.set(stdout, found);
  }
  return found;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/**
 * A record as one JSON line. Integers past 2^53 in replies (an echoed `id`, a uint64 property)
 * are bigints, written digit for digit as the monitor wrote them; JSON.stringify refuses them.
 */
export function recordLine(record: BatchRecord): string {
  return `${plainJson(record)}\n`;
}

function plainJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(plainJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${plainJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const LINE_END = /\r\n|\n|\r/;

/**
 * The lines of a batch file or stdin, split as readline splits them (a line ends at \n, \r\n or
 * \r; a last line without an end counts unless empty), without loading readline into every
 * `hotmem qemu` start.
 */
export async function* textLines(input: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    // A \r that ends the chunk may be the first half of a \r\n.
    const cut = text.endsWith('\r') ? text.length - 1 : text.length;
    const lines = text.slice(0, cut).split(LINE_END);
    text = lines.pop()! + text.slice(cut);
    yield* lines;
  }
  const last = (text + decoder.decode()).split(LINE_END);
  if (last.at(-1) === '') last.pop();
  yield* last;
}

/** Runs every invocation of `lines` (JSON Lines; blank lines are skipped) in input order. */
export async function* runBatch(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<BatchOutcome> {
  const machines = batchMachines();
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const parsed = parseInvocation(text);
    if (!parsed.ok) yield { kind: 'bad-line', line, error: `line ${line}: ${parsed.problem}` };
    else yield { kind: 'ran', line, record: await runInvocation(parsed.invocation, machines) };
  }
}
