import assert from 'node:assert/strict';
import { Host } from '../../../src/host/host.js';
import { release } from '../../../src/core/release.js';
import { balloonDiscard } from '../../../devices/virtio-balloon/discard.js';
import { RAM_BLOCK, type RamBlock } from '../../../src/machine/ram-block.js';
import { ramDiscardCoordination, takeDiscardUse } from '../../../src/machine/discard-coordination.js';
import { FeatureSet } from '../../../src/virtio/feature-set.js';
import { GiB, MiB, handshake, inflate, pfnElement, startBalloon, type BalloonFixture } from './helpers.js';

const ramBlock = (f: BalloonFixture, id: string): RamBlock => f.machine.model.resolvePath(`/objects/${id}`)!.slots.get(RAM_BLOCK)!;

/** The guest fills all of RAM, then inflates `bytes` from the top of the first GiB. */
function fillAndInflate(f: BalloonFixture, id: string, bytes: number): void {
  handshake(f.runtime, FeatureSet.EMPTY);
  const block = ramBlock(f, id);
  block.mapping!.write(0, block.size, 7);
  inflate(f.runtime, GiB - bytes, bytes);
}

describe('devices/virtio-balloon: inflation and host memory, by backend', () => {
  // backend, backend options → what inflating 512 MiB of a written 1 GiB guest leaves resident
  const CASES: ReadonlyArray<readonly [string, string, string, 'rssAnon' | 'rssShmem', number]> = [
    ['memory-backend-ram', '', 'private anonymous: MADV_DONTNEED frees it', 'rssAnon', 512 * MiB],
    ['memory-backend-ram', 'share=on', 'shared anonymous: MADV_REMOVE punches the shmem', 'rssShmem', 512 * MiB],
    ['memory-backend-memfd', '', 'memfd: the hole punch frees the page cache', 'rssShmem', 512 * MiB],
    ['memory-backend-file', 'mem-path=/dev/shm/guest,share=on', 'shared tmpfs file: punched', 'rssShmem', 512 * MiB],
  ];
  for (const [type, props, why, counter, resident] of CASES) {
    it(`${type} ${props || '(defaults)'}: ${why}`, () => {
      const f = startBalloon({ backend: { type, props }, memory: '1G' });
      fillAndInflate(f, 'ram0', 512 * MiB);
      assert.equal(f.machine.process.status()[counter], resident);
      assert.equal(f.machine.process.host.meminfo()[counter === 'rssAnon' ? 'anon' : 'shmem'], resident);
    });
  }

  it('5.1-6.0 shared anonymous RAM: QEMU only drops the mapping (MADV_DONTNEED), the shmem stays on the host', () => {
    for (const [r, hostShmem] of [
      ['6.0', GiB],
      ['6.1', 512 * MiB],
    ] as const) {
      // memory-backend-ram,share=on before 10.0: MAP_SHARED|MAP_ANONYMOUS, no fd.
      const process = new Host({ arch: 'x86_64' }).spawn({ name: 'qemu-system-x86_64' });
      const mapped = process.map({ kind: 'anon', shared: true, size: GiB });
      assert.equal(mapped.kind, 'done');
      const mapping = mapped.mapping;
      const block: RamBlock = { name: 'ram0', idstr: 'ram0', size: GiB, shared: true, hasFd: false, pageSize: 4096, mapping };
      mapping.write(0, GiB, 1);
      assert.equal(balloonDiscard(block, 512 * MiB, 512 * MiB, 4096, release(r)).kind, 'done');
      assert.equal(process.status().rssShmem, 512 * MiB, `${r}: the process's RSS falls either way`);
      assert.equal(process.host.meminfo().shmem, hostShmem, `${r}: host shmem`);
    }
  });

  it('default pc.ram (private anonymous): RSS falls by exactly the ballooned amount', () => {
    const f = startBalloon({ memory: '2G' });
    handshake(f.runtime, FeatureSet.EMPTY);
    const block = ramBlock(f, 'pc.ram');
    block.mapping!.write(0, block.size, 1);
    const before = f.machine.process.status().vmRss;
    inflate(f.runtime, 256 * MiB, 768 * MiB);
    assert.equal(before - f.machine.process.status().vmRss, 768 * MiB);
  });

  it('hugetlb memfd: 256-PFN elements never cover a 2 MiB host page, so nothing is freed; QEMU warns once', () => {
    const host = new Host({ arch: 'x86_64', hugetlbPages: { [2 * MiB]: 1024 } });
    const f = startBalloon({ host, backend: { type: 'memory-backend-memfd', props: 'hugetlb=on' }, memory: '1G' });
    fillAndInflate(f, 'ram0', 512 * MiB);
    assert.equal(f.machine.process.status().hugetlbPages, GiB);
    assert.deepEqual(
      f.runtime.warnings.map((w) => w.message),
      ['Balloon used with backing page size > 4kiB, this may not be reliable'],
    );
    // One element that holds all 512 pieces of a host page does discard it.
    f.runtime.submit(0, pfnElement(0, 2 * MiB));
    assert.equal(f.machine.process.status().hugetlbPages, GiB - 2 * MiB);
    assert.equal(f.runtime.warnings.length, 1);
  });

  it('deflating costs nothing; the guest reusing the pages faults them back in', () => {
    const f = startBalloon({ memory: '1G' });
    fillAndInflate(f, 'pc.ram', 512 * MiB);
    const process = f.machine.process;
    assert.equal(process.status().vmRss, 512 * MiB);
    inflate(f.runtime, 512 * MiB, 512 * MiB, 1);
    assert.equal(process.status().vmRss, 512 * MiB);
    ramBlock(f, 'pc.ram').mapping!.write(512 * MiB, 512 * MiB, 9);
    assert.equal(process.status().vmRss, GiB);
  });

  it('acks but frees nothing while discards are disabled (a VFIO-style device) or during incoming postcopy', () => {
    const vfio = startBalloon({ memory: '1G' });
    takeDiscardUse(ramDiscardCoordination(vfio.machine.model), 'vfio-spapr', vfio.machine.release);
    fillAndInflate(vfio, 'pc.ram', 512 * MiB);
    assert.equal(vfio.machine.process.status().vmRss, GiB);
    const postcopy = startBalloon({ memory: '1G' });
    postcopy.runtime.setMigrationState({ incomingPostcopy: true, backgroundSnapshot: false });
    fillAndInflate(postcopy, 'pc.ram', 512 * MiB);
    assert.equal(postcopy.machine.process.status().vmRss, GiB);
    assert.deepEqual([...vfio.runtime.warnings, ...postcopy.runtime.warnings], []);
  });

  it('skips PFNs that are not RAM: above the end of RAM, and in the hole below 4 GiB', () => {
    const f = startBalloon({ memory: '4G' });
    handshake(f.runtime, FeatureSet.EMPTY);
    const block = ramBlock(f, 'pc.ram');
    block.mapping!.write(0, block.size, 1);
    const below4g = f.machine.layout.ram[0]!.size;
    const done = f.runtime.submit(0, pfnElement(below4g, 4 * MiB));
    assert.equal(done.kind, 'used');
    f.runtime.submit(0, pfnElement(64 * GiB, 4 * MiB));
    assert.equal(f.machine.process.status().vmRss, 4 * GiB);
    // RAM above 4 GiB continues the block where the part below 4 GiB ends.
    f.runtime.submit(0, pfnElement(4 * GiB, MiB));
    assert.equal(f.machine.process.status().vmRss, 4 * GiB - MiB);
  });

  it('discards inside plugged virtio-mem memory too: QEMU does not coordinate the two', () => {
    const f = startBalloon({
      memory: '1G,maxmem=4G',
      items: [
        { kind: 'object', type: 'memory-backend-ram', id: 'vmem0', props: [{ name: 'size', value: '1G' }] },
        {
          kind: 'device',
          driver: 'virtio-mem-pci',
          id: 'vm0',
          props: [
            { name: 'memdev', value: 'vmem0' },
            { name: 'requested-size', value: '1G' },
          ],
        },
      ],
    });
    handshake(f.runtime, FeatureSet.EMPTY);
    const vmem = ramBlock(f, 'vmem0');
    vmem.mapping!.write(0, GiB, 3);
    const base = f.machine.model.resolvePath('vm0')!.get('memaddr') as number;
    inflate(f.runtime, base, 256 * MiB);
    assert.equal(vmem.mapping!.rssBytes, 768 * MiB);
  });
});
