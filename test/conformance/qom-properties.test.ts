/**
 * Every property hotmem models on virtio-mem-pci/-ccw, virtio-balloon-pci/-ccw (proxy and
 * virtio-backend) and the memory backends, read with qom-get after realize from the real QEMU of
 * every Debian suite and from `hotmem qemu` of the same release: values QEMU resolves at realize
 * (disable-legacy, vectors, unplugged-inaccessible, block-size on a TCG s390x guest of this x86
 * host) must read back resolved. hotmem must not list a property the release lacks; the ones it
 * does not model yet are counted, not compared.
 */
import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import type { Arch } from '../../src/core/arch.js';
import { isMissing, realQemus, requireReal } from './real-qemu.js';
import { isModelled, requireModelled } from './modelled-release.js';
import { hotmemTranscript, pooled, realTranscript, type Reply, type Step, type Transcript } from './transcripts.js';

interface Case {
  readonly arch: Arch;
  readonly what: string;
  readonly args: readonly string[];
  readonly paths: readonly string[];
}

const DEVICES = ['vm0', 'vm0/virtio-backend', 'b0', 'b0/virtio-backend'].map((p) => `/machine/peripheral/${p}`);

const CASES: readonly Case[] = [
  {
    arch: 'x86_64',
    what: 'q35: virtio-mem-pci on ram, virtio-balloon-pci',
    args: [
      '-M',
      'q35',
      '-m',
      '1G,maxmem=4G',
      '-object',
      'memory-backend-ram,id=mem0,size=1G',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=mem0',
      '-device',
      'virtio-balloon-pci,id=b0',
    ],
    paths: [...DEVICES, '/objects/mem0'],
  },
  {
    arch: 'x86_64',
    what: 'pc: virtio-mem-pci on memfd with options (host-nodes), legacy-only virtio-balloon-pci',
    args: [
      '-M',
      'pc',
      '-m',
      '1G,maxmem=4G',
      '-object',
      'memory-backend-memfd,id=mem0,size=1G,share=on,prealloc=off,host-nodes=0,policy=preferred',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=mem0,requested-size=256M,block-size=4M,disable-legacy=off',
      '-device',
      'virtio-balloon-pci,id=b0,disable-modern=on,deflate-on-oom=on',
    ],
    paths: [...DEVICES, '/objects/mem0'],
  },
  {
    arch: 'x86_64',
    what: 'q35: a file backend on tmpfs',
    args: [
      '-M',
      'q35',
      '-m',
      '1G,maxmem=4G',
      '-object',
      'memory-backend-file,id=mem0,size=1G,share=on,mem-path=/dev/shm/hotmem-qom-properties',
      '-device',
      'virtio-mem-pci,id=vm0,memdev=mem0',
    ],
    paths: [...DEVICES.slice(0, 2), '/objects/mem0'],
  },
  {
    arch: 'x86_64',
    what: 'pc: pc-dimm and nvdimm with a label',
    args: [
      '-M',
      'pc,nvdimm=on',
      '-m',
      '1G,slots=2,maxmem=4G',
      '-object',
      'memory-backend-ram,id=mem0,size=1G',
      '-object',
      'memory-backend-ram,id=mem1,size=1G',
      '-device',
      'pc-dimm,id=d0,memdev=mem0,slot=1',
      '-device',
      'nvdimm,id=n0,memdev=mem1,label-size=128K,uuid=12345678-1234-1234-1234-123456789abc',
    ],
    paths: ['/machine/peripheral/d0', '/machine/peripheral/n0'],
  },
  {
    arch: 'x86_64',
    what: 'q35: virtio-pmem-pci',
    args: ['-M', 'q35', '-m', '1G,maxmem=4G', '-object', 'memory-backend-ram,id=mem0,size=1G', '-device', 'virtio-pmem-pci,id=p0,memdev=mem0'],
    paths: ['/machine/peripheral/p0', '/machine/peripheral/p0/virtio-backend'],
  },
  {
    arch: 's390x',
    what: 's390-ccw-virtio: virtio-mem-ccw (10.0+; refused before), virtio-balloon-ccw',
    args: [
      '-M',
      's390-ccw-virtio',
      '-m',
      '1G,maxmem=4G',
      '-object',
      'memory-backend-ram,id=mem0,size=1G',
      '-device',
      'virtio-mem-ccw,id=vm0,memdev=mem0',
      '-device',
      'virtio-balloon-ccw,id=b0',
    ],
    paths: [...DEVICES, '/objects/mem0'],
  },
  {
    arch: 's390x',
    what: 's390-ccw-virtio: virtio-balloon-ccw',
    args: ['-M', 's390-ccw-virtio', '-m', '1G', '-object', 'memory-backend-ram,id=mem0,size=1G', '-device', 'virtio-balloon-ccw,id=b0,free-page-reporting=on'],
    paths: [...DEVICES.slice(2), '/objects/mem0'],
  },
];

/**
 * Known differences, each with the release it holds for and why; the test checks that QEMU and
 * hotmem still read exactly these values, so a fix (or a change) shows up.
 */
/** A reply as text, 64-bit integers (bigints) with their digits. */
const shown = (reply: Reply | undefined): string => JSON.stringify(reply, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));

const KNOWN: ReadonlyArray<{
  readonly releases?: readonly string[];
  readonly property: string;
  readonly real: unknown;
  readonly hotmem: unknown;
  readonly reason: string;
}> = [];

/** Properties hotmem has that a release lacks, with why (checked to be still the case). */
const KNOWN_EXTRA: ReadonlyArray<{ readonly release: string; readonly properties: readonly string[]; readonly reason: string }> = [];

const listed = (t: Transcript, i: number): ReadonlyArray<{ name: string; type: string }> => {
  const r = t.replies[i];
  return r && 'return' in r ? (r.return as Array<{ name: string; type: string }>) : [];
};

const readable = (p: { name: string; type: string }) => !p.type.startsWith('child<') && !p.type.startsWith('link<') && p.name !== 'type';

describe('conformance: modelled properties after realize, by release', function () {
  this.timeout(120_000);
  const lists = new Map<string, Promise<Transcript>>();
  const key = (release: string, c: Case) => `${release} ${c.what}`;

  before(() => {
    const jobs = CASES.flatMap((c) =>
      realQemus(c.arch, 'all').flatMap((q) =>
        isMissing(q) || !isModelled(q.release)
          ? []
          : [
              {
                k: key(q.release, c),
                run: () =>
                  realTranscript(
                    q.binary,
                    c.args,
                    c.paths.map((path): Step => ['qom-list', { path }]),
                  ),
              },
            ],
      ),
    );
    pooled(
      3,
      jobs.map((j) => j.run),
    ).forEach((p, i) => lists.set(jobs[i]!.k, p));
  });

  for (const c of CASES) {
    for (const q of realQemus(c.arch, 'all')) {
      it(`QEMU ${q.release} (${q.suite}) ${c.arch}: ${c.what}`, async function () {
        requireReal(this, q);
        requireModelled(this, q.release);
        const realLists = await lists.get(key(q.release, c))!;
        const modelLists = hotmemTranscript(
          q.release,
          c.args,
          c.paths.map((path): Step => ['qom-list', { path }]),
          c.arch,
        );
        assert.equal(modelLists.stderr, realLists.stderr);
        if (realLists.replies.length === 0) return; // both refused the configuration alike
        const script: Step[] = [];
        let unmodelled = 0;
        c.paths.forEach((path, i) => {
          const real = listed(realLists, i).filter(readable);
          const model = listed(modelLists, i).filter(readable);
          const realNames = new Set(real.map((p) => p.name));
          const extra = model.filter((p) => !realNames.has(p.name)).map((p) => p.name);
          const known = KNOWN_EXTRA.find((k) => k.release === q.release && extra.length > 0);
          assert.deepEqual(
            extra.filter((p) => !known?.properties.includes(p)),
            [],
            `${path}: properties QEMU ${q.release} does not have`,
          );
          const modelNames = new Set(model.map((p) => p.name));
          unmodelled += real.filter((p) => !modelNames.has(p.name)).length;
          for (const p of real.filter((x) => modelNames.has(x.name))) script.push(['qom-get', { path, property: p.name }]);
        });
        const real = await realTranscript(q.binary, c.args, script, true);
        const model = hotmemTranscript(q.release, c.args, script, c.arch);
        const differences: string[] = [];
        script.forEach(([, args], i) => {
          const property = args!['property'] as string;
          const known = KNOWN.find((k) => k.property === property && (k.releases === undefined || k.releases.includes(q.release)));
          const want: Reply | undefined = real.replies[i];
          const got: Reply | undefined = model.replies[i];
          if (known) {
            assert.deepEqual([got, want], [{ return: known.hotmem }, { return: known.real }], `known difference ${property} changed (${known.reason})`);
            return;
          }
          if (!isDeepStrictEqual(got, want)) differences.push(`${String(args!['path'])}.${property}: QEMU ${shown(want)}, hotmem ${shown(got)}`);
        });
        console.log(`      ${script.length} properties compared, ${unmodelled} not modelled`);
        assert.deepEqual(differences, []);
      });
    }
  }
});
