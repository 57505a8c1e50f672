/**
 * x-query-virtio and x-query-virtio-status against the real QEMU of every Debian suite: the
 * decoded feature words (each release's name tables), status, endianness and the other fields,
 * and the errors, for virtio-mem and virtio-balloon on x86_64 and s390x, compared reply by reply
 * with `hotmem qemu` of the same release. 5.2 predates the commands (both refuse them alike).
 * All real processes start at once (a few at a time) in `before`; each test awaits its own.
 */
import { strict as assert } from 'node:assert';
import type { Arch } from '../../src/core/arch.js';
import { compareReleases, release as parseRelease } from '../../src/core/release.js';
import { crashes, isMissing, realQemus, requireReal, type MissingQemu, type RealQemu } from './real-qemu.js';
import { isModelled, requireModelled } from './modelled-release.js';
import { hotmemTranscript, pooled, realTranscript, type Step, type Transcript } from './transcripts.js';

/**
 * Known differences the test still checks, weakened as little as it can: from 8.2 QEMU lists
 * x-query-virtio in GLib hash-table order of QOM child names, which hotmem does not model, so
 * that list is compared as a set there.
 */
const UNORDERED_LIST_SINCE = '8.2';

function normalized(t: Transcript, release: string): Transcript {
  if (compareReleases(parseRelease(release), parseRelease(UNORDERED_LIST_SINCE)) < 0) return t;
  const first = t.replies[0];
  if (!first || !('return' in first) || !Array.isArray(first.return)) return t;
  const sorted = [...(first.return as Array<{ path: string }>)].sort((a, b) => a.path.localeCompare(b.path));
  return { ...t, replies: [{ return: sorted }, ...t.replies.slice(1)] };
}

interface Case {
  readonly arch: Arch;
  readonly what: string;
  readonly args: readonly string[];
  /** The device whose virtio-backend is asked about. */
  readonly id: string;
}

const MEM = (backend: string, extra = ''): string[] => [
  '-object',
  `${backend},id=mem0,size=1G`,
  '-m',
  '1G,maxmem=4G',
  '-device',
  `virtio-mem-pci,id=d0,memdev=mem0${extra}`,
];

const CASES: readonly Case[] = [
  { arch: 'x86_64', what: 'q35 virtio-mem-pci, ram', args: ['-M', 'q35', ...MEM('memory-backend-ram')], id: 'd0' },
  {
    arch: 'x86_64',
    what: 'q35 virtio-mem-pci, memfd, unplugged-inaccessible=on',
    args: ['-M', 'q35', ...MEM('memory-backend-memfd', ',unplugged-inaccessible=on')],
    id: 'd0',
  },
  { arch: 'x86_64', what: 'pc virtio-mem-pci, ram, requested-size=512M', args: ['-M', 'pc', ...MEM('memory-backend-ram', ',requested-size=512M')], id: 'd0' },
  { arch: 'x86_64', what: 'q35 virtio-balloon-pci', args: ['-M', 'q35', '-m', '1G', '-device', 'virtio-balloon-pci,id=d0'], id: 'd0' },
  {
    arch: 'x86_64',
    what: 'q35 virtio-balloon-pci, every feature, iothread',
    args: [
      '-M',
      'q35',
      '-m',
      '1G',
      '-object',
      'iothread,id=io0',
      '-device',
      'virtio-balloon-pci,id=d0,deflate-on-oom=on,free-page-reporting=on,free-page-hint=on,iothread=io0',
    ],
    id: 'd0',
  },
  {
    arch: 'x86_64',
    what: 'pc virtio-balloon-pci, disable-modern=on (legacy only)',
    args: ['-M', 'pc', '-m', '1G', '-device', 'virtio-balloon-pci,id=d0,disable-modern=on'],
    id: 'd0',
  },
  {
    arch: 'x86_64',
    what: 'pc-i440fx-5.2 virtio-balloon-pci (compat)',
    args: ['-M', 'pc-i440fx-5.2', '-m', '1G', '-device', 'virtio-balloon-pci,id=d0'],
    id: 'd0',
  },
  {
    arch: 'x86_64',
    what: 'q35 virtio-mem-pci and virtio-balloon-pci (x-query-virtio order)',
    args: ['-M', 'q35', ...MEM('memory-backend-ram'), '-device', 'virtio-balloon-pci,id=d1'],
    id: 'd1',
  },
  { arch: 'x86_64', what: 'q35 without virtio devices', args: ['-M', 'q35', '-m', '1G'], id: 'd0' },
  { arch: 's390x', what: 's390-ccw-virtio virtio-balloon-ccw', args: ['-M', 's390-ccw-virtio', '-m', '1G', '-device', 'virtio-balloon-ccw,id=d0'], id: 'd0' },
  {
    arch: 's390x',
    what: 's390-ccw-virtio virtio-balloon-ccw, deflate-on-oom=on',
    args: ['-M', 's390-ccw-virtio', '-m', '1G', '-device', 'virtio-balloon-ccw,id=d0,deflate-on-oom=on'],
    id: 'd0',
  },
  {
    arch: 's390x',
    what: 's390-ccw-virtio virtio-mem-ccw (10.0+; refused before)',
    args: ['-M', 's390-ccw-virtio', '-m', '1G,maxmem=4G', '-object', 'memory-backend-ram,id=mem0,size=1G', '-device', 'virtio-mem-ccw,id=d0,memdev=mem0'],
    id: 'd0',
  },
];

const script = (id: string): readonly Step[] => [
  ['x-query-virtio'],
  ['x-query-virtio-status', { path: `/machine/peripheral/${id}/virtio-backend` }],
  ['x-query-virtio-status', { path: `/machine/peripheral/${id}` }],
  ['x-query-virtio-status', { path: '/nope' }],
];

describe('conformance: x-query-virtio-status by release', function () {
  this.timeout(120_000);
  const runs = new Map<string, Promise<Transcript>>();
  const binaryFor = new Map<string, RealQemu | MissingQemu>();
  const key = (q: RealQemu | MissingQemu, c: Case) => `${q.release} ${c.arch} ${c.what}`;

  before(function () {
    const tasks: Array<() => Promise<Transcript>> = [];
    const keys: string[] = [];
    for (const arch of ['x86_64', 's390x'] as const) {
      for (const q of realQemus(arch, 'all')) {
        for (const c of CASES.filter((x) => x.arch === arch)) {
          binaryFor.set(key(q, c), q);
          if (isMissing(q) || !isModelled(q.release) || crashes(q, 'x-query-virtio-status')) continue;
          keys.push(key(q, c));
          tasks.push(() => realTranscript(q.binary, c.args, script(c.id)));
        }
      }
    }
    pooled(3, tasks).forEach((p, i) => runs.set(keys[i]!, p));
  });

  for (const arch of ['x86_64', 's390x'] as const) {
    for (const q of realQemus(arch, 'all')) {
      describe(`QEMU ${q.release} (${q.suite}) ${arch}`, () => {
        for (const c of CASES.filter((x) => x.arch === arch)) {
          it(c.what, async function () {
            const real = binaryFor.get(key(q, c))!;
            requireReal(this, real);
            const crash = crashes(real, 'x-query-virtio-status');
            if (crash) {
              console.log(`      skipped: ${crash}`);
              this.skip();
            }
            requireModelled(this, real.release);
            const transcript = await runs.get(key(real, c))!;
            assert.deepEqual(normalized(hotmemTranscript(real.release, c.args, script(c.id), arch), real.release), normalized(transcript, real.release));
          });
        }
      });
    }
  }
});
