/**
 * A guest workload: what programs and the kernel do with guest memory, expressed as accesses
 * through the GuestMemoryPort so the host model sees (and charges) every one of them. It touches
 * (allocates and writes), reads and frees ranges of memory the page allocator manages, and reads
 * "all memory" the way a crash dump does: every segment of the ELF core header, asking the
 * kdump kernel's vmcore callbacks page block by block whether to read or to return zeros.
 * Freeing only returns pages to the guest; reporting them to the host (balloon, free page
 * reporting) is a later issue's hook.
 */
import type { GuestAccess, GuestMemoryPort } from '../memory-port.js';
import type { GuestRam } from './guest-ram.js';
import { gpaRange, rangeEnd, type GpaRange } from './ranges.js';
import type { VmcoreCallbacks } from './virtio-mem/vmcore.js';

export type WorkloadOutcome =
  | { readonly kind: 'done'; readonly access: GuestAccess }
  /** Not all of the range is memory the page allocator manages: the guest cannot use it. */
  | { readonly kind: 'not-guest-ram'; readonly range: GpaRange };

/** What a dump reads: the ELF core header's segments and the kdump kernel's vmcore callbacks. */
export interface DumpPlan {
  readonly segments: readonly GpaRange[];
  readonly vmcore: VmcoreCallbacks | undefined;
}

/** An access of the dump that did not simply complete. */
export interface DumpProblem {
  readonly range: GpaRange;
  readonly access: Exclude<GuestAccess, { kind: 'done' }>;
}

export type DumpOutcome =
  | {
      readonly kind: 'done';
      /** Bytes the dump read from guest memory. */
      readonly bytesRead: number;
      /** Bytes /proc/vmcore returned as zeros without reading (pfn_is_ram() said no). */
      readonly bytesZeroFilled: number;
      readonly problems: readonly DumpProblem[];
    }
  /** A STATE request never completed: reading /proc/vmcore blocks at this address. */
  | { readonly kind: 'hung'; readonly gpa: number; readonly bytesRead: number };

export class GuestWorkload {
  constructor(
    private readonly memory: GuestMemoryPort,
    private readonly ram: GuestRam,
  ) {}

  /** Allocates the range and writes it (data identified by `tag`). */
  touch(range: GpaRange, tag: number): WorkloadOutcome {
    if (!this.ram.isAllocatable(range)) return { kind: 'not-guest-ram', range };
    this.ram.markInUse(range);
    return { kind: 'done', access: this.memory.write(range.start, range.length, tag) };
  }

  /** Reads memory the guest has mapped (allocated or free, but managed by the page allocator). */
  read(range: GpaRange): WorkloadOutcome {
    if (!this.ram.isAllocatable(range)) return { kind: 'not-guest-ram', range };
    return { kind: 'done', access: this.memory.read(range.start, range.length) };
  }

  /** Frees the range; `zero` clears it first, as init_on_free does. */
  free(range: GpaRange, options: { readonly zero: boolean } = { zero: false }): WorkloadOutcome {
    if (!this.ram.isAllocatable(range)) return { kind: 'not-guest-ram', range };
    const access = options.zero ? this.memory.zero(range.start, range.length) : ({ kind: 'done', rssDelta: 0 } as const);
    this.ram.markFree(range);
    return { kind: 'done', access };
  }

  /** Reads every segment of a dump, as `cp /proc/vmcore` in the kdump kernel does. */
  readAll(plan: DumpPlan): DumpOutcome {
    let bytesRead = 0;
    let bytesZeroFilled = 0;
    const problems: DumpProblem[] = [];
    const read = (r: GpaRange): void => {
      const access = this.memory.read(r.start, r.length);
      bytesRead += r.length;
      if (access.kind !== 'done') problems.push({ range: r, access });
    };
    for (const segment of plan.segments) {
      for (const piece of splitByRegion(segment, plan.vmcore)) {
        if (!piece.filtered || plan.vmcore === undefined) {
          read(piece.range);
          continue;
        }
        // pfn_is_ram() is asked page by page; its answer is uniform within a device block.
        const bs = plan.vmcore.blockSize;
        for (let at = piece.range.start; at < rangeEnd(piece.range);) {
          const blockEnd = Math.min((Math.floor(at / bs) + 1) * bs, rangeEnd(piece.range));
          const answer = plan.vmcore.pfnIsRam(at);
          if (answer === 'hung') return { kind: 'hung', gpa: at, bytesRead };
          if (answer === 'ram') read(gpaRange(at, blockEnd - at));
          else bytesZeroFilled += blockEnd - at;
          at = blockEnd;
        }
      }
    }
    return { kind: 'done', bytesRead, bytesZeroFilled, problems };
  }
}

/** The parts of a segment outside and inside the region the vmcore callbacks answer for. */
function splitByRegion(segment: GpaRange, vmcore: VmcoreCallbacks | undefined): { range: GpaRange; filtered: boolean }[] {
  if (vmcore === undefined) return [{ range: segment, filtered: false }];
  const cuts = [segment.start, rangeEnd(segment), vmcore.region.start, rangeEnd(vmcore.region)]
    .filter((x) => x >= segment.start && x <= rangeEnd(segment))
    .sort((a, b) => a - b);
  const out: { range: GpaRange; filtered: boolean }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    if (start === end) continue;
    out.push({ range: gpaRange(start, end - start), filtered: start >= vmcore.region.start && end <= rangeEnd(vmcore.region) });
  }
  return out;
}
