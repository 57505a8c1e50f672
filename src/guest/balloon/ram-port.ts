/**
 * A GuestMemoryPort over the machine's RAM: each access is cut at RAMBlock boundaries and goes to
 * the block's host mapping, where the host model decides what it costs. An address that is not
 * RAM is inaccessible.
 */
import type { RamLookup } from '../../../devices/virtio-balloon/ram-lookup.js';
import type { AccessOutcome, Mapping } from '../../host/mapping.js';
import type { GuestAccess, GuestMemoryPort } from '../memory-port.js';

const rssOf = (out: AccessOutcome): number => out.delta.rssAnon + out.delta.rssFile + out.delta.rssShmem;

export function ramMemoryPort(lookup: () => RamLookup): GuestMemoryPort {
  const access = (gpa: number, length: number, op: (mapping: Mapping, offset: number, length: number) => AccessOutcome): GuestAccess => {
    const pieces = lookup().pieces(gpa, length);
    let covered = gpa;
    let rssDelta = 0;
    for (const p of pieces) {
      if (p.gpa !== covered) return { kind: 'inaccessible', gpa: covered };
      covered = p.gpa + p.length;
      const mapping = p.block.mapping;
      if (!mapping) continue;
      const out = op(mapping, p.offset, p.length);
      rssDelta += rssOf(out);
      switch (out.kind) {
        case 'done':
          break;
        case 'blocked':
          return { kind: 'blocked', gpa: p.gpa + (out.offset - p.offset) };
        case 'sigbus':
        case 'sigsegv':
          return { kind: 'fault', gpa: p.gpa + (out.offset - p.offset), reason: out.reason };
        default: {
          const exhaustive: never = out;
          return exhaustive;
        }
      }
    }
    if (covered < gpa + length) return { kind: 'inaccessible', gpa: covered };
    return { kind: 'done', rssDelta };
  };
  return {
    read: (gpa, length) => access(gpa, length, (m, o, l) => m.read(o, l)),
    write: (gpa, length, tag) => access(gpa, length, (m, o, l) => m.write(o, l, tag)),
    zero: (gpa, length) => access(gpa, length, (m, o, l) => m.write(o, l, 0)),
  };
}
