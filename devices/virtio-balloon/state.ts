/**
 * The balloon device's own state (struct VirtIOBalloon in include/hw/virtio/virtio-balloon.h):
 * what realize fixed, and what the host, the guest and migration change at run time.
 */
import type { Arch } from '../../src/core/arch.js';
import type { Release } from '../../src/core/release.js';
import type { FeatureSet } from '../../src/virtio/feature-set.js';
import type { BalloonQueue } from './queues.js';
import { STAT_UNSET, statCount } from './stats.js';

/** enum virtio_balloon_free_page_hint_status, with QEMU's numbering (the migration stream carries it). */
export const FREE_PAGE_HINT_STATUS = { stop: 0, requested: 1, start: 2, done: 3 } as const;
export type FreePageHintStatus = keyof typeof FREE_PAGE_HINT_STATUS;

/** VIRTIO_BALLOON_FREE_PAGE_HINT_CMD_ID_MIN: the first command id, and where the counter wraps to. */
export const FREE_PAGE_HINT_CMD_ID_MIN = 0x80000000;
/** VIRTIO_BALLOON_CMD_ID_STOP and _DONE as the config field shows them. */
export const VIRTIO_BALLOON_CMD_ID_STOP = 0;
export const VIRTIO_BALLOON_CMD_ID_DONE = 1;

/** Decided at realize. */
export interface BalloonSetup {
  readonly release: Release;
  readonly target: Arch;
  /** The device bits it offers: the property bits plus STATS_VQ (virtio_balloon_get_features). */
  readonly deviceFeatures: FeatureSet;
  readonly configSize: 8 | 12 | 16;
  readonly queues: readonly BalloonQueue[];
}

export interface BalloonState {
  readonly setup: BalloonSetup;
  /** Requested balloon size in 4 KiB pages (set by the `balloon` command). */
  numPages: number;
  /** The driver's last reported balloon size in 4 KiB pages. */
  actual: number;
  /** Only meaningful with PAGE_POISON; reset to 0 by a device reset. */
  poisonVal: number;
  freePageHintStatus: FreePageHintStatus;
  freePageHintCmdId: number;
  /** One u64 per tag QEMU knows; STAT_UNSET where the guest gave none. */
  stats: bigint[];
  /** Seconds of the last stats update (QEMU: wall clock; here: the machine's simulated clock). */
  statsLastUpdate: number;
  /** guest-stats-polling-interval in seconds; 0 disables polling. */
  statsPollInterval: number;
  /** Whether the device holds the guest's stats buffer (stats_vq_elem). */
  statsElementHeld: boolean;
}

export const unsetStats = (r: Release): bigint[] => new Array<bigint>(statCount(r)).fill(STAT_UNSET);

export function newBalloonState(setup: BalloonSetup): BalloonState {
  return {
    setup,
    numPages: 0,
    actual: 0,
    poisonVal: 0,
    // The struct is zero-filled, so the status starts at FREE_PAGE_HINT_S_STOP (0);
    // instance_init sets the command id to its minimum.
    freePageHintStatus: 'stop',
    freePageHintCmdId: FREE_PAGE_HINT_CMD_ID_MIN,
    stats: unsetStats(setup.release),
    statsLastUpdate: 0,
    statsPollInterval: 0,
    statsElementHeld: false,
  };
}
