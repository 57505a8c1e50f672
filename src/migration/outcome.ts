/**
 * How a migration ended, as data: completed, failed (which side, why, QEMU's report) or hung
 * (which page, what took it away, which kernel behaviour let that happen). Every outcome carries
 * the transfer statistics and both hosts' memory over time.
 */
import type { Warning } from '../core/errors.js';
import type { RemovalCause } from '../host/userfaultfd.js';
import type { ActionRecord, Side } from './workload.js';

export interface TransferStats {
  /** Everything on the wire: RAM, device state, stream headers. */
  readonly totalBytes: number;
  readonly ramBytes: number;
  /** RAM pages with their block names and end-of-section markers: ramBytes less the block list setup sends. */
  readonly ramPageBytes: number;
  readonly deviceStateBytes: number;
  /** Target pages sent with data (RAM_SAVE_FLAG_PAGE). */
  readonly normalPages: number;
  /** Target pages sent as RAM_SAVE_FLAG_ZERO: the source read them and found zeros. */
  readonly zeroPages: number;
  /** Target pages never read or sent because a RamDiscardManager reported them discarded (unplugged virtio-mem). */
  readonly discardedPagesSkipped: number;
  /** Target pages cleared from the dirty bitmap by free page hints. */
  readonly hintedPagesSkipped: number;
  /** Dirty-bitmap syncs, the first (setup) included: QEMU's dirty-sync-count. */
  readonly dirtySyncs: number;
  /** Pages the postcopy destination asked for (page faults). */
  readonly postcopyRequests: number;
  readonly precopyBytes: number;
  readonly downtimeBytes: number;
  readonly postcopyBytes: number;
  readonly setupNs: number;
  /** From the source VM stopping to the destination running (or to the end, if it never did). */
  readonly downtimeNs: number;
  readonly totalNs: number;
}

/** One host's memory at one moment: the QEMU process's VmRSS and the host total (HostMeminfo.total). */
export interface HostSample {
  readonly at: number;
  readonly rss: number;
  readonly hostTotal: number;
}

export interface SideReport {
  /** MIGRATION event statuses this side emitted, in order. */
  readonly statuses: readonly string[];
  readonly samples: readonly HostSample[];
  /** warn_report output during the migration (device post_load warnings on the destination). */
  readonly warnings: readonly Warning[];
  /** error_report output during the migration besides the final failure (the source's failed RAM save). */
  readonly errors: readonly string[];
  /** Whether this side's VM runs when the migration ends. */
  readonly running: boolean;
  /** The destination QEMU exits when an incoming migration fails (process_incoming_migration_co). */
  readonly exited: boolean;
}

interface Common {
  readonly mode: 'precopy' | 'postcopy';
  readonly stats: TransferStats;
  readonly source: SideReport;
  readonly destination: SideReport;
  readonly actions: readonly ActionRecord[];
}

export type FailureReason =
  /** The destination refused the RAM block list (unknown block, size or page-size mismatch). */
  | 'ram-block-list'
  /** A device section failed to load (sanity checks, features, versions, unknown sections). */
  | 'device-state'
  /** The destination cannot do postcopy (no userfaultfd, huge pages unsupported, registration refused). */
  | 'postcopy-unsupported'
  /** Reading source RAM for migration ended in a fault QEMU does not survive. */
  | 'source-read'
  /** Placing a page on the destination failed. */
  | 'destination-place'
  /** The management gave up on a precopy that kept dirtying faster than it could send. */
  | 'did-not-converge';

/** The page a hung postcopy waits for. */
export interface HungPage {
  readonly block: string;
  readonly offset: number;
  /** The faulting host virtual address in the destination QEMU. */
  readonly address: number;
  readonly waiters: readonly string[];
}

export type HangCause = RemovalCause | 'unknown';

export type MigrationOutcome =
  | (Common & { readonly kind: 'completed' })
  | (Common & {
      readonly kind: 'failed';
      readonly side: Side;
      readonly reason: FailureReason;
      /** QEMU's message (or hotmem's, where QEMU has none; those start with `hotmem:`). */
      readonly message: string;
      /** Everything the failing side prints, in order. */
      readonly log: readonly string[];
      /** Why, in the model's words, where the message alone does not say. */
      readonly explanation: string | undefined;
      readonly details: Readonly<Record<string, unknown>>;
    })
  | (Common & {
      readonly kind: 'hung';
      readonly page: HungPage;
      readonly cause: HangCause;
      /** The destination kernel, `linux-X.Y`. */
      readonly kernel: string;
      /** The kernel behaviour that removed a page postcopy had placed, and the fix that ended it. */
      readonly era: string;
      readonly detail: string;
    });
