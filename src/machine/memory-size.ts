/**
 * `-m [size=]SIZE[,slots=N][,maxmem=SIZE]`: QemuOpts parsing of the "memory" group, then the
 * rules of softmmu/vl.c set_memory_options (up to 7.0) or hw/core/machine.c machine_set_mem
 * (7.1+, after -m became the machine's "memory" property). The two differ only in wording.
 */
import { HotmemError } from '../core/errors.js';
import { parseScalar } from '../core/parse/input-visitor.js';
import { parseOptions } from '../core/parse/options.js';
import { compareReleases, type Release } from '../core/release.js';
import { alignUp, MiB } from '../core/units.js';
import { machineErrors } from './errors.js';

export interface MemorySize {
  /** Initial RAM in bytes (machine->ram_size). */
  readonly ramSize: number;
  /** RAM plus room for memory devices (machine->maxram_size). */
  readonly maxRamSize: number;
  /** DIMM slots (machine->ram_slots). */
  readonly slots: number;
}

export interface MemorySizeRules {
  readonly defaultRamSize: number;
  /** MachineClass::fixup_ram_size (s390 rounds to storage increments), with its notice. */
  readonly fixupRamSize?: (size: number) => { readonly size: number; readonly notice?: string };
}

export interface ParsedMemorySize {
  readonly memory: MemorySize;
  /** Lines QEMU prints on stdout (qemu_printf), not warnings. */
  readonly notices: readonly string[];
}

const KEYS = ['size', 'slots', 'maxmem'] as const;

export function parseMemorySize(text: string | undefined, r: Release, rules: MemorySizeRules): ParsedMemorySize {
  const legacy = compareReleases(r, { major: 7, minor: 1 }) < 0;
  const options = text === undefined ? { entries: [] } : parseOptions(text, 'size');
  const values = new Map<string, string>();
  for (const { key, value } of options.entries) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new HotmemError('options.invalid-parameter', `Invalid parameter '${key}'`, { key });
    }
    values.set(key, value);
  }

  const sizeText = values.get('size');
  let ramSize = 0;
  if (sizeText !== undefined) {
    ramSize = parseScalar({ kind: 'size' }, 'size', sizeText, 'string', r).value as number;
    // A suffix-less number is MiB, for compatibility with the oldest -m syntax.
    if (/\d$/.test(sizeText)) ramSize *= MiB;
  }
  if (ramSize === 0) ramSize = rules.defaultRamSize;
  ramSize = alignUp(ramSize, 8192);
  const notices: string[] = [];
  if (rules.fixupRamSize) {
    const fixed = rules.fixupRamSize(ramSize);
    ramSize = fixed.size;
    if (fixed.notice !== undefined) notices.push(fixed.notice);
  }

  const slotsText = values.get('slots');
  let slots = 0;
  if (slotsText !== undefined) {
    try {
      slots = parseScalar({ kind: 'uint64' }, 'slots', slotsText, 'string', r).value as number;
    } catch {
      throw new HotmemError('options.expects-number', "Parameter 'slots' expects a number", {});
    }
  }
  const maxmemText = values.get('maxmem');
  if (maxmemText === undefined) {
    if (slotsText !== undefined) throw machineErrors.error('machine.slots-without-maxmem', { legacy });
    return { memory: { ramSize, maxRamSize: ramSize, slots: 0 }, notices };
  }
  const maxRamSize = parseScalar({ kind: 'size' }, 'maxmem', maxmemText, 'string', r).value as number;
  if (maxRamSize < ramSize) throw machineErrors.error('machine.maxmem-below-ram', { maxmem: maxRamSize, ram: ramSize, legacy });
  if (slots > 0 && maxRamSize === ramSize) {
    throw machineErrors.error('machine.maxmem-equals-ram-with-slots', { maxmem: maxRamSize, ram: ramSize, legacy });
  }
  return { memory: { ramSize, maxRamSize, slots }, notices };
}
