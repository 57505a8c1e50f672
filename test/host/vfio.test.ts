import assert from 'node:assert/strict';
import { Host } from '../../src/host/host.js';
import { VfioDma } from '../../src/host/vfio.js';

const MiB = 1024 ** 2;

function errorOf(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('host/vfio: assignable PCI devices', () => {
  // pciDevices → the refusal of the host description
  const BAD: ReadonlyArray<readonly [string, ConstructorParameters<typeof Host>[0], string]> = [
    [
      'an upper-case address',
      { pciDevices: [{ address: '0000:01:00.A' }] },
      "host PCI device '0000:01:00.A' is not a PCI address of the form 0000:01:00.0 (lower-case hex)",
    ],
    ['a short address', { pciDevices: [{ address: '01:00.0' }] }, "host PCI device '01:00.0' is not a PCI address of the form 0000:01:00.0 (lower-case hex)"],
    [
      'a device twice',
      { pciDevices: [{ address: '0000:01:00.0' }, { address: '0000:01:00.0', iommuGroup: 3 }] },
      'host PCI device /sys/bus/pci/devices/0000:01:00.0 is listed twice',
    ],
    [
      'a negative group',
      { pciDevices: [{ address: '0000:01:00.0', iommuGroup: -1 }] },
      'host PCI device 0000:01:00.0: iommuGroup must be a non-negative integer (got -1)',
    ],
  ];
  for (const [what, opts, message] of BAD)
    it(`refuses ${what}`, () =>
      assert.equal(
        errorOf(() => new Host(opts)),
        message,
      ));
});

describe('host/vfio: DMA mappings pin', () => {
  function setup() {
    const process = new Host({ arch: 'x86_64' }).spawn({ name: 'qemu', kvm: true });
    const mapped = process.map({ kind: 'anon', size: 64 * MiB });
    assert.equal(mapped.kind, 'done');
    return { process, mapping: mapped.mapping, dma: new VfioDma(process) };
  }

  it('faults the range in for writing and charges it to VmLck; unmapping unpins and frees nothing', () => {
    const { process, mapping, dma } = setup();
    mapping.read(0, 64 * MiB);
    const cost = dma.map(mapping, 0, 16 * MiB);
    assert.equal(cost.delta.rssAnon, 16 * MiB, 'zeropage mappings are replaced by private pages');
    assert.deepEqual([process.status().vmLck, process.status().rssAnon, dma.pinnedBytes], [16 * MiB, 16 * MiB, 16 * MiB]);
    dma.map(mapping, 32 * MiB, 8 * MiB);
    assert.deepEqual(dma.pinned(mapping), [
      { offset: 0, length: 16 * MiB },
      { offset: 32 * MiB, length: 8 * MiB },
    ]);
    assert.equal(dma.unmap(mapping, 0, 24 * MiB), 16 * MiB);
    assert.deepEqual([process.status().vmLck, process.status().rssAnon], [8 * MiB, 24 * MiB]);
    dma.unmapAll();
    assert.deepEqual([process.status().vmLck, dma.pinnedBytes], [0, 0]);
  });

  it('fails with EFAULT where a page cannot be faulted in (a hugetlb pool run dry), pinning nothing', () => {
    const process = new Host({ arch: 'x86_64', hugetlbPages: { [2 * MiB]: 4 } }).spawn({ name: 'qemu', kvm: true });
    const mapped = process.map({ kind: 'anon', size: 16 * MiB, hugetlb: 2 * MiB, reserve: false });
    assert.equal(mapped.kind, 'done');
    const dma = new VfioDma(process);
    assert.deepEqual([dma.map(mapped.mapping, 0, 16 * MiB).kind, dma.pinnedBytes, process.status().vmLck], ['error', 0, 0]);
    assert.equal(process.status().hugetlbPages, 8 * MiB, 'what was faulted in stays');
  });

  it('refuses a mapping that overlaps one already made', () => {
    const { mapping, dma } = setup();
    dma.map(mapping, 0, 16 * MiB);
    assert.match(
      errorOf(() => dma.map(mapping, 8 * MiB, 16 * MiB)),
      /overlaps one already made/,
    );
  });
});
