import assert from 'node:assert/strict';
import { cpioNewc, type CpioEntry } from './cpio-newc.js';
import { readCpioNewc } from './cpio-reader.js';

const ENTRIES: readonly CpioEntry[] = [
  { kind: 'dir', path: 'bin' },
  { kind: 'file', path: '/init', data: Buffer.from('#!/bin/sh\n'), executable: true },
  { kind: 'file', path: 'etc/list', data: Buffer.from('a'), executable: false },
  { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
  { kind: 'char-device', path: 'dev/console', major: 5, minor: 1 },
];

describe('conformance/guest/cpio-newc', () => {
  const archive = cpioNewc(ENTRIES);
  const members = readCpioNewc(archive);

  it('writes each entry with its type, permissions and contents, owned by root at time 0', () => {
    assert.deepEqual(
      members.map((m) => [m.name, m.mode.toString(8), m.data.toString(), m.uid, m.gid, m.mtime]),
      [
        ['bin', '40755', '', 0, 0, 0],
        ['init', '100755', '#!/bin/sh\n', 0, 0, 0],
        ['etc/list', '100644', 'a', 0, 0, 0],
        ['bin/sh', '120777', 'busybox', 0, 0, 0],
        ['dev/console', '20600', '', 0, 0, 0],
      ],
    );
  });

  it('gives a device node its device number without needing mknod', () => {
    const consoleNode = members.find((m) => m.name === 'dev/console')!;
    assert.deepEqual([consoleNode.rdevMajor, consoleNode.rdevMinor], [5, 1]);
  });

  it('starts every header on a 4-byte boundary and ends with the trailer', () => {
    for (const m of members) assert.equal(m.offset % 4, 0, m.name);
    assert.equal(archive.length % 4, 0);
    assert.ok(archive.includes(Buffer.from('TRAILER!!!\0')));
  });

  it('is byte-identical for the same entries', () => {
    assert.deepEqual(cpioNewc(ENTRIES), archive);
  });
});
