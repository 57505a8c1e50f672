/** What the `hotmem` bundle exports to its loader (bin.cts): the command and the process's streams. */
export { runCli } from '../src/cli/app.js';
export { processIo } from '../src/cli/process-io.js';
