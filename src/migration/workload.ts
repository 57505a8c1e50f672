/**
 * What the guest (and its hosts) do while a migration runs: a stream of writes at a rate, which
 * KVM's dirty log hands to migration, and one-off actions at given times. The guest runs on the
 * source until the switchover and on the destination after it; accesses that hit a missing page
 * in a userfaultfd range wait (the vCPU is blocked) and are retried once the page arrived.
 * Deterministic: writes come from a seeded generator, times from the simulated clock.
 */
import { prng } from '../core/prng.js';
import type { HostProcess } from '../host/process.js';
import type { Mapping } from '../host/mapping.js';
import type { RemovalCause } from '../host/userfaultfd.js';

/** A byte range of one RAMBlock, by its idstr. */
export interface GuestRegion {
  readonly block: string;
  readonly offset: number;
  readonly length: number;
}

export type Side = 'source' | 'destination';

export type WorkloadAction =
  /** The guest writes the range with content `tag` (non-zero data; 0 writes zeros). */
  | { readonly kind: 'write'; readonly region: GuestRegion; readonly tag: number }
  /** The guest reads the range (a dump, a scan of all memory). */
  | { readonly kind: 'read'; readonly region: GuestRegion }
  /** The guest's first storage-key instruction: KVM enables keys for the process (s390x). */
  | { readonly kind: 'enable-storage-keys' }
  /** ESSA: the guest marks pages unused (freed) or stable (in use again) (s390x CMMA). */
  | { readonly kind: 'cmma'; readonly region: GuestRegion; readonly usage: 'unused' | 'stable' }
  /** Memory pressure on one host: reclaim runs (drops CMMA-unused pages, splits THPs). */
  | { readonly kind: 'host-reclaim'; readonly side: Side };

export interface TimedAction {
  /** Nanoseconds after migration starts. */
  readonly at: number;
  readonly action: WorkloadAction;
}

/** Writes of `writeSize` bytes at seeded random places of `regions`, `rate` bytes per second in all. */
export interface DirtyWorkload {
  readonly regions: readonly GuestRegion[];
  readonly rate: number;
  readonly writeSize: number;
  readonly seed: number;
}

export interface GuestWorkload {
  readonly dirty?: DirtyWorkload;
  readonly actions?: readonly TimedAction[];
  /** Told of every write that completed, wherever the guest ran (to check content afterwards). */
  readonly onWrite?: (write: { readonly side: Side; readonly block: string; readonly offset: number; readonly length: number; readonly tag: number }) => void;
}

/** What one action did, for the migration's report. */
export interface ActionRecord {
  readonly at: number;
  readonly side: Side;
  readonly action: WorkloadAction['kind'];
  readonly detail: string;
}

/** Something on a side that took pages away, remembered to explain a later refault. */
export interface Removal {
  readonly at: number;
  readonly side: Side;
  readonly cause: RemovalCause;
  readonly pages: number;
}

/** The side the guest runs on, as the runner needs it. */
export interface GuestSide {
  readonly side: Side;
  readonly process: HostProcess;
  mapping(block: string): Mapping;
  /** The dirty log: pages the guest wrote on this side. */
  dirtied(block: string, offset: number, length: number): void;
}

interface Pending {
  readonly kind: 'write' | 'read';
  readonly block: string;
  readonly offset: number;
  readonly length: number;
  readonly tag: number;
}

const PAGE = 4096;

export class GuestRunner {
  readonly records: ActionRecord[] = [];
  readonly removals: Removal[] = [];
  readonly #workload: GuestWorkload;
  readonly #random: () => number;
  readonly #blocked: Pending[] = [];
  readonly #total: number;
  #carry = 0;
  #nextTag: number;
  #side: GuestSide;
  /** Sides by name, for host events (reclaim happens on a host, not where the guest runs). */
  readonly #sides = new Map<Side, GuestSide>();

  constructor(workload: GuestWorkload, side: GuestSide) {
    this.#workload = workload;
    this.#random = prng(workload.dirty?.seed ?? 0);
    this.#nextTag = (((workload.dirty?.seed ?? 0) * 0x9e3779b1) >>> 8) + 1;
    this.#total = (workload.dirty?.regions ?? []).reduce((n, r) => n + r.length, 0);
    this.#side = side;
    this.#sides.set(side.side, side);
  }

  /** The switchover: from now on the guest runs on `side`. */
  moveTo(side: GuestSide): void {
    this.#side = side;
    this.#sides.set(side.side, side);
  }

  /** Makes a side known for host events before the guest runs there. */
  know(side: GuestSide): void {
    this.#sides.set(side.side, side);
  }

  /** The guest runs for `ns`: the dirty workload writes its share. */
  run(ns: number): void {
    const d = this.#workload.dirty;
    if (!d || this.#total === 0) return;
    this.#carry += (d.rate * ns) / 1e9;
    while (this.#carry >= d.writeSize) {
      this.#carry -= d.writeSize;
      const { block, offset } = this.#pick(d);
      const region = d.regions.find((r) => r.block === block && offset >= r.offset && offset < r.offset + r.length)!;
      const length = Math.min(d.writeSize, region.offset + region.length - offset);
      this.#access({ kind: 'write', block, offset, length, tag: this.#tag() });
    }
  }

  /** Retries accesses that waited for a page; returns how many still wait. */
  retry(): number {
    const waiting = this.#blocked.splice(0);
    for (const p of waiting) this.#access(p);
    return this.#blocked.length;
  }

  act(at: number, action: WorkloadAction): void {
    const side = action.kind === 'host-reclaim' ? this.#sides.get(action.side) : this.#side;
    if (!side) return;
    const record = (detail: string) => this.records.push({ at, side: side.side, action: action.kind, detail });
    switch (action.kind) {
      case 'write':
        this.#access({ kind: 'write', block: action.region.block, offset: action.region.offset, length: action.region.length, tag: action.tag });
        record(`wrote ${action.region.length} bytes of ${action.region.block} at ${action.region.offset}`);
        return;
      case 'read':
        this.#access({ kind: 'read', block: action.region.block, offset: action.region.offset, length: action.region.length, tag: 0 });
        record(`read ${action.region.length} bytes of ${action.region.block} at ${action.region.offset}`);
        return;
      case 'enable-storage-keys': {
        const out = side.process.enableStorageKeys();
        if (out.kind === 'error') {
          record(`enabling storage keys failed: ${out.errno}`);
          return;
        }
        if (out.zappedPages > 0) this.removals.push({ at, side: side.side, cause: 'storage-keys', pages: out.zappedPages });
        record(`storage keys enabled: ${out.zappedPages} zeropage PTEs zapped, ${out.unsharedPages} unshared`);
        return;
      }
      case 'cmma':
        side.mapping(action.region.block).cmmaSetUsage(action.region.offset, action.region.length, action.usage);
        record(`ESSA: ${action.region.length / PAGE} pages ${action.usage}`);
        return;
      case 'host-reclaim': {
        const out = side.process.host.reclaim();
        if (out.cmmaDroppedPages > 0) this.removals.push({ at, side: side.side, cause: 'cmma-discard', pages: out.cmmaDroppedPages });
        record(`reclaim dropped ${out.cmmaDroppedPages} CMMA-unused pages, host ${out.hostDelta} bytes`);
        return;
      }
      default: {
        const exhaustive: never = action;
        return exhaustive;
      }
    }
  }

  #access(p: Pending): void {
    const side = this.#side;
    const mapping = side.mapping(p.block);
    const out = p.kind === 'write' ? mapping.write(p.offset, p.length, p.tag, { by: 'vcpu' }) : mapping.read(p.offset, p.length, { by: 'vcpu' });
    // A stopped access did every page before the one it stopped at.
    const doneUpTo = out.kind === 'done' ? p.offset + p.length : out.offset;
    if (p.kind === 'write' && doneUpTo > p.offset) {
      side.dirtied(p.block, p.offset, doneUpTo - p.offset);
      this.#workload.onWrite?.({ side: side.side, block: p.block, offset: p.offset, length: doneUpTo - p.offset, tag: p.tag });
    }
    if (out.kind === 'blocked') this.#blocked.push({ ...p, offset: out.offset, length: p.offset + p.length - out.offset });
  }

  #pick(d: DirtyWorkload): { block: string; offset: number } {
    let at = Math.floor(this.#random() * (this.#total / PAGE)) * PAGE;
    for (const r of d.regions) {
      if (at < r.length) return { block: r.block, offset: r.offset + at };
      at -= r.length;
    }
    const last = d.regions[d.regions.length - 1]!;
    return { block: last.block, offset: last.offset + last.length - PAGE };
  }

  #tag(): number {
    const tag = this.#nextTag;
    this.#nextTag = this.#nextTag >= 0xfffffffe ? 1 : this.#nextTag + 1;
    return tag;
  }
}
