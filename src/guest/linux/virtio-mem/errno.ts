/**
 * The errno values the driver's functions return to virtio_mem_run_wq(), which decides from them
 * whether to retry at once, arm the retry timer, wait for an event or mark the device broken.
 * Numbers are Linux's (include/uapi/asm-generic/errno-base.h), printed negated as the kernel does.
 */
export const ERRNO = Object.freeze({
  EAGAIN: 11,
  ENOMEM: 12,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ETXTBSY: 26,
  ENOSPC: 28,
} as const);

export type Errno = keyof typeof ERRNO;

/** A kernel function's result: 0, or a negative errno. */
export type Rc = 'ok' | Errno;

/** The value the kernel prints with %d, e.g. -22. */
export const rcValue = (rc: Errno): number => -ERRNO[rc];
