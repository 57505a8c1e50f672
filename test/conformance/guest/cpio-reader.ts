/**
 * Reads a newc cpio archive back into its members, for the tests of the writer and of the
 * initramfs: checking the archive the kernel will unpack, not the calls that built it.
 */

export interface CpioMember {
  readonly name: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
  readonly data: Buffer;
  /** Where the member's header starts, to check alignment. */
  readonly offset: number;
}

/** The members before the TRAILER!!! entry; throws on anything the kernel would reject. */
export function readCpioNewc(archive: Buffer): CpioMember[] {
  const members: CpioMember[] = [];
  let at = 0;
  for (;;) {
    if (archive.toString('ascii', at, at + 6) !== '070701') throw new Error(`no newc magic at ${at}`);
    const field = (i: number): number => Number.parseInt(archive.toString('ascii', at + 6 + i * 8, at + 14 + i * 8), 16);
    const nameSize = field(11);
    const name = archive.toString('utf8', at + 110, at + 110 + nameSize - 1);
    if (archive[at + 110 + nameSize - 1] !== 0) throw new Error(`name of ${name} is not NUL-terminated`);
    const dataStart = align4(at + 110 + nameSize);
    const data = archive.subarray(dataStart, dataStart + field(6));
    if (name === 'TRAILER!!!') return members;
    members.push({
      name,
      mode: field(1),
      uid: field(2),
      gid: field(3),
      mtime: field(5),
      rdevMajor: field(9),
      rdevMinor: field(10),
      data,
      offset: at,
    });
    at = align4(dataStart + data.length);
  }
}

const align4 = (n: number): number => Math.ceil(n / 4) * 4;
