import { writeSync } from 'node:fs';
import type { CliIo } from './command.js';

/**
 * Text for a standard stream, written to its descriptor at once. Creating process.stdout or
 * process.stderr costs milliseconds of a start (on a pipe it is a socket, with the stream
 * modules); a descriptor that cannot take the text at once (non-blocking and full) hands the
 * rest, and all text after it, to the stream, which keeps the order.
 */
function descriptorWriter(fd: number, stream: () => NodeJS.WriteStream): (text: string) => void {
  let viaStream = false;
  return (text) => {
    if (viaStream) {
      stream().write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      viaStream = true;
      stream().write(bytes.subarray(written));
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
