/**
 * File data a guest keeps in RAM (a tmpfs file): what `rm` and `dd if=/dev/zero of=FILE` do to
 * memory. Writing N bytes allocates N bytes of movable pages through the page allocator (each
 * zeroed first where init_on_alloc is on, then written: both reach the host), removing the file
 * frees them (they go back to the free lists, where free page reporting may find them later).
 */
import type { Range } from '../balloon/extents.js';
import type { GuestAllocator } from '../balloon/reclaim.js';
import type { GuestMemoryPort } from '../memory-port.js';

export type FileDataOutcome =
  | { readonly kind: 'done'; readonly held: number }
  /** The allocator ran dry and nothing could reclaim enough: the OOM killer would run. The file is gone. */
  | { readonly kind: 'oom'; readonly short: number };

/** The tag file data carries, so migrations can check it arrived intact. */
const FILE_DATA_TAG = 0xf1;

export class FileData {
  #pages: readonly Range[] = [];

  constructor(
    private readonly allocator: GuestAllocator,
    private readonly memory: GuestMemoryPort,
  ) {}

  /** Bytes of file data in RAM. */
  get held(): number {
    return this.#pages.reduce((n, r) => n + r.length, 0);
  }

  /** Replaces the file with one of `bytes` (whole pages): the old one is removed first. */
  fill(bytes: number): FileDataOutcome {
    this.allocator.free(this.#pages);
    this.#pages = [];
    if (bytes === 0) return { kind: 'done', held: 0 };
    const got = this.allocator.allocate(bytes);
    if (got.kind === 'oom') return got;
    for (const r of got.ranges) this.memory.write(r.gpa, r.length, FILE_DATA_TAG);
    this.#pages = got.ranges;
    return { kind: 'done', held: this.held };
  }
}
