/**
 * The errno values host operations can answer with, with Linux's numbers and glibc's
 * strerror() text, so a caller printing a QEMU message ("...: Invalid argument") prints the same.
 */
export const ERRNO = Object.freeze({
  ENOENT: { errno: 2, message: 'No such file or directory' },
  EBADF: { errno: 9, message: 'Bad file descriptor' },
  EAGAIN: { errno: 11, message: 'Resource temporarily unavailable' },
  ENOMEM: { errno: 12, message: 'Cannot allocate memory' },
  EACCES: { errno: 13, message: 'Permission denied' },
  EFAULT: { errno: 14, message: 'Bad address' },
  EBUSY: { errno: 16, message: 'Device or resource busy' },
  EEXIST: { errno: 17, message: 'File exists' },
  ENOTDIR: { errno: 20, message: 'Not a directory' },
  EISDIR: { errno: 21, message: 'Is a directory' },
  EINVAL: { errno: 22, message: 'Invalid argument' },
  ENOSYS: { errno: 38, message: 'Function not implemented' },
  EOPNOTSUPP: { errno: 95, message: 'Operation not supported' },
  EADDRINUSE: { errno: 98, message: 'Address already in use' },
  ECONNREFUSED: { errno: 111, message: 'Connection refused' },
  ENOKEY: { errno: 126, message: 'Required key not available' },
} as const);

export type Errno = keyof typeof ERRNO;

/** strerror(errno) as glibc prints it. */
export const strerror = (e: Errno): string => ERRNO[e].message;
