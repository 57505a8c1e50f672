/**
 * Free page reporting (mm/page_reporting.c, Linux 5.7+): some time after memory of at least the
 * reporting order is freed, a worker walks each zone's free lists from that order up and hands
 * unreported free blocks to the driver in batches of 32; the host discards them and the blocks go
 * back to the tail of the free lists marked reported, to be reused whenever the guest likes
 * without telling anyone. Each pass takes about 1/16 of each free list (the budget), and another
 * pass follows 2 s later while work is left, so an idle guest is fully reported in about 30 s. A
 * zone with less free memory than its low watermark plus one batch is skipped.
 */
import type { Timeline } from '../../core/scheduler.js';
import type { Range } from './extents.js';
import type { GuestPages, GuestZone } from './guest-pages.js';

/** PAGE_REPORTING_CAPACITY: scatterlist entries per report. */
export const PAGE_REPORTING_CAPACITY = 32;
/** PAGE_REPORTING_DELAY: 2 * HZ. */
export const PAGE_REPORTING_DELAY_NANOS = 2_000_000_000;

/** The driver's report callback: true when the device took the batch. */
export type ReportFn = (batch: readonly Range[]) => boolean;

type ReportingState = 'idle' | 'requested' | 'active';

export class PageReporting {
  #state: ReportingState = 'idle';
  #unsubscribe: () => void;
  #stopped = false;
  /** Reports sent so far, for tests and reports. */
  reports = 0;

  constructor(
    readonly pages: GuestPages,
    readonly scheduler: Timeline,
    /** page_reporting_order in bytes (pageblock_order unless the driver or the command line says otherwise). */
    readonly orderBytes: number,
    readonly maxBlockBytes: number,
    readonly report: ReportFn,
  ) {
    // page_reporting_register: start as if everything had just been freed.
    this.#unsubscribe = pages.onRelease(() => this.#request());
    this.#request();
  }

  /** page_reporting_unregister. */
  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
  }

  /** __page_reporting_request: flag the work, and schedule it unless it already was. */
  #request(): void {
    const was = this.#state;
    this.#state = 'requested';
    if (was !== 'idle' || this.#stopped) return;
    this.scheduler.after(PAGE_REPORTING_DELAY_NANOS, () => this.#process());
  }

  /** page_reporting_process. */
  #process(): void {
    if (this.#stopped) return;
    this.#state = 'active';
    for (const zone of this.pages.zones) if (!this.#processZone(zone)) break;
    // A free during the pass, or a budget that ran out, asked for another pass.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- #processZone may change #state, which TypeScript keeps narrowed to 'active'
    const state: ReportingState = this.#state as ReportingState;
    this.#state = 'idle';
    if (state === 'requested') this.#request();
  }

  /** page_reporting_process_zone; false when a report failed. */
  #processZone(zone: GuestZone): boolean {
    const watermark = this.pages.lowWatermark(zone) + PAGE_REPORTING_CAPACITY * this.orderBytes;
    if (this.pages.zoneFree(zone) < watermark) return true;
    const batch: Range[] = [];
    for (let size = this.orderBytes; size <= this.maxBlockBytes; size *= 2) {
      // page_reporting_cycle: the budget counts batches, about 1/16 of the list per pass.
      let budget = Math.ceil(this.pages.freeBlockCount(zone, size, this.maxBlockBytes) / (PAGE_REPORTING_CAPACITY * 16));
      for (const block of this.pages.unreportedBlocks(zone, size, this.maxBlockBytes)) {
        if (budget < 0) {
          this.#state = 'requested';
          break;
        }
        this.pages.isolate(block);
        batch.push(block);
        if (batch.length < PAGE_REPORTING_CAPACITY) continue;
        if (!this.#send(batch.splice(0))) return false;
        budget--;
      }
    }
    // The leftover, partly filled batch.
    return batch.length === 0 || this.#send(batch);
  }

  #send(batch: readonly Range[]): boolean {
    const ok = this.report(batch);
    this.reports++;
    for (const block of batch) this.pages.drain(block, ok);
    return ok;
  }
}
