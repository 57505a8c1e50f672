/**
 * A hugetlb pool of one page size (/sys/kernel/mm/hugepages/hugepages-<size>kB): pages are
 * set aside at boot, so faults take from the pool and never from general memory. A pool of
 * Infinity pages stands for "large enough"; a finite pool makes faults SIGBUS and
 * MADV_POPULATE_WRITE fail with EFAULT once it runs dry, as QEMU sees on real hosts.
 *
 * Reservations (HugePages_Rsvd) are counted at mmap time unless MAP_NORESERVE; faults consume
 * them first. The model keeps reservations as counts per mapping or file, not per offset.
 */
export class HugetlbPool {
  readonly pageSize: number;
  readonly total: number;
  readonly #onUse: (bytes: number) => void;
  #used = 0;
  #reserved = 0;

  /** @param onUse told of every change of the bytes in use (the host's running total) */
  constructor(pageSize: number, total: number, onUse: (bytes: number) => void) {
    this.pageSize = pageSize;
    this.total = total;
    this.#onUse = onUse;
  }

  get used(): number {
    return this.#used;
  }

  get reserved(): number {
    return this.#reserved;
  }

  get free(): number {
    return this.total - this.#used;
  }

  /** Reserves `n` pages if that many are free and unreserved (mmap without MAP_NORESERVE). */
  reserve(n: number): boolean {
    if (this.free - this.#reserved < n) return false;
    this.#reserved += n;
    return true;
  }

  unreserve(n: number): void {
    this.#reserved -= n;
  }

  /** Takes one page, consuming one of `reservation` if any are left; false if the pool is dry. */
  take(reservation: { reservedLeft: number }): boolean {
    if (reservation.reservedLeft > 0) {
      reservation.reservedLeft--;
      this.#reserved--;
      this.#use(1);
      return true;
    }
    if (this.free - this.#reserved < 1) return false;
    this.#use(1);
    return true;
  }

  give(n: number): void {
    this.#use(-n);
  }

  #use(n: number): void {
    this.#used += n;
    this.#onUse(n * this.pageSize);
  }
}
