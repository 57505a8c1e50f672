/**
 * The real host's files, for `hotmem qemu`: it runs where the QEMU it stands in for would, so a
 * secret's file= names a file here (libvirt's master key). Read as g_file_get_contents reads:
 * open, then read, each failing with its errno. A -blockdev's image is opened as file-posix opens
 * it, and only its kind and first bytes are read.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { HotmemError } from '../../core/errors.js';
import { ERRNO, type Errno } from '../../host/errno.js';
import { IMAGE_HEAD_BYTES, type FileKind, type FileOpen, type FileRead, type HostFiles } from '../../host/files.js';

function errnoOf(e: unknown, path: string): Errno {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== undefined && code in ERRNO) return code as Errno;
  throw new HotmemError('host.file-read', `hotmem cannot model the failure reading ${path} (${code ?? String(e)})`);
}

export const REAL_HOST_FILES: HostFiles = {
  read(path: string): FileRead {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      return { kind: 'error', stage: 'open', errno: errnoOf(e, path) };
    }
    try {
      return { kind: 'read', bytes: readFileSync(fd) };
    } catch (e) {
      return { kind: 'error', stage: 'read', errno: errnoOf(e, path) };
    } finally {
      closeSync(fd);
    }
  },
  open(path: string, writable: boolean): FileOpen {
    let fd: number;
    try {
      fd = openSync(path, writable ? 'r+' : 'r');
    } catch (e) {
      return { kind: 'error', errno: errnoOf(e, path) };
    }
    try {
      const stat = fstatSync(fd);
      const type: FileKind = stat.isFile()
        ? 'regular'
        : stat.isDirectory()
          ? 'directory'
          : stat.isCharacterDevice()
            ? 'char'
            : stat.isBlockDevice()
              ? 'block'
              : 'other';
      const head = new Uint8Array(IMAGE_HEAD_BYTES);
      const length = type === 'regular' || type === 'block' ? readSync(fd, head, 0, IMAGE_HEAD_BYTES, 0) : 0;
      return { kind: 'opened', type, head: head.subarray(0, length) };
    } finally {
      closeSync(fd);
    }
  },
};
