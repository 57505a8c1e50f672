/** Every `hotmem` subcommand, in the order `hotmem --help` lists them. */
import type { Command } from './command.js';

export const COMMANDS: readonly Command[] = [];
