/**
 * Guest-physical memory of a machine, as its guest accesses it: an access is cut at RAMBlock
 * boundaries (initial RAM through the RAM layout, memory devices' regions) and each piece runs on
 * its block's host mapping, where the host model decides what it costs.
 *
 * At an address without RAM the access reaches no memory: QEMU (a TCG access, or KVM's exit for a
 * GPA no memslot covers) dispatches it to unassigned memory, which reads zero and drops writes,
 * and the host spends nothing. That is `inaccessible`, not a fault: nothing in the host failed.
 * Unplugged virtio-mem memory is not such a hole: QEMU maps the device's whole region (KVM has one
 * memslot for it), so a guest that accesses an unplugged block despite UNPLUGGED_INACCESSIBLE
 * populates it on the host like any RAM (qemu.md §3.3: nothing checks plugged state on access).
 * `fault` stays for what the host mapping refuses (SIGBUS, SIGSEGV).
 */
import type { GuestAccess, GuestMemoryPort } from '../guest/memory-port.js';
import type { AccessOutcome, Mapping } from '../host/mapping.js';
import type { Machine } from './machine.js';
import { machineRamLookup, type RamLookup } from './ram-map.js';

const rssOf = (out: AccessOutcome): number => out.delta.rssAnon + out.delta.rssFile + out.delta.rssShmem;

/** A port over a RAM lookup, taken afresh per access because memory devices come and go. */
export function guestMemoryPort(lookup: () => RamLookup): GuestMemoryPort {
  const access = (gpa: number, length: number, op: (mapping: Mapping, offset: number, length: number) => AccessOutcome): GuestAccess => {
    let covered = gpa;
    let rssDelta = 0;
    for (const p of lookup().pieces(gpa, length)) {
      if (p.gpa !== covered) return { kind: 'inaccessible', gpa: covered };
      covered = p.gpa + p.length;
      const mapping = p.block.mapping;
      // An object model without a host process: the RAM is there, but nothing accounts for it.
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

/** The machine's guest memory as it is now. */
export function machineGuestMemory(machine: Machine): GuestMemoryPort {
  return guestMemoryPort(() => machineRamLookup(machine));
}
