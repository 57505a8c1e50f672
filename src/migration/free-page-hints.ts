/**
 * Free page hinting as migration sees it (migration/ram.c qemu_guest_free_page_hint and the
 * precopy notifier chain, 4.1+): after each dirty-bitmap sync a device may ask its guest for
 * free pages, and every range the guest reports is cleared from the bitmap, so it is neither
 * read nor sent. virtio-balloon's VIRTIO_BALLOON_F_FREE_PAGE_HINT is the one such device.
 * QEMU turns hinting off when postcopy-ram is on; so does the engine.
 */
import { key } from '../core/keys.js';
import type { QomObject } from '../qom/object.js';

/** A range the guest reported free, as a RAMBlock and byte offsets into it. */
export interface FreePageHint {
  readonly idstr: string;
  readonly offset: number;
  readonly length: number;
}

export interface FreePageHinting {
  /** PRECOPY_NOTIFY_AFTER_BITMAP_SYNC: a round begins; the device asks its guest for hints. */
  roundStarted(obj: QomObject): void;
  /** What the guest reported since the last call. */
  takeHints(obj: QomObject): readonly FreePageHint[];
  /** PRECOPY_NOTIFY_COMPLETE / CLEANUP: hinting ends with the precopy phase. */
  stopped(obj: QomObject): void;
}

export const FREE_PAGE_HINTING = key<FreePageHinting>('free page hinting');
