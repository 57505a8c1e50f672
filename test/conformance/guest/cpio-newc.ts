/**
 * Writes the "newc" cpio format the Linux kernel unpacks as an initramfs. Written here rather
 * than shelling out to cpio(1) so that a device node (/dev/console) can be included without
 * root and mknod, and so the archive is byte-identical for the same inputs (owner root, mtime 0).
 */

export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string }
  | { readonly kind: 'file'; readonly path: string; readonly data: Uint8Array; readonly executable: boolean }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string }
  | { readonly kind: 'char-device'; readonly path: string; readonly major: number; readonly minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const TRAILER = 'TRAILER!!!';

export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, i) => {
    const { mode, nlink, data, rdev } = describe(entry);
    parts.push(record(entry.path.replace(/^\/+/, ''), { ino: i + 1, mode, nlink, rdev }, data));
  });
  parts.push(record(TRAILER, { ino: 0, mode: 0, nlink: 1, rdev: [0, 0] }, new Uint8Array()));
  return Buffer.concat(parts);
}

interface Inode {
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly rdev: readonly [number, number];
}

function describe(entry: CpioEntry): Omit<Inode, 'ino'> & { data: Uint8Array } {
  switch (entry.kind) {
    case 'dir':
      return { mode: S_IFDIR | 0o755, nlink: 2, data: new Uint8Array(), rdev: [0, 0] };
    case 'file':
      return { mode: S_IFREG | (entry.executable ? 0o755 : 0o644), nlink: 1, data: entry.data, rdev: [0, 0] };
    case 'symlink':
      return { mode: S_IFLNK | 0o777, nlink: 1, data: Buffer.from(entry.target), rdev: [0, 0] };
    case 'char-device':
      return { mode: S_IFCHR | 0o600, nlink: 1, data: new Uint8Array(), rdev: [entry.major, entry.minor] };
  }
}

/**
 * One member: a 110-byte header (magic, thirteen 8-digit hex fields), the NUL-terminated name
 * padded so the data starts 4-byte aligned, then the data padded to 4 bytes.
 */
function record(name: string, inode: Inode, data: Uint8Array): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fieldValues = [
    inode.ino,
    inode.mode,
    0, // uid
    0, // gid
    inode.nlink,
    0, // mtime
    data.length,
    0, // devmajor
    0, // devminor
    inode.rdev[0],
    inode.rdev[1],
    nameBytes.length,
    0, // check
  ];
  const header = Buffer.from(`070701${fieldValues.map((v) => v.toString(16).padStart(8, '0')).join('')}`, 'ascii');
  return Buffer.concat([header, nameBytes, zeros(pad4(header.length + nameBytes.length)), data, zeros(pad4(data.length))]);
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;
const zeros = (n: number): Buffer => Buffer.alloc(n);
