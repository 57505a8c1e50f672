/**
 * The real host's files, for `hotmem qemu`: it runs where the QEMU it stands in for would, so a
 * secret's file= names a file here (libvirt's master key). Read as g_file_get_contents reads:
 * open, then read, each failing with its errno.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { HotmemError } from '../../core/errors.js';
import { ERRNO, type Errno } from '../../host/errno.js';
import type { FileRead, HostFiles } from '../../host/files.js';

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
};
