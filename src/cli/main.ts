#!/usr/bin/env node
import { runCli } from './app.js';

const status = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: process.stdin,
  stdout: process.stdout,
});
process.exitCode = status;
