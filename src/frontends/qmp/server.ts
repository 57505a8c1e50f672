/**
 * QMP transports: the process's stdio (`-qmp stdio`) or a unix socket listening for one client
 * at a time (`-qmp unix:PATH,server=on,wait=off`). Each connection gets its own session and
 * greeting, as QEMU's chardev-backed monitor does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { unlinkSync, existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { doubleFormat, qmpLine } from './json.js';
import { CLASSIC, jsonErrorStyle, type JsonErrorStyle } from './json-parser.js';
import { JsonMessageParser, type JsonMessage } from './json-streamer.js';
import { QDict } from './qobject.js';
import { leavesMachineAlone, QmpSession, type QmpCommand, type QmpContext } from './session.js';

/** Runs one QMP conversation over a readable stream and a writable (a stream, or a descriptor's writer) until quit or end of input. */
export function serveStream(
  ctx: QmpContext,
  commands: readonly QmpCommand[],
  input: Readable,
  output: { write(text: string): unknown },
  pretty: boolean,
): Promise<void> {
  return new Promise((resolve) => {
    // QEMU's lexer reads bytes, not characters: a chunk may end inside a UTF-8 sequence.
    const onData = (chunk: Buffer | string) => conversation.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    const conversation = converse(
      ctx,
      commands,
      (text) => output.write(text),
      pretty,
      () => {
        input.off('data', onData);
        resolve();
      },
    );
    input.on('data', onData);
    input.once('end', conversation.end);
    // A client that vanishes without ending its side frees the monitor as well.
    input.once('close', conversation.end);
  });
}

/**
 * Runs one QMP conversation over input known in full before it starts (a `--batch`
 * invocation's commands): as a stream that delivers it in one chunk and ends, without one.
 */
export function serveInput(ctx: QmpContext, commands: readonly QmpCommand[], input: string, write: (text: string) => void, pretty: boolean): Promise<void> {
  return new Promise((resolve) => {
    const conversation = converse(ctx, commands, write, pretty, resolve);
    conversation.receive(inputMessages(jsonErrorStyle(ctx.machine.release), input));
    conversation.end();
  });
}

/**
 * Inputs read already (sent as UTF-8), by error style and text: a batch sends the same commands to many
 * invocations, and reading them (QEMU's lexer, byte by byte) cost more than answering them.
 * Reading depends on nothing else, and messages are not changed once read. Bounded: a batch of
 * distinct inputs starts the cache over. This cache is the module's only state.
 */
const readInputs = new Map<JsonErrorStyle, Map<string, readonly JsonMessage[]>>();
const READ_INPUTS_LIMIT = 1024;

function inputMessages(style: JsonErrorStyle, input: string): readonly JsonMessage[] {
  let byText = readInputs.get(style);
  if (!byText) {
    byText = new Map();
    readInputs.set(style, byText);
  }
  let messages = byText.get(input);
  if (!messages) {
    const read: JsonMessage[] = [];
    new JsonMessageParser(style, (message) => read.push(message)).feed(Buffer.from(input, 'utf8'));
    messages = read;
    if (byText.size >= READ_INPUTS_LIMIT) byText.clear();
    byText.set(input, messages);
  }
  return messages;
}

/**
 * Whether a conversation over `input` (known in full) can change the machine: not when no
 * message names a command that may (as `execute` or `exec-oob`, whichever the session takes).
 * Messages are read as the session reads them; error wording does not decide what is a message.
 */
export function inputLeavesMachineAlone(input: string): boolean {
  return inputMessages(CLASSIC, input).every(
    (m) =>
      m.kind === 'error' ||
      !(m.value instanceof QDict) ||
      m.value.entries().every(([member, value]) => (member !== 'execute' && member !== 'exec-oob') || typeof value !== 'string' || leavesMachineAlone(value)),
  );
}

/** A conversation's session and the messages waiting for it; `finished` runs once, at quit or end of input. */
function converse(
  ctx: QmpContext,
  commands: readonly QmpCommand[],
  write: (text: string) => void,
  pretty: boolean,
  finished: () => void,
): { feed(bytes: Uint8Array): void; receive(messages: readonly JsonMessage[]): void; readonly end: () => void } {
  const style = { pretty, doubles: doubleFormat(ctx.machine.release) };
  const session = new QmpSession(ctx, commands, (message) => write(qmpLine(message, style)));
  write(qmpLine(session.greeting(), style));
  const waiting: JsonMessage[] = [];
  // Input known beforehand arrives read already (receive), without a parser.
  let parser: JsonMessageParser | undefined;
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    session.close();
    finished();
  };
  const drain = () => {
    while (waiting.length > 0 && !session.closed) {
      const held = ctx.inputHeld?.();
      if (held) {
        void held.then(drain);
        return;
      }
      session.handleMessage(waiting.shift()!);
    }
    if (session.closed) end();
  };
  return {
    feed(bytes) {
      (parser ??= new JsonMessageParser(jsonErrorStyle(ctx.machine.release), (message) => waiting.push(message))).feed(bytes);
      drain();
    },
    /** Messages read from bytes beforehand, as `feed` would have read them. */
    receive(messages) {
      waiting.push(...messages);
      drain();
    },
    end,
  };
}

/**
 * Listens on a unix socket (a path, or an fd already listening that the parent passed, as libvirt
 * passes its monitor socket); `done` resolves once a client has asked to quit, `close` ends every
 * connection (the process is going away). As QEMU's socket chardev, the monitor serves one client
 * at a time: a later client is connected but hears nothing (its input waits) until the ones
 * before it have gone, then gets its own greeting and session.
 */
export function serveUnixSocket(
  ctx: QmpContext,
  commands: readonly QmpCommand[],
  listenOn: string | { readonly fd: number },
  pretty: boolean,
): { server: Server; done: Promise<void>; close(): void } {
  if (typeof listenOn === 'string' && existsSync(listenOn)) unlinkSync(listenOn);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const sockets = new Set<Socket>();
  const waiting: Socket[] = [];
  let serving: Socket | undefined;
  const serveNext = () => {
    serving = undefined;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- serve() sets serving; TypeScript keeps it narrowed to undefined
    while (waiting.length > 0 && !serving) {
      const next = waiting.shift()!;
      if (!next.destroyed) serve(next);
    }
  };
  const serve = (socket: Socket) => {
    serving = socket;
    void serveStream(ctx, commands, socket, socket, pretty).then(() => {
      socket.end();
      if (ctx.quitRequested()) {
        server.close();
        finished();
        return;
      }
      serveNext();
    });
    // Input that arrived while the client waited was held by the paused socket.
    socket.resume();
  };
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (serving) waiting.push(socket);
    else serve(socket);
  });
  server.listen(typeof listenOn === 'string' ? listenOn : { fd: listenOn.fd });
  const close = () => {
    server.close();
    for (const socket of sockets) socket.destroy();
  };
  return { server, done, close };
}
