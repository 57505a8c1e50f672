#!/usr/bin/env node
import { runCli } from './app.js';
import { processIo } from './process-io.js';

void runCli(process.argv.slice(2), processIo()).then((status) => {
  process.exitCode = status;
});
