import { writeSync } from 'node:fs';
import type { CliIo } from './command.js';

/**
 * Text for a standard stream, written to its descriptor at once. Creating process.stdout or
 * process.stderr costs milliseconds of a start (on a pipe it is a socket, with the stream
 * modules); a descriptor that cannot take the text at once (non-blocking and full) hands the
 * rest, and all text after it, to the stream, which keeps the order.
 *
 * QEMU ignores SIGPIPE: once the reader of a stream has gone (`hotmem qemu ... | head`), its
 * writes fail and it carries on (a QMP client's `quit` still ends it with status 0). Node's
 * write fails the same way, with EPIPE: the text is dropped, as QEMU's is, and so is all text
 * after it.
 */
function descriptorWriter(fd: number, stream: () => NodeJS.WriteStream): (text: string) => void {
  let sink: 'descriptor' | 'stream' | 'gone' = 'descriptor';
  const toStream = (data: string | Uint8Array): void => {
    const s = stream();
    if (sink !== 'stream') {
      sink = 'stream';
      s.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE') throw e;
        sink = 'gone';
      });
    }
    s.write(data);
  };
  return (text) => {
    if (sink === 'gone') return;
    if (sink === 'stream') {
      toStream(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') sink = 'gone';
      else if (code === 'EAGAIN') toStream(bytes.subarray(written));
      else throw e;
    }
  };
}

/**
 * The CliIo of the hotmem process itself: its standard streams. stdin and stdout are looked up
 * when a command first uses them: creating process.stdin costs milliseconds, and only commands
 * that converse (a QMP server on stdio, a batch read from -) read it.
 */
export const processIo = (): CliIo => ({
  out: descriptorWriter(1, () => process.stdout),
  err: descriptorWriter(2, () => process.stderr),
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
});
