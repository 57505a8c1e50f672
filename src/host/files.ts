/**
 * What a process reads from the host's files outside guest memory (a secret's key file). The
 * emulated host has none unless its creator supplies them: `hotmem qemu` stands in for a process
 * on the real host and reads the real files, as QEMU would; a model built from a YAML definition
 * or the API has an empty file system.
 */
import type { Errno } from './errno.js';

/** g_file_get_contents: the bytes, or the errno of the step that failed (open, then read). */
export type FileRead =
  { readonly kind: 'read'; readonly bytes: Uint8Array } | { readonly kind: 'error'; readonly stage: 'open' | 'read'; readonly errno: Errno };

/** What fstat says the file is. */
export type FileKind = 'regular' | 'directory' | 'char' | 'block' | 'other';

/**
 * A disk image opened as file-posix opens it (read-write unless read-only): the file's kind and
 * its first bytes (where a format driver finds its header), or open's errno.
 */
export type FileOpen = { readonly kind: 'opened'; readonly type: FileKind; readonly head: Uint8Array } | { readonly kind: 'error'; readonly errno: Errno };

/** How many bytes of an image FileOpen carries: a qcow2 header's magic and version. */
export const IMAGE_HEAD_BYTES = 8;

/** The file systems guest RAM files live on, by what their page cache is. */
export type FileSystemKind = 'hugetlbfs' | 'tmpfs' | 'disk';

/**
 * What file_ram_open's open() of a mem-path would give: a file (opened, or created where it was
 * missing, with its size then 0), a directory (QEMU makes an unlinked temporary file in it), or
 * the errno. `pageSize` is a hugetlbfs mount's huge page size (statfs f_bsize).
 */
export type BackingStore =
  | { readonly kind: 'file'; readonly fs: FileSystemKind; readonly pageSize?: number; readonly size: number }
  | { readonly kind: 'directory'; readonly fs: FileSystemKind; readonly pageSize?: number }
  | { readonly kind: 'error'; readonly errno: Errno };

export interface HostFiles {
  read(path: string): FileRead;
  open(path: string, writable: boolean): FileOpen;
  /**
   * Where a mem-path leads, asked of a real file system without creating anything. Absent on a
   * modelled host, whose mem-paths always open and whose file systems are told by their paths.
   */
  backingStore?(path: string): BackingStore;
  /**
   * What connect() to a unix socket at the path fails with, as far as the file system tells
   * (undefined: it may connect). Absent on a modelled host, where every connect succeeds.
   */
  unixConnect?(path: string): Errno | undefined;
  /**
   * What opening the path for writing (O_WRONLY|O_CREAT) fails with, asked without creating or
   * truncating anything (undefined: it opens). Absent on a modelled host, where it always opens.
   */
  openForWriting?(path: string): Errno | undefined;
  /**
   * stat(): undefined if the path exists, else the errno. Absent on a modelled host, where only
   * the paths it describes (its PCI devices' sysfs directories) exist.
   */
  stat?(path: string): Errno | undefined;
}

/** A host with no such files: every open fails with ENOENT. */
export const NO_FILES: HostFiles = {
  read: () => ({ kind: 'error', stage: 'open', errno: 'ENOENT' }),
  open: () => ({ kind: 'error', errno: 'ENOENT' }),
};
