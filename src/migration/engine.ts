/**
 * Live migration of one machine to another on a second host (migration/migration.c,
 * migration/ram.c, migration/postcopy-ram.c, migration/savevm.c; QEMU 7.2 unless noted).
 *
 * The migration runs as jobs on the source machine's scheduler: one job per 100 ms rate-limit
 * window (BUFFER_DELAY) and the guest workload's ticks in between, so the guest keeps dirtying
 * memory while pages are in flight. Every other clock involved (the destination machine's, both
 * hosts') is kept level with the source's.
 *
 * Setup: with postcopy-ram the destination is advised (userfaultfd probed, all RAM discarded);
 * it checks the RAM block list; early_setup sections (virtio-mem-device-early) load. Precopy:
 * the bitmap walk sends dirty pages at the rate limit; when what is left fits the downtime budget
 * the bitmap is synced again, and if it still fits the VM stops for the final pages and the
 * device state, sent at full link speed. Postcopy: the VM stops, every page still dirty is
 * discarded on the destination, which registers userfaultfd, loads the device state and runs;
 * its faults are requested from the source while the rest is pushed in the background at link
 * speed (max-postcopy-bandwidth is unlimited by default). A fault on a page the source already
 * sent is never answered: that is reported as a hang, with its cause.
 */
import { HotmemError, type Warning } from '../core/errors.js';
import type { SimulatedClock } from '../core/clock.js';
import { hex } from '../core/units.js';
import type { Machine } from '../machine/machine.js';
import { discardRange } from '../machine/ram-discard.js';
import { vmStart, vmStop, type RunState } from '../machine/run-state.js';
import { strerror } from '../host/errno.js';
import type { Userfaultfd } from '../host/userfaultfd.js';
import { compareReleases, release, type Release } from '../core/release.js';
import { ramSaveFailure } from './source-report.js';
import {
  loadFailure,
  loadSections,
  ramLoadFailure,
  registeredSections,
  saveSections,
  sectionWireBytes,
  type LoadFailure,
  type Section,
  savesEarlySetupFirst,
} from './device-state.js';
import { migrationErrors } from './errors.js';
import { FREE_PAGE_HINTING } from './free-page-hints.js';
import { hangEra } from './hang.js';
import { MIGRATION_INFO, newMigrationInfo, setMigrationStatus, type MigrationInfo, type MigrationStatus } from './info.js';
import { passesThroughFailing } from './qapi-data.js';
import { resolveOptions, type MigrateOptions, type ResolvedOptions } from './options.js';
import type { FailureReason, HangCause, HostSample, MigrationOutcome, SideReport, TransferStats } from './outcome.js';
import { PageRanges } from './page-ranges.js';
import { blockListBytes, discardedPages, matchBlocks, matchFirmwareBlocks, migratableBlocks, type MigratableBlock } from './ram-blocks.js';
import { placePostcopy, placePrecopy, placeZeroPostcopy, RamStream, TARGET_PAGE_SIZE, type BlockPair } from './ram-transfer.js';
import { postcopyHostProblem } from './postcopy-support.js';
import { s390SkeysSection } from './s390-skeys.js';
import { migrationEventsEnabled } from './settings.js';
import type { LoadContext } from './vmstate.js';
import { GuestRunner, type GuestSide, type Side, type TimedAction } from './workload.js';

/** BUFFER_DELAY: QEMU rate-limits the stream in 100 ms windows. */
const WINDOW_NS = 100e6;
/** How often the guest workload writes. */
const TICK_NS = 10e6;
/** Postcopy discard commands: a header per range (postcopy_discard_send_range). */
const DISCARD_RANGE_BYTES = 16;
/** Errors of a page on its way that end the migration (the rest are model bugs and propagate). */
const STREAM_FAULTS: ReadonlySet<string> = new Set(['migration.source-read', 'migration.destination-write', 'migration.postcopy-place']);
/** Jobs the scheduler may run for one migration before the model calls it a livelock. */
const MAX_JOBS = 50_000_000;

/**
 * Whether a source of release `r` decides the switchover on a sync of its own: observed on
 * Debian's 11.1.3 (its source was not at hand), where the setup sync is counted but not announced,
 * and when what is pending is under the threshold (or nothing is) the bitmap is synced and
 * announced, and if it still is, the VM stops and completes without syncing again. A paused VM
 * therefore always announces one pass, 2, before `device`, however long the migration takes (10.0:
 * pass 1, then pass 2 at completion, and a pass between when an iteration synced). 11.0 is taken
 * as 10.2, as the development tree of February 2026 still announces every sync and syncs at
 * completion.
 */
export const syncsBeforeSwitchover = (r: Release): boolean => compareReleases(r, release('11.1')) >= 0;

/**
 * What query-migrate's ram.transferred counts: from 8.2 every byte on the stream
 * (migration_transferred_bytes, 897fd8bdce), before it only the RAM pages' bytes with their
 * block names and end-of-section markers (ram_counters.transferred), not the block list the
 * setup sends nor any device's state, as real 5.2 and 7.2 give it.
 */
export const transferredCountsWholeStream = (r: Release): boolean => compareReleases(r, release('8.2')) >= 0;

/** Migrates `src` to `dst`; both are started machines, the destination fresh (as with -incoming). */
export function migrate(src: Machine, dst: Machine, options: MigrateOptions): MigrationOutcome {
  return new Migration(src, dst, resolveOptions(options)).run();
}

interface SideState {
  readonly machine: Machine;
  readonly info: MigrationInfo;
  readonly statuses: MigrationStatus[];
  readonly samples: HostSample[];
  readonly warnings: Warning[];
  readonly errors: string[];
  readonly guest: GuestSide;
  exited: boolean;
}

type Phase = 'setup' | 'precopy' | 'switching' | 'postcopy' | 'finished';

class Migration {
  readonly #src: SideState;
  readonly #dst: SideState;
  readonly #o: ResolvedOptions;
  readonly #stream = new RamStream();
  readonly #pairs: BlockPair[] = [];
  readonly #runner: GuestRunner;
  readonly #clocks: SimulatedClock[];
  /** Workload actions not yet scheduled, by time. */
  readonly #actions: TimedAction[];
  #phase: Phase = 'setup';
  readonly #start: number;
  #setupDone: number | undefined;
  #stoppedAt: number | undefined;
  /** vm_was_running: a stopped source migrates without a running guest and stays stopped after a failure. */
  readonly #wasRunning: boolean;
  /** The source's run state when it stopped for the switch (the global state it sends). */
  #stoppedFrom: RunState | undefined;
  #deviceBytes = 0;
  /** The firmware blocks' used lengths: ram_bytes_total counts them with guest RAM. */
  #firmwareBytes = 0;
  #precopyWindows = 0;
  #setupBytes = 0;
  #precopyBytes = 0;
  #downtimeBytes = 0;
  #postcopyBytes = 0;
  #syncs = 0;
  #requests = 0;
  #skipped = 0;
  #hinted = 0;
  #downtimeNs = 0;
  #outcome: MigrationOutcome | undefined;

  constructor(
    readonly source: Machine,
    readonly destination: Machine,
    options: ResolvedOptions,
  ) {
    this.#o = options;
    this.#clocks = [...new Set([source.clock, destination.clock, source.process.host.clock, destination.process.host.clock])];
    this.#start = Math.max(...this.#clocks.map((c) => c.now()));
    this.#wasRunning = source.running;
    // The destination is taken as started with -incoming: it never ran, so nothing stops.
    destination.runState = 'inmigrate';
    this.#src = this.#side(source, 'source');
    this.#dst = this.#side(destination, 'destination');
    this.#runner = new GuestRunner(options.workload, this.#src.guest);
    this.#actions = [...(options.workload.actions ?? [])].sort((a, b) => a.at - b.at);
    this.#runner.know(this.#dst.guest);
  }

  run(): MigrationOutcome {
    this.#level(this.#start);
    this.#sample();
    this.#setup();
    if (this.#phase !== 'finished') {
      const scheduler = this.source.scheduler;
      scheduler.after(0, () => this.#window());
      scheduler.after(0, () => this.#tick());
      const idle = scheduler.runUntilIdle(MAX_JOBS);
      if (idle.kind === 'step-limit') throw new Error(`internal: migration did not finish within ${MAX_JOBS} scheduler jobs`);
    }
    if (!this.#outcome) throw new Error('internal: migration ended without an outcome');
    return this.#outcome;
  }

  // ---- setup ------------------------------------------------------------------------------------------

  #setup(): void {
    // qmp_migrate announces SETUP itself before it connects; a migration begun here has not.
    if (this.#src.info.status !== 'setup') this.#status(this.#src, 'setup');
    this.#status(this.#dst, 'active');
    const postcopy = this.#o.postcopy !== undefined;
    const hostPage = this.source.process.host.arch.basePageSize;
    const srcBlocks = migratableBlocks(this.source);
    const dstBlocks = migratableBlocks(this.destination);
    const firmware = this.source.firmwareBlocks();
    // ram_init_bitmaps: everything dirty, first sync, on the source before the destination answers.
    this.#syncs = 1;
    if (!syncsBeforeSwitchover(this.source.release)) this.#announcePass();
    this.#setupBytes += blockListBytes(srcBlocks, firmware, postcopy, hostPage);
    if (postcopy) {
      const refused = this.#advisePostcopy(dstBlocks);
      if (refused) {
        this.#failIncoming('postcopy-unsupported', refused);
        return;
      }
    }
    const early = this.#sections(this.source).filter((s) => s.earlySetup);
    const earlyFirst = savesEarlySetupFirst(this.source.release);
    if (earlyFirst && !this.#transferSections(early, postcopy ? 'advised' : 'none')) return;
    let matched: MigratableBlock[];
    try {
      matched = matchBlocks(srcBlocks, dstBlocks, postcopy, this.destination.process.host.arch.basePageSize);
      matchFirmwareBlocks(firmware, this.destination.firmwareBlocks());
    } catch (e) {
      this.#rethrowUnless(e, () => this.#failIncoming('ram-block-list', ramLoadFailure(e as HotmemError, this.destination.release)));
      return;
    }
    srcBlocks.forEach((b, i) => {
      const skip = discardedPages(b);
      const toSend = PageRanges.of(0, b.pageCount);
      toSend.removeAll(skip);
      this.#skipped += (skip.pages * b.pageSize) / TARGET_PAGE_SIZE;
      this.#pairs.push({ src: b, dst: matched[i]!, toSend, dirtyLog: new PageRanges(), skip, received: new PageRanges(), postcopy: undefined });
    });
    if (!earlyFirst && !this.#transferSections(early, postcopy ? 'advised' : 'none')) return;
    this.#firmwareBytes = firmware.reduce((n, b) => n + b.usedLength, 0);
    for (const b of firmware) this.#stream.sendFirmware(b);
    this.#hints('round');
    this.#setupDone = this.#now();
    this.#phase = 'precopy';
    this.#status(this.#src, 'active');
  }

  /**
   * POSTCOPY_INCOMING_ADVISE, sent before anything else: postcopy_ram_supported_by_host, then
   * init_range discards every block of the destination.
   */
  #advisePostcopy(blocks: readonly MigratableBlock[]): LoadFailure | undefined {
    const unsupported = postcopyHostProblem(this.destination, blocks);
    if (unsupported) return loadFailure(unsupported, undefined, false);
    const basePage = this.destination.process.host.arch.basePageSize;
    for (const b of blocks) discardRange(b.block, 0, b.block.size, basePage);
    return undefined;
  }

  // ---- the rate-limit window ---------------------------------------------------------------------------

  #window(): void {
    if (this.#phase === 'finished' || this.#phase === 'switching') return;
    const now = this.#now();
    this.#level(now);
    try {
      if (this.#phase === 'precopy') this.#precopyWindow(now);
      else this.#postcopyWindow();
    } catch (e) {
      // Only a page that could not be read or placed ends the migration; anything else is a bug.
      if (!(e instanceof HotmemError) || !STREAM_FAULTS.has(e.code)) throw e;
      this.#failMidStream(e);
    }
    this.#sample();
    if (this.#phase === 'precopy' || this.#phase === 'postcopy') this.source.scheduler.after(WINDOW_NS, () => this.#window());
  }

  /** The guest's tick: its share of writes, and the actions due before the next tick, each at its own time. */
  #tick(): void {
    if (this.#phase === 'finished') return;
    const scheduler = this.source.scheduler;
    const now = this.#now();
    this.#level(now);
    if (this.#guestRuns()) this.#runner.run(TICK_NS);
    while (this.#actions.length > 0 && this.#start + this.#actions[0]!.at < now + TICK_NS) {
      const a = this.#actions.shift()!;
      scheduler.after(Math.max(0, Math.round(this.#start + a.at - now)), () => {
        if (this.#phase === 'finished') return;
        // A stopped guest does nothing; host events happen regardless.
        if (a.action.kind !== 'host-reclaim' && !this.#guestRuns()) return;
        this.#level(this.#now());
        this.#runner.act(this.#now() - this.#start, a.action);
      });
    }
    scheduler.after(TICK_NS, () => this.#tick());
  }

  /** The guest runs until the source stops, and again once it runs on the destination. */
  #guestRuns(): boolean {
    return this.#wasRunning && (this.#stoppedAt === undefined || this.#phase === 'postcopy');
  }

  #precopyWindow(now: number): void {
    this.#hints('take');
    let budget = (this.#o.rateLimit * WINDOW_NS) / 1e9;
    // threshold_size is 0 until migration_update_counters first measures, after one window.
    const threshold = this.#precopyWindows++ === 0 ? 0 : this.#threshold();
    for (;;) {
      // migration_iteration_run: ram_save_pending syncs the bitmap when what is pending is under
      // the threshold; nothing pending, or still under it, and the migration completes. From
      // 11.1 nothing pending is a reason to sync too, and that sync is the last.
      const syncFirst = syncsBeforeSwitchover(this.source.release);
      const done = () => this.#pending() === 0 || this.#pending() < threshold;
      const under = this.#pending() < threshold || (syncFirst && this.#pending() === 0);
      if (under) this.#sync();
      if (done()) {
        this.#completePrecopy(!syncFirst);
        return;
      }
      if (under && this.#syncs > this.#o.maxDirtySyncs) {
        this.#giveUp();
        return;
      }
      if (this.#o.postcopy && now - (this.#setupDone ?? now) >= this.#o.postcopy.startAfter) {
        this.#startPostcopy();
        return;
      }
      if (budget <= 0) return;
      const pair = this.#pairs.find((p) => !p.toSend.empty);
      if (!pair) {
        const eos = this.#stream.endIteration();
        budget -= eos;
        this.#precopyBytes += eos;
        continue;
      }
      const [s, e] = this.#stream.plan(pair, budget)!;
      const { runs, bytes } = this.#stream.send(pair, s, e);
      pair.toSend.remove(s, e);
      placePrecopy(pair, runs);
      budget -= bytes;
      this.#precopyBytes += bytes;
    }
  }

  /**
   * migration_bitmap_sync: the dirty log joins the bitmap and discarded pages leave it; while
   * iterating, free page hinting starts a new round (PRECOPY_NOTIFY_AFTER_BITMAP_SYNC).
   */
  #sync(newRound = true): void {
    for (const p of this.#pairs) {
      p.toSend.addAll(p.dirtyLog);
      p.dirtyLog.clear();
      p.toSend.removeAll(p.skip);
    }
    this.#syncs++;
    this.#announcePass();
    if (newRound) this.#hints('round');
  }

  #pending(): number {
    return this.#pairs.reduce((n, p) => n + p.toSend.pages * p.src.pageSize, 0);
  }

  #threshold(): number {
    return (this.#o.rateLimit * this.#o.downtimeLimitNs) / 1e9;
  }

  /** Free page hinting (off with postcopy-ram): start a round, or clear what the guest reported. */
  #hints(what: 'round' | 'take' | 'stop'): void {
    if (this.#o.postcopy) return;
    const model = this.source.model;
    for (const obj of model.objectsOfType('device')) {
      const hinting = model.view.implementation(obj.type, FREE_PAGE_HINTING);
      if (!hinting || !obj.realized) continue;
      if (what === 'round') hinting.roundStarted(obj);
      else if (what === 'stop') hinting.stopped(obj);
      else {
        for (const h of hinting.takeHints(obj)) {
          const pair = this.#pairs.find((p) => p.src.idstr === h.idstr);
          if (!pair) continue;
          const ps = pair.src.pageSize;
          const s = Math.ceil(h.offset / ps);
          const e = Math.floor((h.offset + h.length) / ps);
          const before = pair.toSend.pages;
          pair.toSend.remove(s, e);
          this.#hinted += ((before - pair.toSend.pages) * ps) / TARGET_PAGE_SIZE;
        }
      }
    }
  }

  // ---- precopy completion ----------------------------------------------------------------------------------

  /** migration_completion: stop, sync (unless the switchover was decided on one), send the rest and the device state at full link speed. */
  #completePrecopy(sync: boolean): void {
    this.#stopSource();
    if (sync) this.#sync(false);
    this.#hints('stop');
    let bytes = 0;
    for (const p of this.#pairs) {
      for (const [s, e] of p.toSend.runs()) {
        const { runs, bytes: b } = this.#stream.send(p, s, e);
        placePrecopy(p, runs);
        bytes += b;
      }
      p.toSend.clear();
    }
    bytes += this.#stream.endIteration();
    if (!this.#sendStopCopyState(bytes, 'none')) return;
    this.#phase = 'switching';
    this.source.scheduler.after(this.#downtimeNs, () => {
      this.#level(this.#now());
      this.#destinationTakesOver();
      this.source.runState = 'postmigrate';
      this.#status(this.#src, 'completed');
      this.#status(this.#dst, 'completed');
      this.#finish({ kind: 'completed' });
    });
  }

  // ---- postcopy ----------------------------------------------------------------------------------------

  /** postcopy_start: stop, sync, discard what was re-dirtied, LISTEN, device state, RUN. */
  #startPostcopy(): void {
    this.#stopSource();
    this.#status(this.#src, 'postcopy-active');
    this.#sync(false);
    let bytes = 0;
    const basePage = this.destination.process.host.arch.basePageSize;
    // postcopy_each_ram_send_discard: every page still dirty — re-dirtied or never sent — is
    // discarded on the destination (ram_discard_range clears its receivedmap bits), so that
    // nothing a precopy write or a THP left there answers for it.
    for (const p of this.#pairs) {
      for (const [s, e] of p.toSend.runs()) {
        p.received.remove(s, e);
        discardRange(p.dst.block, s * p.dst.pageSize, (e - s) * p.dst.pageSize, basePage);
        bytes += DISCARD_RANGE_BYTES;
      }
    }
    const listened = this.#listen();
    if (listened) {
      this.#failPostcopySwitch('postcopy-unsupported', listened);
      return;
    }
    this.#status(this.#dst, 'postcopy-active');
    if (!this.#sendStopCopyState(bytes, 'active', (failure) => this.#failPostcopySwitch('device-state', failure))) return;
    this.#phase = 'switching';
    this.source.scheduler.after(this.#downtimeNs, () => {
      this.#level(this.#now());
      this.#destinationTakesOver();
      this.#runner.moveTo(this.#dst.guest);
      this.#phase = 'postcopy';
      this.#window();
    });
  }

  /** POSTCOPY_LISTEN: one userfaultfd, every block registered in MISSING mode (ram_block_enable_notify). */
  #listen(): LoadFailure | undefined {
    const out = this.destination.process.userfaultfd();
    if (out.kind === 'error') return loadFailure(migrationErrors.error('migration.postcopy-no-userfaultfd', { error: strerror(out.errno) }), undefined, false);
    const uffd: Userfaultfd = out.uffd;
    for (const p of this.#pairs) {
      const reg = uffd.register(p.dst.mapping);
      if (reg.kind === 'error') {
        uffd.close();
        return loadFailure(migrationErrors.error('migration.postcopy-register', { error: strerror(reg.errno) }), undefined, false, [
          'ram_block_enable_notify failed',
        ]);
      }
      p.postcopy = { uffd, zeroable: reg.ioctls.includes('zeropage') };
    }
    return undefined;
  }

  #postcopyWindow(): void {
    this.#runner.retry();
    // The fault thread: every new fault is requested from the source, or (discarded pages)
    // answered with a zero page; a page the source no longer has dirty is never sent again.
    const uffd = this.#pairs[0]?.postcopy?.uffd;
    for (const msg of uffd?.read() ?? []) {
      const p = this.#pairs.find((x) => x.dst.mapping === msg.mapping);
      if (msg.event !== 'pagefault' || !p) continue;
      const page = Math.floor(msg.offset / p.dst.pageSize);
      if (discardedPages(p.dst).has(page) && !p.received.has(page)) {
        placeZeroPostcopy(p, page, page + 1);
        continue;
      }
      if (!p.toSend.has(page)) {
        this.#hang(p, page, uffd!);
        return;
      }
      const { runs, bytes } = this.#stream.send(p, page, page + 1);
      p.toSend.remove(page, page + 1);
      placePostcopy(p, runs);
      this.#requests++;
      this.#postcopyBytes += bytes;
    }
    let budget = (this.#o.bandwidth * WINDOW_NS) / 1e9;
    while (budget > 0) {
      const pair = this.#pairs.find((p) => !p.toSend.empty);
      if (!pair) break;
      const [s, e] = this.#stream.plan(pair, budget)!;
      const { runs, bytes } = this.#stream.send(pair, s, e);
      pair.toSend.remove(s, e);
      placePostcopy(pair, runs);
      budget -= bytes;
      this.#postcopyBytes += bytes;
    }
    if (this.#pairs.every((p) => p.toSend.empty) && this.#runner.retry() === 0) {
      // postcopy_ram_incoming_cleanup: the registrations and the fd go.
      this.#pairs[0]?.postcopy?.uffd.close();
      this.source.runState = 'postmigrate';
      this.#status(this.#src, 'completed');
      this.#status(this.#dst, 'completed');
      this.#finish({ kind: 'completed' });
    }
  }

  #hang(pair: BlockPair, page: number, uffd: Userfaultfd): void {
    const offset = page * pair.dst.pageSize;
    const pending = uffd.pending().find((f) => f.mapping === pair.dst.mapping && f.offset === offset);
    const removal = [...this.#runner.removals].reverse().find((r) => r.side === 'destination');
    const cause: HangCause = pending?.refaultCause ?? removal?.cause ?? 'unknown';
    const kernel = this.destination.process.host.kernel;
    const address = pair.dst.mapping.start + offset;
    this.#finish({
      kind: 'hung',
      page: { block: pair.dst.idstr, offset, address, waiters: pending?.waiters ?? [] },
      cause,
      kernel: kernel.name,
      era: hangEra(kernel, cause),
      detail:
        `the guest faulted on the page at ${hex(offset)} of RAMBlock '${pair.dst.idstr}' (host address ${hex(address)}), which the destination ` +
        `had received and lost to ${cause}; the source sent it already and never sends a page twice, so the vCPU waits forever`,
    });
  }

  // ---- device state ------------------------------------------------------------------------------------

  #sections(machine: Machine): Section[] {
    const blocks = () => migratableBlocks(machine);
    const skeys = s390SkeysSection(machine, blocks);
    return registeredSections(machine, skeys ? [skeys] : []);
  }

  /** Saves sections on the source and loads them on the destination; false (and the migration failed) on a refusal. */
  /**
   * The device state that is not early_setup, sent while the VM is stopped after `bytes` of RAM
   * and discard commands: together they set the downtime. False if the destination failed to load.
   */
  #sendStopCopyState(bytes: number, postcopy: LoadContext['postcopy'], onFailure?: (f: LoadFailure) => void): boolean {
    const late = this.#sections(this.source).filter((s) => !s.earlySetup);
    const before = this.#deviceBytes;
    const loaded = this.#transferSections(late, postcopy, onFailure);
    const total = bytes + this.#deviceBytes - before;
    this.#downtimeBytes += total;
    this.#downtimeNs = Math.ceil((total * 1e9) / this.#o.bandwidth);
    return loaded;
  }

  #transferSections(sections: readonly Section[], postcopy: LoadContext['postcopy'], onFailure?: (f: LoadFailure) => void): boolean {
    const saved = saveSections(sections);
    this.#deviceBytes += saved.reduce((n, s) => n + sectionWireBytes(s), 0);
    const ctx: LoadContext = { postcopy, release: this.destination.release };
    const out = loadSections(saved, this.#sections(this.destination), ctx, true);
    if (out.kind === 'loaded') {
      this.#dst.warnings.push(...out.warnings);
      return true;
    }
    if (onFailure) onFailure(out.failure);
    else if (this.#stoppedAt !== undefined) this.#failAtCompletion(out.failure);
    else this.#failIncoming('device-state', out.failure);
    return false;
  }

  // ---- endings ------------------------------------------------------------------------------------------

  /**
   * The destination refused something before the switchover: it fails and exits, the source fails
   * and keeps running. The source finished its setup and went active; it hears of the refusal
   * when RAM's next save finds the socket closed, and from 11.1 passes through `failing`.
   */
  #failIncoming(reason: FailureReason, failure: LoadFailure): void {
    this.#destinationFails();
    if (this.#src.info.status === 'setup') this.#status(this.#src, 'active');
    this.#src.errors.push(ramSaveFailure(this.source.release));
    if (passesThroughFailing(this.source.release)) this.#status(this.#src, 'failing');
    this.#status(this.#src, 'failed');
    this.#finishFailed('destination', reason, failure);
  }

  /**
   * The device state failed to load at completion. With a return path the source hears of it,
   * fails and restarts the VM; without one it has already sent everything, reports completed and
   * stays paused (postmigrate) until the management continues it.
   */
  #failAtCompletion(failure: LoadFailure): void {
    this.#destinationFails();
    if (this.#o.returnPath) {
      this.#status(this.#src, 'failed');
      this.#sourceResumes();
    } else {
      this.source.runState = 'postmigrate';
      this.#status(this.#src, 'completed');
    }
    this.#finishFailed('destination', 'device-state', failure);
  }

  /** The destination failed during the postcopy switch, before it ran: the source pauses in postcopy-paused. */
  #failPostcopySwitch(reason: FailureReason, failure: LoadFailure): void {
    this.#destinationFails();
    this.#status(this.#src, 'postcopy-paused');
    this.#finishFailed('destination', reason, failure);
  }

  /**
   * A page could not be read on the source or placed on the destination. A failed read is a
   * SIGBUS in the source's migration thread: that QEMU dies, and the destination with it. A
   * failed placement ends the destination; the source resumes, or pauses in postcopy.
   */
  #failMidStream(e: HotmemError): void {
    const failure: LoadFailure = { code: e.code, message: e.message, log: [e.message], idstr: 'ram', details: e.details };
    if (e.code === 'migration.source-read') {
      // The process died of the SIGBUS: no STOP, nobody left to report one.
      this.source.runState = 'shutdown';
      this.source.process.exit();
      this.#src.exited = true;
      this.#destinationFails();
      this.#finishFailed('source', 'source-read', failure);
      return;
    }
    this.#destinationFails();
    if (this.#phase === 'postcopy') {
      this.#status(this.#src, 'postcopy-paused');
    } else {
      this.#status(this.#src, 'failed');
      this.#sourceResumes();
    }
    this.#finishFailed('destination', 'destination-place', failure);
  }

  /** The management cancels a precopy that does not converge; the destination sees the stream end. */
  #giveUp(): void {
    const e = migrationErrors.error('migration.did-not-converge', {
      syncs: this.#syncs - 1,
      seconds: (this.#now() - this.#start) / 1e9,
      dirtyBytes: this.#pending(),
      thresholdBytes: this.#threshold(),
    });
    this.#hints('stop');
    this.#status(this.#src, 'cancelling');
    this.#status(this.#src, 'cancelled');
    this.#destinationFails();
    this.#finishFailed('source', 'did-not-converge', { code: e.code, message: e.message, log: [e.message], idstr: undefined, details: e.details });
  }

  #destinationFails(): void {
    this.#status(this.#dst, 'failed');
    this.destination.process.exit();
    this.#dst.exited = true;
  }

  #finishFailed(side: Side, reason: FailureReason, failure: LoadFailure): void {
    const explanation = failure.details.explanation;
    this.#finish({
      kind: 'failed',
      side,
      reason,
      message: failure.message,
      log: failure.log,
      explanation: typeof explanation === 'string' ? explanation : undefined,
      details: failure.details,
    });
  }

  #finish(
    end:
      | { kind: 'completed' }
      | Omit<Extract<MigrationOutcome, { kind: 'failed' }>, keyof SharedReport>
      | Omit<Extract<MigrationOutcome, { kind: 'hung' }>, keyof SharedReport>,
  ): void {
    this.#phase = 'finished';
    this.#sample();
    const report = this.#report();
    this.#outcome = { ...end, ...report };
  }

  // ---- bookkeeping ----------------------------------------------------------------------------------------

  /** global_state_store, then vm_stop_force_state(FINISH_MIGRATE): the destination learns the state the VM had. */
  #stopSource(): void {
    this.#stoppedAt = this.#now();
    this.#stoppedFrom = this.source.runState;
    vmStop(this.source, 'finish-migrate');
    // migration_switchover_start: from 10.0 (4881411136) every switchover passes through `device`,
    // not only one that paused before it.
    if (compareReleases(this.source.release, { major: 10, minor: 0 }) >= 0) this.#status(this.#src, 'device');
  }

  /**
   * process_incoming_migration_bh: a VM that was running runs on (or pauses under -S); one that
   * was stopped keeps the source's state.
   */
  #destinationTakesOver(): void {
    if (this.#stoppedFrom === 'running' || this.#stoppedFrom === undefined) {
      if (this.destination.autostart) vmStart(this.destination);
      else this.destination.runState = 'paused';
    } else {
      this.destination.runState = this.#stoppedFrom;
    }
  }

  /** migration_iteration_finish after a failure: a VM stopped for the switch runs again if it ran before. */
  #sourceResumes(): void {
    if (this.#stoppedAt === undefined) return;
    if (this.#wasRunning) vmStart(this.source);
    else this.source.runState = 'postmigrate';
  }

  /** MIGRATION_PASS after each dirty-bitmap sync, with the events capability. */
  #announcePass(): void {
    if (migrationEventsEnabled(this.source)) this.source.events.emit('MIGRATION_PASS', { pass: this.#syncs });
  }

  #report(): SharedReport {
    const now = this.#now();
    const stats: TransferStats = {
      totalBytes: this.#setupBytes + this.#stream.bytes + this.#deviceBytes,
      ramBytes: this.#setupBytes + this.#stream.bytes,
      ramPageBytes: this.#stream.bytes,
      deviceStateBytes: this.#deviceBytes,
      normalPages: this.#stream.normalPages,
      zeroPages: this.#stream.zeroPages,
      discardedPagesSkipped: this.#skipped,
      hintedPagesSkipped: this.#hinted,
      dirtySyncs: this.#syncs,
      postcopyRequests: this.#requests,
      precopyBytes: this.#precopyBytes,
      downtimeBytes: this.#downtimeBytes,
      postcopyBytes: this.#postcopyBytes,
      setupNs: (this.#setupDone ?? now) - this.#start,
      downtimeNs: this.#downtimeNs,
      totalNs: now - this.#start,
    };
    const side = (s: SideState): SideReport => ({
      statuses: [...s.statuses],
      samples: [...s.samples],
      warnings: [...s.warnings],
      errors: [...s.errors],
      running: s.machine.running,
      exited: s.exited,
    });
    return {
      mode: this.#o.postcopy ? 'postcopy' : 'precopy',
      stats,
      source: side(this.#src),
      destination: side(this.#dst),
      actions: [...this.#runner.records],
    };
  }

  #side(machine: Machine, role: Side): SideState {
    const begun = machine.model.services.get(MIGRATION_INFO);
    const info = newMigrationInfo(role, this.#start);
    const statuses: MigrationStatus[] = [];
    // A monitor's `migrate` announced SETUP before connecting: the migration carries on from there.
    if (role === 'source' && begun?.role === 'source' && begun.status === 'setup') {
      info.status = 'setup';
      statuses.push('setup');
    }
    machine.model.services.set(MIGRATION_INFO, info);
    const blocks = new Map<string, MigratableBlock>();
    const block = (idstr: string): MigratableBlock => {
      if (blocks.size === 0) for (const b of migratableBlocks(machine)) blocks.set(b.idstr, b);
      const b = blocks.get(idstr);
      if (!b) throw migrationErrors.error('migration.bad-options', { what: `the workload names RAMBlock '${idstr}', which ${role} does not have` });
      return b;
    };
    const guest: GuestSide = {
      side: role,
      process: machine.process,
      mapping: (idstr) => block(idstr).mapping,
      dirtied: (idstr, offset, length) => {
        if (role !== 'source' || this.#phase === 'postcopy') return;
        const pair = this.#pairs.find((p) => p.src.idstr === idstr);
        const ps = block(idstr).pageSize;
        pair?.dirtyLog.add(Math.floor(offset / ps), Math.ceil((offset + length) / ps));
      },
    };
    return { machine, info, statuses, samples: [], warnings: [], errors: [], guest, exited: false };
  }

  #status(side: SideState, status: MigrationStatus): void {
    side.statuses.push(status);
    setMigrationStatus(side.machine, side.info, status);
  }

  #now(): number {
    return this.source.clock.now();
  }

  /** Brings every clock of the migration to `t` (simulated clocks only move forward). */
  #level(t: number): void {
    for (const c of this.#clocks) if (c.now() < t) c.advance(t - c.now());
    this.#updateInfo();
  }

  #sample(): void {
    for (const s of [this.#src, this.#dst]) {
      const p = s.machine.process;
      s.samples.push({ at: this.#now() - this.#start, rss: p.exited ? 0 : p.status().vmRss, hostTotal: p.host.totalBytes });
    }
    this.#updateInfo();
  }

  #updateInfo(): void {
    const info = this.#src.info;
    const now = this.#now();
    info.setupNs = (this.#setupDone ?? now) - this.#start;
    info.totalNs = now - this.#start;
    info.downtimeNs = this.#downtimeNs;
    info.expectedDowntimeNs = (this.#pending() * 1e9) / this.#o.bandwidth;
    info.transferred = transferredCountsWholeStream(this.source.release) ? this.#setupBytes + this.#stream.bytes + this.#deviceBytes : this.#stream.bytes;
    info.remaining = this.#pending();
    info.total = this.#pairs.reduce((n, p) => n + p.src.block.size, this.#firmwareBytes);
    info.duplicate = this.#stream.zeroPages;
    info.normal = this.#stream.normalPages;
    info.dirtySyncCount = this.#syncs;
    info.postcopyRequests = this.#requests;
    info.precopyBytes = this.#precopyBytes;
    info.downtimeBytes = this.#downtimeBytes;
    info.postcopyBytes = this.#postcopyBytes;
  }

  #rethrowUnless(e: unknown, handle: () => void): void {
    if (!(e instanceof HotmemError)) throw e;
    handle();
  }
}

type SharedReport = Pick<MigrationOutcome, 'mode' | 'stats' | 'source' | 'destination' | 'actions'>;
