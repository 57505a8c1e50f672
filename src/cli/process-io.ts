import type { CliIo } from './command.js';

/**
 * The CliIo of the hotmem process itself: its standard streams. stdin and stdout are looked up
 * when a command first uses them: creating process.stdin costs milliseconds, and only commands
 * that converse (a QMP server on stdio, a batch read from -) read it.
 */
export const processIo = (): CliIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
});
