import type { CliIo } from './command.js';

/** The CliIo of the hotmem process itself: its standard streams. */
export const processIo = (): CliIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: process.stdin,
  stdout: process.stdout,
});
