/**
 * QMP transports: the process's stdio (`-qmp stdio`) or a unix socket listening for one client
 * at a time (`-qmp unix:PATH,server=on,wait=off`). Each connection gets its own session and
 * greeting, as QEMU's chardev-backed monitor does.
 */
import { createServer, type Server } from 'node:net';
import { unlinkSync, existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { JsonStreamSplitter, qmpLine } from './json.js';
import { QmpSession, type QmpCommand, type QmpContext } from './session.js';

/** Runs one QMP conversation over a readable/writable pair until quit or end of input. */
export function serveStream(ctx: QmpContext, commands: readonly QmpCommand[], input: Readable, output: Writable, pretty: boolean): Promise<void> {
  return new Promise((resolve) => {
    const session = new QmpSession(ctx, commands, (message) => output.write(qmpLine(message, pretty)));
    output.write(qmpLine(session.greeting(), pretty));
    const splitter = new JsonStreamSplitter();
    const finish = () => {
      session.close();
      input.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      for (const text of splitter.push(chunk.toString())) {
        session.handle(text);
        if (session.closed) break;
      }
      if (session.closed) finish();
    };
    input.on('data', onData);
    input.once('end', finish);
  });
}

/** Listens on a unix socket; resolves once a client has asked to quit. */
export function serveUnixSocket(ctx: QmpContext, commands: readonly QmpCommand[], path: string, pretty: boolean): { server: Server; done: Promise<void> } {
  if (existsSync(path)) unlinkSync(path);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const server = createServer((socket) => {
    void serveStream(ctx, commands, socket, socket, pretty).then(() => {
      socket.end();
      if (ctx.quitRequested()) {
        server.close();
        finished();
      }
    });
  });
  server.listen(path);
  return { server, done };
}
