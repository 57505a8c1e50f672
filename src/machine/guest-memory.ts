/**
 * Guest-physical memory of a machine, as its guest accesses it: an address is routed to the
 * RAMBlock behind it (initial RAM through the RAM layout, or a memory device's region) and the
 * access runs on that block's host mapping, where the host model decides what it costs.
 */
import type { GuestAccess, GuestMemoryPort } from '../guest/memory-port.js';
import type { Mapping } from '../host/mapping.js';
import type { Machine } from './machine.js';
import { deviceRamPieces } from './ram-map.js';

/** One stretch of guest-physical memory backed by one mapping. */
interface Stretch {
  readonly gpa: number;
  readonly length: number;
  readonly mapping: Mapping;
  readonly offset: number;
}

export class MachineGuestMemory implements GuestMemoryPort {
  constructor(readonly machine: Machine) {}

  read(gpa: number, length: number): GuestAccess {
    return this.#each(gpa, length, (s) => s.mapping.read(s.offset, s.length));
  }

  write(gpa: number, length: number, tag: number): GuestAccess {
    return this.#each(gpa, length, (s) => s.mapping.write(s.offset, s.length, tag));
  }

  zero(gpa: number, length: number): GuestAccess {
    return this.#each(gpa, length, (s) => s.mapping.write(s.offset, s.length, 0));
  }

  #each(gpa: number, length: number, access: (s: Stretch) => ReturnType<Mapping['read']>): GuestAccess {
    let rssDelta = 0;
    for (const stretch of this.#route(gpa, length)) {
      if (stretch.mapping === undefined) return { kind: 'fault', gpa: stretch.gpa, reason: 'no memory at this address' };
      const outcome = access(stretch);
      rssDelta += outcome.delta.rssAnon + outcome.delta.rssFile + outcome.delta.rssShmem;
      switch (outcome.kind) {
        case 'done':
          break;
        case 'blocked':
          return { kind: 'blocked', gpa: stretch.gpa - stretch.offset + outcome.offset };
        case 'sigbus':
        case 'sigsegv':
          return { kind: 'fault', gpa: stretch.gpa - stretch.offset + outcome.offset, reason: outcome.reason };
        default: {
          const exhaustive: never = outcome;
          return exhaustive;
        }
      }
    }
    return { kind: 'done', rssDelta };
  }

  /** The stretches [gpa, gpa+length) covers, in address order; a hole yields a stretch without mapping. */
  *#route(gpa: number, length: number): Generator<Stretch | { gpa: number; length: number; mapping: undefined; offset: number }> {
    const areas = this.#areas();
    let at = gpa;
    const end = gpa + length;
    while (at < end) {
      const area = areas.find((a) => at >= a.gpa && at < a.gpa + a.length);
      if (!area) {
        yield { gpa: at, length: end - at, mapping: undefined, offset: 0 };
        return;
      }
      const n = Math.min(end, area.gpa + area.length) - at;
      yield { gpa: at, length: n, mapping: area.mapping, offset: area.offset + (at - area.gpa) };
      at += n;
    }
  }

  #areas(): Stretch[] {
    return [...this.machine.initialRam, ...deviceRamPieces(this.machine)].flatMap(({ gpa, length, block, offset }) =>
      block.mapping ? [{ gpa, length, mapping: block.mapping, offset }] : [],
    );
  }
}
