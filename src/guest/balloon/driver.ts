/**
 * The Linux virtio-balloon driver (drivers/virtio/virtio_balloon.c) by kernel version, talking to
 * its device only through the driver port and to memory only through the guest's page allocator:
 *
 * - probe: negotiate (the feature table grows with the kernel; virtballoon_validate drops
 *   PAGE_POISON unless freed pages are initialised, and REPORTING when they are but the device
 *   cannot be told), prime the stats buffer, write poison_val, register free page reporting,
 *   DRIVER_OK, then start towards the target;
 * - a config change queues the size work, which inflates or deflates at most 256 4 KiB pages per
 *   round and writes `actual` back after each; without DEFLATE_ON_OOM inflated pages leave the
 *   managed count, so MemTotal shrinks;
 * - DEFLATE_ON_OOM gives 256 pages back per OOM notification (3.19-4.19, 5.7+) or as much as
 *   reclaim asks through a shrinker (4.20-5.6);
 * - free page hinting allocates 4 MiB blocks for as long as a migration's command id stays the
 *   same, and frees them when the host says DONE (or a shrinker asks);
 * - stats go out whenever the device gives the stats buffer back;
 * - balloon pages are movable (balloon compaction): when memory holding some is offlined, each
 *   moves to a new page, which the host is told to inflate before the old one is deflated.
 */
import type { Arch } from '../../core/arch.js';
import type { Timeline } from '../../core/scheduler.js';
import { configOffset } from '../../../devices/virtio-balloon/config.js';
import {
  VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
  VIRTIO_BALLOON_F_FREE_PAGE_HINT,
  VIRTIO_BALLOON_F_MUST_TELL_HOST,
  VIRTIO_BALLOON_F_PAGE_POISON,
  VIRTIO_BALLOON_F_REPORTING,
  VIRTIO_BALLOON_F_STATS_VQ,
} from '../../../devices/virtio-balloon/features.js';
import type { BalloonDriverPort, GuestPagesElement } from '../../../devices/virtio-balloon/port.js';
import { balloonQueues, queueIndex, type BalloonQueueName } from '../../../devices/virtio-balloon/queues.js';
import { encodeStats, VIRTIO_BALLOON_S, type BalloonStat } from '../../../devices/virtio-balloon/stats.js';
import { FREE_PAGE_HINT_CMD_ID_MIN, VIRTIO_BALLOON_CMD_ID_DONE, VIRTIO_BALLOON_CMD_ID_STOP } from '../../../devices/virtio-balloon/state.js';
import { wireOrder, writeU32, writeU32s } from '../../../devices/virtio-balloon/wire.js';
import { FeatureSet } from '../../virtio/feature-set.js';
import { readLe32, writeLe32 } from '../../virtio/le.js';
import { deviceStatus, STATUS_ACKNOWLEDGE, STATUS_DRIVER, STATUS_DRIVER_OK, STATUS_FAILED, STATUS_FEATURES_OK } from '../../virtio/status.js';
import {
  VIRTIO_F_ACCESS_PLATFORM,
  VIRTIO_F_RING_RESET,
  VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC,
} from '../../virtio/transport-features.js';
import { kernelAtLeast, type KernelVersion } from '../linux/kernel-version.js';
import { Extents, type Range } from './extents.js';
import type { GuestPages } from './guest-pages.js';
import { balloonLinuxHas, GUEST_PAGE_SIZE, MAX_BUDDY_BYTES, pageblockBytes } from './kernel-facts.js';
import { PageReporting } from './page-reporting.js';
import type { GuestAllocator } from './reclaim.js';

/** VIRTIO_BALLOON_ARRAY_PFNS_MAX: PFNs per inflate or deflate round. */
export const BALLOON_ROUND_PAGES = 256;
/** VIRTIO_BALLOON_OOM_NR_PAGES (oom_pages before 5.7): pages given back per OOM notification. */
export const OOM_PAGES = 256;
/** fill_balloon's msleep(200) after an allocation failure ("Out of puff!"). */
const OUT_OF_PUFF_NANOS = 200_000_000;
/**
 * Simulated time of one fill or leak round of 256 pages. Measured with QEMU 7.2 and Linux 6.1
 * under TCG (test/conformance/guest, MOVABLE_CYCLE): 1023 to 768 MiB, 255 rounds, in about
 * 400 ms. Under KVM a round is far shorter; callers that model KVM pass their own figure.
 */
export const TCG_ROUND_NANOS = 1_600_000;

export interface LinuxBalloonOptions {
  readonly kernel: KernelVersion;
  readonly arch: Arch;
  /** init_on_free (5.3+) or page poisoning: freed pages hold a known value. */
  readonly initOnFree: boolean;
  readonly pagePoisoning: boolean;
  readonly roundNanos?: number;
}

export type ProbeOutcome =
  { readonly kind: 'ready'; readonly features: FeatureSet } | { readonly kind: 'failed'; readonly reason: 'features-refused' | 'no-device' };

/** The feature table of virtio_balloon_driver for a kernel (device bits and the ring bits Linux takes). */
export function driverFeatures(kernel: KernelVersion): FeatureSet {
  let set = FeatureSet.of(VIRTIO_BALLOON_F_MUST_TELL_HOST, VIRTIO_BALLOON_F_STATS_VQ, VIRTIO_F_VERSION_1, VIRTIO_RING_F_EVENT_IDX, VIRTIO_F_ACCESS_PLATFORM);
  if (balloonLinuxHas(kernel, 'indirect-desc')) set = set.with(VIRTIO_RING_F_INDIRECT_DESC);
  if (balloonLinuxHas(kernel, 'deflate-on-oom')) set = set.with(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
  if (balloonLinuxHas(kernel, 'free-page-hint')) set = set.with(VIRTIO_BALLOON_F_FREE_PAGE_HINT);
  if (balloonLinuxHas(kernel, 'page-poison')) set = set.with(VIRTIO_BALLOON_F_PAGE_POISON);
  if (balloonLinuxHas(kernel, 'free-page-reporting')) set = set.with(VIRTIO_BALLOON_F_REPORTING);
  // vring_transport_features learnt RING_RESET with virtqueue reset in 6.0.
  if (kernelAtLeast(kernel, '6.0')) set = set.with(VIRTIO_F_RING_RESET);
  return set;
}

/** virtballoon_validate on the features both sides have. */
export function validateFeatures(kernel: KernelVersion, features: FeatureSet, opts: Pick<LinuxBalloonOptions, 'initOnFree' | 'pagePoisoning'>): FeatureSet {
  let out = features.without(VIRTIO_F_ACCESS_PLATFORM);
  const initialised = opts.pagePoisoning || (opts.initOnFree && balloonLinuxHas(kernel, 'init-on-alloc-free'));
  if (!initialised) out = out.without(VIRTIO_BALLOON_F_PAGE_POISON);
  else if (balloonLinuxHas(kernel, 'free-page-reporting') && !out.has(VIRTIO_BALLOON_F_PAGE_POISON)) out = out.without(VIRTIO_BALLOON_F_REPORTING);
  return out;
}

/** Ranges cut into 4 KiB pages, in order. */
function pagesOf(ranges: readonly Range[]): Range[] {
  return ranges.flatMap((r) => Array.from({ length: r.length / GUEST_PAGE_SIZE }, (_, i) => ({ gpa: r.gpa + i * GUEST_PAGE_SIZE, length: GUEST_PAGE_SIZE })));
}

export class LinuxBalloonDriver {
  #features = FeatureSet.EMPTY;
  #queues = new Map<BalloonQueueName, number>();
  /** Balloon pages, most recently inflated last (balloon_page_dequeue takes the newest). */
  readonly #balloon: Range[] = [];
  #numPages = 0;
  #sizeWorkQueued = false;
  #stopped = false;
  /** A tell_host that never came back (a broken device): the driver waits for ever. */
  #stuck = false;
  #reporting: PageReporting | undefined;
  readonly #unsubscribe: (() => void)[] = [];
  // free page hinting
  #cmdIdActive = VIRTIO_BALLOON_CMD_ID_STOP;
  /** VIRTIO_BALLOON_CONFIG_READ_CMD_ID: set by a config change, cleared when the id is read. */
  #readCmdId = false;
  #cmdIdReceivedCache = VIRTIO_BALLOON_CMD_ID_STOP;
  readonly #hinted: Range[] = [];

  constructor(
    readonly port: BalloonDriverPort,
    readonly pages: GuestPages,
    readonly allocator: GuestAllocator,
    readonly scheduler: Timeline,
    readonly options: LinuxBalloonOptions,
  ) {}

  get features(): FeatureSet {
    return this.#features;
  }

  /** Pages in the balloon (vb->num_pages, 4 KiB units). */
  get numPages(): number {
    return this.#numPages;
  }

  get stuck(): boolean {
    return this.#stuck;
  }

  get reporting(): PageReporting | undefined {
    return this.#reporting;
  }

  /** Free page hinting blocks the driver holds. */
  hintedBytes(): number {
    return this.#hinted.reduce((n, r) => n + r.length, 0);
  }

  // ---- probe -------------------------------------------------------------------------------

  probe(): ProbeOutcome {
    const { port, options } = this;
    if (port.deviceId !== 5) return { kind: 'failed', reason: 'no-device' };
    port.writeStatus(deviceStatus(0));
    port.writeStatus(STATUS_ACKNOWLEDGE);
    port.writeStatus(deviceStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER));
    const offered = port.readDeviceFeatures();
    const features = validateFeatures(options.kernel, offered.intersection(driverFeatures(options.kernel)), options);
    port.writeDriverFeatures(features);
    if (features.has(VIRTIO_F_VERSION_1)) {
      port.writeStatus(deviceStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK));
      if ((port.readStatus() & STATUS_FEATURES_OK) === 0) {
        port.writeStatus(deviceStatus(port.readStatus() | STATUS_FAILED));
        return { kind: 'failed', reason: 'features-refused' };
      }
    }
    this.#features = features;
    // The queues as QEMU numbers them (queues.ts): init_vqs finds the same indices, in order.
    for (const q of balloonQueues(features)) {
      this.#queues.set(q.name, q.index);
      port.setUpQueue(q.index);
    }

    if (features.has(VIRTIO_BALLOON_F_STATS_VQ)) {
      const stats = queueIndex(balloonQueues(features), 'stats')!;
      this.#unsubscribe.push(port.onUsed(stats, () => this.scheduler.after(0, () => this.#sendStats())));
      // init_vqs primes the stats queue with one buffer.
      this.#sendStats();
    }
    if (features.has(VIRTIO_BALLOON_F_PAGE_POISON)) {
      // 0 where init_on_free zeroes freed pages, else PAGE_POISON in every byte.
      const poison = new Uint8Array(4);
      if (!(options.initOnFree && balloonLinuxHas(options.kernel, 'init-on-alloc-free'))) poison.fill(0xaa);
      port.writeConfig(configOffset('poisonVal'), poison);
    }
    if (features.has(VIRTIO_BALLOON_F_REPORTING)) {
      this.#reporting = new PageReporting(this.pages, this.scheduler, pageblockBytes(options.arch), MAX_BUDDY_BYTES, (batch) => this.#report(batch));
    }
    this.#unsubscribe.push(this.allocator.register(this.#reclaimer()));
    this.#unsubscribe.push(this.pages.registerMigrator((range) => this.#migrate(range)));
    port.writeStatus(deviceStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | (features.has(VIRTIO_F_VERSION_1) ? STATUS_FEATURES_OK : 0) | STATUS_DRIVER_OK));
    this.#unsubscribe.push(port.onConfigChange(() => this.#changed()));
    if (this.#towardsTarget() !== 0) this.#changed();
    return { kind: 'ready', features };
  }

  /** virtballoon_remove: stop the work, deflate everything, reset the device. */
  remove(): void {
    this.#stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    this.#reporting?.stop();
    while (this.#numPages > 0 && !this.#stuck) this.#leak(this.#numPages);
    this.#updateSize();
    this.#returnHinted(Number.POSITIVE_INFINITY);
    this.port.writeStatus(deviceStatus(0));
  }

  // ---- the size work -----------------------------------------------------------------------

  /** virtballoon_changed: queue the size work, and the hinting work when a command id may have come. */
  #changed(): void {
    if (this.#stopped) return;
    if (!this.#sizeWorkQueued) {
      this.#sizeWorkQueued = true;
      this.scheduler.after(0, () => this.#sizeWork());
    }
    // virtio_balloon_queue_free_page_work: no new work while a read of the id is pending.
    if (this.#features.has(VIRTIO_BALLOON_F_FREE_PAGE_HINT) && !this.#readCmdId) {
      this.#readCmdId = true;
      this.scheduler.after(0, () => this.#hintWork());
    }
  }

  #config(): Uint8Array {
    return this.port.readConfig();
  }

  /** towards_target: the device's num_pages (always little endian) minus the balloon's size. */
  #towardsTarget(): number {
    return readLe32(this.#config(), configOffset('numPages')) - this.#numPages;
  }

  /** update_balloon_size_func: one round, `actual` written back, then again while off target. */
  #sizeWork(): void {
    this.#sizeWorkQueued = false;
    if (this.#stopped || this.#stuck) return;
    const diff = this.#towardsTarget();
    let done = 0;
    let delay = this.options.roundNanos ?? TCG_ROUND_NANOS;
    if (diff > 0) {
      done = this.#fill(diff);
      if (done < Math.min(diff, BALLOON_ROUND_PAGES)) delay += OUT_OF_PUFF_NANOS;
    } else if (diff < 0) {
      done = this.#leak(-diff);
    }
    this.#updateSize();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- #fill and #leak may set #stuck, which TypeScript keeps narrowed to false
    if (this.#stuck || Math.abs(diff) === done) return;
    this.#sizeWorkQueued = true;
    this.scheduler.after(delay, () => this.#sizeWork());
  }

  /** fill_balloon: allocate, take out of MemTotal without DEFLATE_ON_OOM, tell the host. */
  #fill(pagesWanted: number): number {
    const want = Math.min(pagesWanted, BALLOON_ROUND_PAGES) * GUEST_PAGE_SIZE;
    const got = this.pages.allocate(want);
    if (got.length === 0) return 0;
    const bytes = got.reduce((n, r) => n + r.length, 0);
    this.#balloon.push(...got);
    this.#numPages += bytes / GUEST_PAGE_SIZE;
    if (!this.#features.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) this.pages.adjustManaged(-bytes);
    this.#tellHost('inflate', got);
    return bytes / GUEST_PAGE_SIZE;
  }

  /** leak_balloon: take the newest pages out, tell the host first (MUST_TELL_HOST order), then free them. */
  #leak(pagesWanted: number): number {
    let left = Math.min(pagesWanted, BALLOON_ROUND_PAGES) * GUEST_PAGE_SIZE;
    const out: Range[] = [];
    while (left > 0 && this.#balloon.length > 0) {
      const top = this.#balloon.pop()!;
      const n = Math.min(left, top.length);
      out.push({ gpa: top.gpa + top.length - n, length: n });
      if (n < top.length) this.#balloon.push({ gpa: top.gpa, length: top.length - n });
      left -= n;
    }
    const bytes = out.reduce((n, r) => n + r.length, 0);
    if (bytes === 0) return 0;
    this.#numPages -= bytes / GUEST_PAGE_SIZE;
    this.#tellHost('deflate', out);
    if (!this.#features.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) this.pages.adjustManaged(bytes);
    this.pages.release(out);
    return bytes / GUEST_PAGE_SIZE;
  }

  /**
   * balloon_page_migrate for the balloon's pages in `range`, lowest first as do_migrate_range
   * scans: virtballoon_migratepage tells the host about one page at a time, the new page inflated
   * before the old one is deflated, and the new page becomes the newest in the balloon. The count
   * stays (both zones' managed counts move together); a page without a new one stays put.
   */
  #migrate(range: Range): void {
    if (this.#stopped || this.#stuck) return;
    const end = range.gpa + range.length;
    const moving = Extents.of(
      this.#balloon.flatMap((r) => {
        const from = Math.max(r.gpa, range.gpa);
        const to = Math.min(r.gpa + r.length, end);
        return from < to ? [{ gpa: from, length: to - from }] : [];
      }),
    ).ranges();
    const bytes = moving.reduce((n, r) => n + r.length, 0);
    if (bytes === 0) return;
    const targets = pagesOf(this.pages.allocate(bytes, range));
    const candidates = pagesOf(moving);
    let moved = 0;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- #tellHost may set #stuck, which TypeScript keeps narrowed to false
    while (moved < targets.length && !this.#stuck) {
      this.#tellHost('inflate', [targets[moved]!]);
      this.#tellHost('deflate', [candidates[moved]!]);
      moved++;
    }
    // A device that stopped answering leaves the rest where they were.
    this.pages.release(targets.slice(moved));
    const gone = Extents.of(candidates.slice(0, moved));
    const kept: Range[] = [];
    for (const r of this.#balloon) {
      const rest = Extents.of([r]);
      for (const o of gone.ranges()) rest.remove(o.gpa, o.length);
      kept.push(...rest.ranges());
    }
    this.#balloon.splice(0, this.#balloon.length, ...kept, ...Extents.of(targets.slice(0, moved)).ranges());
    this.pages.release(gone.ranges());
  }

  /** tell_host: one buffer of PFNs in the device's byte order, and wait for it to be used. */
  #tellHost(queue: 'inflate' | 'deflate', ranges: readonly Range[]): void {
    const pfns = new Uint32Array(ranges.reduce((n, r) => n + r.length / GUEST_PAGE_SIZE, 0));
    let i = 0;
    for (const r of ranges) for (let at = r.gpa; at < r.gpa + r.length; at += GUEST_PAGE_SIZE) pfns[i++] = at / GUEST_PAGE_SIZE;
    const bytes = writeU32s(pfns, wireOrder(this.#features, this.options.arch));
    const done = this.port.submit(this.#queues.get(queue)!, { out: [bytes], in: [] });
    if (done.kind !== 'used') this.#stuck = true;
  }

  /** update_balloon_size: `actual`, little endian. */
  #updateSize(): void {
    const bytes = new Uint8Array(4);
    writeLe32(bytes, 0, this.#numPages);
    this.port.writeConfig(configOffset('actual'), bytes);
  }

  // ---- deflate on OOM ----------------------------------------------------------------------

  #reclaimer() {
    const doom = this.#features.has(VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
    const shrinkerEra = balloonLinuxHas(this.options.kernel, 'deflate-on-oom-shrinker');
    return {
      // The shrinker gives hinted blocks back first, then (4.20-5.6) balloon pages.
      shrink: (bytes: number): number => {
        let freed = this.#returnHinted(bytes);
        if (doom && shrinkerEra) {
          while (freed < bytes && this.#numPages > 0 && !this.#stuck) freed += this.#leak(Math.ceil((bytes - freed) / GUEST_PAGE_SIZE)) * GUEST_PAGE_SIZE;
          this.#updateSize();
        }
        return freed;
      },
      oomNotify: (): number => {
        if (!doom || shrinkerEra || this.#stuck) return 0;
        const freed = this.#leak(OOM_PAGES) * GUEST_PAGE_SIZE;
        this.#updateSize();
        return freed;
      },
    };
  }

  // ---- free page reporting -----------------------------------------------------------------

  /** virtballoon_free_page_report: the batch as in-buffers of the reporting queue. */
  #report(batch: readonly Range[]): boolean {
    const element: GuestPagesElement = { out: [], in: [], inPages: batch };
    const done = this.port.submit(this.#queues.get('reporting')!, element);
    if (done.kind !== 'used') this.#stuck = true;
    return done.kind === 'used';
  }

  // ---- free page hinting -------------------------------------------------------------------

  /**
   * virtio_balloon_cmd_id_received: the config field is read again only after a config change;
   * otherwise the cached id stands (QEMU shows 0 while hinting runs, which the driver never sees).
   */
  #cmdIdReceived(): number {
    if (this.#readCmdId) {
      this.#readCmdId = false;
      this.#cmdIdReceivedCache = readLe32(this.#config(), configOffset('freePageHintCmdId'));
    }
    return this.#cmdIdReceivedCache;
  }

  /** report_free_page_func. */
  #hintWork(): void {
    if (this.#stopped || this.#stuck) return;
    const received = this.#cmdIdReceived();
    if (received === VIRTIO_BALLOON_CMD_ID_DONE) {
      this.#returnHinted(Number.POSITIVE_INFINITY);
      return;
    }
    if (received === VIRTIO_BALLOON_CMD_ID_STOP || received === this.#cmdIdActive || received < FREE_PAGE_HINT_CMD_ID_MIN) return;
    // virtio_balloon_report_free_page: the command id, the blocks, then STOP.
    this.#cmdIdActive = received;
    this.#sendCmdId(received);
    while (this.#cmdIdReceived() === this.#cmdIdActive) {
      const block = this.pages.allocateBlock(MAX_BUDDY_BYTES);
      if (!block) break;
      this.#hinted.push(block);
      const element: GuestPagesElement = { out: [], in: [], inPages: [block] };
      const done = this.port.submit(this.#queues.get('free-page')!, element);
      if (done.kind !== 'used') {
        this.#stuck = true;
        return;
      }
    }
    this.#sendCmdId(VIRTIO_BALLOON_CMD_ID_STOP);
  }

  #sendCmdId(id: number): void {
    const bytes = new Uint8Array(4);
    writeU32(bytes, 0, id, wireOrder(this.#features, this.options.arch));
    const done = this.port.submit(this.#queues.get('free-page')!, { out: [bytes], in: [] });
    if (done.kind !== 'used') this.#stuck = true;
  }

  /** return_free_pages_to_mm: up to `bytes` of hinted blocks back to the allocator. */
  #returnHinted(bytes: number): number {
    let freed = 0;
    const back: Range[] = [];
    while (freed < bytes && this.#hinted.length > 0) {
      const block = this.#hinted.pop()!;
      back.push(block);
      freed += block.length;
    }
    this.pages.release(back);
    return freed;
  }

  // ---- stats -------------------------------------------------------------------------------

  /** update_balloon_stats and a fresh buffer: what the memory model knows (no swap, no page cache). */
  #sendStats(): void {
    if (this.#stopped) return;
    const free = BigInt(this.pages.memFree());
    const stats: BalloonStat[] = [
      { tag: VIRTIO_BALLOON_S.SWAP_IN, value: 0n },
      { tag: VIRTIO_BALLOON_S.SWAP_OUT, value: 0n },
      { tag: VIRTIO_BALLOON_S.MEMFREE, value: free },
      { tag: VIRTIO_BALLOON_S.MEMTOT, value: BigInt(this.pages.memTotal()) },
      { tag: VIRTIO_BALLOON_S.AVAIL, value: free },
      { tag: VIRTIO_BALLOON_S.CACHES, value: 0n },
    ];
    const order = wireOrder(this.#features, this.options.arch);
    this.port.submit(this.#queues.get('stats')!, { out: [encodeStats(stats, order)], in: [] });
  }
}
