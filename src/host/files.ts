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

export interface HostFiles {
  read(path: string): FileRead;
  open(path: string, writable: boolean): FileOpen;
}

/** A host with no such files: every open fails with ENOENT. */
export const NO_FILES: HostFiles = {
  read: () => ({ kind: 'error', stage: 'open', errno: 'ENOENT' }),
  open: () => ({ kind: 'error', errno: 'ENOENT' }),
};
