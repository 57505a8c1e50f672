import assert from 'node:assert/strict';
import { parseProcessStatus, parseSmaps, ramBlockUsage } from './host-memory.js';

/** Excerpts of QEMU 7.2's /proc/<pid>/status and smaps on a 6.18 host. */
const STATUS = `Name:\tqemu-system-x86
VmPeak:\t 4536800 kB
VmRSS:\t  318700 kB
RssAnon:\t  293968 kB
RssFile:\t   24732 kB
RssShmem:\t       0 kB
VmPTE:\t     784 kB
`;

const mapping = (range: string, rss: number, anon: number, huge: number): string => `${range} rw-p 00000000 00:00 0 
Size:            2097152 kB
KernelPageSize:        4 kB
Rss:              ${rss} kB
Pss:              ${rss} kB
Shared_Dirty:          0 kB
Private_Dirty:    ${rss} kB
Anonymous:        ${anon} kB
AnonHugePages:    ${huge} kB
ShmemPmdMapped:        0 kB
Swap:                  0 kB
THPeligible:    1
VmFlags: rd wr mr mw me dc ac hg mg 
`;

describe('conformance/guest/host-memory', () => {
  it('reads the process counters', () => {
    assert.deepEqual(parseProcessStatus(STATUS), {
      vmRssKiB: 318700,
      rssAnonKiB: 293968,
      rssFileKiB: 24732,
      rssShmemKiB: 0,
      vmPteKiB: 784,
    });
    assert.throws(() => parseProcessStatus('VmRSS:\t 1 kB\n'), /no RssAnon/);
  });

  it('sums the mappings that hold a RAMBlock and ignores the others', () => {
    const smaps = parseSmaps(
      mapping('7f0000000000-7f0080000000', 4096, 4096, 2048) +
        mapping('7f0080000000-7f0100000000', 1024, 1024, 0) +
        mapping('7f0100000000-7f0100001000', 4, 4, 0),
    );
    const usage = ramBlockUsage(smaps, { name: 'mem0', hva: 0x7f0000000000n, size: 2 ** 32 });
    assert.deepEqual(usage, {
      name: 'mem0',
      sizeKiB: 2 * 2097152,
      rssKiB: 5120,
      pssKiB: 5120,
      anonymousKiB: 5120,
      anonHugePagesKiB: 2048,
      shmemPmdMappedKiB: 0,
      privateDirtyKiB: 5120,
      sharedDirtyKiB: 0,
      swapKiB: 0,
    });
  });

  it('refuses a RAMBlock that whole mappings do not cover exactly', () => {
    const smaps = parseSmaps(mapping('7f0000000000-7f0080000000', 0, 0, 0));
    assert.throws(() => ramBlockUsage(smaps, { name: 'pc.ram', hva: 0x7f0000001000n, size: 2 ** 30 }), /not exactly covered/);
    assert.throws(() => ramBlockUsage(smaps, { name: 'pc.ram', hva: 0x7f0000000000n, size: 2 ** 32 }), /not exactly covered/);
  });
});
